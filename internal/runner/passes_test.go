package runner_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/reference"
	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/reports"
	"github.com/accessctk/accessctk/steps"
)

// vendor serves the reference server as a vendor target behind wrap and returns run
// options for it (the token comes from an environment variable the fixtures name).
func vendor(t *testing.T, wrap func(http.Handler) http.Handler) runner.Options {
	t.Helper()
	return vendorWith(t, wrap, nil)
}

// vendorWith is vendor with the fixtures file changed by edit first.
func vendorWith(t *testing.T, wrap func(http.Handler) http.Handler, edit func(*config.Fixtures)) runner.Options {
	t.Helper()
	const token = "vendor-test-token-0123456789"
	primary, secondary := reference.DefaultTenants()
	srv, err := reference.New(context.Background(), reference.Options{Seed: 1, Tokens: map[string]string{primary: token, secondary: token + "-2"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	ts := httptest.NewServer(wrap(srv.Handler()))
	t.Cleanup(ts.Close)
	fx := srv.Fixtures(ts.URL)
	fx.Tenants.Primary = config.Tenant{Name: primary, TokenEnv: "TEST_TOKEN"}
	fx.Tenants.Secondary = &config.Tenant{Name: secondary, TokenEnv: "TEST_TOKEN_2"}
	if edit != nil {
		edit(fx)
	}
	data, err := fx.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "fixtures.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TEST_TOKEN": token, "TEST_TOKEN_2": token + "-2"}
	return runner.Options{
		Target: ts.URL, FixturesPath: path, Scope: steps.Scope{AllowDestructive: true},
		Getenv: func(k string) string { return env[k] }, RequestTimeout: 30 * time.Second, Version: "test",
	}
}

// failOnce answers 500 to the first request the server would have answered 404.
func failOnce(next http.Handler) http.Handler {
	var once sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		failed := false
		if rec.Code == http.StatusNotFound {
			once.Do(func() { failed = true })
		}
		if failed {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":"injected once"}`))
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// A scenario that fails and then passes on a rerun is FLAKY, with its first attempt's
// evidence kept; its requirement is FLAKY, and the run INCOMPLETE rather than passed.
func TestRerunMarksFlaky(t *testing.T) {
	o := vendor(t, failOnce)
	o.Tags = "@SAM-RD-02"
	o.RerunFailed = 2
	var events []runner.Progress
	o.Progress = func(p runner.Progress) { events = append(events, p) }
	res, err := runner.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Scenarios) != 1 {
		t.Fatalf("%d scenarios, want 1", len(res.Scenarios))
	}
	s := res.Scenarios[0]
	if s.Outcome != verdict.Flaked || len(s.Attempts) != 2 || s.Attempts[0].Outcome != verdict.Failed || s.Attempts[1].Outcome != verdict.Passed {
		t.Fatalf("scenario %s, attempts %+v", s.Outcome, s.Attempts)
	}
	if len(s.Findings) == 0 || !s.Findings[0].Flaky || s.Findings[0].Exchange == nil || s.Findings[0].Exchange.Status != 500 {
		t.Fatalf("first attempt's evidence not kept: %+v", s.Findings)
	}
	status := map[string]verdict.Status{}
	for _, r := range res.Requirements {
		status[r.ID] = r.Status
	}
	if status["SAM-RD-02"] != verdict.Flaky || status["SAM-CM-05"] != verdict.Flaky || res.Overall != verdict.Incomplete {
		t.Fatalf("RD-02 %s, CM-05 %s, overall %s", status["SAM-RD-02"], status["SAM-CM-05"], res.Overall)
	}
	// Progress: start and end of the first attempt and of the rerun.
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, map[runner.ProgressEvent]string{runner.ScenarioStarted: "start", runner.ScenarioFinished: "end"}[e.Event]+string(rune('0'+e.Attempt)))
	}
	if !slices.Equal(kinds, []string{"start1", "end1", "start2", "end2"}) || events[1].Outcome != verdict.Failed || events[0].Feature != "read" {
		t.Fatalf("progress events %v: %+v", kinds, events)
	}
}

// Without reruns the same failure is a plain FAIL.
func TestNoRerunKeepsFailure(t *testing.T) {
	o := vendor(t, failOnce)
	o.Tags = "@SAM-RD-02"
	res, err := runner.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Scenarios[0].Outcome != verdict.Failed || res.Overall != verdict.NonConformant || len(res.Scenarios[0].Attempts) != 0 {
		t.Fatalf("outcome %s overall %s", res.Scenarios[0].Outcome, res.Overall)
	}
}

// The shards of n partition the scenarios, and a shard's selection is stable.
func TestShardsPartitionTheSuite(t *testing.T) {
	full := embedded(t)
	all := ids(full)
	const n = 3
	seen := map[string]int{}
	var shards []*verdict.Results
	var sources []string
	for i := 1; i <= n; i++ {
		res := embeddedShard(t, config.Shard{Index: i, Count: n})
		if res.Selection.Shard == "" {
			t.Errorf("shard %d/%d not recorded in the results", i, n)
		}
		if res.Overall != verdict.PassedPartial {
			t.Errorf("shard %d/%d: %s, want PASSED-PARTIAL: one shard is no certification", i, n, res.Overall)
		}
		shards, sources = append(shards, res), append(sources, fmt.Sprintf("shard-%d", i))
		for _, id := range ids(res) {
			seen[id]++
			if !runner.InShard(id, config.Shard{Index: i, Count: n}) {
				t.Errorf("scenario %s ran in shard %d but hashes elsewhere", id, i)
			}
		}
	}
	for _, id := range all {
		if seen[id] != 1 {
			t.Errorf("scenario %s ran in %d shards, want 1", id, seen[id])
		}
	}
	if len(seen) != len(all) {
		t.Errorf("shards ran %d distinct scenarios, the full run %d", len(seen), len(all))
	}
	// Together the shards judged every MUST: merged, they are a certification again.
	merged, err := reports.Merge(verdict.Skylark(), shards, sources)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Overall != verdict.Conformant || full.Overall != verdict.Conformant {
		t.Errorf("merged shards %s, the full run %s: both must be CONFORMANT", merged.Overall, full.Overall)
	}
}

func embeddedShard(t *testing.T, s config.Shard) *verdict.Results {
	t.Helper()
	res, err := runner.Run(context.Background(), runner.Options{Scope: steps.Scope{AllowDestructive: true}, Seed: 1, Shard: s,
		Getenv: func(string) string { return "" }, Version: "test"})
	if err != nil {
		t.Fatalf("shard %s: %v", s, err)
	}
	return res
}

func ids(r *verdict.Results) []string {
	var out []string
	for _, s := range r.Scenarios {
		out = append(out, s.ID)
	}
	return out
}

func TestResultsCarryDigests(t *testing.T) {
	res := embedded(t)
	for name, d := range map[string]string{"spec": res.SpecDigest, "features": res.FeaturesDigest} {
		if len(d) != len("sha256:")+64 || d[:7] != "sha256:" {
			t.Errorf("%s digest %q", name, d)
		}
	}
	if res.SchemaVersion != verdict.SchemaVersion {
		t.Errorf("schema version %q", res.SchemaVersion)
	}
	for _, s := range res.Scenarios {
		if len(s.Steps) == 0 || s.Line == 0 {
			t.Errorf("scenario %s: %d steps, line %d", s.Name, len(s.Steps), s.Line)
		}
	}
}

// A passing scenario keeps one line per request; a failing one keeps each exchange
// whole (headers, bodies, curl, transcript), and so does every scenario when the run
// asks for full transcripts.
func TestTranscriptsKeptInFullOnlyWhereTheyMatter(t *testing.T) {
	run := func(full bool) map[string]verdict.Scenario {
		t.Helper()
		res, err := runner.Run(context.Background(), runner.Options{
			Scope: steps.Scope{AllowDestructive: true}, Seed: 1, Tags: "@SAM-RD-01,@SAM-RD-02",
			Faults: []string{"read-unknown-200"}, FullTranscripts: full,
			Getenv: func(string) string { return "" },
		})
		if err != nil {
			t.Fatal(err)
		}
		byReq := map[string]verdict.Scenario{}
		for _, sc := range res.Scenarios {
			byReq[sc.Requirements[0]] = sc
		}
		if byReq["SAM-RD-01"].Outcome != verdict.Passed || byReq["SAM-RD-02"].Outcome != verdict.Failed {
			t.Fatalf("outcomes: RD-01 %s, RD-02 %s; want passed and failed", byReq["SAM-RD-01"].Outcome, byReq["SAM-RD-02"].Outcome)
		}
		return byReq
	}
	whole := func(ex verdict.Exchange) bool {
		return ex.Curl != "" && ex.Transcript != "" && len(ex.RequestHeader) > 0 && len(ex.ResponseHeader) > 0 && ex.ResponseBody != ""
	}
	check := func(sc verdict.Scenario, wantWhole bool) {
		t.Helper()
		if len(sc.Exchanges) == 0 {
			t.Fatalf("%s keeps no exchanges", sc.Name)
		}
		for _, ex := range sc.Exchanges {
			if ex.Method == "" || ex.URL == "" || ex.Status == 0 || ex.Seq == 0 {
				t.Errorf("%s: exchange %+v lacks its request line", sc.Name, ex)
			}
			if got := whole(ex); got != wantWhole {
				t.Errorf("%s: exchange %d %s %s kept whole: %v, want %v", sc.Name, ex.Seq, ex.Method, ex.URL, got, wantWhole)
			}
		}
	}
	byReq := run(false)
	check(byReq["SAM-RD-01"], false)
	check(byReq["SAM-RD-02"], true)
	if f := byReq["SAM-RD-02"].Findings; len(f) == 0 || f[0].Exchange == nil || !whole(*f[0].Exchange) {
		t.Errorf("the failing scenario's finding carries no whole exchange: %+v", f)
	}
	byReq = run(true)
	check(byReq["SAM-RD-01"], true)
	check(byReq["SAM-RD-02"], true)
}

// A run of a selection judges what it selected: the requirements the suite checks
// elsewhere are SKIP, out of scope, naming the selection, never NOT COVERED (which
// would say the suite has no scenario for them) and never PASS.
func TestSelectionLeavesTheRestOutOfScope(t *testing.T) {
	res, err := runner.Run(context.Background(), runner.Options{
		Scope: steps.Scope{AllowDestructive: true}, Seed: 1, Tags: "@SAM-RD-02",
		Getenv: func(string) string { return "" },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Overall != verdict.PassedPartial || runner.ExitCode(res) != runner.ExitConformant {
		t.Errorf("overall %s (exit %d), want PASSED-PARTIAL with exit 0: the selection passed, the rest was not judged", res.Overall, runner.ExitCode(res))
	}
	for _, r := range res.Requirements {
		switch r.ID {
		case "SAM-RD-02", "SAM-CM-03", "SAM-CM-04", "SAM-CM-05": // the scenario's own, and its answer's automatic checks
			if r.Status != verdict.Pass {
				t.Errorf("%s: %s, want PASS", r.ID, r.Status)
			}
		default:
			if r.Status != verdict.Skip || !strings.Contains(r.Reason, `--tags "@SAM-RD-02"`) {
				t.Errorf("%s: %s %q, want SKIP naming the selection", r.ID, r.Status, r.Reason)
			}
		}
	}
}

// A scenario the run's scope leaves out is SKIP with the reason, and so is every
// requirement only such scenarios check: never PASS. (godog hands the After hook the
// last step's error, nil when a Before hook skipped the scenario; the record once
// took that for a pass, and a --readonly run certified the update rules it never ran.)
func TestOutOfScopeScenariosAreSkippedNotPassed(t *testing.T) {
	for _, c := range []struct {
		name, tags, skippedTag, reason string
		scope                          steps.Scope
	}{
		{"readonly", "", steps.TagMutating, "--readonly", steps.Scope{ReadOnly: true, AllowDestructive: true}},
		{"not destructive", steps.TagDestructive, steps.TagDestructive, "--allow-destructive", steps.Scope{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := runner.Run(context.Background(), runner.Options{
				Scope: c.scope, Seed: 1, Tags: c.tags, Getenv: func(string) string { return "" },
			})
			if err != nil {
				t.Fatal(err)
			}
			judgedBy := map[string]bool{} // requirements a scenario that ran is tagged with
			skipped := 0
			for _, s := range res.Scenarios {
				out := slices.Contains(s.Tags, c.skippedTag)
				if out {
					skipped++
				}
				switch {
				case out && (s.Outcome != verdict.Skipped || !strings.Contains(s.Message, c.reason) || len(s.Exchanges) > 0):
					t.Errorf("%s (%v): %s %q with %d exchanges, want skipped naming %s and nothing sent", s.Name, s.Tags, s.Outcome, s.Message, len(s.Exchanges), c.reason)
				case !out && s.Outcome != verdict.Passed:
					t.Errorf("%s (%v): %s %q, want passed", s.Name, s.Tags, s.Outcome, s.Message)
				case !out:
					for _, r := range s.Requirements {
						judgedBy[r] = true
					}
				}
			}
			if skipped == 0 {
				t.Fatalf("no scenario tagged %s in the run", c.skippedTag)
			}
			only := 0
			for _, r := range res.Requirements {
				if judgedBy[r.ID] || strings.HasPrefix(r.ID, "SAM-CM-0") && r.ID != "SAM-CM-01" && r.ID != "SAM-CM-06" {
					continue // judged by a scenario that ran, or an automatic check
				}
				if r.Status == verdict.Pass {
					t.Errorf("%s is PASS, but only scenarios out of scope check it", r.ID)
				}
				if r.Status == verdict.Skip {
					only++
				}
			}
			if only == 0 {
				t.Errorf("no requirement is left to out-of-scope scenarios only: the test proves nothing")
			}
			if res.Overall != verdict.PassedPartial || runner.ExitCode(res) != runner.ExitConformant {
				t.Errorf("overall %s (exit %d): what the scope leaves out is not a failure (exit 0) and not a certification (PASSED-PARTIAL)", res.Overall, runner.ExitCode(res))
			}
		})
	}
}

// A scenario that a step skips part-way (fixtures that cannot exercise its rule) is
// SKIP with the step's reason, and its requirement is not PASS: godog hands the After
// hook only the last step's error, which is nil once an earlier step skipped.
func TestScenarioSkippedByAStepIsSkipped(t *testing.T) {
	o := vendorWith(t, func(h http.Handler) http.Handler { return h }, func(fx *config.Fixtures) { fx.Accesses.NonPPU = nil })
	o.Tags = "@SAM-BT-07"
	res, err := runner.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	skipped := 0
	for _, s := range res.Scenarios {
		if s.Outcome == verdict.Passed {
			t.Errorf("%s passed without a non-PPU fixture", s.Name)
		}
		if s.Outcome == verdict.Skipped && strings.Contains(s.Message, "nonPpu") {
			skipped++
		}
	}
	if skipped == 0 {
		t.Fatalf("no scenario skipped naming the missing fixtures: %+v", res.Scenarios)
	}
	for _, r := range res.Requirements {
		if r.ID == "SAM-BT-07" && (r.Status != verdict.Skip || !strings.Contains(r.Reason, "nonPpu")) {
			t.Errorf("SAM-BT-07: %s %q, want SKIP naming the missing fixtures", r.Status, r.Reason)
		}
	}
	if res.Overall != verdict.Incomplete {
		t.Errorf("overall %s, want INCOMPLETE: a MUST was not judged", res.Overall)
	}
}
