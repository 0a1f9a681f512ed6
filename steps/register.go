package steps

import (
	"context"

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
		sc.Before(func(ctx context.Context, scn *godog.Scenario) (context.Context, error) {
			w.begin(scn)
			if reason := s.Scope.outOfScope(w.record.Tags); reason != "" {
				return ctx, &skipError{reason: reason}
			}
			return ctx, nil
		})
		sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
			collect(w.finish(ctx, err))
			return ctx, nil
		})
		for _, d := range stepDefinitions(w) {
			sc.Step(d.pattern, d.fn)
		}
	}
}

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
