package steps

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
)

// fixtureUse is what one step takes from the fixture pool.
type fixtureUse struct {
	role string
	// n is how many it checks out; -1: the step's first argument says.
	n int
	// witness: the step reads one fixture of the role and checks out nothing.
	witness bool
}

// fixtureUses names every step that uses fixtures and what it uses: the one table a
// run's fixture plan is computed from. TestFixtureUsesMatchTheSteps holds it to the
// step library, and TestFixturePlanMatchesTheRun to what a run really takes.
var fixtureUses = map[string]fixtureUse{
	`^a disposable PPU access$`:            {role: RolePPU, n: 1},
	`^(\d+) disposable PPU access(?:es)?$`: {role: RolePPU, n: -1},
	`^the terminated access$`:              {role: RoleTerminated, n: 1},
	`^a non-PPU access of the tenant$`:     {role: RoleNonPPU, witness: true},
	`^an access of the other tenant$`:      {role: RoleSecondary, witness: true},
}

var compiledFixtureUses = func() map[*regexp.Regexp]fixtureUse {
	out := make(map[*regexp.Regexp]fixtureUse, len(fixtureUses))
	for p, u := range fixtureUses {
		out[regexp.MustCompile(p)] = u
	}
	return out
}()

// PlannedScenario is a scenario a run selects, as its fixture plan needs it.
type PlannedScenario struct {
	Tags  []string
	Steps []string
}

// RoleNeed is what the scenarios of a run need of one fixture role.
type RoleNeed struct {
	Role string `json:"role"`
	// Minimum is the fewest usable fixtures of the role with which every selected
	// scenario gets its fixtures, whatever order the scenarios run in: for an
	// exclusive role, the fixtures the run consumes plus the most that one scenario
	// that consumes nothing holds at once; for a witness role, one.
	Minimum int `json:"minimum"`
	// Consumed is how many the run uses up on a conformant server: the fixtures
	// that @terminates scenarios check out.
	Consumed int `json:"consumed"`
	// Scenarios counts the selected scenarios that use the role.
	Scenarios int `json:"scenarios"`
}

// PlanFixtures computes what the scenarios in the scope need of each fixture role, in
// role order. Scenarios the scope leaves out need nothing.
func PlanFixtures(scenarios []PlannedScenario, scope Scope) ([]RoleNeed, error) {
	type acc struct {
		consumed, largestKept, scenarios int
		witness                          bool
	}
	by := map[string]*acc{}
	for _, sc := range scenarios {
		if !scope.Allows(sc.Tags) {
			continue
		}
		consumes := slices.Contains(sc.Tags, TagTerminates)
		// takes is what the scenario checks out (or reads, for a witness) by role.
		takes := map[string]int{}
		for _, text := range sc.Steps {
			u, n, err := useOf(text)
			if err != nil {
				return nil, err
			}
			if u.role == "" {
				continue
			}
			if by[u.role] == nil {
				by[u.role] = &acc{}
			}
			by[u.role].witness = by[u.role].witness || u.witness
			takes[u.role] += n
		}
		for role, n := range takes {
			a := by[role]
			a.scenarios++
			if consumes {
				a.consumed += n
			} else {
				a.largestKept = max(a.largestKept, n)
			}
		}
	}
	var out []RoleNeed
	for _, r := range FixtureRoles() {
		a := by[r.Name]
		need := RoleNeed{Role: r.Name}
		if a != nil {
			need.Scenarios = a.scenarios
			need.Consumed = a.consumed
			need.Minimum = a.consumed + a.largestKept
			if a.witness {
				need.Minimum = max(need.Minimum, 1)
			}
		}
		out = append(out, need)
	}
	return out, nil
}

// useOf finds the fixture use of one step's text.
func useOf(text string) (fixtureUse, int, error) {
	for re, u := range compiledFixtureUses {
		m := re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		n := u.n
		if u.witness {
			return u, 0, nil
		}
		if n < 0 {
			v, err := strconv.Atoi(m[1])
			if err != nil {
				return u, 0, fmt.Errorf("step %q: the fixture count %q is not a number", text, m[1])
			}
			n = v
		}
		return u, n, nil
	}
	return fixtureUse{}, 0, nil
}

// RunsLeft estimates how many more runs of the same selection the fixtures left
// after a run last: each run needs its minimum usable and uses up what it consumes.
// It returns -1 when the selection consumes nothing (the fixtures last).
func RunsLeft(needs []RoleNeed, left map[string]int) int {
	runs := -1
	for _, n := range needs {
		if n.Consumed == 0 || n.Minimum == 0 {
			continue
		}
		k := 0
		if l := left[n.Role]; l >= n.Minimum {
			k = 1 + (l-n.Minimum)/n.Consumed
		}
		if runs < 0 || k < runs {
			runs = k
		}
	}
	return runs
}

// restoreRules are the rules the harness relies on to give a fixture back after a
// scenario changed its status: a PATCH of status is answered with it (SAM-UP-01)
// and persists (SAM-UP-09).
var restoreRules = []string{"@SAM-UP-01", "@SAM-UP-09"}

// RunsFirst reports whether a scenario judges a rule the fixtures' restore relies
// on, and so runs before the other scenarios that change data.
func RunsFirst(tags []string) bool {
	for _, t := range tags {
		if slices.Contains(restoreRules, t) {
			return true
		}
	}
	return false
}

// Explain says in words where a role's minimum comes from.
func (n RoleNeed) Explain() string {
	kept := n.Minimum - n.Consumed
	switch {
	case n.Minimum == 0:
		return "not used by this selection"
	case n.Consumed > 0 && kept > 0:
		return fmt.Sprintf("%d used up by terminations, and %d held at once by the largest scenario that gives them back", n.Consumed, kept)
	case n.Consumed > 0:
		return fmt.Sprintf("%d used up by terminations", n.Consumed)
	case n.Role == RolePPU || n.Role == RoleTerminated:
		return fmt.Sprintf("held by one scenario at a time and given back (%s)", scenarios(n.Scenarios))
	default:
		return fmt.Sprintf("read, never changed (%s)", scenarios(n.Scenarios))
	}
}

func scenarios(n int) string {
	if n == 1 {
		return "1 scenario"
	}
	return fmt.Sprintf("%d scenarios", n)
}
