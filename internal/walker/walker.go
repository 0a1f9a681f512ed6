// Package walker walks a Skylark list endpoint from page 1 to its end by following
// rel="next", and checks the paging rules (SAM-PG-02 to SAM-PG-08) on every page as
// it goes. It streams: it keeps one page at a time plus the set of ids seen, so a
// tenant of a million accesses can be walked, and it detects next loops instead of
// following them forever. Scenarios and the fuzzer share it.
package walker

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/fuzz/filter"
	"github.com/accessctk/accessctk/internal/linkheader"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/verdict"
)

// Requirement IDs the walker attributes its findings to.
const (
	ReqList      = "SAM-PG-01"
	ReqTotal     = "SAM-PG-02"
	ReqLinks     = "SAM-PG-03"
	ReqPrev      = "SAM-PG-04"
	ReqCoverage  = "SAM-PG-05"
	ReqLinkURLs  = "SAM-PG-06"
	ReqKeep      = "SAM-PG-07"
	ReqPageSize  = "SAM-PG-08"
	ReqMatch     = "SAM-FL-01"
	ReqFiltTotal = "SAM-FL-07"
)

// Doer sends one request. *target.Client is one; the step library passes a wrapper
// that records every exchange in the scenario and checks it against the spec.
type Doer interface {
	Do(ctx context.Context, r target.Request) (*target.Response, error)
}

// DoerFunc adapts a function to Doer.
type DoerFunc func(ctx context.Context, r target.Request) (*target.Response, error)

// Do calls f.
func (f DoerFunc) Do(ctx context.Context, r target.Request) (*target.Response, error) {
	return f(ctx, r)
}

// Config describes one walk.
type Config struct {
	Client Doer
	Token  target.Token
	// Path is the list path in its escaped wire form, e.g. "/eos/access".
	Path string
	// Filter is the filter query component exactly as it is to be sent:
	// filter.Expr.QueryParam() (encoded) or RawQueryParam() (the page's raw form);
	// "" for none.
	Filter string
	// Expr is the expression Filter carries. When it is set and every condition is
	// on a returned field, every item is checked to match it.
	Expr filter.Expr
	// Extra is appended verbatim to the first request's query (e.g. an unknown
	// parameter for SAM-FL-04).
	Extra string
	// PageSize is the requested page size; 0 sends none (the server's default).
	PageSize int
	// MaxPageSize is the server's documented largest page; 0 when unknown.
	MaxPageSize int
	// Expected, when set, holds exactly the ids the walk must visit (known from
	// another walk or from the oracle). It sharpens attribution: a wrong total and a
	// gap in the walk can then be told apart.
	Expected *IDSet
	// ExpectedAt, with Expected, gives the id expected at a 0-based position of the
	// walk (false past the end): the order of the list walked at another page size.
	// It places a gap on the page where the missing access belonged, so that a
	// coverage finding can show that page and its neighbours rather than page 1.
	ExpectedAt func(i int) (string, bool)
	// MaxPages bounds the walk; 0 derives the bound from the first page's rel="last"
	// (a next loop or a runaway next chain is reported, not followed).
	MaxPages int
	// OnItem sees every item of every page in order. It must copy what it keeps
	// (strings.Clone): a string gjson cuts from the page shares the page's memory and
	// would keep the whole page alive. An error stops the walk and Run returns it.
	OnItem func(item gjson.Result) error

	// MatchRequirement names the rule an item that does not match Expr breaks on a
	// page whose request carried the filter as sent (default SAM-FL-01).
	MatchRequirement string
	// TotalRequirement names the rule a wrong X-Total-Count breaks (default
	// SAM-FL-07 with a filter, SAM-PG-02 without).
	TotalRequirement string
	// CoverageRequirement names the rule ids missing from, or foreign to, Expected
	// break (default SAM-FL-01 with a filter, SAM-PG-05 without).
	CoverageRequirement string
}

// Finding is one broken rule the walk met.
type Finding struct {
	Requirement string
	Level       verdict.Level
	Message     string
	// Exchange is the redacted exchange that shows it (nil for end-of-walk sums).
	Exchange *target.Exchange
	// Context are other exchanges that show it, in the order they were sent: the
	// pages around a gap in the walk (see Config.ExpectedAt).
	Context []*target.Exchange
}

