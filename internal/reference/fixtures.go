package reference

import (
	"context"
	"fmt"

	"github.com/accessctk/accessctk/internal/config"
)

// DefaultTenants returns the names of the primary and secondary tenants, the keys
// Options.Tokens needs.
func DefaultTenants() (primary, secondary string) { return primaryTenant, secondaryTenant }

// Fixtures describes this server as a target at baseURL (where the caller serves
// Handler): both tenants by name, and FixtureSet's share of the fixture accesses as
// they stood when New returned (a reused database may have spent some): PPU pool
// accesses still ACTIVE,
// ACTIVE non-PPU accesses, TERMINATED ones, and ACTIVE accesses of the secondary
// tenant. The tenants carry no token source: the caller, who chose the tokens, sets
// TokenEnv or TokenFile before writing the file. Each call returns a fresh copy.
func (s *Server) Fixtures(baseURL string) *config.Fixtures {
	f := &config.Fixtures{BaseURL: baseURL, MaxPageSize: s.opts.MaxPageSize}
	f.Tenants.Primary = config.Tenant{Name: primaryTenant}
	f.Tenants.Secondary = &config.Tenant{Name: secondaryTenant}
	f.Accesses = config.Accesses{
		PPU:        firstOf(s.fixtures.PPU, FixtureSet.PPU),
		NonPPU:     firstOf(s.fixtures.NonPPU, FixtureSet.NonPPU),
		Terminated: firstOf(s.fixtures.Terminated, FixtureSet.Terminated),
		Secondary:  firstOf(s.fixtures.Secondary, FixtureSet.Secondary),
	}
	return f
}

// FixtureSet is how many fixtures of each role Fixtures names: the set the README
// tells a vendor to prepare, which a full certification needs with some to spare.
// The server seeds more; a run against the embedded server lists only what its
// selection needs.
var FixtureSet = struct{ PPU, NonPPU, Terminated, Secondary int }{PPU: 10, NonPPU: 2, Terminated: 1, Secondary: 3}

func firstOf(ids []string, n int) []string {
	return append([]string{}, ids[:min(n, len(ids))]...)
}

// loadFixtures finds the accesses seeded for each role that are still in the state
// the role promises.
func loadFixtures(ctx context.Context, q querier) (config.Accesses, error) {
	var a config.Accesses
	roles := []struct {
		ids    *[]string
		role   string
		status string
	}{
		{&a.PPU, rolePPU, "ACTIVE"},
		{&a.NonPPU, roleNonPPU, "ACTIVE"},
		{&a.Terminated, roleTerminated, "TERMINATED"},
		{&a.Secondary, roleSecondary, "ACTIVE"},
	}
	for _, r := range roles {
		ids, err := idsWithRole(ctx, q, r.role, r.status)
		if err != nil {
			return config.Accesses{}, err
		}
		*r.ids = ids
	}
	return a, nil
}

func idsWithRole(ctx context.Context, q querier, role, status string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM access WHERE role = ? AND status = ? ORDER BY pk`, role, status)
	if err != nil {
		return nil, fmt.Errorf("fixtures %s: %w", role, err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("fixtures %s: %w", role, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fixtures %s: %w", role, err)
	}
	return ids, nil
}
