package fuzz_test

import (
	"context"
	"testing"

	"github.com/accessctk/accessctk/fuzz"
)

// The fuzzer finds each filter fault of the reference server with the default number
// of checks and a fixed seed, and shrinks it to a small expression. The first five
// are the filter area's (faults_filter.go), the rest the fuzz area's
// (faults_fuzz.go). maxSize bounds the conditions of the minimal case: what the
// fault needs to show, no more.
func TestFaultsAreFoundAndShrunk(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the fuzzer against ten faulty servers; the full pass of make test runs it")
	}
	cases := []struct {
		fault   string
		finds   fuzz.Property
		maxSize int
	}{
		{"filter-or-binds-tighter", fuzz.Oracle, 3}, // precedence reversed: a;b&c needs three
		{"filter-ge-as-gt", fuzz.Oracle, 1},
		{"filter-dates-as-text", fuzz.Oracle, 1},
		{"filter-eq-like", fuzz.Robustness, 1},
		{"filter-eq-case-insensitive", fuzz.Oracle, 1},
		{"filter-eq-prefix", fuzz.Robustness, 1},
		{"filter-non-ascii-500", fuzz.Robustness, 1},
		{"filter-or-capped", fuzz.Oracle, 4}, // an OR of four conjunctions, the fourth matching
		{"filter-same-field-last-wins", fuzz.Algebra, 2},
	}
	for _, c := range cases {
		t.Run(c.fault, func(t *testing.T) {
			rt := startReference(t, c.fault)
			rep, err := fuzz.Run(context.Background(), fuzz.Config{Querier: rt.q, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			var cx *fuzz.Counterexample
			for _, res := range rep.Results {
				if res.Property == c.finds {
					cx = res.Failure
					if cx != nil {
						t.Logf("%s: %s found after %d checks, shrunk to %d condition(s), %d characters: %s",
							c.fault, res.Property, res.Checks, cx.Size, cx.Chars, cx.Exprs[0].Readable)
					}
				}
			}
			if cx == nil {
				t.Fatalf("%s was not found by %s with %d checks and seed 1", c.fault, c.finds, fuzz.DefaultChecks)
			}
			if cx.Size > c.maxSize {
				t.Errorf("the minimal case has %d conditions, want at most %d:\n%s", cx.Size, c.maxSize, cx)
			}
			if cx.Seed == 0 || cx.Replay == "" {
				t.Errorf("no replay for the counterexample:\n%s", cx)
			}
		})
	}
}
