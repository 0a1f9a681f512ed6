package reference

import (
	"context"
	"fmt"

	"github.com/accessctk/accessctk/internal/config"
)

// Fixtures describes this server as a target: baseURL (where the caller serves
// Handler), the two tenants with the token sources the caller chose for them (their
// Name is set here), and the fixture accesses as they stand now: PPU pool accesses
// still ACTIVE, ACTIVE non-PPU accesses, TERMINATED ones, and the secondary tenant's.
func (s *Server) Fixtures(ctx context.Context, baseURL string, primaryToken, secondaryToken config.Tenant) (*config.Fixtures, error) {
	f := &config.Fixtures{BaseURL: baseURL, MaxPageSize: s.opts.MaxPageSize}
	primaryToken.Name, secondaryToken.Name = primaryTenant, secondaryTenant
	f.Tenants.Primary = primaryToken
	f.Tenants.Secondary = &secondaryToken
	roles := []struct {
		ids    *[]string
		role   string
		status string
	}{
		{&f.Accesses.PPU, rolePPU, "ACTIVE"},
		{&f.Accesses.NonPPU, roleNonPPU, "ACTIVE"},
		{&f.Accesses.Terminated, roleTerminated, "TERMINATED"},
		{&f.Accesses.Secondary, roleSecondary, "ACTIVE"},
	}
	for _, r := range roles {
		ids, err := s.idsWithRole(ctx, r.role, r.status)
		if err != nil {
			return nil, err
		}
		*r.ids = ids
	}
	if err := f.Check(); err != nil {
		return nil, fmt.Errorf("reference fixtures: %w", err)
	}
	return f, nil
}

func (s *Server) idsWithRole(ctx context.Context, role, status string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM access WHERE role = ? AND status = ? ORDER BY pk`, role, status)
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
