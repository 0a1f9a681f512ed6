package perf_test

import (
	"testing"

	"github.com/accessctk/accessctk/fuzz/filter"
)

// depth2 is a depth-2 expression (two conjunctions of two conditions), text and
// instant fields, as the fuzzer draws them.
const depth2 = "contractId=1200035908&startDateTime>=2024-03-01T00:00:00Z;name=Rover 12&endDateTime<2025-01-01T00:00:00+02:00"

func BenchmarkFilterParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		e, err := filter.Parse(depth2)
		if err != nil || len(e) != 2 {
			b.Fatalf("%v %v", e, err)
		}
	}
}

// BenchmarkFilterPrint prints the expression in both wire forms a walk sends.
func BenchmarkFilterPrint(b *testing.B) {
	e, err := filter.Parse(depth2)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if e.QueryParam() == "" || e.RawQueryParam() == "" {
			b.Fatal("empty form")
		}
	}
}

// BenchmarkFilterMatch is the oracle deciding one access, which it does for every
// item of every filtered walk and every access of the fuzzer's snapshot.
func BenchmarkFilterMatch(b *testing.B) {
	e, err := filter.Parse(depth2)
	if err != nil {
		b.Fatal(err)
	}
	rec := filter.MapRecord(map[string]string{
		"contractId": "1200035908", "productOfferingId": "PRP_SKYRTK_EU_12", "name": "Rover 12",
		"username": "rover12", "createdBy": "job-100231",
		"startDateTime": "2024-03-01T00:00:00Z", "endDateTime": "2024-12-31T23:59:59Z",
	})
	b.ReportAllocs()
	for b.Loop() {
		ok, err := e.Match(rec)
		if err != nil || !ok {
			b.Fatalf("match %v %v", ok, err)
		}
	}
}
