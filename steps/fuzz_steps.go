package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/accessctk/accessctk/fuzz"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/verdict"
)

// Bounds of the fuzz scenario: the suite runs it on every target, so it is held to
// a time limit, and a counterexample is shrunk for a short while only (the CLI's
// 'accessctk fuzz' shrinks longer).
const (
	fuzzTimeLimit  = time.Minute
	fuzzShrinkTime = 2 * time.Second
)

// fuzzSteps are the steps of the fuzz area (features/skylark/fuzz.feature).
func fuzzSteps(w *World) []stepDef {
	return []stepDef{
		{`^(\d+) random filter expressions of (SAM-FZ-\d+), nested up to depth (\d+), are checked with seed (\d+)$`, w.randomFilterExpressionsAreChecked},
		{`^the property holds for every expression$`, w.theFilterPropertiesHold},
	}
}

// fuzzState is the fuzz area's per-scenario state, kept in World.fuzz.
type fuzzState struct {
	report *fuzz.Report
}

// randomFilterExpressionsAreChecked runs one SAM-FZ property: it takes its snapshot
// of the tenant right before it runs and checks it again after. The scenario is
// @readonly, so the run's Gate keeps every mutating scenario from running meanwhile;
// a change from elsewhere makes the run an error, not a failure.
func (w *World) randomFilterExpressionsAreChecked(ctx context.Context, checks int, property string, depth int, seed uint64) error {
	if seed == 0 {
		return fmt.Errorf("seed 0 asks rapid for a random seed; a scenario needs a fixed one")
	}
	prop, err := fuzz.ParseProperty(property)
	if err != nil {
		return err
	}
	raw := w.suite.Scope.RawFilter
	q := &fuzz.ClientQuerier{Client: w.suite.Client, Token: w.tenant.Token, Tenant: w.tenant.Name, MaxPageSize: w.suite.Fixtures.MaxPageSize, Raw: raw}
	replay := "accessctk fuzz --target " + w.suite.Client.BaseURL().Redacted() + " --fixtures FIXTURES"
	if raw {
		replay += " --raw-filter"
	}
	rep, err := fuzz.Run(ctx, fuzz.Config{
		Querier: q, Properties: []fuzz.Property{prop}, Checks: checks, Seed: seed, MaxDepth: depth, Raw: raw,
		TimeLimit: fuzzTimeLimit, ShrinkTime: fuzzShrinkTime,
		ReplayCommand: replay, Logger: w.suite.Logger,
	})
	w.fuzz.report = rep
	if errors.Is(err, fuzz.ErrTooLarge) {
		return skipf("the fuzzer's oracle keeps the whole tenant in memory: %v", err)
	}
	if err != nil {
		return &HarnessError{Err: fmt.Errorf("fuzzing the filter grammar: %w", err)}
	}
	for _, res := range rep.Results {
		if res.Stopped != "" {
			w.suite.Logger.Warn("fuzz property stopped early", "property", res.Property, "reason", res.Stopped)
		}
	}
	return nil
}

// theFilterPropertiesHold reports every counterexample against the rules it breaks
// (the property's, and SAM-CM-05 for a 5xx), and the paging rules the walks saw
// broken. The first counterexample fails the step; the others are findings.
func (w *World) theFilterPropertiesHold(context.Context) error {
	rep := w.fuzz.report
	if rep == nil {
		return fmt.Errorf("no fuzz run in this scenario")
	}
	for _, f := range rep.Findings {
		w.finding(f.Requirement, f.Level, f.Message, w.evidence(f.Exchange))
	}
	var first *Failure
	var unjudged []string
	for _, res := range rep.Results {
		cx := res.Failure
		if cx == nil {
			if why := res.NotJudged(); why != "" {
				unjudged = append(unjudged, fmt.Sprintf("%s: %s", res.Property, why))
				continue
			}
			// Judged and kept, even when another property fails the scenario.
			w.checked[string(res.Property)] = true
			continue
		}
		msg := fmt.Sprintf("%s (seed %d, failed at check %d of %d on %d accesses): %s",
			res.Property, rep.Seed, res.Checks, rep.Checks, res.Snapshot, cx.String())
		ex := w.evidence(cx.Exchange)
		for _, req := range cx.Requirements {
			if first == nil {
				first = &Failure{Requirements: []string{req}, Level: verdict.Must, Message: msg, Exchange: ex}
				continue
			}
			w.finding(req, verdict.Must, msg, ex)
		}
	}
	switch {
	case first != nil:
		return first
	case len(unjudged) > 0:
		return skipf("%s", strings.Join(unjudged, "; "))
	}
	return nil
}

// evidence records an exchange the fuzzer kept (a counterexample's answer) in the
// scenario's transcript and returns its record. The fuzzer's other requests are not
// recorded: a run sends hundreds.
func (w *World) evidence(ex *target.Exchange) *verdict.Exchange {
	if ex == nil {
		return nil
	}
	w.keepExchange(ex)
	rec := exchangeRecord(ex)
	return &rec
}
