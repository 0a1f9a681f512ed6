package steps

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/accessctk/accessctk/fuzz"
)

// A fuzz property without a counterexample passes only when it was put to the test:
// a property that ran no check, or compared the oracle with the target over a
// tenant of no access, is skipped with the reason and not recorded as checked.
func TestFuzzPropertyThatJudgedNothingIsSkipped(t *testing.T) {
	for _, c := range []struct {
		name     string
		res      fuzz.Result
		skipWith string // "" when the step must pass and record the property checked
	}{
		{"checked", fuzz.Result{Property: fuzz.Oracle, Checks: 100, Snapshot: 40}, ""},
		{"the time limit ended it before one check", fuzz.Result{Property: fuzz.Oracle, Snapshot: 40, Stopped: "the time limit ended the search after 0 of 100 checks"}, "no check judged the target: the time limit"},
		{"no check and no reason", fuzz.Result{Property: fuzz.Robustness, Snapshot: 40}, "no check ran"},
		{"oracle over no access", fuzz.Result{Property: fuzz.Oracle, Checks: 100}, "lists no access"},
		{"algebra over no access", fuzz.Result{Property: fuzz.Algebra, Checks: 100}, "lists no access"},
		{"robustness over no access still sends its requests", fuzz.Result{Property: fuzz.Robustness, Checks: 100}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(&Suite{})
			w.fuzz.report = &fuzz.Report{Seed: 1, Checks: 100, Results: []fuzz.Result{c.res}}
			err := w.theFilterPropertiesHold(context.Background())
			checked := w.checked[string(c.res.Property)]
			if c.skipWith == "" {
				if err != nil || !checked {
					t.Fatalf("got %v, checked %v; want nil and the property recorded checked", err, checked)
				}
				return
			}
			var skip *skipError
			if !errors.As(err, &skip) || !errors.Is(err, godog.ErrSkip) || !strings.Contains(skip.reason, c.skipWith) {
				t.Fatalf("got %v; want a skip naming %q", err, c.skipWith)
			}
			if checked {
				t.Errorf("%s recorded checked, though it judged nothing", c.res.Property)
			}
		})
	}
}
