package runner_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/reference"
	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/steps"
)

// The floor: the suite's own HTTP requests, recorded at the server during one run and
// replayed by a bare net/http loop (no validation, no godog, no reports) against a
// fresh reference server. The suite's wall time over the floor's is what the harness
// costs on top of the requests it must make.

// recordedRequest is one request as the server received it.
type recordedRequest struct {
	method, uri string
	header      http.Header
	body        []byte
	status      int
	// at is when it arrived, since the run started; handled is how long the server
	// took to answer it.
	at, handled time.Duration
	// scenario is the feature and name of the scenario running when it arrived
	// ("" before the first).
	scenario string
}

// recording is one recorded run.
type recording struct {
	requests []recordedRequest
	// features are the features in the order they started, with when.
	features []featureStart
	wall     time.Duration
	results  *verdict.Results
	// tokens are the embedded server's tokens by tenant, as the run sent them.
	tokens map[string]string
}

type featureStart struct {
	name string
	at   time.Duration
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// recordRun runs the whole suite as `accessctk run --concurrency 1` does (the
// embedded server, its defaults) with the server's handler recording every request,
// and must come out CONFORMANT. One scenario at a time, each request is attributed to
// the scenario that sent it, and the recording is the requests in the order their
// answers were needed; a concurrent run sends the same requests interleaved.
func recordRun(tb testing.TB) *recording {
	tb.Helper()
	var (
		mu       sync.Mutex
		rec      = &recording{tokens: map[string]string{}}
		scenario string
		start    = time.Now()
	)
	primary, secondary := reference.DefaultTenants()
	record := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			arrived := time.Now()
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			handled := time.Since(arrived)
			mu.Lock()
			defer mu.Unlock()
			rec.requests = append(rec.requests, recordedRequest{
				method: r.Method, uri: r.RequestURI, header: r.Header.Clone(), body: body, status: sw.status,
				at: arrived.Sub(start), handled: handled, scenario: scenario,
			})
			// A token that read a tenant's data is that tenant's.
			for _, t := range []string{primary, secondary} {
				if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && sw.status == http.StatusOK &&
					strings.HasPrefix(r.URL.Path, "/"+t+"/") {
					rec.tokens[t] = tok
				}
			}
		})
	}
	o := runner.Options{
		Scope:       steps.Scope{AllowDestructive: true},
		Seed:        1,
		Concurrency: 1,
		Getenv:      func(string) string { return "" },
		Progress: func(p runner.Progress) {
			if p.Event == runner.ScenarioStarted {
				mu.Lock()
				scenario = p.Feature + ": " + p.Scenario
				if n := len(rec.features); n == 0 || rec.features[n-1].name != p.Feature {
					rec.features = append(rec.features, featureStart{p.Feature, time.Since(start)})
				}
				mu.Unlock()
			}
		},
	}
	runner.WrapEmbedded(&o, record)
	res, err := runner.Run(context.Background(), o)
	rec.wall = time.Since(start)
	if err != nil {
		tb.Fatal(err)
	}
	if res.Overall != verdict.Conformant {
		tb.Fatalf("recorded run: verdict %s, want CONFORMANT", res.Overall)
	}
	rec.results = res
	mu.Lock()
	defer mu.Unlock()
	if len(rec.tokens) != 2 {
		tb.Fatalf("the recording found the tokens of %d tenants, want 2", len(rec.tokens))
	}
	return rec
}

