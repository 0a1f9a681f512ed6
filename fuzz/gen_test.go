package fuzz_test

import (
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/accessctk/accessctk/fuzz"
	"github.com/accessctk/accessctk/fuzz/filter"
)

// Every generated expression is valid, round-trips through the parser, carries no
// "&" or ";" inside a value, and puts unknown-field conditions only in a lone
// conjunction.
func TestGeneratedExpressionsAreValid(t *testing.T) {
	snap := exampleSnapshot()
	for _, mode := range []fuzz.ValueMode{fuzz.DataValues, fuzz.AnyValues} {
		for depth := 1; depth <= 4; depth++ {
			g := fuzz.NewGen(snap, depth)
			gen := g.WithUnknown(filter.Fields, mode)
			rapid.Check(t, func(t *rapid.T) {
				e := gen.Draw(t, "e")
				if err := e.Validate(); err != nil {
					t.Fatalf("%q: %v", e.String(), err)
				}
				back, err := filter.Parse(e.String())
				if err != nil || !reflect.DeepEqual(back, e) {
					t.Fatalf("%q does not round-trip: %#v, %v", e.String(), back, err)
				}
				if len(e) > 27 {
					t.Fatalf("%d conjunctions, more than the leaf budget allows", len(e))
				}
				for _, c := range e {
					for _, cond := range c {
						if strings.ContainsAny(cond.Value, "&;") {
							t.Fatalf("value %q holds a separator", cond.Value)
						}
						if _, known := filter.LookupField(cond.Field); !known && len(e) > 1 {
							t.Fatalf("unknown field %q inside an OR: %q", cond.Field, e.String())
						}
					}
				}
			})
		}
	}
}

// The snapshot's memoized oracle gives what filter.Match gives access by access.
func TestEvalAgreesWithMatch(t *testing.T) {
	snap := exampleSnapshot()
	g := fuzz.NewGen(snap, 3)
	gen := g.WithUnknown(g.OracleFields(), fuzz.AnyValues)
	rapid.Check(t, func(t *rapid.T) {
		e := gen.Draw(t, "e")
		got, err := snap.Eval(e)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, a := range snap.Accesses() {
			ok, err := e.Match(a.Record())
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				want = append(want, a.ID)
			}
		}
		if !reflect.DeepEqual(got, want) && (len(got) > 0 || len(want) > 0) {
			t.Fatalf("Eval(%q) = %v, Match gives %v", e.String(), got, want)
		}
	})
}

// Data values hit: most drawn conjunctions match their anchor access.
func TestDataValuesHit(t *testing.T) {
	snap := exampleSnapshot()
	g := fuzz.NewGen(snap, 2)
	gen := g.Nested(g.OracleFields(), fuzz.DataValues)
	hits := 0
	const n = 300
	for i := range n {
		ids, err := snap.Eval(gen.Example(i))
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) > 0 {
			hits++
		}
	}
	if hits < n/3 {
		t.Fatalf("only %d of %d expressions match anything; the generators should draw from the data", hits, n)
	}
}

// Malformed texts and adversarial values never hold the separators as values, but
// malformed texts do use them as syntax.
func TestAdversarialValuesHaveNoSeparator(t *testing.T) {
	g := fuzz.NewGen(exampleSnapshot(), 1)
	gen := g.Adversarial()
	rapid.Check(t, func(t *rapid.T) {
		if v := gen.Draw(t, "v"); strings.ContainsAny(v, "&;") {
			t.Fatalf("adversarial value %q holds a separator", v)
		}
	})
}