// Result is what a walk saw.
type Result struct {
	// Total is the first page's X-Total-Count, -1 when missing or malformed.
	Total int64
	// PageSize is the page size in use, as the first page's links name it (the
	// requested size when they name none), 0 when unknown.
	PageSize int
	// LastPage is the page number the first page's rel="last" names, 0 when unknown.
	LastPage int64
	// Pages is the number of pages fetched; Items the number of items on them,
	// duplicates included.
	Pages, Items int
	// IDs are the distinct ids visited.
	IDs *IDSet
	// Findings are the broken rules, in the order met.
	Findings []Finding
	// Complete says the walk reached its last page: the ids are the whole list
	// (as far as the server's paging can be trusted; see Findings).
	Complete bool
	// First is the first page's exchange, as evidence.
	First *target.Exchange
	// Notes are remarks that are not findings (e.g. links naming another host,
	// followed on the target).
	Notes []string
}

// Failed reports whether any finding has level MUST.
func (r *Result) Failed() bool {
	for _, f := range r.Findings {
		if f.Level == verdict.Must {
			return true
		}
	}
	return false
}

// Run walks the list. A returned error means the walk could not be judged (the
// target was unreachable, timed out, or OnItem failed); the partial Result is
// returned with it. Rule violations are Findings, never errors.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Client == nil || cfg.Path == "" {
		return nil, errors.New("walker: Config needs a Client and a Path")
	}
	w := &walk{cfg: cfg, res: &Result{Total: -1, IDs: NewIDSet()}, visited: map[string]bool{}, reported: map[string]bool{}}
	w.checkable = cfg.Expr != nil && returnedOnly(cfg.Expr)
	if cfg.MatchRequirement == "" {
		w.cfg.MatchRequirement = ReqMatch
	}
	if cfg.TotalRequirement == "" {
		w.cfg.TotalRequirement = ReqTotal
		if cfg.Filter != "" {
			w.cfg.TotalRequirement = ReqFiltTotal
		}
	}
	if cfg.CoverageRequirement == "" {
		w.cfg.CoverageRequirement = ReqCoverage
		if cfg.Filter != "" {
			w.cfg.CoverageRequirement = ReqMatch
		}
	}
	if cfg.Filter != "" {
		w.sentFilter, w.encodedFilter = filterValue(cfg.Filter)
	}
	err := w.run(ctx)
	return w.res, err
}

// returnedOnly reports whether every known condition is on a field responses carry.
func returnedOnly(e filter.Expr) bool {
	for _, c := range e.Known() {
		for _, cond := range c {
			if f, _ := filter.LookupField(cond.Field); !f.Returned {
				return false
			}
		}
	}
	return true
}

type walk struct {
	cfg       Config
	res       *Result
	checkable bool
	// sentFilter is the decoded filter as sent; encodedFilter says it was sent as one
	// encoded parameter (so a link's filter can be compared with it).
	sentFilter      string
	encodedFilter   bool
	visited         map[string]bool
	reported        map[string]bool
	duplicates      int
	shortPages      int
	shortPageSample []int64
	repeatedPage    bool
	nonMatchFirst   bool
	// pageIDs are the current page's ids, kept only to place a gap (ExpectedAt).
	pageIDs []string
	gap     gapPages
}

func (w *walk) find(req string, level verdict.Level, ex *target.Exchange, format string, args ...any) {
	w.res.Findings = append(w.res.Findings, Finding{Requirement: req, Level: level, Message: fmt.Sprintf(format, args...), Exchange: ex})
}

func (w *walk) must(req string, ex *target.Exchange, format string, args ...any) {
	w.find(req, verdict.Must, ex, format, args...)
}

// first reports whether kind has not been reported yet, and marks it: problems that
// repeat on every page are reported once, on the first page that shows them.
func (w *walk) first(kind string) bool {
	if w.reported[kind] {
		return false
	}
	w.reported[kind] = true
	return true
}

// pageState is what one fetched page told.
type pageState struct {
	number int64 // the page number this request asked for
	// filterKept says the request carried the filter exactly as sent.
	filterKept bool
	resp       *target.Response
}

