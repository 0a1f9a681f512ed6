package fuzz

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/accessctk/accessctk/fuzz/filter"
)

// The written form of a tree (AND distributed over OR) matches exactly the accesses
// the tree itself matches.
func TestDNFMeansTheTree(t *testing.T) {
	snap := NewSnapshot([]Access{
		{ID: "a", Fields: map[string]string{"name": "x", "contractId": "1", "startDateTime": "2024-01-01T00:00:00Z"}},
		{ID: "b", Fields: map[string]string{"name": "y", "contractId": "1", "startDateTime": "2024-06-01T00:00:00Z"}},
		{ID: "c", Fields: map[string]string{"name": "x", "contractId": "2", "startDateTime": "2025-01-01T00:00:00+02:00"}},
	}, 3)
	g := NewGen(snap, 3)
	rapid.Check(t, func(t *rapid.T) {
		n := g.drawNode(t, g.OracleFields(), DataValues, 3, 9, g.drawAnchor(t))
		e := n.dnf()
		for _, a := range snap.Accesses() {
			want := treeMatch(t, n, a.Record())
			got, err := e.Match(a.Record())
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("access %s: the tree says %v, its written form %q says %v", a.ID, want, e.String(), got)
			}
		}
	})
}

func treeMatch(t *rapid.T, n node, r filter.Record) bool {
	if n.kids == nil {
		ok, err := filter.Expr{{n.cond}}.Match(r)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for _, k := range n.kids {
		m := treeMatch(t, k, r)
		if n.and && !m {
			return false
		}
		if !n.and && m {
			return true
		}
	}
	return n.and
}

// mutate handles every value, the empty one and single runes included: a tenant's
// data may hold empty strings, and an empty tenant gives the generators nothing else.
func TestMutateAnyValue(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := rapid.SampledFrom([]string{"", "a", "é", "e\u0301", "ab", "Rover 12"}).Draw(t, "value")
		_ = mutate(t, v)
	})
}
