package reports

import (
	"fmt"
	"strings"

	"github.com/accessctk/accessctk/internal/verdict"
)

// FixtureLines describes, one sentence a line, what the run did with the fixtures
// file: each role's counts, every fixture not usable, used up or quarantined with
// the reason, and how many more runs the usable ones last. A nightly job reads here
// when to add fixtures.
func FixtureLines(r *verdict.Results) []string {
	f := r.Fixtures
	if f == nil {
		return nil
	}
	var roles []string
	for _, role := range f.Roles {
		if role.Listed == 0 && role.Minimum == 0 {
			continue
		}
		s := fmt.Sprintf("accesses.%s %d listed, %d usable, %d needed", role.Role, role.Listed, role.Usable, role.Minimum)
		if role.Consumed > 0 {
			s += fmt.Sprintf(", %d used up", role.Consumed)
		}
		if role.Quarantined > 0 {
			s += fmt.Sprintf(", %d quarantined", role.Quarantined)
		}
		roles = append(roles, s+fmt.Sprintf(", %d left", role.Left))
	}
	lines := []string{"Fixtures: " + strings.Join(roles, "; ") + ". " + RunsLeftSentence(f)}
	for _, group := range []struct {
		what  string
		notes []verdict.FixtureNote
	}{{"not usable, skipped", f.Unusable}, {"quarantined, not given back as it was", f.Quarantined}} {
		for _, n := range group.notes {
			lines = append(lines, fmt.Sprintf("Fixture accesses.%s %q %s: %s", n.Role, n.ID, group.what, n.Reason))
		}
	}
	return lines
}

// requestsText is ", N requests" for a record that counted them.
func requestsText(r *verdict.Results) string {
	if r.Requests == 0 {
		return ""
	}
	return fmt.Sprintf(", %d requests", r.Requests)
}

// RunsLeftSentence says how long the usable fixtures last at the selection's rate.
func RunsLeftSentence(f *verdict.FixtureReport) string {
	switch {
	case f.RunsLeft < 0:
		return "This selection uses no fixture up."
	case f.RunsLeft == 0:
		return "Too few usable fixtures are left for another run of this selection: add some before the next run."
	case f.RunsLeft == 1:
		return "The usable fixtures left last about 1 more run of this selection."
	default:
		return fmt.Sprintf("The usable fixtures left last about %d more runs of this selection.", f.RunsLeft)
	}
}
