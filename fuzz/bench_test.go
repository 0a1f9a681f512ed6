package fuzz_test

import (
	"context"
	"testing"
	"time"

	"github.com/accessctk/accessctk/fuzz"
)

// BenchmarkOracleChecks measures SAM-FZ-01 checks per second against the reference
// server on a tenant of 150 accesses with depth-2 expressions, and where the time
// goes: the server handling requests, the client and transport around it (waiting
// on the target, minus the server), and the harness (generation, the oracle, rapid).
// Each run has its own seed, so the server's count cache sees new expressions.
func BenchmarkOracleChecks(b *testing.B) {
	rt := startReference(b)
	var (
		checks        int
		elapsed, wait time.Duration
		seed          uint64
	)
	served0 := rt.served.Load()
	for b.Loop() {
		seed++
		rep, err := fuzz.Run(context.Background(), fuzz.Config{Querier: rt.q, Seed: seed, Checks: 1000, MaxDepth: 2, Properties: []fuzz.Property{fuzz.Oracle}})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Failed() {
			b.Fatal("the conformant reference server failed SAM-FZ-01")
		}
		checks += rep.TotalChecks()
		elapsed += rep.Elapsed
		wait += rep.Wait
	}
	served := time.Duration(rt.served.Load() - served0)
	b.ReportMetric(float64(checks)/elapsed.Seconds(), "checks/s")
	b.ReportMetric(100*served.Seconds()/elapsed.Seconds(), "%server")
	b.ReportMetric(100*(wait-served).Seconds()/elapsed.Seconds(), "%client")
	b.ReportMetric(100*(elapsed-wait).Seconds()/elapsed.Seconds(), "%harness")
}
