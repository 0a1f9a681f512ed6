package steps

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/internal/linkheader"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/internal/walker"
)

// pagingSteps are the steps of the paging area (features/skylark/paging.feature) and
// the walking steps the read, filter and isolation areas share.
func pagingSteps(w *World) []stepDef {
	return []stepDef{
		{`^the tenant's accesses, walked at the largest page size$`, w.theTenantsAccesses},
		{`^I walk the list in pages of (\d+|the server's maximum|one past the server's maximum)$`, w.iWalkInPagesOf},
		{`^the walk broke no paging rule$`, w.theWalkBrokeNoPagingRule},
		{`^I list with a filter that matches no access$`, w.iListWithAFilterMatchingNothing},
		{`^the answer is an empty page with X-Total-Count 0 whose first and last links name page 1$`, w.theAnswerIsAnEmptyFirstPage},
		{`^I list page (one past the last|\d+) in pages of (\d+)$`, w.iListPageInPagesOf},
		{`^the page is empty and has the same X-Total-Count$`, w.thePageIsEmptyWithTheSameTotal},
		{`^I list with (pageNumber|pageSize) set to "([^"]*)"$`, w.iListWithPagingValue},
		{`^the paging value is rejected with 400$`, w.thePagingValueIsRejected},
	}
}

// pagingState is the paging area's per-scenario state, kept in World.paging.
type pagingState struct {
	// pending are the findings of walks not yet settled into the scenario record;
	// incomplete says one of those walks stopped before its last page.
	pending    []walker.Finding
	incomplete bool
	// snapshot is the tenant's list walked at the largest page size: what the other
	// walks of the scenario are compared with.
	snapshot *snapshot
	// last is the scenario's most recent walk.
	last *walker.Result
	// summary describes every item of the last "whole list" walk (read scenarios).
	summary *listSummary
	// firstTotal is X-Total-Count of page 1 when a scenario lists a later page.
	firstTotal string
	// subset names the filtered subset a small-page walk covered ("" for the whole
	// tenant).
	subset string
}

// defaultLargestPage is the page size asked for when the fixtures name no maximum.
const defaultLargestPage = 1000

// largestPageSize is the fixtures' maxPageSize, or 1000 (the server may clamp it).
func (w *World) largestPageSize() int {
	if fx := w.suite.Fixtures; fx != nil && fx.MaxPageSize > 0 {
		return fx.MaxPageSize
	}
	return defaultLargestPage
}

func (w *World) maxPageSize() int {
	if fx := w.suite.Fixtures; fx != nil {
		return fx.MaxPageSize
	}
	return 0
}

// walkList walks a list through w.send, so every page is recorded and checked like
// any response. The walk's findings wait in w.paging.pending until a step settles
// them. The scenario record keeps the walk's first two pages and its latest one: a
// walk of thousands of pages would otherwise fill the report (the findings carry
// their own exchanges).
func (w *World) walkList(ctx context.Context, cfg walker.Config) (*walker.Result, error) {
	if cfg.Path == "" {
		cfg.Path = w.tenantPath()
	}
	if cfg.MaxPageSize == 0 {
		cfg.MaxPageSize = w.maxPageSize()
	}
	mark := len(w.exchanges)
	cfg.Client = walker.DoerFunc(func(ctx context.Context, r target.Request) (*target.Response, error) {
		resp, err := w.send(ctx, r)
		if n := len(w.exchanges); n-mark > 3 {
			w.exchanges[n-2] = w.exchanges[n-1]
			w.exchanges[n-1] = nil
			w.exchanges = w.exchanges[:n-1]
		}
		return resp, err
	})
	res, err := walker.Run(ctx, cfg)
	if res != nil {
		w.paging.pending = append(w.paging.pending, res.Findings...)
		w.paging.incomplete = w.paging.incomplete || !res.Complete
		for _, n := range res.Notes {
			w.suite.Logger.Info("walk note", "scenario", w.record.Name, "note", n)
		}
	}
	if err != nil {
		return nil, err
	}
	w.paging.last = res
	return res, nil
}

