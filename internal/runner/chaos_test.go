package runner_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accessctk/accessctk/internal/reference"
	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/steps"
)

// chaosTags selects a slice of the suite that uses every endpoint (list, read, PATCH,
// batch submission, task) without the long paging walks, so that each chaos test
// takes seconds; TestChaosSliceUsesEveryEndpoint keeps it honest as the suite grows.
const chaosTags = "@SAM-CM-01,@SAM-RD-01,@SAM-PG-09,@SAM-PG-10,@SAM-UP-01,@SAM-UP-10,@SAM-BT-01,@SAM-BT-12 && ~@SAM-PG-01"

// chaosRun runs the chaos slice of the suite against the embedded reference server
// under chaos. How fast it runs is not asserted (a loaded machine
// may take its time), but the run must end by itself: a backstop far beyond any
// honest run turns a harness that waits forever into a failure.
func chaosRun(t *testing.T, c reference.Chaos, mod func(*runner.Options)) *verdict.Results {
	t.Helper()
	o := runner.Options{
		Tags:  chaosTags,
		Scope: steps.Scope{AllowDestructive: true},
		Seed:  1,
		Chaos: c,
		// Reaching either timeout is a failure for every mode but hang, which sets
		// its own: they are far beyond any machine's pace.
		RequestTimeout: 30 * time.Second,
		TaskTimeout:    taskTimeout(),
		TaskStepDelay:  2 * time.Millisecond,
		MaxRetryWait:   5 * time.Millisecond,
		Concurrency:    4,
		Getenv:         func(string) string { return "" },
		Version:        "test",
	}
	if mod != nil {
		mod(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), chaosBackstop)
	defer cancel()
	start := time.Now()
	res, err := runner.Run(ctx, o)
	if err != nil {
		t.Fatalf("chaos %q: run failed after %s: %v", c.Mode, time.Since(start), err)
	}
	t.Logf("chaos %q: %s in %s", c.Mode, res.Overall, time.Since(start).Round(time.Millisecond))
	return res
}

// chaosBackstop ends a chaos run that never ends by itself (the run then fails with
// "run interrupted"): ten times what the slowest of them takes on a loaded machine.
const chaosBackstop = 5 * time.Minute

// erroredWith returns the errored scenarios and whether each message contains want.
func erroredWith(res *verdict.Results, want string) (errored int, allNamed bool) {
	allNamed = true
	for _, s := range res.Scenarios {
		if s.Outcome == verdict.Errored {
			errored++
			if !strings.Contains(s.Message, want) {
				allNamed = false
			}
		}
	}
	return errored, allNamed
}

func hasNote(res *verdict.Results, want string) bool {
	return slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, want) })
}

// endpoints names the endpoints a run's judged exchanges used.
func endpoints(res *verdict.Results) map[string]bool {
	seen := map[string]bool{}
	for _, s := range res.Scenarios {
		for _, ex := range s.Exchanges {
			u, err := url.Parse(ex.URL)
			if err != nil {
				continue
			}
			parts := strings.Split(strings.Trim(u.Path, "/"), "/")
			switch {
			case len(parts) == 2 && ex.Method == http.MethodGet:
				seen["list"] = true
			case len(parts) == 3 && ex.Method == http.MethodGet:
				seen["read"] = true
			case len(parts) == 3 && ex.Method == http.MethodPatch:
				seen["update"] = true
			case len(parts) == 3 && ex.Method == http.MethodPost && parts[2] == "batchUpdate":
				seen["batch"] = true
			case len(parts) == 4 && ex.Method == http.MethodGet && parts[2] == "batch":
				seen["task"] = true
			}
		}
	}
	return seen
}

func TestChaosSliceUsesEveryEndpoint(t *testing.T) {
	res := chaosRun(t, reference.Chaos{}, nil)
	if res.Overall != verdict.PassedPartial {
		t.Fatalf("verdict %s without chaos\n%s", res.Overall, summary(t, res))
	}
	seen := endpoints(res)
	for _, e := range []string{"list", "read", "update", "batch", "task"} {
		if !seen[e] {
			t.Errorf("the chaos slice (%s) never calls the %s endpoint: choose other tags", chaosTags, e)
		}
	}
}

