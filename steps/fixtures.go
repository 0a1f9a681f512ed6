package steps

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/verdict"
)

// Fixture roles, as the fixtures file names them.
const (
	RolePPU        = "ppu"
	RoleNonPPU     = "nonPpu"
	RoleTerminated = "terminated"
	RoleSecondary  = "secondary"
)

// FixtureRole is what the harness does with the fixtures of one role.
type FixtureRole struct {
	Name string
	// Status is the status a usable fixture of the role has ("" for any).
	Status string
	// Exclusive fixtures are checked out by one scenario at a time, which may change
	// them; the harness gives them back restored. The others are witnesses: several
	// scenarios read them at once and a conformant server never changes them.
	Exclusive bool
	// Secondary fixtures belong to the secondary tenant.
	Secondary bool
}

// FixtureRoles lists the roles in the fixtures file's order.
func FixtureRoles() []FixtureRole {
	return []FixtureRole{
		{Name: RolePPU, Status: "ACTIVE", Exclusive: true},
		{Name: RoleNonPPU, Status: "ACTIVE"},
		{Name: RoleTerminated, Status: "TERMINATED", Exclusive: true},
		{Name: RoleSecondary, Secondary: true},
	}
}

// FixtureNote names one fixture and what happened to it, for the reports.
type FixtureNote = verdict.FixtureNote

// FixturePool hands fixtures to scenarios. An exclusive fixture is checked out by one
// scenario at a time and comes back when the scenario ends: as it was, restored, or
// not at all (consumed by a termination, or quarantined when its state could not be
// restored or verified). A scenario that asks for more than is free waits for the
// fixtures other scenarios hold, and fails at once only when even those would not
// be enough. Safe for concurrent use.
type FixturePool struct {
	mu    sync.Mutex
	roles map[string]*rolePool
	// changed is closed and replaced whenever fixtures come back or leave for good,
	// waking the scenarios waiting for them.
	changed chan struct{}
	// baseline is each fixture's state as the preflight read it.
	baseline map[string][]byte
}

type rolePool struct {
	listed      int
	free        []string
	out         int
	unusable    []FixtureNote
	consumed    []FixtureNote
	quarantined []FixtureNote
	restored    int
}

// NewFixturePool builds a pool from the ids the fixtures file lists by role; every
// id starts usable.
func NewFixturePool(byRole map[string][]string) *FixturePool {
	p := &FixturePool{roles: map[string]*rolePool{}, changed: make(chan struct{}), baseline: map[string][]byte{}}
	for role, ids := range byRole {
		p.roles[role] = &rolePool{listed: len(ids), free: slices.Clone(ids)}
	}
	return p
}

func (p *FixturePool) role(name string) *rolePool {
	r := p.roles[name]
	if r == nil {
		r = &rolePool{}
		p.roles[name] = r
	}
	return r
}

// notify wakes every waiting Take; the caller holds mu.
func (p *FixturePool) notify() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// SetUnusable takes a fixture out of the pool before the run, with the reason (its
// status, not found, another tenant's).
func (p *FixturePool) SetUnusable(role, id, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.role(role)
	if i := slices.Index(r.free, id); i >= 0 {
		r.free = slices.Delete(r.free, i, i+1)
		r.unusable = append(r.unusable, FixtureNote{ID: id, Role: role, Reason: reason})
	}
}

// SetBaseline keeps a fixture's state as the preflight read it: the state the
// harness gives it back in.
func (p *FixturePool) SetBaseline(id string, body []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.baseline[id] = body
}

// Baseline returns a fixture's state as the preflight read it, nil if unknown.
func (p *FixturePool) Baseline(id string) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.baseline[id]
}

// Take checks out n fixtures of an exclusive role at once. It waits while fixtures
// other scenarios hold could still come back, and fails when they could not be
// enough (or ctx ends). A scenario takes all it needs in one call, so no scenario
// waits while holding fixtures and the pool cannot deadlock.
func (p *FixturePool) Take(ctx context.Context, role string, n int) ([]string, error) {
	for {
		p.mu.Lock()
		r := p.role(role)
		if len(r.free) >= n {
			ids := slices.Clone(r.free[:n])
			r.free = r.free[n:]
			r.out += n
			p.mu.Unlock()
			return ids, nil
		}
		if len(r.free)+r.out < n {
			err := r.exhausted(role, n)
			p.mu.Unlock()
			return nil, err
		}
		wait := p.changed
		p.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for %d %q fixtures: %w", n, role, context.Cause(ctx))
		}
	}
}

func (r *rolePool) exhausted(role string, n int) error {
	var why []string
	if k := len(r.consumed); k > 0 {
		why = append(why, fmt.Sprintf("%d consumed by terminations", k))
	}
	if k := len(r.quarantined); k > 0 {
		q := r.quarantined[0]
		why = append(why, fmt.Sprintf("%d quarantined (first %s: %s)", k, q.ID, q.Reason))
	}
	if k := len(r.unusable); k > 0 {
		why = append(why, fmt.Sprintf("%d unusable before the run", k))
	}
	detail := ""
	if len(why) > 0 {
		detail = ": " + strings.Join(why, ", ")
	}
	return fmt.Errorf("fixture pool exhausted: this scenario needs %d accesses.%s fixtures and %d remain of the %d listed%s; `accessctk fixtures` prints what a run needs",
		n, role, len(r.free)+r.out, r.listed, detail)
}

// Witnesses returns the usable fixtures of a witness role, for scenarios that read
// them and expect them unchanged.
func (p *FixturePool) Witnesses(role string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.role(role).free)
}

