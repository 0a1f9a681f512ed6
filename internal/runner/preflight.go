package runner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/steps"
)

// ErrTooFewFixtures marks a fixtures file with fewer usable fixtures than the
// selection needs: the run stops before its first change (exit 3).
var ErrTooFewFixtures = errors.New("too few usable fixtures")

// preflight is what the harness learnt before the first scenario: which fixtures are
// usable, and the rules the server broke answering the reads.
type preflight struct {
	needs []steps.RoleNeed
	// record holds the findings of the fixture reads (nil when there were none).
	record *verdict.Scenario
	notes  []string
	// problems lists, per role, the listed fixtures that are not usable and why.
	problems map[string][]string
}

// fixtureCheck is one fixture to read and the state its role needs.
type fixtureCheck struct {
	id     string
	role   steps.FixtureRole
	tenant steps.Tenant
}

// checkFixtures reads every listed fixture before anything changes: a fixture that
// is missing, of another tenant or not in the status its role needs is set aside
// with the reason; an answer that breaks the contract is a finding against its rule
// and leaves the fixture to the scenarios' own checks. It fails (exit 3) when the
// target is not this API, cannot be reached, or has fewer usable fixtures of a role
// than the selection needs.
func checkFixtures(ctx context.Context, s *steps.Suite, needs []steps.RoleNeed, sources tokenSources, workers int) (*preflight, error) {
	pf := &preflight{needs: needs, problems: map[string][]string{}}
	if err := probeTenants(ctx, s, needs, sources); err != nil {
		return nil, err
	}
	checks := fixtureChecks(s)
	reads, err := readFixtures(ctx, s, checks, workers)
	var limit *runDeadline
	if err != nil && errors.As(context.Cause(ctx), &limit) {
		// The run's time is up: the scenarios will say so one by one, and the
		// reports are still written.
		pf.notes = append(pf.notes, limit.Error()+" while the fixtures were being read")
		return pf, nil
	}
	if err != nil {
		return nil, fmt.Errorf("fixture check: %w", err)
	}
	rec := verdict.Scenario{
		ID: "preflight", Feature: "preflight", Name: "Reading the fixtures before the run",
		Started: time.Now(), Outcome: verdict.Failed,
	}
	var unverified []string
	for i, c := range checks {
		r := reads[i]
		rec.Findings = append(rec.Findings, r.read.Findings...)
		rec.Exchanges = append(rec.Exchanges, r.read.Exchanges...)
		switch {
		case r.err != nil:
			unverified = append(unverified, r.err.Error())
		case r.read.Unverified != "":
			unverified = append(unverified, fmt.Sprintf("accesses.%s %q: %s", c.role.Name, c.id, r.read.Unverified))
		case !r.read.State.Found:
			pf.unusable(s, c, notFoundReason(ctx, s, c))
		case c.role.Status != "" && r.read.State.Status != c.role.Status:
			pf.unusable(s, c, fmt.Sprintf("status %s, the role needs %s", r.read.State.Status, c.role.Status))
		default:
			s.Pool.SetBaseline(c.id, r.read.State.Body)
		}
	}
	if len(rec.Findings) > 0 {
		rec.Message = "reading the fixtures, the server broke " + strings.Join(findingRules(rec.Findings), ", ")
		pf.record = &rec
	}
	if len(unverified) > 0 {
		pf.notes = append(pf.notes, fmt.Sprintf("%d fixtures could not be verified before the run (first: %s); the scenarios that use them check them again", len(unverified), unverified[0]))
	}
	if err := pf.enough(s); err != nil {
		return nil, err
	}
	return pf, nil
}

// probeTenants asks each tenant the run uses for one access, so that a target that
// is not this API is told in one line before any fixture is read.
func probeTenants(ctx context.Context, s *steps.Suite, needs []steps.RoleNeed, sources tokenSources) error {
	if err := steps.ProbeCollection(ctx, s, s.Primary, sources.primary); err != nil {
		return err
	}
	if s.Secondary != nil && len(s.Fixtures.Accesses.Secondary) > 0 && needOf(needs, steps.RoleSecondary).Minimum > 0 {
		return steps.ProbeCollection(ctx, s, *s.Secondary, sources.secondary)
	}
	return nil
}

