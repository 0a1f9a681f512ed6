package runner_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/steps"
)

// A fixture the scenarios only read, which a non-conformant server changed anyway,
// is set back after the run so that the next run finds it usable; the run says so.
func TestAWitnessTheServerChangedIsSetBack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := runner.Run(ctx, runner.Options{
		Scope: steps.Scope{AllowDestructive: true}, Faults: []string{"batch-foreign-access-applied"}, Tags: "@SAM-CM-06",
		Getenv: func(string) string { return "" },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Overall != verdict.NonConformant {
		t.Fatalf("verdict %s", res.Overall)
	}
	if !hasNote(res, `fixture accesses.secondary "`) || !hasNote(res, "its status was set back") {
		t.Errorf("no note on the secondary witness set back: %q", res.Notes)
	}
}

// The embedded run lists exactly what its selection needs, and a full run uses up
// exactly what the plan says: the fixture plan is the run's, not a guess.
func TestTheFixturePlanIsWhatTheRunTakes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := runner.Run(ctx, runner.Options{Scope: steps.Scope{AllowDestructive: true}, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Overall != verdict.Conformant || res.Fixtures == nil || res.Requests < 1000 {
		t.Fatalf("verdict %s, %d requests, fixtures %+v", res.Overall, res.Requests, res.Fixtures)
	}
	for _, r := range res.Fixtures.Roles {
		if r.Listed != r.Minimum || r.Consumed != r.Consumes || r.Quarantined != 0 || r.Left != r.Listed-r.Consumed {
			t.Errorf("%s: %+v", r.Role, r)
		}
	}
	if got := strings.Join(fixtureCounts(res), " "); got != "ppu=7/4 nonPpu=1/0 terminated=1/0 secondary=1/0" {
		t.Errorf("a full certification needs %s (minimum/used up); the README promises ppu=7/4 nonPpu=1/0 terminated=1/0 secondary=1/0", got)
	}
}

func fixtureCounts(res *verdict.Results) []string {
	var out []string
	for _, r := range res.Fixtures.Roles {
		out = append(out, fmt.Sprintf("%s=%d/%d", r.Role, r.Minimum, r.Consumes))
	}
	return out
}

// The reading scenarios of a stretch of unchanged data share one walk of the
// tenant's whole list at the largest page size, instead of each walking it again.
func TestReadersShareOneWalkOfTheTenant(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := runner.Run(ctx, runner.Options{Tags: "@SAM-FL-01", Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	walks, scenarios := 0, 0
	for _, s := range res.Scenarios {
		scenarios++
		for _, e := range s.Exchanges {
			if strings.Contains(e.URL, "pageSize=1000") && strings.Contains(e.URL, "pageNumber=1") && !strings.Contains(e.URL, "filter=") {
				walks++
			}
		}
	}
	if scenarios < 10 || walks != 1 {
		t.Errorf("%d scenarios walked the whole tenant %d times, want once", scenarios, walks)
	}
}
