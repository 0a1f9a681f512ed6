package fuzz

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/fuzz/filter"
	"github.com/accessctk/accessctk/internal/linkheader"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/verdict"
)

// DefaultPageSize is the page size the properties ask for: one page holds a
// typical filtered answer, so most checks cost one request. A server with a smaller
// maximum clamps it and the walk follows rel="next".
const DefaultPageSize = 1000

// Query is one list request: a filter expression, in its readable form, walked over
// all its pages.
type Query struct {
	// Filter is the expression's readable text; the Querier encodes it. It may be
	// malformed: the robustness property sends such texts on purpose.
	Filter string
	// Unfiltered sends no filter parameter at all (the snapshot's walk).
	Unfiltered bool
	// Items keeps the returned fields of every item (the snapshot needs them).
	Items bool
}

// Answer is what the target answered to a Query over all its pages.
type Answer struct {
	// Status is the first page's status, 0 when no response arrived.
	Status int
	// IDs are the distinct ids the walk visited, in order (200 only).
	IDs []string
	// Items are the visited accesses' returned fields, with Query.Items.
	Items []Access
	// Total is the first page's X-Total-Count, -1 when missing or malformed.
	Total int64
	// Complete says the walk reached the last page.
	Complete bool
	// Findings are paging rules the walk saw broken.
	Findings []Finding
	// Exchange is the first page's redacted exchange, as evidence.
	Exchange *target.Exchange
	// Requests counts the requests sent; Wait is the time spent in them (the
	// client's round trips, including reading the body).
	Requests int
	Wait     time.Duration
}

// Finding is a rule a walk saw broken outside the property itself (paging).
type Finding struct {
	Requirement string
	Level       verdict.Level
	Message     string
	Exchange    *target.Exchange
}

// Querier answers list queries; the properties know the target only through it.
type Querier interface {
	Query(ctx context.Context, q Query) (*Answer, error)
}

// Doer sends one request: *target.Client is one.
type Doer interface {
	Do(ctx context.Context, r target.Request) (*target.Response, error)
}

// ClientQuerier walks a tenant's list with a target client, following rel="next"
// from page 1. It keeps only what the properties need (ids, totals, the returned
// fields); the paging rules proper are the paging scenarios' business, so it reports
// only what makes an answer unusable (duplicates, broken links, no end).
type ClientQuerier struct {
	Client Doer
	Token  target.Token
	Tenant string
	// PageSize is requested on page 1; 0 means DefaultPageSize.
	PageSize int
	// Raw sends the expression unencoded, as the page's example does (SAM-FL-09).
	Raw bool
}

// FilterParam is the query component that carries text: percent-encoded as one
// parameter (the catalogue's form), or raw with only the characters that would
// break the query string escaped (the page's form).
func FilterParam(text string, raw bool) string {
	if !raw {
		return "filter=" + filter.Encode(text)
	}
	r := strings.NewReplacer("%", "%25", " ", "%20", "#", "%23", "+", "%2B")
	return "filter=" + r.Replace(text)
}

// Query walks the list for q.
func (c *ClientQuerier) Query(ctx context.Context, q Query) (*Answer, error) {
	size := c.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	var parts []string
	if !q.Unfiltered {
		parts = append(parts, FilterParam(q.Filter, c.Raw))
	}
	parts = append(parts, "pageNumber=1", "pageSize="+strconv.Itoa(size))
	req := target.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(c.Tenant) + "/access", RawQuery: strings.Join(parts, "&"), Token: c.Token}
	a := &Answer{Total: -1}
	seen := map[string]bool{}
	maxPages := 0
	for page := 1; ; page++ {
		start := time.Now()
		resp, err := c.Client.Do(ctx, req)
		a.Wait += time.Since(start)
		a.Requests++
		if err != nil {
			return a, fmt.Errorf("list page %d: %w", page, err)
		}
		ex := resp.Exchange
		if page == 1 {
			a.Status, a.Exchange, a.Total = resp.Status, ex, totalOf(resp.Header)
			maxPages = 10_000
			if a.Total >= 0 {
				maxPages = int(min(a.Total/int64(size)+2, 10_000))
			}
		}
		if resp.Status != http.StatusOK {
			if page > 1 {
				a.finding("SAM-PG-05", ex, "page %d, reached through rel=\"next\", answered %d", page, resp.Status)
			}
			return a, nil
		}
		body := gjson.ParseBytes(resp.Body)
		if !body.IsArray() {
			a.finding("SAM-PG-01", ex, "page %d is not a JSON array", page)
			return a, nil
		}
		if !c.items(a, body, seen, q.Items, ex, page) {
			return a, nil
		}
		next, ok := c.next(a, resp, page)
		if !ok {
			return a, nil
		}
		if next == nil {
			a.Complete = true
			return a, nil
		}
		if page >= maxPages {
			a.finding("SAM-PG-05", ex, "rel=\"next\" still leads on after %d pages (X-Total-Count %d); walk stopped", page, a.Total)
			return a, nil
		}
		req = target.Request{Method: http.MethodGet, Path: next.String(), Token: c.Token}
	}
}

