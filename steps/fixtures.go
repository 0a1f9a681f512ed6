package steps

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/internal/target"
)

// FixturePool hands out fixture ids so that no two scenarios of a run mutate the same
// access. Safe for concurrent use.
type FixturePool struct {
	mu     sync.Mutex
	byRole map[string][]string
	taken  map[string]int
}

// Fixture roles, as the fixtures file names them.
const (
	RolePPU        = "ppu"
	RoleNonPPU     = "nonPpu"
	RoleTerminated = "terminated"
	RoleSecondary  = "secondary"
)

// NewFixturePool builds a pool from ids by role.
func NewFixturePool(byRole map[string][]string) *FixturePool {
	return &FixturePool{byRole: byRole, taken: map[string]int{}}
}

// Take returns the next unused id of a role.
func (p *FixturePool) Take(role string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := p.byRole[role]
	n := p.taken[role]
	if n >= len(ids) {
		return "", fmt.Errorf("fixture pool exhausted: the fixtures file lists %d %q accesses and this run needs more (each mutating scenario uses its own)", len(ids), role)
	}
	p.taken[role] = n + 1
	return ids[n], nil
}

// Peek returns the ids of a role without taking them, for read-only use.
func (p *FixturePool) Peek(role string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.byRole[role]...)
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
}

// ReadFixture reads one access as tenant t. A 404 is "not found"; any answer but 200
// or 404 is an error: a fixture check must not guess.
func ReadFixture(ctx context.Context, s *Suite, t Tenant, id string) (FixtureState, error) {
	resp, err := s.Client.Do(ctx, target.Request{
		Method: http.MethodGet,
		Path:   "/" + url.PathEscape(t.Name) + "/access/" + url.PathEscape(id),
		Token:  t.Token,
	})
	if err != nil {
		return FixtureState{}, fmt.Errorf("read access %q: %w", id, err)
	}
	switch resp.Status {
	case http.StatusOK:
		if !gjson.ValidBytes(resp.Body) {
			return FixtureState{Found: true, Malformed: true}, nil
		}
		return FixtureState{
			Found:      true,
			Status:     gjson.GetBytes(resp.Body, "status").String(),
			ReturnedID: gjson.GetBytes(resp.Body, "id").String(),
		}, nil
	case http.StatusNotFound:
		return FixtureState{}, nil
	default:
		return FixtureState{}, fmt.Errorf("read access %q of tenant %q: status %d%s", id, t.Name, resp.Status, bodyExcerpt(resp.ResponseBody))
	}
}
