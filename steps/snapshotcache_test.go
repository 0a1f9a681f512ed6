package steps

import (
	"testing"
)

// Readers that see the same generation of the gate see the same data: only a
// scenario that changes data moves it on.
func TestGateGenerationCountsTheScenariosThatChange(t *testing.T) {
	var g Gate
	g.Enter(false)
	g.Leave(false)
	if n := g.Generation(); n != 0 {
		t.Fatalf("a reader moved the generation to %d", n)
	}
	g.Enter(true)
	g.Leave(true)
	g.Enter(false)
	defer g.Leave(false)
	if n := g.Generation(); n != 1 {
		t.Fatalf("generation %d after one changing scenario, want 1", n)
	}
}
