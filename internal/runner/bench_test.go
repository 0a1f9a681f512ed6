package runner_test

import (
	"context"
	"os"
	"strconv"
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