// items collects one page's ids (and fields); false means the page is unusable.
func (c *ClientQuerier) items(a *Answer, body gjson.Result, seen map[string]bool, keep bool, ex *target.Exchange, page int) bool {
	ok := true
	body.ForEach(func(_, item gjson.Result) bool {
		id := item.Get("id")
		if id.Type != gjson.String {
			a.finding("SAM-PG-01", ex, "page %d holds an item without a string id", page)
			ok = false
			return false
		}
		if seen[id.Str] {
			a.finding("SAM-PG-05", ex, "page %d repeats access %s", page, id.Str)
			return true
		}
		seen[id.Str] = true
		a.IDs = append(a.IDs, id.Str)
		if keep {
			a.Items = append(a.Items, AccessOf(item))
		}
		return true
	})
	return ok
}

// next finds rel="next"; nil with ok means the last page.
func (c *ClientQuerier) next(a *Answer, resp *target.Response, page int) (*url.URL, bool) {
	lines := resp.Header.Values("Link")
	if len(lines) == 0 {
		if a.Total >= 0 && int64(len(a.IDs)) < a.Total {
			a.finding("SAM-PG-03", resp.Exchange, "page %d has no Link header though X-Total-Count is %d", page, a.Total)
			return nil, false
		}
		return nil, true
	}
	links, err := linkheader.Parse(lines...)
	if err != nil {
		a.finding("SAM-PG-03", resp.Exchange, "page %d: %v", page, err)
		return nil, false
	}
	next := links.Rel("next")
	if len(next) == 0 {
		return nil, true
	}
	base, err := url.Parse(resp.URL)
	if err != nil {
		a.finding("SAM-PG-03", resp.Exchange, "page %d: request URL %q: %v", page, resp.URL, err)
		return nil, false
	}
	u, err := next[0].Resolve(base)
	if err != nil {
		a.finding("SAM-PG-03", resp.Exchange, "page %d: rel=\"next\": %v", page, err)
		return nil, false
	}
	// Links naming another host are followed on the target, as the paging walker does.
	u.Scheme, u.Host, u.User, u.Fragment, u.RawFragment = base.Scheme, base.Host, nil, "", ""
	return u, true
}

func (a *Answer) finding(req string, ex *target.Exchange, format string, args ...any) {
	a.Findings = append(a.Findings, Finding{Requirement: req, Level: verdict.Must, Message: fmt.Sprintf(format, args...), Exchange: ex})
}

// totalOf reads X-Total-Count: one non-negative decimal integer, else -1.
func totalOf(h http.Header) int64 {
	vals := h.Values("X-Total-Count")
	if len(vals) != 1 {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(vals[0]), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// Access is one access as a list returns it: its id and the filterable fields it
// carries (an absent or null field is missing from Fields).
type Access struct {
	ID     string
	Fields map[string]string
}

// AccessOf reads an access from a list item.
func AccessOf(item gjson.Result) Access {
	a := Access{ID: item.Get("id").String(), Fields: map[string]string{}}
	for _, f := range filter.Fields {
		if !f.Returned {
			continue
		}
		v := item.Get(f.Name)
		if v.Exists() && v.Type != gjson.Null {
			a.Fields[f.Name] = v.String()
		}
	}
	return a
}

// Record gives the oracle the access's fields.
func (a Access) Record() filter.Record { return filter.MapRecord(a.Fields) }