func (w *walk) firstQuery() string {
	var parts []string
	if w.cfg.Filter != "" {
		parts = append(parts, w.cfg.Filter)
	}
	if w.cfg.Extra != "" {
		parts = append(parts, w.cfg.Extra)
	}
	parts = append(parts, "pageNumber=1")
	if w.cfg.PageSize > 0 {
		parts = append(parts, "pageSize="+strconv.Itoa(w.cfg.PageSize))
	}
	return strings.Join(parts, "&")
}

func (w *walk) run(ctx context.Context) error {
	req := target.Request{Method: http.MethodGet, Path: w.cfg.Path, RawQuery: w.firstQuery(), Token: w.cfg.Token}
	cur := pageState{number: 1, filterKept: true}
	bound := w.cfg.MaxPages
	for {
		resp, err := w.cfg.Client.Do(ctx, req)
		if err != nil {
			return fmt.Errorf("walker: page %d: %w", cur.number, err)
		}
		w.res.Pages++
		cur.resp = resp
		if w.res.Pages == 1 {
			w.res.First = resp.Exchange
		}
		next, stop, err := w.page(cur)
		if err != nil {
			return err
		}
		w.trackGap(cur.number, resp.Exchange)
		if stop {
			return nil
		}
		if next == nil {
			w.finish()
			return nil
		}
		if w.res.Pages == 1 && bound == 0 {
			bound = int(min(w.res.LastPage, 1<<30)) + 1
			if w.res.LastPage == 0 {
				bound = 1 << 20
			}
		}
		if w.res.Pages >= bound {
			w.must(ReqCoverage, resp.Exchange, "the walk has fetched %d pages and next still leads on (rel=\"last\" names page %d); stopped", w.res.Pages, w.res.LastPage)
			return nil
		}
		req, cur = *next.req, next.state
		// A next link that names its page number must name the following page (see
		// follow), so it cannot loop; only links without one need remembering, which
		// keeps the walk's memory to one page and the ids for any well-formed list.
		if !next.numbered {
			if w.visited[next.key] {
				w.must(ReqCoverage, resp.Exchange, "next loop: page %d links next to %s, which the walk has already visited", cur.number-1, next.key)
				return nil
			}
			w.visited[resp.Exchange.URL] = true
			w.visited[next.key] = true
		}
	}
}

// nextPage is where the walk goes after a page; numbered says its link named the
// page number.
type nextPage struct {
	req      *target.Request
	key      string
	numbered bool
	state    pageState
}

// page checks one page and decides where to go. stop ends the walk early (the
// list cannot be followed further); a nil next with stop false is the normal end.
func (w *walk) page(cur pageState) (next *nextPage, stop bool, err error) {
	resp, ex := cur.resp, cur.resp.Exchange
	if resp.Status != http.StatusOK {
		w.must(ReqList, ex, "page %d: expected status 200, got %d%s", cur.number, resp.Status, excerpt(ex))
		return nil, true, nil
	}
	body := gjson.ParseBytes(resp.Body)
	if !gjson.ValidBytes(resp.Body) || !body.IsArray() {
		w.must(ReqList, ex, "page %d: the body is not a JSON array of accesses%s", cur.number, excerpt(ex))
		return nil, true, nil
	}
	n, err := w.items(cur, body)
	if err != nil {
		return nil, false, err
	}
	w.total(cur)
	links, ok := w.links(cur)
	if !ok {
		return nil, true, nil
	}
	size := int64(w.res.PageSize)
	if size > 0 && int64(n) > size {
		w.must(ReqPageSize, ex, "page %d holds %d items, more than the page size in use (%d)", cur.number, n, size)
	}
	last := w.res.LastPage
	switch {
	case last > 0 && cur.number == last:
		if len(links.next) > 0 {
			w.must(ReqCoverage, ex, "page %d is the page rel=\"last\" names, yet it has rel=\"next\" (%s): the walk does not end on the last page", cur.number, links.next[0].Target)
		}
		return nil, false, nil
	case last > 0 && cur.number > last:
		// Reached past the last page through next: already reported on the way.
		return nil, false, nil
	}
	// A short page is one before the last when the walk goes on from it, or when
	// rel="last" names a later page (here last > 0 means cur.number < last). Without
	// rel="last" (reported) the page that ends the walk is its last, which may be short.
	if beforeLast := len(links.next) > 0 || last > 0; beforeLast && size > 0 && int64(n) < size {
		w.shortPages++
		if len(w.shortPageSample) < 5 {
			w.shortPageSample = append(w.shortPageSample, cur.number)
		}
	}
	if len(links.next) == 0 {
		if last > 0 {
			w.must(ReqLinks, ex, "page %d of %d has no rel=\"next\": every page but the last needs one", cur.number, last)
			return nil, true, nil
		}
		return nil, false, nil
	}
	return w.follow(cur, links.next[0])
}

