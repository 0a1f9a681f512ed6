package fuzz_test

import (
	"context"
	"os"
	"testing"

	"github.com/accessctk/accessctk/fuzz"
)

func TestConformantReferencePasses(t *testing.T) {
	rt := startReference(t)
	rep, err := fuzz.Run(context.Background(), fuzz.Config{Querier: rt.q, Seed: 1})
	if rep != nil {
		_ = rep.WriteText(os.Stderr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() || len(rep.Findings) > 0 {
		t.Fatal("the conformant reference server failed a property or a paging rule")
	}
}
