package walker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/fuzz/filter"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/internal/walker"
)

// fake is a small list server whose paging can be broken one way at a time.
type fake struct {
	n       int    // accesses a0..a(n-1); even ones have contractId "even"
	maxSize int    // largest page (default 50)
	defect  string // which rule to break, "" for none
}

type access struct {
	ID         string `json:"id"`
	ContractID string `json:"contractId"`
}

func (f fake) data(filterText string) []access {
	var out []access
	for i := range f.n {
		a := access{ID: fmt.Sprintf("a%03d", i), ContractID: "odd"}
		if i%2 == 0 {
			a.ContractID = "even"
		}
		if filterText == "" || filterText == "contractId="+a.ContractID || f.defect == "filter-ignored" {
			out = append(out, a)
		}
	}
	return out
}

func (f fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("pageNumber"))
	size, _ := strconv.Atoi(q.Get("pageSize"))
	page, size = max(page, 1), max(size, 1)
	maxSize := f.maxSize
	if maxSize == 0 {
		maxSize = 50
	}
	size = min(size, maxSize)
	filterText := q.Get("filter")
	items := f.data(filterText)
	total := len(items)
	if f.defect == "links-drop-filter" && filterText != "" && page > 1 {
		items = f.data("")
		total = len(items)
	}
	last := max(1, (total+size-1)/size)
	served := size
	if f.defect == "size-ignored" {
		served = size + 1
	}
	start := (page - 1) * served
	switch {
	case f.defect == "overlap" && page > 1:
		start--
	case f.defect == "skip" && page > 1:
		start++
	case f.defect == "number-ignored":
		start = 0
	}
	end := min(start+served, len(items))
	pageItems := []access{}
	if start < end {
		pageItems = items[start:end]
	}
	reportedTotal := total
	switch f.defect {
	case "total-off":
		reportedTotal++
	case "last-floor":
		last = max(1, total/size)
	case "total-changes":
		reportedTotal += page - 1
	}
	base := "http://" + r.Host + r.URL.Path + "?"
	if filterText != "" && f.defect != "links-drop-filter" {
		base += "filter=" + filter.Encode(filterText) + "&"
	}
	link := func(n int, rel string) string {
		return fmt.Sprintf(`<%spageNumber=%d&pageSize=%d>; rel="%s"`, base, n, size, rel)
	}
	var links []string
	if f.defect != "no-first" {
		links = append(links, link(1, "first"))
	}
	if page > 1 && f.defect != "no-prev" {
		links = append(links, link(page-1, "prev"))
	}
	switch {
	case f.defect == "loop" && page == 2:
		links = append(links, link(1, "next"))
	case f.defect == "cursor-loop":
		links = append(links, fmt.Sprintf(`<%scursor=x&pageSize=%d>; rel="next"`, base, size))
	case f.defect == "next-on-last" && page >= last:
		links = append(links, link(page+1, "next"))
	case f.defect == "no-next" && page == 2:
	case page < last:
		links = append(links, link(page+1, "next"))
	}
	if f.defect != "no-last" {
		links = append(links, link(last, "last"))
	}
	header := strings.Join(links, ", ")
	if f.defect == "malformed-link" {
		header = strings.ReplaceAll(header, `rel="next"`, `rel=next;`)
	}
	if f.defect != "no-link" {
		w.Header().Set("Link", header)
	}
	if f.defect != "no-total" {
		w.Header().Set("X-Total-Count", strconv.Itoa(reportedTotal))
	}
	w.Header().Set("Content-Type", "application/json")
	var body any = pageItems
	if f.defect == "object-body" {
		body = map[string]any{"items": pageItems}
	}
	_ = json.NewEncoder(w).Encode(body)
}

func client(t testing.TB, h http.Handler) *target.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	c, err := target.New(target.Config{BaseURL: u, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func reqs(r *walker.Result, level verdict.Level) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Level == level && !slices.Contains(out, f.Requirement) {
			out = append(out, f.Requirement)
		}
	}
	slices.Sort(out)
	return out
}

func ids(n int, keep func(int) bool) *walker.IDSet {
	s := walker.NewIDSet()
	for i := range n {
		if keep == nil || keep(i) {
			s.Add(fmt.Sprintf("a%03d", i))
		}
	}
	return s
}