// A slow target is judged as usual: slowness is not a rule.
func TestChaosSlowIsConformant(t *testing.T) {
	res := chaosRun(t, reference.Chaos{Mode: reference.ChaosSlow, Delay: 20 * time.Millisecond}, nil)
	if res.Overall != verdict.PassedPartial {
		t.Fatalf("verdict %s under slow, want PASSED-PARTIAL (the chaos slice, unharmed)\n%s", res.Overall, summary(t, res))
	}
}

// 429 answers are waited out and retried, PATCH and batch included: the verdict is
// the one the target deserves, and the report says how long the waits took.
func TestChaosRateLimitIsConformant(t *testing.T) {
	// Full transcripts: a passing scenario otherwise keeps no transcript to show its
	// retries in.
	res := chaosRun(t, reference.Chaos{Mode: reference.ChaosRateLimit, Share: 0.2}, func(o *runner.Options) { o.FullTranscripts = true })
	if res.Overall != verdict.PassedPartial {
		t.Fatalf("verdict %s under ratelimit, want PASSED-PARTIAL (the chaos slice, unharmed)\n%s", res.Overall, summary(t, res))
	}
	if !hasNote(res, "answered 429 (rate limited)") {
		t.Errorf("no note on the 429 waits: %q", res.Notes)
	}
	retried := 0
	for _, s := range res.Scenarios {
		for _, ex := range s.Exchanges {
			if ex.Status == 429 {
				t.Errorf("scenario %q judged a 429", s.Name)
			}
			if strings.Contains(ex.Transcript, "# retry ") {
				retried++
			}
		}
	}
	if retried == 0 {
		t.Error("no judged exchange was a retry: the chaos did not bite")
	}
}

// Connections closed without an answer leave scenarios unjudged: ERROR naming the
// reset, verdict INCOMPLETE, never a failure of the target's rules.
func TestChaosResetIsIncomplete(t *testing.T) {
	// One at a time, the same requests are hit every run; a large share makes sure
	// some are PATCH or POST, which are never sent again (GETs on a reused connection
	// Go's transport replays by itself).
	res := chaosRun(t, reference.Chaos{Mode: reference.ChaosReset, Share: 0.3}, func(o *runner.Options) {
		o.Concurrency = 1
	})
	if res.Overall != verdict.Incomplete {
		t.Fatalf("verdict %s under reset, want INCOMPLETE\n%s", res.Overall, summary(t, res))
	}
	n, named := erroredWith(res, "connection")
	if n == 0 || !named {
		t.Errorf("%d errored scenarios, all naming the broken connection: %v\n%s", n, named, summary(t, res))
	}
}

// An endpoint that never answers costs one request timeout per scenario that needs it;
// those scenarios are ERROR naming the timeout, the rest is judged.
func TestChaosHangIsIncomplete(t *testing.T) {
	res := chaosRun(t, reference.Chaos{Mode: reference.ChaosHang}, func(o *runner.Options) {
		o.RequestTimeout = 300 * time.Millisecond
	})
	if res.Overall != verdict.Incomplete {
		t.Fatalf("verdict %s under hang, want INCOMPLETE\n%s", res.Overall, summary(t, res))
	}
	n, named := erroredWith(res, "no response within 300ms")
	if n == 0 || !named {
		t.Errorf("%d errored scenarios, all naming the timeout: %v\n%s", n, named, summary(t, res))
	}
}

// The run time limit ends a run that would otherwise wait on a hanging target for a
// long time: the run returns results, INCOMPLETE, with a note naming the limit. The
// limit is reached when the first list request arrives (the endpoint that hangs), not
// on the clock: a preflight that a loaded machine makes slow cannot race it.
func TestRunTimeoutEndsTheRun(t *testing.T) {
	reached := make(chan struct{})
	var once sync.Once
	res := chaosRun(t, reference.Chaos{Mode: reference.ChaosHang}, func(o *runner.Options) {
		o.RequestTimeout = time.Hour // only the run time limit ends the hanging request
		o.RunTimeout = time.Hour
		o.Concurrency = 1
		runner.ReachRunTimeout(o, reached)
		runner.WrapEmbedded(o, func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet && len(strings.Split(strings.Trim(r.URL.Path, "/"), "/")) == 2 {
					once.Do(func() { close(reached) })
				}
				next.ServeHTTP(w, r)
			})
		})
	})
	if res.Overall != verdict.Incomplete {
		t.Fatalf("verdict %s after the run time limit, want INCOMPLETE\n%s", res.Overall, summary(t, res))
	}
	if !hasNote(res, "the run time limit (1h0m0s, --run-timeout) was reached") {
		t.Errorf("notes %q do not name the run time limit", res.Notes)
	}
	n, named := erroredWith(res, "run time limit")
	if n == 0 {
		t.Errorf("no scenario errored on the run time limit (named: %v)\n%s", named, summary(t, res))
	}
}

