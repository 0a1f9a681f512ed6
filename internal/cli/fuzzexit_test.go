package cli

import (
	"errors"
	"testing"

	"github.com/accessctk/accessctk/fuzz"
	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
)

// A fuzz run exits 0 only when every property judged the target and held.
func TestFuzzExit(t *testing.T) {
	held := fuzz.Result{Property: fuzz.Oracle, Checks: 100, Snapshot: 150}
	for _, c := range []struct {
		name string
		rep  fuzz.Report
		want int
	}{
		{"held", fuzz.Report{Results: []fuzz.Result{held}}, runner.ExitConformant},
		{"counterexample", fuzz.Report{Results: []fuzz.Result{{Property: fuzz.Oracle, Checks: 3, Snapshot: 150, Failure: &fuzz.Counterexample{}}}}, runner.ExitNonConformant},
		{"paging rule broken while walking", fuzz.Report{Results: []fuzz.Result{held}, Findings: []fuzz.Finding{{Requirement: "SAM-PG-05", Level: verdict.Must}}}, runner.ExitNonConformant},
		{"a SHOULD met while walking", fuzz.Report{Results: []fuzz.Result{held}, Findings: []fuzz.Finding{{Requirement: "SAM-PG-10", Level: verdict.Should}}}, runner.ExitConformant},
		{"no check judged", fuzz.Report{Results: []fuzz.Result{held, {Property: fuzz.Algebra, Snapshot: 150, Stopped: "time limit"}}}, runner.ExitNotJudged},
		{"no access to compare", fuzz.Report{Results: []fuzz.Result{{Property: fuzz.Oracle, Checks: 100}}}, runner.ExitNotJudged},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := fuzzExit(&c.rep)
			got := runner.ExitConformant
			var st *exitStatus
			if errors.As(err, &st) {
				got = st.code
			} else if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if got != c.want {
				t.Errorf("exit %d, want %d", got, c.want)
			}
		})
	}
}