// fixtureChecks lists every fixture the file names, with its role and owner.
func fixtureChecks(s *steps.Suite) []fixtureCheck {
	var out []fixtureCheck
	lists := idsByRole(s.Fixtures)
	for _, role := range steps.FixtureRoles() {
		owner := s.Primary
		if role.Secondary {
			if s.Secondary == nil {
				continue
			}
			owner = *s.Secondary
		}
		for _, id := range lists[role.Name] {
			out = append(out, fixtureCheck{id: id, role: role, tenant: owner})
		}
	}
	return out
}

// notFoundReason says where a fixture its tenant does not have is: another tenant's
// access is the usual mix-up.
func notFoundReason(ctx context.Context, s *steps.Suite, c fixtureCheck) string {
	reason := fmt.Sprintf("not found in tenant %q", c.tenant.Name)
	other := s.Secondary
	if c.role.Secondary {
		other = &s.Primary
	}
	if other == nil {
		return reason
	}
	if st, err := steps.ReadFixture(ctx, s, *other, c.id); err == nil && st.Found && st.ReturnedID == c.id {
		return fmt.Sprintf("not found in tenant %q: it is an access of tenant %q", c.tenant.Name, other.Name)
	}
	return reason
}

func (pf *preflight) unusable(s *steps.Suite, c fixtureCheck, reason string) {
	s.Pool.SetUnusable(c.role.Name, c.id, reason)
	pf.problems[c.role.Name] = append(pf.problems[c.role.Name], fmt.Sprintf("accesses.%s %q: %s", c.role.Name, c.id, reason))
}

// enough fails when a role has fewer usable fixtures than the selection needs. A
// role the file lists nothing for, other than the PPU pool, is not an error: its
// scenarios are skipped with the reason. Unusable fixtures the selection does not
// need are skipped with a note.
func (pf *preflight) enough(s *steps.Suite) error {
	var short []string
	skipped := 0
	for _, n := range pf.needs {
		listed := s.Pool.Listed(n.Role)
		usable := listed - len(pf.problems[n.Role])
		optional := n.Role != steps.RolePPU && listed == 0
		if n.Minimum > usable && !optional {
			line := fmt.Sprintf("accesses.%s: the selection needs at least %d usable (%s); %d of the %d listed are usable",
				n.Role, n.Minimum, n.Explain(), usable, listed)
			for _, p := range pf.problems[n.Role] {
				line += "\n    " + p
			}
			short = append(short, line)
			continue
		}
		skipped += len(pf.problems[n.Role])
	}
	if len(short) > 0 {
		return fmt.Errorf("%w (nothing was changed; `accessctk fixtures` prints what a selection needs):\n  %s", ErrTooFewFixtures, strings.Join(short, "\n  "))
	}
	if skipped > 0 {
		var all []string
		for _, role := range steps.FixtureRoles() {
			all = append(all, pf.problems[role.Name]...)
		}
		sort.Strings(all)
		pf.notes = append(pf.notes, fmt.Sprintf("%d listed fixtures are not usable and were skipped (the run had enough without them): %s", len(all), strings.Join(all, "; ")))
	}
	return nil
}

func needOf(needs []steps.RoleNeed, role string) steps.RoleNeed {
	for _, n := range needs {
		if n.Role == role {
			return n
		}
	}
	return steps.RoleNeed{Role: role}
}

func findingRules(fs []verdict.Finding) []string {
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, f.Requirement) {
			out = append(out, f.Requirement)
		}
	}
	sort.Strings(out)
	return out
}

// fixtureReport is the reports' account of the fixtures after the run.
func fixtureReport(s *steps.Suite, needs []steps.RoleNeed) *verdict.FixtureReport {
	usage, unusable, consumed, quarantined := s.Pool.Usage()
	rep := &verdict.FixtureReport{Unusable: unusable, Consumed: consumed, Quarantined: quarantined}
	left := map[string]int{}
	for _, u := range usage {
		n := needOf(needs, u.Role)
		rep.Roles = append(rep.Roles, verdict.FixtureRole{
			Role: u.Role, Listed: u.Listed, Usable: u.Usable, Minimum: n.Minimum, Consumes: n.Consumed,
			Consumed: u.Consumed, Quarantined: u.Quarantined, Restored: u.Restored, Left: u.Left,
		})
		left[u.Role] = u.Left
	}
	rep.RunsLeft = steps.RunsLeft(needs, left)
	return rep
}