// GiveBack returns a checked-out fixture to the pool; restored says the harness had
// to restore it first.
func (p *FixturePool) GiveBack(role, id string, restored bool) {
	p.settle(role, func(r *rolePool) {
		r.free = append(r.free, id)
		if restored {
			r.restored++
		}
	})
}

// Consume records that a checked-out fixture was changed for good (terminated): it
// never comes back in this run, and a later run finds it unusable.
func (p *FixturePool) Consume(role, id, reason string) {
	p.settle(role, func(r *rolePool) { r.consumed = append(r.consumed, FixtureNote{ID: id, Role: role, Reason: reason}) })
}

// Quarantine records that a checked-out fixture could not be given back as it was:
// it is not used again in this run and every report names it with the reason.
func (p *FixturePool) Quarantine(role, id, reason string) {
	p.settle(role, func(r *rolePool) {
		r.quarantined = append(r.quarantined, FixtureNote{ID: id, Role: role, Reason: reason})
	})
}

func (p *FixturePool) settle(role string, f func(*rolePool)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.role(role)
	r.out--
	f(r)
	p.notify()
}

// RoleUsage is one role's fixtures as the pool saw them.
type RoleUsage struct {
	Role string `json:"role"`
	// Listed is how many the fixtures file names; Usable how many the preflight
	// found usable; Left how many are usable after the run.
	Listed int `json:"listed"`
	Usable int `json:"usable"`
	Left   int `json:"left"`
	// Consumed, Quarantined and Restored count what the run did to them.
	Consumed    int `json:"consumed"`
	Quarantined int `json:"quarantined"`
	Restored    int `json:"restored"`
}

// Usage returns each role's counts and the notes on every fixture the run could not
// use or did not give back, in role order.
func (p *FixturePool) Usage() (roles []RoleUsage, unusable, consumed, quarantined []FixtureNote) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, fr := range FixtureRoles() {
		r := p.role(fr.Name)
		roles = append(roles, RoleUsage{
			Role: fr.Name, Listed: r.listed, Usable: r.listed - len(r.unusable),
			Left:     len(r.free) + r.out,
			Consumed: len(r.consumed), Quarantined: len(r.quarantined), Restored: r.restored,
		})
		unusable = append(unusable, r.unusable...)
		consumed = append(consumed, r.consumed...)
		quarantined = append(quarantined, r.quarantined...)
	}
	return roles, unusable, consumed, quarantined
}

// FixtureState is what one read of a fixture showed.
type FixtureState struct {
	Found  bool
	Status string
	// ReturnedID is the id the target answered with. When it differs from the id
	// asked for, the read itself is broken (SAM-RD-01) and the fixture's state is
	// unknown: the scenarios judge that, the fixture check must not.
	ReturnedID string
	// Malformed: the 200 answer is not valid JSON, so the fixture's state is
	// unknown; SAM-CM-02 judges the answer in the scenarios, the fixture check must not.
	Malformed bool
	// Body is the 200 answer.
	Body []byte
}

// ReadFixture reads one access as tenant t, outside any scenario. A 404 is "not
// found"; any answer but 200 or 404 is an error: a fixture check must not guess.
func ReadFixture(ctx context.Context, s *Suite, t Tenant, id string) (FixtureState, error) {
	resp, err := s.Client.Do(ctx, target.Request{
		Method: http.MethodGet,
		Path:   accessPath(t, id),
		Token:  t.Token,
	})
	if err != nil {
		return FixtureState{}, fmt.Errorf("read access %q: %w", id, err)
	}
	return fixtureStateOf(resp, t, id)
}

func fixtureStateOf(resp *target.Response, t Tenant, id string) (FixtureState, error) {
	switch resp.Status {
	case http.StatusOK:
		if !gjson.ValidBytes(resp.Body) {
			return FixtureState{Found: true, Malformed: true}, nil
		}
		return FixtureState{
			Found:      true,
			Status:     gjson.GetBytes(resp.Body, "status").String(),
			ReturnedID: gjson.GetBytes(resp.Body, "id").String(),
			Body:       resp.Body,
		}, nil
	case http.StatusNotFound:
		return FixtureState{}, nil
	default:
		return FixtureState{}, fmt.Errorf("read access %q of tenant %q: status %d%s", id, t.Name, resp.Status, bodyExcerpt(resp.ResponseBody))
	}
}

func accessPath(t Tenant, id string) string {
	return "/" + url.PathEscape(t.Name) + "/access/" + url.PathEscape(id)
}

// contractFields are the fields of an access the wire contract names. A fixture is
// given back when these read as they did before the run; fields a vendor adds (a
// modification time, say) may change with every update and are not compared, so a
// conformant server never loses its fixtures to them.
var contractFields = []string{"id", "href", "@type", "name", "status", "contractId", "productOfferingId", "username", "deviceName", "createdBy", "startDateTime", "endDateTime"}

// fieldsChanged lists the contract fields whose values differ between two reads of
// an access (an absent field and a null one are the same: open-ended).
func fieldsChanged(before, after []byte) []string {
	var out []string
	for _, f := range contractFields {
		path := gjsonKey(f)
		a, b := gjson.GetBytes(before, path), gjson.GetBytes(after, path)
		if a.Type == gjson.Null && b.Type == gjson.Null {
			continue
		}
		if a.Type != b.Type || a.Raw != b.Raw {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// gjsonKey escapes a field name for a gjson path ("@type" would be a modifier).
func gjsonKey(name string) string {
	var b strings.Builder
	for _, r := range name {
		if strings.ContainsRune(`@.*?|#\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Listed returns how many fixtures of a role the fixtures file names.
func (p *FixturePool) Listed(role string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.role(role).listed
}