// settle moves the pending walk findings into the scenario record, as the automatic
// checks do: each finding fails (or warns) the rule it names, whatever scenario met
// it, and the step judges its own rule (own, nil when it holds). Only when a walk
// stopped before its end, so that the step's own rule could not be judged on it,
// does the step fail on the first MUST finding, leaving its other rules unjudged.
func (w *World) settle(own error) error {
	pending := w.paging.pending
	incomplete := w.paging.incomplete
	w.paging.pending, w.paging.incomplete = nil, false
	var first *Failure
	for _, f := range pending {
		ex := recordOf(f.Exchange)
		var context []verdict.Exchange
		for _, c := range f.Context {
			context = append(context, exchangeRecord(c))
		}
		if own == nil && incomplete && first == nil && f.Level == verdict.Must {
			first = &Failure{Requirements: []string{f.Requirement}, Level: verdict.Must, Message: f.Message, Exchange: ex, Context: context}
			continue
		}
		w.finding(f.Requirement, f.Level, f.Message, ex)
		if len(context) > 0 {
			w.record.Findings[len(w.record.Findings)-1].Context = context
		}
	}
	switch {
	case own != nil:
		return own
	case first != nil:
		return first
	case incomplete:
		return &HarnessError{Err: errors.New("a walk stopped before its last page without naming a broken rule")}
	}
	return nil
}

// settleOver is settle for a rule about the accesses a walk listed: when it listed
// none (accesses is 0) the rule held vacuously, so once the walk's findings are
// recorded the step skips with why rather than passing on nothing.
func (w *World) settleOver(own error, accesses int, why string, args ...any) error {
	if err := w.settle(own); err != nil {
		return err
	}
	if accesses == 0 {
		return skipf(why, args...)
	}
	return nil
}

// theTenantsAccesses walks the whole unfiltered list at the largest page size and
// keeps every access's filterable fields: the expectation of the scenario's other
// walks and the oracle's data. A broken walk stops the scenario on its rule.
func (w *World) theTenantsAccesses(ctx context.Context) error {
	cache, gen := w.suite.Snapshots, 0
	if cache != nil && w.suite.Gate != nil && slices.Contains(w.record.Tags, TagReadOnly) {
		gen = w.suite.Gate.Generation()
		cache.mu.Lock()
		defer cache.mu.Unlock()
		if cache.snap != nil && cache.gen == gen {
			w.paging.snapshot = cache.snap
			return nil
		}
	} else {
		cache = nil
	}
	snap := newSnapshot()
	res, err := w.walkList(ctx, walker.Config{PageSize: w.largestPageSize(), OnItem: snap.add})
	if err != nil {
		return err
	}
	if err := w.settle(nil); err != nil {
		return err
	}
	snap.total = res.Total
	w.paging.snapshot = snap
	if cache != nil && res.Complete {
		cache.snap, cache.gen = snap, gen
	}
	return nil
}

// SnapshotCache keeps one walk of the tenant's whole list for the reading scenarios
// of a stretch of unchanged data: the first walks it (and judges the walk's paging
// rules), the others compare with it, instead of each walking a tenant of 50,000
// accesses again. A snapshot is read-only once made. Safe for concurrent use.
type SnapshotCache struct {
	mu   sync.Mutex
	gen  int
	snap *snapshot
}