// items streams the page's items: ids, duplicates, the filter, OnItem.
func (w *walk) items(cur pageState, body gjson.Result) (int, error) {
	ex := cur.resp.Exchange
	n, fresh, badShape := 0, 0, 0
	var nonMatching []string
	var dupes []string
	var itemErr error
	w.pageIDs = w.pageIDs[:0]
	body.ForEach(func(_, item gjson.Result) bool {
		n++
		id := item.Get("id")
		if !item.IsObject() || id.Type != gjson.String {
			badShape++
			return true
		}
		if w.cfg.ExpectedAt != nil {
			// Not cloned: they share the page's memory and are dropped with the page.
			w.pageIDs = append(w.pageIDs, id.String())
		}
		if w.res.IDs.Add(id.String()) {
			fresh++
		} else {
			w.duplicates++
			if len(dupes) < 3 {
				dupes = append(dupes, id.String())
			}
		}
		if w.checkable {
			ok, err := w.cfg.Expr.Match(itemRecord(item))
			if err != nil || !ok {
				nonMatching = append(nonMatching, id.String())
			}
		}
		if w.cfg.OnItem != nil {
			if err := w.cfg.OnItem(item); err != nil {
				itemErr = err
				return false
			}
		}
		return true
	})
	w.res.Items += n
	if itemErr != nil {
		return n, fmt.Errorf("walker: page %d: %w", cur.number, itemErr)
	}
	if badShape > 0 {
		w.must(ReqList, ex, "page %d: %d of its %d items are not accesses with a string id", cur.number, badShape, n)
	}
	if len(dupes) > 0 && w.first("duplicates") {
		w.must(ReqCoverage, ex, "page %d repeats %d accesses an earlier page already showed (e.g. %s): following next must visit each access exactly once", cur.number, n-fresh-badShape, strings.Join(dupes, ", "))
	}
	// One repeated item is an overlap (SAM-PG-05); a whole page of them is not the
	// current page.
	if cur.number > 1 && n > 1 && fresh == 0 && badShape == 0 && !w.repeatedPage {
		w.repeatedPage = true
		w.must(ReqList, ex, "page %d shows only accesses of earlier pages: the response is not the current page", cur.number)
	}
	if len(nonMatching) > 0 {
		req := w.cfg.MatchRequirement
		if cur.number == 1 {
			w.nonMatchFirst = true
		} else if !cur.filterKept && !w.nonMatchFirst {
			req = ReqKeep
		}
		if !w.first("nonmatching " + req) {
			return n, nil
		}
		w.must(req, ex, "page %d holds %d accesses that do not match the filter %q: %s", cur.number, len(nonMatching), w.cfg.Expr.String(), sample(nonMatching))
	}
	return n, nil
}

// itemRecord gives the oracle an item's returned fields; null or absent is absent.
func itemRecord(item gjson.Result) filter.Record {
	return func(field string) (string, bool) {
		v := item.Get(field)
		if !v.Exists() || v.Type == gjson.Null {
			return "", false
		}
		return v.String(), true
	}
}

