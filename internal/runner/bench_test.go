package runner_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/steps"
)

// BenchmarkSuiteRun runs the whole suite in-process against the embedded reference
// server, as `accessctk run` does (its default task step delay included), and fails
// unless the run is CONFORMANT: a fast run that judges wrongly is no result. Besides
// the wall time it reports the process's CPU time per run (harness and server
// together), which a busy shared machine disturbs less than the wall time.
// ACCESSCTK_BENCH_TAGS selects scenarios by tag expression, to profile one area;
// ACCESSCTK_BENCH_CONCURRENCY runs that many scenarios at once.
func BenchmarkSuiteRun(b *testing.B) {
	tags := os.Getenv("ACCESSCTK_BENCH_TAGS")
	concurrency, _ := strconv.Atoi(os.Getenv("ACCESSCTK_BENCH_CONCURRENCY"))
	var cpu time.Duration
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		before := processCPU()
		res, err := runner.Run(ctx, runner.Options{
			Scope:       steps.Scope{AllowDestructive: true},
			Tags:        tags,
			Concurrency: concurrency,
			Seed:        1,
			Getenv:      func(string) string { return "" },
			Version:     "bench",
		})
		cpu += processCPU() - before
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		if res.Overall != verdict.Conformant && tags == "" {
			b.Fatalf("verdict %s, want CONFORMANT", res.Overall)
		}
		b.ReportMetric(float64(len(res.Scenarios)), "scenarios")
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkStartup is a run's start-up: from Run to the first scenario starting, as
// `accessctk run` does it (embedded server started and seeded, spec loaded and
// validated, fixtures checked, features parsed and the selection planned). "all"
// selects the whole suite (and then runs it); "one" a single scenario, which plans
// one pickle instead of every one.
func BenchmarkStartup(b *testing.B) {
	for _, sel := range []struct{ name, tags string }{{"all", ""}, {"one", "@SAM-RD-02"}} {
		b.Run(sel.name, func(b *testing.B) {
			var first time.Duration
			for b.Loop() {
				var once sync.Once
				res, err := runner.Run(context.Background(), runner.Options{
					Scope: steps.Scope{AllowDestructive: true}, Seed: 1, Tags: sel.tags,
					Getenv: func(string) string { return "" },
					Progress: func(p runner.Progress) {
						if p.Event == runner.ScenarioStarted {
							once.Do(func() { first += p.Elapsed })
						}
					},
				})
				want := verdict.Conformant
				if sel.tags != "" {
					want = verdict.PassedPartial
				}
				if err != nil || res.Overall != want {
					b.Fatalf("run: %v, verdict %s, want %s", err, res.Overall, want)
				}
			}
			b.ReportMetric(float64(first.Microseconds())/1000/float64(b.N), "ms-to-first-scenario")
		})
	}
}