func (w *World) iWalkInPagesOf(ctx context.Context, size string) error {
	maxSize := w.maxPageSize()
	n := 0
	switch size {
	case "the server's maximum", "one past the server's maximum":
		if maxSize == 0 {
			return skipf("the fixtures name no maxPageSize, so the server's maximum page size is unknown")
		}
		n = maxSize
		if size == "one past the server's maximum" {
			n = maxSize + 1
			rejected, err := w.pageSizeRejected(ctx, n)
			if err != nil || rejected {
				return err
			}
		}
	default:
		var err error
		if n, err = strconv.Atoi(size); err != nil {
			return &HarnessError{Err: fmt.Errorf("page size %q: %w", size, err)}
		}
	}
	cfg := walker.Config{PageSize: n}
	s := w.paging.snapshot
	if s != nil && !w.suite.FullWalks {
		if text, ok := s.pagingSubset(n); ok {
			return w.walkSubset(ctx, text, n)
		}
	}
	if s != nil {
		cfg.Expected, cfg.ExpectedAt = s.ids, s.idAt
	}
	_, err := w.walkList(ctx, cfg)
	return err
}

// Bounds of the subset a small-page walk covers instead of the whole tenant: a walk
// in pages of 1 costs one request per access, so a tenant of 50,000 accesses would
// cost 50,000 requests for what a few dozen show as well.
const (
	subsetMax = 64
	// subsetPages is the fewest pages a subset walk spans: first, middle, last.
	subsetPages = 3
)

// pagingSubset chooses, from the tenant's own data, an equality filter that matches
// a subset of accesses a walk in pages of n can prove the paging rules on: at least
// three pages, at most subsetMax accesses, and (for n > 1) a last page that is not
// full, so that rel="last" tells ceil from floor. It prefers the largest such subset,
// and values made of plain characters (no filter syntax to get wrong), and returns
// false when the tenant is small enough to walk whole or no value fits.
func (s *snapshot) pagingSubset(n int) (string, bool) {
	if s.ids.Len() <= subsetMax || n <= 0 {
		return "", false
	}
	best, bestCount := "", 0
	for _, field := range []string{"contractId", "createdBy", "productOfferingId", "username", "name"} {
		values, counts := s.values(field)
		for _, v := range values {
			c := counts[v]
			if c > subsetMax || c <= (subsetPages-1)*n || (n > 1 && c%n == 0) || !plainValue(v) {
				continue
			}
			if c > bestCount {
				best, bestCount = field+"="+v, c
			}
		}
	}
	return best, bestCount > 0
}