// total checks X-Total-Count: present, a non-negative integer, the same on every page.
func (w *walk) total(cur pageState) {
	ex := cur.resp.Exchange
	vals := cur.resp.Header.Values("X-Total-Count")
	var v int64 = -1
	switch {
	case len(vals) == 0:
		w.must(ReqTotal, ex, "page %d has no X-Total-Count header", cur.number)
	case len(vals) > 1:
		w.must(ReqTotal, ex, "page %d has %d X-Total-Count headers", cur.number, len(vals))
	default:
		n, ok := nonNegative(strings.TrimSpace(vals[0]))
		if !ok {
			w.must(ReqTotal, ex, "page %d: X-Total-Count %q is not a non-negative integer", cur.number, vals[0])
		}
		v = n
	}
	if w.res.Pages == 1 {
		w.res.Total = v
		return
	}
	if v >= 0 && w.res.Total >= 0 && v != w.res.Total && w.first("total changed") {
		req := ReqTotal
		if w.cfg.Filter != "" {
			req = ReqKeep
		}
		w.must(req, ex, "X-Total-Count changed during the walk: %d on page 1, %d on page %d", w.res.Total, v, cur.number)
	}
}

func nonNegative(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return -1, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// pageLinks are a page's links by relation.
type pageLinks struct {
	first, last, next, prev []linkheader.Link
}

// links parses and checks the Link header. ok false means the walk cannot go on.
func (w *walk) links(cur pageState) (pageLinks, bool) {
	var pl pageLinks
	ex := cur.resp.Exchange
	lines := cur.resp.Header.Values("Link")
	if len(lines) == 0 {
		w.must(ReqLinks, ex, "page %d has no Link header", cur.number)
		return pl, false
	}
	ls, err := linkheader.Parse(lines...)
	if err != nil {
		w.must(ReqLinks, ex, "page %d: %v", cur.number, err)
		return pl, false
	}
	pl = pageLinks{first: ls.Rel("first"), last: ls.Rel("last"), next: ls.Rel("next"), prev: ls.Rel("prev")}
	for _, rl := range []struct {
		rel   string
		links []linkheader.Link
	}{{"first", pl.first}, {"last", pl.last}, {"next", pl.next}, {"prev", pl.prev}} {
		if len(rl.links) > 1 {
			w.must(ReqLinks, ex, "page %d has %d rel=%q links; which one to follow is ambiguous", cur.number, len(rl.links), rl.rel)
		}
	}
	if len(pl.first) == 0 {
		w.must(ReqLinks, ex, "page %d has no rel=\"first\" link", cur.number)
	}
	if len(pl.last) == 0 {
		w.must(ReqLinks, ex, "page %d has no rel=\"last\" link", cur.number)
	}
	if cur.number > 1 && len(pl.prev) == 0 {
		w.find(ReqPrev, verdict.Should, ex, "page %d has no rel=\"prev\" link", cur.number)
	}
	checked := map[string]pageRef{}
	for _, rl := range []struct {
		rel   string
		links []linkheader.Link
	}{{"first", pl.first}, {"last", pl.last}, {"next", pl.next}, {"prev", pl.prev}} {
		if len(rl.links) == 0 {
			continue
		}
		if ref, ok := w.linkRef(cur, rl.rel, rl.links[0]); ok {
			checked[rl.rel] = ref
		}
	}
	if ref, ok := checked["first"]; ok && ref.number != 1 {
		w.must(ReqLinkURLs, ex, "page %d: rel=\"first\" names page %d, not page 1", cur.number, ref.number)
	}
	if ref, ok := checked["prev"]; ok && cur.number > 1 && ref.number != cur.number-1 {
		w.find(ReqPrev, verdict.Should, ex, "page %d: rel=\"prev\" names page %d, not page %d", cur.number, ref.number, cur.number-1)
	}
	w.pageSizeInUse(cur, checked)
	if ref, ok := checked["last"]; ok {
		w.lastPage(cur, ref)
	}
	return pl, true
}

// pageRef is what a link URL names.
type pageRef struct {
	number, size int64
	hasFilter    bool
	filter       string // decoded value of the filter parameter
}

// linkRef reads pageNumber, pageSize and the filter from a link's URL, reporting
// what is missing.
func (w *walk) linkRef(cur pageState, rel string, l linkheader.Link) (pageRef, bool) {
	ex := cur.resp.Exchange
	u, err := url.Parse(l.Target)
	if err != nil {
		w.must(ReqLinks, ex, "page %d: rel=%q target %q is not a URL: %v", cur.number, rel, l.Target, err)
		return pageRef{}, false
	}
	q := rawParams(u.RawQuery)
	ref := pageRef{}
	ok := true
	for _, name := range []string{"pageNumber", "pageSize"} {
		v, present := q[name]
		n, valid := nonNegative(v)
		if !present || !valid || n < 1 {
			w.must(ReqLinkURLs, ex, "page %d: the rel=%q link %s does not carry a positive %s", cur.number, rel, l.Target, name)
			ok = false
			continue
		}
		if name == "pageNumber" {
			ref.number = n
		} else {
			ref.size = n
		}
	}
	ref.filter, ref.hasFilter = q["filter"]
	if w.cfg.Filter != "" && !ref.hasFilter && w.first("filter dropped") {
		w.must(ReqKeep, ex, "page %d: the rel=%q link %s drops the filter", cur.number, rel, l.Target)
	}
	return ref, ok
}

// rawParams decodes a raw query's parameters (first occurrence wins). A value is
// decoded as RFC 3986 reads it: "+" stays a plus.
func rawParams(raw string) map[string]string {
	out := map[string]string{}
	for _, seg := range strings.Split(raw, "&") {
		if seg == "" {
			continue
		}
		k, v, _ := strings.Cut(seg, "=")
		dk, err := url.PathUnescape(k)
		if err != nil {
			continue
		}
		dv, err := url.PathUnescape(v)
		if err != nil {
			dv = v
		}
		if _, dup := out[dk]; !dup {
			out[dk] = dv
		}
	}
	return out
}

// filterValue decodes a filter component as sent; encoded says it is one
// percent-encoded parameter (no raw "&" inside it).
func filterValue(component string) (decoded string, encoded bool) {
	v := strings.TrimPrefix(component, "filter=")
	if strings.Contains(v, "&") {
		return v, false
	}
	d, err := url.PathUnescape(v)
	if err != nil {
		return v, false
	}
	return d, true
}

// pageSizeInUse learns the page size from the first page's links and checks it
// against the request (SAM-PG-08); on later pages the links must keep it.
func (w *walk) pageSizeInUse(cur pageState, refs map[string]pageRef) {
	ex := cur.resp.Exchange
	var inUse int64
	for _, rel := range []string{"first", "last", "next", "prev"} {
		if r, ok := refs[rel]; ok && r.size > 0 {
			if inUse == 0 {
				inUse = r.size
			} else if r.size != inUse {
				w.must(ReqLinkURLs, ex, "page %d: the links disagree on pageSize (%d and %d)", cur.number, inUse, r.size)
				break
			}
		}
	}
	if w.res.Pages > 1 {
		if inUse > 0 && w.res.PageSize > 0 && int(inUse) != w.res.PageSize && w.first("size changed") {
			w.must(ReqPageSize, ex, "page %d: the links change the page size from %d to %d", cur.number, w.res.PageSize, inUse)
		}
		return
	}
	req, maxSize := int64(w.cfg.PageSize), int64(w.cfg.MaxPageSize)
	if inUse == 0 {
		w.res.PageSize = int(req)
		return
	}
	w.res.PageSize = int(inUse)
	switch {
	case req == 0:
	case maxSize > 0 && inUse != min(req, maxSize):
		w.must(ReqPageSize, ex, "requested pageSize %d (the server's maximum is %d), but the links use %d", req, maxSize, inUse)
	case inUse > req:
		w.must(ReqPageSize, ex, "requested pageSize %d, but the links use %d", req, inUse)
	}
}

// lastPage checks rel="last" against X-Total-Count and the page size (SAM-PG-06).
func (w *walk) lastPage(cur pageState, ref pageRef) {
	ex := cur.resp.Exchange
	if w.res.Pages > 1 {
		if w.res.LastPage > 0 && ref.number != w.res.LastPage && w.first("last changed") {
			w.must(ReqLinkURLs, ex, "rel=\"last\" changed during the walk: page %d on page 1, page %d on page %d", w.res.LastPage, ref.number, cur.number)
		}
		return
	}
	w.res.LastPage = ref.number
	total, size := w.res.Total, int64(w.res.PageSize)
	if total < 0 || size <= 0 {
		return
	}
	want := max(1, (total+size-1)/size)
	if ref.number != want {
		w.must(ReqLinkURLs, ex, "rel=\"last\" names page %d; with X-Total-Count %d and pageSize %d it must be max(1, ceil(%d/%d)) = %d", ref.number, total, size, total, size, want)
	}
}

// follow prepares the request for rel="next".
func (w *walk) follow(cur pageState, l linkheader.Link) (*nextPage, bool, error) {
	ex := cur.resp.Exchange
	base, err := url.Parse(ex.URL)
	if err != nil {
		return nil, false, fmt.Errorf("walker: the request URL %q does not parse: %w", ex.URL, err)
	}
	u, err := l.Resolve(base)
	if err != nil {
		w.must(ReqLinks, ex, "page %d: rel=\"next\" %v", cur.number, err)
		return nil, true, nil
	}
	if !strings.EqualFold(u.Scheme, base.Scheme) || !strings.EqualFold(u.Host, base.Host) {
		note := fmt.Sprintf("Link URLs name %s://%s; the walk followed their path and query on the target %s://%s", u.Scheme, u.Host, base.Scheme, base.Host)
		if !slices.Contains(w.res.Notes, note) {
			w.res.Notes = append(w.res.Notes, note)
		}
		u.Scheme, u.Host, u.User = base.Scheme, base.Host, nil
	}
	u.Fragment, u.RawFragment = "", ""
	q := rawParams(u.RawQuery)
	number, numbered := cur.number+1, false
	if n, ok := nonNegative(q["pageNumber"]); ok && n >= 1 {
		numbered = true
		if n != cur.number+1 {
			w.must(ReqCoverage, ex, "rel=\"next\" on page %d names page %d, not page %d", cur.number, n, cur.number+1)
			if n <= cur.number {
				return nil, true, nil
			}
		}
		number = n
	}
	kept := true
	if w.cfg.Filter != "" {
		f, has := q["filter"]
		if !has {
			// What lies behind this link is another list; judging it against the
			// filter would only repeat the finding (reported by linkRef) page after page.
			return nil, true, nil
		}
		kept = !w.encodedFilter || f == w.sentFilter
	}
	r := &target.Request{Method: http.MethodGet, Path: u.String(), Token: w.cfg.Token}
	return &nextPage{req: r, key: u.String(), numbered: numbered, state: pageState{number: number, filterKept: kept}}, false, nil
}

// finish judges the whole walk once it reached its end.
func (w *walk) finish() {
	w.res.Complete = true
	total := w.res.Total
	countWrong := false
	if exp := w.cfg.Expected; exp != nil {
		missing, foreign := exp.Minus(w.res.IDs), w.res.IDs.Minus(exp)
		if len(missing)+len(foreign) > 0 {
			var parts []string
			if len(missing) > 0 {
				parts = append(parts, fmt.Sprintf("%s never visited (%s)", countOf(len(missing), "expected access was", "expected accesses were"), sample(missing)))
			}
			if len(foreign) > 0 {
				parts = append(parts, fmt.Sprintf("%s not expected (%s)", countOf(len(foreign), "visited access was", "visited accesses were"), sample(foreign)))
			}
			ex, context, where := w.gap.evidence(missing, w.res.First)
			w.must(w.cfg.CoverageRequirement, ex, "walking %d pages of %d: %s%s", w.res.Pages, w.res.PageSize, strings.Join(parts, "; "), where)
			w.res.Findings[len(w.res.Findings)-1].Context = context
		}
		if total >= 0 && total != int64(exp.Len()) {
			countWrong = true
			w.must(w.cfg.TotalRequirement, w.res.First, "X-Total-Count is %d, but %d accesses match", total, exp.Len())
		}
	} else if total >= 0 && w.duplicates == 0 && int64(w.res.IDs.Len()) != total {
		countWrong = true
		w.must(w.cfg.TotalRequirement, w.res.First, "X-Total-Count is %d, but following next from page 1 visited %d accesses", total, w.res.IDs.Len())
	}
	// A short page before the last is explained by a wrong total (pages past the
	// real data are empty); only with a right total is it the page size at fault.
	if w.shortPages > 0 && !countWrong {
		w.must(ReqPageSize, w.res.First, "%d pages before the last (e.g. pages %v) hold fewer than %d items; only the last page may", w.shortPages, w.shortPageSample, w.res.PageSize)
	}
}

func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Bounds of the pages a walk keeps to show a gap: a report shows a few pages, and a
// walk of a million accesses in pages of one must not keep them all.
const (
	maxGapPages    = 6
	maxGapBelonged = 64
)

// gapPages keeps, for a walk that knows the expected order, the pages that differ
// from what their place in that order holds (the first few, each with the pages
// before and after it), and for expected ids missing from their page, that page.
type gapPages struct {
	prev     *pageExchange
	kept     []pageExchange
	keepNext bool
	// belonged maps an expected id absent from the page its position puts it on to
	// that page's number.
	belonged map[string]int64
}

type pageExchange struct {
	number int64
	ex     *target.Exchange
}

// trackGap compares a page with the ids its place in the expected order holds.
func (w *walk) trackGap(number int64, ex *target.Exchange) {
	at, size := w.cfg.ExpectedAt, int64(w.res.PageSize)
	if at == nil || size <= 0 || ex == nil {
		return
	}
	g := &w.gap
	onPage := make(map[string]bool, len(w.pageIDs))
	for _, id := range w.pageIDs {
		onPage[id] = true
	}
	deviates, expected := false, 0
	for i := (number - 1) * size; i < number*size && i < 1<<31; i++ {
		id, ok := at(int(i))
		if !ok {
			break
		}
		expected++
		if onPage[id] {
			continue
		}
		deviates = true
		if g.belonged == nil {
			g.belonged = map[string]int64{}
		}
		if _, seen := g.belonged[id]; !seen && len(g.belonged) < maxGapBelonged {
			g.belonged[id] = number
		}
	}
	deviates = deviates || expected != len(w.pageIDs)
	cur := pageExchange{number, ex}
	switch {
	case deviates && len(g.kept)+2 <= maxGapPages:
		if p := g.prev; p != nil && (len(g.kept) == 0 || g.kept[len(g.kept)-1].number != p.number) {
			g.kept = append(g.kept, *p)
		}
		g.kept = append(g.kept, cur)
		g.keepNext = true
	case g.keepNext && len(g.kept) < maxGapPages:
		g.kept = append(g.kept, cur)
		g.keepNext = false
	default:
		g.keepNext = false
	}
	g.prev = &cur
}

// evidence picks the exchanges that show a walk's gap: the page where the first
// missing access belonged by its position and the pages on either side of it, or,
// when no page can be named, the pages that differed from the expected order (at
// most maxGapPages). where says which, for the finding's message.
func (g *gapPages) evidence(missing []string, first *target.Exchange) (ex *target.Exchange, context []*target.Exchange, where string) {
	if len(g.kept) == 0 {
		return first, nil, ""
	}
	page, gapID := int64(0), ""
	for _, id := range missing {
		if p, ok := g.belonged[id]; ok && (page == 0 || p < page) {
			page, gapID = p, id
		}
	}
	if page == 0 {
		ex = g.kept[0].ex
		for _, k := range g.kept[1:] {
			context = append(context, k.ex)
		}
		return ex, context, fmt.Sprintf("; the pages that differ from the expected order are shown (from page %d)", g.kept[0].number)
	}
	shown := []string{}
	for _, k := range g.kept {
		switch {
		case k.number == page:
			ex = k.ex
		case k.number == page-1 || k.number == page+1:
			context = append(context, k.ex)
		default:
			continue
		}
		shown = append(shown, strconv.FormatInt(k.number, 10))
	}
	if ex == nil {
		ex = first
	}
	which := "it"
	if len(missing) > 1 {
		which = "the first of them, " + gapID + ","
	}
	return ex, context, fmt.Sprintf("; by its position in the expected order %s belonged on page %d (pages %s shown)", which, page, strings.Join(shown, ", "))
}

func excerpt(ex *target.Exchange) string {
	if ex == nil || len(ex.ResponseBody) == 0 {
		return ""
	}
	return ": " + ex.ResponseExcerpt(300)
}

func sample(ids []string) string {
	if len(ids) <= 5 {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:5], ", ") + fmt.Sprintf(" and %d more", len(ids)-5)
}