func TestConformantWalks(t *testing.T) {
	for _, c := range []struct {
		n, size int
	}{{0, 7}, {1, 1}, {23, 1}, {23, 7}, {21, 7}, {23, 50}, {23, 60}, {23, 0}} {
		t.Run(fmt.Sprintf("n=%d,size=%d", c.n, c.size), func(t *testing.T) {
			seen := 0
			res, err := walker.Run(context.Background(), walker.Config{
				Client: client(t, fake{n: c.n}), Path: "/eos/access", PageSize: c.size, MaxPageSize: 50,
				Expected: ids(c.n, nil),
				OnItem:   func(gjson.Result) error { seen++; return nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Findings) > 0 {
				t.Fatalf("findings on a conformant list: %+v", res.Findings)
			}
			if !res.Complete || res.IDs.Len() != c.n || seen != c.n || res.Total != int64(c.n) {
				t.Fatalf("complete %v, ids %d, items %d, total %d; want %d", res.Complete, res.IDs.Len(), seen, res.Total, c.n)
			}
			size := c.size
			if size == 0 {
				size = 1
			}
			if wantPages := max(1, (c.n+min(size, 50)-1)/min(size, 50)); res.Pages != wantPages {
				t.Errorf("fetched %d pages, want %d", res.Pages, wantPages)
			}
		})
	}
}

func TestFilteredWalk(t *testing.T) {
	expr, _ := filter.Parse("contractId=even")
	res, err := walker.Run(context.Background(), walker.Config{
		Client: client(t, fake{n: 23}), Path: "/eos/access", PageSize: 4,
		Filter: expr.QueryParam(), Expr: expr, Expected: ids(23, func(i int) bool { return i%2 == 0 }),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) > 0 || res.IDs.Len() != 12 || res.Pages != 3 {
		t.Fatalf("ids %d pages %d findings %+v", res.IDs.Len(), res.Pages, res.Findings)
	}
}

// Each defect is reported against the rule it breaks, and only MUST rules that
// really broke appear.
func TestDefectsAreAttributed(t *testing.T) {
	even, _ := filter.Parse("contractId=even")
	cases := []struct {
		defect   string
		filtered bool
		expected bool
		must     []string
		should   []string
	}{
		{defect: "no-first", must: []string{"SAM-PG-03"}},
		{defect: "no-link", must: []string{"SAM-PG-03"}},
		// Without rel="last" the walk ends where next does: that short page is the
		// last one, which SAM-PG-08 allows.
		{defect: "no-last", must: []string{"SAM-PG-03"}},
		{defect: "no-last", expected: true, must: []string{"SAM-PG-03"}},
		{defect: "malformed-link", must: []string{"SAM-PG-03"}},
		{defect: "no-next", expected: true, must: []string{"SAM-PG-03"}},
		{defect: "no-prev", should: []string{"SAM-PG-04"}},
		{defect: "no-total", must: []string{"SAM-PG-02"}},
		{defect: "total-off", must: []string{"SAM-PG-02"}},
		{defect: "total-off", expected: true, must: []string{"SAM-PG-02"}},
		{defect: "total-changes", must: []string{"SAM-PG-02"}},
		{defect: "overlap", expected: true, must: []string{"SAM-PG-05"}},
		{defect: "skip", expected: true, must: []string{"SAM-PG-05"}},
		{defect: "next-on-last", expected: true, must: []string{"SAM-PG-05"}},
		{defect: "loop", expected: true, must: []string{"SAM-PG-05"}},
		{defect: "cursor-loop", must: []string{"SAM-PG-01", "SAM-PG-05", "SAM-PG-06"}, should: []string{"SAM-PG-04"}},
		{defect: "last-floor", expected: true, must: []string{"SAM-PG-05", "SAM-PG-06"}},
		{defect: "size-ignored", expected: true, must: []string{"SAM-PG-08"}},
		{defect: "object-body", must: []string{"SAM-PG-01"}},
		{defect: "number-ignored", expected: true, must: []string{"SAM-PG-01", "SAM-PG-05"}},
		{defect: "links-drop-filter", filtered: true, must: []string{"SAM-PG-07"}},
		{defect: "filter-ignored", filtered: true, expected: true, must: []string{"SAM-FL-01", "SAM-FL-07"}},
		{defect: "filter-ignored", filtered: true, must: []string{"SAM-FL-01"}},
	}
	for _, c := range cases {
		name := c.defect
		if c.expected {
			name += "/expected"
		}
		t.Run(name, func(t *testing.T) {
			cfg := walker.Config{Client: client(t, fake{n: 23, defect: c.defect}), Path: "/eos/access", PageSize: 7, MaxPageSize: 50}
			keep := func(int) bool { return true }
			if c.filtered {
				cfg.Filter, cfg.Expr = even.QueryParam(), even
				keep = func(i int) bool { return i%2 == 0 }
				cfg.PageSize = 3
			}
			if c.expected {
				cfg.Expected = ids(23, keep)
			}
			res, err := walker.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, gotShould := reqs(res, verdict.Must), reqs(res, verdict.Should)
			if !slices.Equal(got, c.must) || !slices.Equal(gotShould, c.should) {
				for _, f := range res.Findings {
					t.Logf("%s %s: %s", f.Level, f.Requirement, f.Message)
				}
				t.Fatalf("MUST findings %v, want %v; SHOULD %v, want %v", got, c.must, gotShould, c.should)
			}
			for _, f := range res.Findings {
				if f.Exchange == nil && f.Requirement != "SAM-PG-05" && f.Requirement != "SAM-PG-02" && f.Requirement != "SAM-FL-07" {
					t.Errorf("finding %s has no exchange as evidence", f.Requirement)
				}
			}
		})
	}
}

func TestTransportErrorIsNotAFinding(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:1")
	c, err := target.New(target.Config{BaseURL: u, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	res, err := walker.Run(context.Background(), walker.Config{Client: c, Path: "/eos/access", PageSize: 5})
	if err == nil || !strings.Contains(err.Error(), "page 1") {
		t.Fatalf("err = %v, want a harness error naming page 1", err)
	}
	if res == nil || len(res.Findings) > 0 {
		t.Fatalf("result %+v: a transport error must not become a finding", res)
	}
}

func TestOnItemErrorStops(t *testing.T) {
	stop := fmt.Errorf("enough")
	n := 0
	_, err := walker.Run(context.Background(), walker.Config{
		Client: client(t, fake{n: 23}), Path: "/eos/access", PageSize: 5,
		OnItem: func(gjson.Result) error {
			n++
			if n == 7 {
				return stop
			}
			return nil
		},
	})
	if err == nil || !strings.Contains(err.Error(), "enough") || n != 7 {
		t.Fatalf("err %v after %d items", err, n)
	}
}

func TestLinksOnAnotherHostAreFollowedOnTheTarget(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Host = "api.example.com"
		fake{n: 5}.ServeHTTP(w, r)
	})
	res, err := walker.Run(context.Background(), walker.Config{Client: client(t, h), Path: "/eos/access", PageSize: 2, Expected: ids(5, nil)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) > 0 || res.Pages != 3 || len(res.Notes) != 1 {
		t.Fatalf("pages %d notes %q findings %+v", res.Pages, res.Notes, res.Findings)
	}
}