func plainValue(v string) bool {
	if v == "" {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// walkSubset walks the accesses an equality filter selects twice, at the largest
// page size and in pages of n, and holds the second walk to the first: the paging
// rules are judged on the server's own answer to the filter (a gap or a duplicate
// breaks SAM-PG-05), whether or not that answer is right, which the filter scenarios
// judge. A wrong total of the filtered list breaks SAM-FL-07, as in any filtered walk.
func (w *World) walkSubset(ctx context.Context, text string, n int) error {
	query := w.filterText(text)
	reference := newSnapshot()
	res, err := w.walkList(ctx, walker.Config{PageSize: w.largestPageSize(), Filter: query, OnItem: reference.add,
		CoverageRequirement: "SAM-PG-05"})
	if err != nil {
		return err
	}
	if !res.Complete {
		return nil
	}
	w.paging.subset = fmt.Sprintf("%s (%d accesses)", text, reference.ids.Len())
	w.suite.Walks.note(n, w.paging.subset)
	_, err = w.walkList(ctx, walker.Config{PageSize: n, Filter: query, Expected: reference.ids, ExpectedAt: reference.idAt,
		CoverageRequirement: "SAM-PG-05"})
	return err
}

// pageSizeRejected asks for page 1 with a page size past the server's maximum. The
// catalogue honours sizes only up to the maximum and says nothing beyond it, so a
// 4xx is as acceptable as a clamped page; only a 200 is walked and judged.
func (w *World) pageSizeRejected(ctx context.Context, size int) (bool, error) {
	resp, err := w.send(ctx, target.Request{Method: http.MethodGet, Path: w.tenantPath(), RawQuery: "pageNumber=1&pageSize=" + strconv.Itoa(size)})
	if err != nil {
		return false, err
	}
	return resp.Status >= 400 && resp.Status < 500, nil
}

// theWalkBrokeNoPagingRule judges the scenario's walks by their findings alone.
// A walk of a list that holds no access (and was expected to hold none) judged the
// single page it saw, but not the rules about what the pages hold: with no access
// there is no gap or duplicate to find (SAM-PG-05) and no full page to count
// (SAM-PG-08). The scenario is skipped, keeping as judged the rules that one empty
// page does exercise.
func (w *World) theWalkBrokeNoPagingRule() error {
	if err := w.settle(nil); err != nil {
		return err
	}
	last, snap := w.paging.last, w.paging.snapshot
	if last == nil || last.IDs.Len() > 0 || (snap != nil && snap.ids.Len() > 0) {
		return nil
	}
	for _, r := range []string{"SAM-PG-01", "SAM-PG-02", "SAM-PG-03", "SAM-PG-06"} {
		if slices.Contains(w.record.Requirements, r) {
			w.checked[r] = true
		}
	}
	return skipf("the list of tenant %q holds no access: a walk of it cannot show a gap, a duplicate or a full page", w.tenant.Name)
}

func (w *World) iListWithAFilterMatchingNothing(ctx context.Context) error {
	expr := "contractId=accessctk-no-such-contract-" + randomHex(6)
	_, err := w.send(ctx, target.Request{Method: http.MethodGet, Path: w.tenantPath(), RawQuery: w.filterText(expr)})
	return err
}

func (w *World) theAnswerIsAnEmptyFirstPage() error {
	r := w.last
	if r == nil {
		return &HarnessError{Err: fmt.Errorf("no response to check")}
	}
	if r.Status != http.StatusOK {
		return w.failf("a filter that matches nothing: expected status 200, got %d%s", r.Status, bodyExcerpt(r.Exchange.ResponseBody))
	}
	body := gjson.ParseBytes(r.Body)
	if !gjson.ValidBytes(r.Body) || !body.IsArray() || len(body.Array()) != 0 {
		return w.failf("a filter that matches nothing: expected the body [], got%s", bodyExcerpt(r.Exchange.ResponseBody))
	}
	if got := r.Header.Get("X-Total-Count"); got != "0" {
		return w.failf("a filter that matches nothing: expected X-Total-Count 0, got %q", got)
	}
	links, err := linkheader.Parse(r.Header.Values("Link")...)
	if err != nil {
		return w.failf("a filter that matches nothing: %v", err)
	}
	for _, rel := range []string{"first", "last"} {
		ls := links.Rel(rel)
		if len(ls) != 1 {
			return w.failf("a filter that matches nothing: expected one rel=%q link, got %d (Link: %q)", rel, len(ls), r.Header.Get("Link"))
		}
		if n := linkPage(ls[0]); n != "1" {
			return w.failf("a filter that matches nothing: rel=%q names page %q, not page 1", rel, n)
		}
	}
	return nil
}

// linkPage is the pageNumber a link names, "" when it names none.
func linkPage(l linkheader.Link) string {
	u, err := url.Parse(l.Target)
	if err != nil {
		return ""
	}
	for _, seg := range strings.Split(u.RawQuery, "&") {
		if k, v, _ := strings.Cut(seg, "="); k == "pageNumber" {
			return v
		}
	}
	return ""
}

// iListPageInPagesOf reads page 1 to learn the total and the last page, then the
// page asked for (SAM-PG-11).
func (w *World) iListPageInPagesOf(ctx context.Context, which string, size int) error {
	first, err := w.send(ctx, target.Request{Method: http.MethodGet, Path: w.tenantPath(), RawQuery: fmt.Sprintf("pageNumber=1&pageSize=%d", size)})
	if err != nil {
		return err
	}
	if first.Status != http.StatusOK {
		return w.failReqf("SAM-PG-01", "page 1: expected status 200, got %d%s", first.Status, bodyExcerpt(first.Exchange.ResponseBody))
	}
	w.paging.firstTotal = first.Header.Get("X-Total-Count")
	page := which
	if which == "one past the last" {
		links, err := linkheader.Parse(first.Header.Values("Link")...)
		if err != nil {
			return w.failReqf("SAM-PG-03", "page 1: %v", err)
		}
		last := links.Rel("last")
		n, convErr := strconv.Atoi(linkPage(firstOf(last)))
		if len(last) != 1 || convErr != nil {
			return w.failReqf("SAM-PG-03", "page 1 names no last page (Link: %q)", first.Header.Get("Link"))
		}
		page = strconv.Itoa(n + 1)
	}
	_, err = w.send(ctx, target.Request{Method: http.MethodGet, Path: w.tenantPath(), RawQuery: fmt.Sprintf("pageNumber=%s&pageSize=%d", page, size)})
	return err
}

func firstOf(ls []linkheader.Link) linkheader.Link {
	if len(ls) == 0 {
		return linkheader.Link{}
	}
	return ls[0]
}

// thePageIsEmptyWithTheSameTotal is a SHOULD (SAM-PG-11): a miss warns.
func (w *World) thePageIsEmptyWithTheSameTotal() error {
	r := w.last
	body := gjson.ParseBytes(r.Body)
	var problem string
	switch {
	case r.Status != http.StatusOK:
		problem = fmt.Sprintf("expected status 200, got %d%s", r.Status, bodyExcerpt(r.Exchange.ResponseBody))
	case !gjson.ValidBytes(r.Body) || !body.IsArray() || len(body.Array()) != 0:
		problem = "expected the body []" + bodyExcerpt(r.Exchange.ResponseBody)
	case r.Header.Get("X-Total-Count") != w.paging.firstTotal:
		problem = fmt.Sprintf("expected X-Total-Count %q as on page 1, got %q", w.paging.firstTotal, r.Header.Get("X-Total-Count"))
	}
	if problem != "" {
		w.finding("SAM-PG-11", verdict.Should, "a page past the last: "+problem, w.lastExchange())
	}
	return nil
}

func (w *World) iListWithPagingValue(ctx context.Context, param, value string) error {
	_, err := w.send(ctx, target.Request{Method: http.MethodGet, Path: w.tenantPath(), RawQuery: param + "=" + url.QueryEscape(value)})
	return err
}

// thePagingValueIsRejected is a SHOULD (SAM-PG-10): a miss warns.
func (w *World) thePagingValueIsRejected() error {
	if r := w.last; r.Status != http.StatusBadRequest {
		w.finding("SAM-PG-10", verdict.Should, fmt.Sprintf("an invalid paging value: expected status 400, got %d%s", r.Status, bodyExcerpt(r.Exchange.ResponseBody)), w.lastExchange())
	}
	return nil
}

// WalkLog records, for the report, which small-page walks covered a subset rather
// than the whole tenant. Safe for concurrent use; a nil *WalkLog records nothing.
type WalkLog struct {
	mu     sync.Mutex
	bySize map[int]string
}

func (l *WalkLog) note(size int, subset string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bySize == nil {
		l.bySize = map[int]string{}
	}
	l.bySize[size] = subset
}

// Note says which walks covered a subset, "" when none did.
func (l *WalkLog) Note() string {
	if l == nil {
		return ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.bySize) == 0 {
		return ""
	}
	sizes := slices.Sorted(maps.Keys(l.bySize))
	var parts []string
	for _, n := range sizes {
		parts = append(parts, fmt.Sprintf("pages of %d over %s", n, l.bySize[n]))
	}
	return "walk depth: the walks in small pages covered a subset of the tenant chosen from its data (" + strings.Join(parts, "; ") +
		"); --full-walks walks the whole tenant at every page size"
}