// A body far over the cap is not judged: the scenarios that met it are ERROR and name
// the cap; the target is not blamed for the harness's limit.
func TestChaosHugeIsIncomplete(t *testing.T) {
	res := chaosRun(t, reference.Chaos{Mode: reference.ChaosHuge}, func(o *runner.Options) {
		o.MaxBodyBytes = 1 << 20
	})
	if res.Overall != verdict.Incomplete {
		t.Fatalf("verdict %s under huge, want INCOMPLETE\n%s", res.Overall, summary(t, res))
	}
	n, named := erroredWith(res, "response body exceeds the 1 MiB cap")
	if n == 0 || !named {
		t.Errorf("%d errored scenarios, all naming the cap: %v\n%s", n, named, summary(t, res))
	}
}

// A 2xx whose body is cut short is a complete answer that is not valid JSON: the
// response breaks SAM-CM-02, so the target is NON-CONFORMANT, and nothing crashes.
// The scenario that got it stops unjudged: no other rule is blamed for a broken
// answer (a 4xx cut short may still fail a rule that needs a JSON error body). A
// truncated 4xx alone breaks only SAM-CM-03, a SHOULD: the share is large enough that
// 2xx answers are always among those hit.
func TestChaosGarbageFailsTheSchema(t *testing.T) {
	res := chaosRun(t, reference.Chaos{Mode: reference.ChaosGarbage, Share: 0.3}, func(o *runner.Options) {
		o.Concurrency = 1 // the same requests are hit every time
	})
	failed := verdict.FailedRequirements(res.Requirements)
	if res.Overall != verdict.NonConformant || !slices.Contains(failed, "SAM-CM-02") {
		t.Fatalf("verdict %s, failed %v under garbage; want NON-CONFORMANT with SAM-CM-02\n%s", res.Overall, failed, summary(t, res))
	}
	for _, r := range res.Requirements {
		for _, f := range r.Findings {
			if r.ID != "SAM-CM-02" && f.Exchange != nil && f.Exchange.Status/100 == 2 && !json.Valid([]byte(f.Exchange.ResponseBody)) {
				t.Errorf("%s blamed for a 2xx answer that is not JSON: %s", r.ID, f.Message)
			}
		}
	}
	if n, named := erroredWith(res, "not valid JSON (a SAM-CM-02 failure)"); n == 0 {
		t.Errorf("no scenario stopped on a broken answer (%v)", named)
	}
}

// The harness never follows a redirect (it would hide the status, and could carry the
// token elsewhere), so a redirect loop cannot trap it: the list endpoint answered 307
// instead of a page, and the rules that needed the page fail.
func TestChaosRedirectLoopFailsTheList(t *testing.T) {
	res := chaosRun(t, reference.Chaos{Mode: reference.ChaosRedirectLoop}, nil)
	if res.Overall != verdict.NonConformant {
		t.Fatalf("verdict %s under redirect-loop, want NON-CONFORMANT\n%s", res.Overall, summary(t, res))
	}
	for _, r := range res.Requirements {
		for _, f := range r.Findings {
			if !strings.Contains(f.Message, "307") {
				t.Errorf("%s fails for another reason than the redirect: %s", r.ID, f.Message)
			}
		}
	}
}

// Scenarios run concurrently judge the same as one at a time.
func TestConcurrentRunIsConformant(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole suite at concurrency 8 runs in the full pass; -short runs the chaos slices, also concurrent")
	}
	res := chaosRun(t, reference.Chaos{}, func(o *runner.Options) {
		o.Tags = ""
		o.Concurrency = 8
	})
	if res.Overall != verdict.Conformant {
		t.Fatalf("verdict %s with concurrency 8, want CONFORMANT\n%s", res.Overall, summary(t, res))
	}
}
