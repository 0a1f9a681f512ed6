package walker

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// The set behaves as a map of strings would, through growth, for every kind of id
// (empty, long, non-ASCII, ids that are prefixes of each other).
func TestIDSetAgreesWithAMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	model := map[string]bool{}
	s := NewIDSet()
	pick := func() string {
		switch r.IntN(6) {
		case 0:
			return ""
		case 1:
			return fmt.Sprintf("eos_%d", r.IntN(5000))
		case 2:
			return fmt.Sprintf("eos_%d", r.IntN(5000))[:r.IntN(6)]
		case 3:
			return string(make([]byte, 200+r.IntN(200)))
		case 4:
			return fmt.Sprintf("café-%d-😀", r.IntN(300))
		default:
			return fmt.Sprintf("id-%x", r.Uint64()%20000)
		}
	}
	for range 30000 {
		id := pick()
		if got, want := s.Add(id), !model[id]; got != want {
			t.Fatalf("Add(%q) = %v, want %v", id, got, want)
		}
		model[id] = true
		probe := pick()
		if got := s.Has(probe); got != model[probe] {
			t.Fatalf("Has(%q) = %v, want %v", probe, got, model[probe])
		}
	}
	if s.Len() != len(model) {
		t.Fatalf("Len = %d, want %d", s.Len(), len(model))
	}
	want := make([]string, 0, len(model))
	for id := range model {
		want = append(want, id)
	}
	sort.Strings(want)
	if got := s.Sorted(); !slices.Equal(got, want) {
		t.Fatalf("Sorted differs from the model (%d vs %d ids)", len(got), len(want))
	}
}

func TestIDSetAlgebra(t *testing.T) {
	a, b := NewIDSet("x", "y", "z", ""), NewIDSet("y", "", "w")
	if got := a.Minus(b); !slices.Equal(got, []string{"x", "z"}) {
		t.Errorf("a-b = %q", got)
	}
	if got := a.Intersect(b).Sorted(); !slices.Equal(got, []string{"", "y"}) {
		t.Errorf("a&b = %q", got)
	}
	if got := a.Union(b).Sorted(); !slices.Equal(got, []string{"", "w", "x", "y", "z"}) {
		t.Errorf("a|b = %q", got)
	}
	if a.Equal(b) || !a.Equal(NewIDSet("z", "y", "x", "", "x")) || !NewIDSet().Equal(NewIDSet()) {
		t.Error("Equal is wrong")
	}
	if NewIDSet().Has("") {
		t.Error("an empty set has the empty id")
	}
}

// BenchmarkIDSetAdd adds 100,000 distinct ids as a walk does and reports the heap
// the set holds per id.
func BenchmarkIDSetAdd(b *testing.B) {
	ids := make([]string, 100_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("eos_%010d", 1954829761+i)
	}
	b.ReportAllocs()
	for b.Loop() {
		s := NewIDSet()
		for _, id := range ids {
			s.Add(id)
		}
		b.ReportMetric(float64(len(s.arena)+8*len(s.slots))/float64(len(ids)), "set-B/id")
	}
}
