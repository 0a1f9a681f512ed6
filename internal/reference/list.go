package reference

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/accessctk/accessctk/fuzz/filter"
	"github.com/accessctk/accessctk/internal/bounded"
)

// pageCache makes long walks cheap. A walk of N accesses in pages of k would cost
// N/k COUNT(*)s and, with OFFSET, O(N²/k) row visits. Within one data generation the
// matching set cannot change, so the count is computed once per (tenant, filter), and
// the last primary key of each page served is remembered: page n+1 then starts with
// "pk > last" (keyset paging) instead of OFFSET. A page asked for out of order falls
// back to OFFSET. Entries of older generations are never read; the maps are emptied
// when they grow past their bound.
type pageCache struct {
	counts  *bounded.Map[countKey, int64]
	cursors *bounded.Map[cursorKey, int64] // the last primary key of page k.page
}

type countKey struct {
	generation int64
	tenant     int64
	// filter hashes the canonical (known-fields) expression, so a cache full of
	// very long filters stays small.
	filter [sha256.Size]byte
}

type cursorKey struct {
	countKey
	size, page int64
}

const (
	maxCachedCounts  = 10_000
	maxCachedCursors = 200_000
)

func newPageCache() *pageCache {
	return &pageCache{counts: bounded.New[countKey, int64](maxCachedCounts), cursors: bounded.New[cursorKey, int64](maxCachedCursors)}
}

// page is one list page and the total it belongs to.
type page struct {
	total   int64
	last    int64 // the last page number, at least 1
	records []record
}

// listPage reads page q.page of the tenant's accesses matching q.expr, in primary-key
// order. The generation is read before any query: a write that lands meanwhile bumps
// it, so whatever this call caches is filed under a generation no later reader uses.
func (s *Server) listPage(ctx context.Context, tenantID int64, q listQuery) (page, error) {
	where, args, err := compileFilter(q.expr, s.faulty)
	if err != nil {
		return page{}, err
	}
	canonical := q.expr.Known().String()
	if s.faulty(faultFilterUnknownMatchesNone) {
		canonical = q.expr.String() // the fault keeps unknown conditions
	}
	ck := countKey{generation: s.generation.Load(), tenant: tenantID, filter: sha256.Sum256([]byte(canonical))}
	total, ok := s.pages.counts.Get(ck)
	if !ok {
		countWhere, countArgs := where, args
		if s.faulty(faultPagingTotalIgnoresFilter) {
			countWhere, countArgs = "1", nil
		}
		err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM access WHERE tenant = ? AND `+countWhere,
			append([]any{tenantID}, countArgs...)...).Scan(&total)
		if err != nil {
			return page{}, fmt.Errorf("count accesses: %w", err)
		}
		s.pages.counts.Put(ck, total)
	}
	if s.faulty(faultPagingTotalOffByOne) {
		total++
	}
	p := page{total: total, last: max(1, (total+q.size-1)/q.size)}
	if s.faulty(faultPagingLastFloor) {
		p.last = max(1, total/q.size)
	}
	if q.page > p.last || total == 0 {
		return p, nil
	}
	served, size := q.page, q.size
	if s.faulty(faultPagingNumberIgnored) {
		served = 1
	}
	if s.faulty(faultPagingSizePlusOne) {
		size++
	}
	after, offset := int64(0), (served-1)*size
	switch {
	case served > 1 && s.faulty(faultPagingPagesOverlap):
		offset--
	case served > 1 && s.faulty(faultPagingSkipsOne):
		offset++
	case served > 1 && size == q.size:
		if pk, ok := s.pages.cursors.Get(cursorKey{ck, q.size, served - 1}); ok {
			after, offset = pk, 0
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+recordCols+` FROM access
		WHERE tenant = ? AND pk > ? AND `+where+` ORDER BY pk LIMIT ? OFFSET ?`,
		append(append([]any{tenantID, after}, args...), size, offset)...)
	if err != nil {
		return page{}, fmt.Errorf("list accesses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return page{}, fmt.Errorf("list accesses: %w", err)
		}
		p.records = append(p.records, r)
	}
	if err := rows.Err(); err != nil {
		return page{}, fmt.Errorf("list accesses: %w", err)
	}
	if n := len(p.records); n > 0 && offset == (served-1)*q.size {
		s.pages.cursors.Put(cursorKey{ck, q.size, served}, p.records[n-1].pk)
	}
	return p, nil
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	t, ok := s.authorize(w, r)
	if !ok {
		return
	}
	q, err := parseListQuery(r.URL.RawQuery, int64(s.opts.DefaultPageSize), int64(s.opts.MaxPageSize))
	if err != nil {
		code := "INVALID_FILTER"
		if errors.Is(err, errPaging) {
			code = "INVALID_PAGING"
		}
		writeError(w, http.StatusBadRequest, code, err.Error())
		return
	}
	p, err := s.listPage(r.Context(), t.id, q)
	if errors.Is(err, filter.ErrUnsupported) {
		writeError(w, http.StatusBadRequest, "INVALID_FILTER", err.Error())
		return
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	if p.total == 0 && s.faulty(faultPagingEmpty404) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "no access matches the filter")
		return
	}
	items := make([]resource, len(p.records))
	for i, rec := range p.records {
		items[i] = s.readResource(rec)
	}
	w.Header().Set("X-Total-Count", strconv.FormatInt(p.total, 10))
	w.Header().Set("Link", s.links(r, q, p.last))
	if s.faulty(faultPagingBodyObject) {
		writeJSON(w, http.StatusOK, map[string]any{"items": items})
		return
	}
	writeJSON(w, http.StatusOK, items)
}

// links builds the RFC 8288 Link header: first and last always, prev except on the
// first page, next except on the last (and past it). Each URL is absolute, built
// from the request's scheme and host, and carries the filter as received (encoded)
// with pageNumber and pageSize.
func (s *Server) links(r *http.Request, q listQuery, last int64) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	base := scheme + "://" + r.Host + r.URL.EscapedPath() + "?"
	if q.filterText != "" && !s.faulty(faultPagingLinksDropFilter) {
		base += "filter=" + filter.Encode(q.filterText) + "&"
	}
	link := func(n int64, rel string) string {
		return "<" + base + "pageNumber=" + strconv.FormatInt(n, 10) + "&pageSize=" +
			strconv.FormatInt(q.size, 10) + `>; rel="` + rel + `"`
	}
	var out []string
	if !s.faulty(faultPagingNoFirstLink) {
		out = append(out, link(1, "first"))
	}
	if q.page > 1 {
		out = append(out, link(q.page-1, "prev"))
	}
	if q.page < last || (q.page == last && s.faulty(faultPagingNextOnLast)) {
		out = append(out, link(q.page+1, "next"))
	}
	out = append(out, link(last, "last"))
	return strings.Join(out, ", ")
}
