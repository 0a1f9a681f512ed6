package walker_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/fuzz/filter"
	"github.com/accessctk/accessctk/internal/reference"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/walker"
)

const benchToken = "walker-bench-token-eos"

// startReference serves a reference server over loopback HTTP.
func startReference(tb testing.TB, bulk int) (*url.URL, target.Token) {
	tb.Helper()
	primary, secondary := reference.DefaultTenants()
	srv, err := reference.New(context.Background(), reference.Options{
		Seed: 7, BulkAccesses: bulk, PPUPool: 20,
		Tokens: map[string]string{primary: benchToken, secondary: benchToken + "-2"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(func() {
		hs.Close()
		_ = srv.Close()
	})
	u, _ := url.Parse(hs.URL)
	return u, target.NewToken(benchToken)
}

// The reference server is conformant: walks of every size find nothing, and agree.
func TestReferenceWalksAreClean(t *testing.T) {
	base, tok := startReference(t, 0)
	c, err := target.New(target.Config{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	primary, _ := reference.DefaultTenants()
	path := "/" + primary + "/access"
	all, err := walker.Run(context.Background(), walker.Config{Client: c, Token: tok, Path: path, PageSize: 1000, MaxPageSize: 1000})
	if err != nil || len(all.Findings) > 0 || !all.Complete {
		t.Fatalf("snapshot walk: %v %+v", err, all)
	}
	for _, size := range []int{1, 7, 999, 1001} {
		res, err := walker.Run(context.Background(), walker.Config{Client: c, Token: tok, Path: path, PageSize: size, MaxPageSize: 1000, Expected: all.IDs})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) > 0 || !res.Complete {
			t.Fatalf("size %d: %+v", size, res.Findings)
		}
	}
	expr, _ := filter.Parse("productOfferingId=PPU_SKYRTK_EU_12;contractId=C100")
	for _, raw := range []bool{false, true} {
		param := expr.QueryParam()
		if raw {
			param = expr.RawQueryParam()
		}
		res, err := walker.Run(context.Background(), walker.Config{Client: c, Token: tok, Path: path, PageSize: 2, Filter: param, Expr: expr})
		if err != nil || len(res.Findings) > 0 || res.IDs.Len() < 3 {
			t.Fatalf("filtered walk (raw %v): %v, %d ids, %+v", raw, err, res.IDs.Len(), res.Findings)
		}
	}
}

// bareDoer sends requests with plain net/http and keeps no transcript: it measures
// the walker's own memory, apart from the target client's transcript.
type bareDoer struct {
	base  *url.URL
	token string
	http  *http.Client
}

func (d bareDoer) Do(ctx context.Context, r target.Request) (*target.Response, error) {
	u := r.Path
	if len(u) > 0 && u[0] == '/' {
		u = d.base.String() + u
		if r.RawQuery != "" {
			u += "?" + r.RawQuery
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	resp, err := d.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	ex := &target.Exchange{Method: http.MethodGet, URL: req.URL.String(), Status: resp.StatusCode}
	return &target.Response{Exchange: ex, Header: resp.Header, Body: body}, nil
}

// heapSampler wraps a Doer and samples the heap after every page: the heap in use
// (garbage included), and every 25 pages the live heap (after a collection).
type heapSampler struct {
	walker.Doer
	pages          int
	peak, peakLive uint64
}

func (h *heapSampler) Do(ctx context.Context, r target.Request) (*target.Response, error) {
	resp, err := h.Doer.Do(ctx, r)
	h.pages++
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.peak = max(h.peak, ms.HeapInuse)
	if h.pages%25 == 0 {
		h.peakLive = max(h.peakLive, liveHeap())
	}
	return resp, err
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// BenchmarkWalkReference walks the primary tenant of a reference server with bulk
// accesses (100k by default; ACCESSCTK_WALK_BULK=1000000 for the scale target) in
// pages of 1000, through the target client (as a run does) and
// through a bare client (the walker alone). It reports, above the heap before the
// walk: the peak heap in use (garbage included, so it follows the GC's pacing), the
// peak live heap (sampled after a collection every 25 pages), and the live heap the
// result retains (the id set). The reference server runs in the same process; its
// SQLite store lives outside the Go heap. The walk time includes the server's work.
func BenchmarkWalkReference(b *testing.B) {
	bulk := 100_000
	if v := os.Getenv("ACCESSCTK_WALK_BULK"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("ACCESSCTK_WALK_BULK: %v", err)
		}
		bulk = n
	}
	base, tok := startReference(b, bulk)
	primary, _ := reference.DefaultTenants()
	for _, kind := range []string{"target", "bare"} {
		b.Run(fmt.Sprintf("accesses=%d/client=%s", bulk, kind), func(b *testing.B) {
			for b.Loop() {
				var d walker.Doer
				if kind == "bare" {
					d = bareDoer{base: base, token: benchToken, http: &http.Client{Timeout: time.Minute}}
				} else {
					c, err := target.New(target.Config{BaseURL: base, Timeout: time.Minute})
					if err != nil {
						b.Fatal(err)
					}
					d = c
				}
				before := liveHeap()
				s := &heapSampler{Doer: d}
				start := time.Now()
				res, err := walker.Run(context.Background(), walker.Config{Client: s, Token: tok, Path: "/" + primary + "/access", PageSize: 1000, MaxPageSize: 1000})
				took := time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Findings) > 0 || res.IDs.Len() < bulk {
					b.Fatalf("walk saw %d ids, findings %+v", res.IDs.Len(), res.Findings)
				}
				live := liveHeap()
				b.ReportMetric(took.Seconds(), "walk-s")
				b.ReportMetric(float64(res.Pages), "pages")
				b.ReportMetric(float64(s.peak-min(s.peak, before))/(1<<20), "peak-heap-MiB")
				b.ReportMetric(float64(s.peakLive-min(s.peakLive, before))/(1<<20), "peak-live-MiB")
				b.ReportMetric(float64(live-min(live, before))/(1<<20), "retained-MiB")
				b.ReportMetric(float64(live-min(live, before))/float64(res.IDs.Len()), "retained-B/id")
				runtime.KeepAlive(res)
				runtime.KeepAlive(d)
			}
		})
	}
}

// A gap in the walk is shown where it is: with the expected order known, the
// coverage finding cites the page the missing access belonged on, with the pages
// before and after it, not page 1 alone.
func TestGapFindingCitesThePagesAroundIt(t *testing.T) {
	primary, secondary := reference.DefaultTenants()
	srv, err := reference.New(context.Background(), reference.Options{Seed: 7, PPUPool: 20, Faults: []string{"paging-skips-one"},
		Tokens: map[string]string{primary: benchToken, secondary: benchToken + "-2"}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		_ = srv.Close()
	})
	base, _ := url.Parse(hs.URL)
	c, err := target.New(target.Config{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	tok, path := target.NewToken(benchToken), "/"+primary+"/access"
	// The fault shifts only pages after the first: one page of 1000 is the whole list.
	var order []string
	all, err := walker.Run(context.Background(), walker.Config{Client: c, Token: tok, Path: path, PageSize: 1000, MaxPageSize: 1000,
		OnItem: func(item gjson.Result) error {
			order = append(order, strings.Clone(item.Get("id").String()))
			return nil
		}})
	if err != nil || len(all.Findings) > 0 || all.Pages != 1 {
		t.Fatalf("snapshot walk: %v, %d pages, %+v", err, all.Pages, all.Findings)
	}
	at := func(i int) (string, bool) {
		if i < len(order) {
			return order[i], true
		}
		return "", false
	}
	const size = 7
	res, err := walker.Run(context.Background(), walker.Config{Client: c, Token: tok, Path: path, PageSize: size, MaxPageSize: 1000,
		Expected: all.IDs, ExpectedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	var gap *walker.Finding
	for i, f := range res.Findings {
		if f.Requirement == walker.ReqCoverage && strings.Contains(f.Message, "never visited") {
			gap = &res.Findings[i]
		}
	}
	if gap == nil {
		t.Fatalf("no gap finding: %+v", res.Findings)
	}
	// Page 2 starts one access late: order[size], its first access, is never shown.
	page := func(ex *target.Exchange) string {
		if ex == nil {
			return "none"
		}
		u, _ := url.Parse(ex.URL)
		return u.Query().Get("pageNumber")
	}
	var around []string
	for _, ex := range gap.Context {
		around = append(around, page(ex))
	}
	if page(gap.Exchange) != "2" || !slices.Equal(around, []string{"1", "3"}) {
		t.Errorf("the gap finding cites page %s with pages %v around it, want page 2 with 1 and 3: %s", page(gap.Exchange), around, gap.Message)
	}
	if !strings.Contains(gap.Message, order[size]) || !strings.Contains(gap.Message, "belonged on page 2 (pages 1, 2, 3 shown)") {
		t.Errorf("message %q does not place %s on page 2", gap.Message, order[size])
	}
}