// replay starts a fresh reference server as the run started its own (seed 1, the
// recorded tokens, the run's task pace) and sends the recorded requests one after
// another with a keep-alive client, reading each body to its end. It returns the time
// from before the server's start to the last body read, as runner.Run counts its own,
// and the part of it the server took to start (seeding its data set).
func replay(tb testing.TB, rec *recording) (total, startup time.Duration) {
	tb.Helper()
	start := time.Now()
	srv, err := reference.New(context.Background(), reference.Options{Seed: 1, Tokens: rec.tokens, TaskStepDelay: runner.EmbeddedTaskStepDelay})
	if err != nil {
		tb.Fatal(err)
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	base := "http://" + ln.Addr().String()
	startup = time.Since(start)
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	defer client.CloseIdleConnections()
	for _, r := range rec.requests {
		var body io.Reader
		if len(r.body) > 0 {
			body = bytes.NewReader(r.body)
		}
		req, err := http.NewRequest(r.method, base+r.uri, body)
		if err != nil {
			tb.Fatal(err)
		}
		req.Header = r.header.Clone()
		resp, err := client.Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	return time.Since(start), startup
}

// BenchmarkFloor replays one recorded run's requests (recorded once, before the
// timer) and, in each iteration, also runs the suite itself under the same load:
// suite-s and floor-s are paired, and suite/floor is their ratio. The suite runs at
// the default concurrency (as `accessctk run` does) and one scenario at a time; the
// floor always sends one request after another.
func BenchmarkFloor(b *testing.B) {
	rec := recordRun(b)
	for _, c := range []int{config.DefaultConcurrency, 1} {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) {
			var suite, floor time.Duration
			for b.Loop() {
				start := time.Now()
				res := embeddedRun(b, c)
				suite += time.Since(start)
				if res.Overall != verdict.Conformant {
					b.Fatalf("verdict %s, want CONFORMANT", res.Overall)
				}
				d, _ := replay(b, rec)
				floor += d
			}
			b.ReportMetric(float64(len(rec.requests)), "requests")
			b.ReportMetric(suite.Seconds()/float64(b.N), "suite-s")
			b.ReportMetric(floor.Seconds()/float64(b.N), "floor-s")
			b.ReportMetric(suite.Seconds()/floor.Seconds(), "suite/floor")
		})
	}
}

// embeddedRun is one run as `accessctk run --concurrency c` makes it: the embedded
// server with its defaults.
func embeddedRun(tb testing.TB, c int) *verdict.Results {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := runner.Run(ctx, runner.Options{
		Scope:       steps.Scope{AllowDestructive: true},
		Seed:        1,
		Concurrency: c,
		Getenv:      func(string) string { return "" },
		Version:     "bench",
	})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// TestRequestProfile prints where one run's requests and time go, per feature and for
// the busiest scenarios: the evidence BENCHMARKS.md cites. It only runs when asked
// (ACCESSCTK_REQUEST_PROFILE=1): it measures, it asserts nothing about speed.
func TestRequestProfile(t *testing.T) {
	if os.Getenv("ACCESSCTK_REQUEST_PROFILE") == "" {
		t.Skip("set ACCESSCTK_REQUEST_PROFILE=1 to print the request profile of one run")
	}
	rec := recordRun(t)
	type agg struct {
		n       int
		handled time.Duration
	}
	byFeature, byScenario := map[string]*agg{}, map[string]*agg{}
	var handled time.Duration
	for _, r := range rec.requests {
		feature, _, _ := strings.Cut(r.scenario, ": ")
		for _, m := range []struct {
			m   map[string]*agg
			key string
		}{{byFeature, feature}, {byScenario, r.scenario}} {
			a := m.m[m.key]
			if a == nil {
				a = &agg{}
				m.m[m.key] = a
			}
			a.n++
			a.handled += r.handled
		}
		handled += r.handled
	}
	floor, serverStart := replay(t, rec)
	var b strings.Builder
	fmt.Fprintf(&b, "run %s, %d requests, server handling %s; replay %s, of which server start %s (suite/floor %.2f)\n",
		rec.wall.Round(time.Millisecond), len(rec.requests), handled.Round(time.Millisecond), floor.Round(time.Millisecond),
		serverStart.Round(time.Millisecond), rec.wall.Seconds()/floor.Seconds())
	print := func(title string, m map[string]*agg, top int) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return m[keys[i]].n > m[keys[j]].n })
		fmt.Fprintf(&b, "%s:\n", title)
		for i, k := range keys {
			if i == top {
				break
			}
			fmt.Fprintf(&b, "  %6d requests  %8s server  %s\n", m[k].n, m[k].handled.Round(time.Millisecond), k)
		}
	}
	print("by feature", byFeature, -1)
	fmt.Fprintf(&b, "wall time by feature:\n  %8s  start-up (until the first scenario)\n", rec.features[0].at.Round(time.Millisecond))
	for i, f := range rec.features {
		end := rec.wall
		if i+1 < len(rec.features) {
			end = rec.features[i+1].at
		}
		fmt.Fprintf(&b, "  %8s  %s\n", (end - f.at).Round(time.Millisecond), f.name)
	}
	print("busiest scenarios", byScenario, 15)
	t.Log("\n" + b.String())
}
