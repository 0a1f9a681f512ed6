package steps

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"sync"

	"github.com/cucumber/godog"

	"github.com/accessctk/accessctk/internal/verdict"
)

// ScenarioInitializer returns godog's per-scenario hook. godog calls it once for every
// scenario, so each scenario gets a fresh World; the hook skips scenarios outside the
// run's scope with the reason, and hands each finished record to collect (which must
// be safe for concurrent calls).
func ScenarioInitializer(s *Suite, collect func(verdict.Scenario)) func(*godog.ScenarioContext) {
	return func(sc *godog.ScenarioContext) {
		w := newWorld(s)
		entered, changes := false, false
		// skipped is the skip that ended the scenario: the Before hook's (out of the
		// run's scope) or a step's (fixtures that cannot exercise the rule). godog hands
		// the After hook only the last step's error, which is nil once an earlier hook
		// or step skipped (the steps after it are skipped without running): the record
		// must take the skip from here, or a scenario that never judged its rule would
		// be recorded as passed.
		var skipped error
		sc.Before(func(ctx context.Context, scn *godog.Scenario) (context.Context, error) {
			w.begin(scn)
			if reason := s.Scope.outOfScope(w.record.Tags); reason != "" {
				skipped = &skipError{reason: reason}
				return ctx, skipped
			}
			if s.Gate != nil {
				changes = slices.Contains(w.record.Tags, TagMutating)
				s.Gate.Enter(changes)
				entered = true
			}
			return ctx, nil
		})
		sc.StepContext().After(func(ctx context.Context, _ *godog.Step, _ godog.StepResultStatus, err error) (context.Context, error) {
			if skipped == nil && errors.Is(err, godog.ErrSkip) {
				skipped = err
			}
			return ctx, nil
		})
		sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
			if err == nil && skipped != nil {
				err = skipped
			}
			rec := w.finish(ctx, err)
			if entered {
				s.Gate.Leave(changes)
			}
			collect(rec)
			return ctx, nil
		})
		compiled := compiledPatterns()
		for _, d := range stepDefinitions(w) {
			sc.Step(compiled[d.pattern], d.fn)
		}
	}
}

// compiledPatterns compiles every step pattern once per process. Given a string,
// godog compiles the pattern anew for every scenario of every pass; with some 150
// patterns and 250 scenarios that was a fifth of a whole run's CPU and half of its
// allocations. A compiled *regexp.Regexp is immutable and safe for concurrent use.
var compiledPatterns = sync.OnceValue(func() map[string]*regexp.Regexp {
	defs := stepDefinitions(newWorld(&Suite{}))
	out := make(map[string]*regexp.Regexp, len(defs))
	for _, d := range defs {
		out[d.pattern] = regexp.MustCompile(d.pattern)
	}
	return out
})

// stepDef is one step pattern and the World method that implements it.
type stepDef struct {
	pattern string
	fn      any
}

// stepDefinitions lists every step of the library, one area after another. Each area
// lives in its own file (common_steps.go, auth_steps.go, ...) and contributes a slice.
func stepDefinitions(w *World) []stepDef {
	var defs []stepDef
	for _, area := range []func(*World) []stepDef{commonSteps, authSteps, readSteps, pagingSteps, filterSteps, isolationSteps, updateSteps, batchSteps, fuzzSteps} {
		defs = append(defs, area(w)...)
	}
	return defs
}
