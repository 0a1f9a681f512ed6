package runner

import (
	"context"
	"net/url"

	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/steps"
)

// Target is a resolved target for a command that talks to it without running the
// suite ('accessctk fuzz'): where it is, a client for it, its fixtures and primary
// tenant. Close releases it (it stops the embedded reference server).
type Target struct {
	BaseURL *url.URL
	// Describe names the target for people ("embedded reference server at ...").
	Describe string
	// Embedded says the target is the reference server this process started.
	Embedded bool
	Client   *target.Client
	Fixtures *config.Fixtures
	Primary  steps.Tenant
	Close    func()
}

// ResolveTarget resolves o.Target the way Run does (a vendor URL, given or the
// fixtures' baseURL, is probed and needs its fixtures and tokens; neither starts the
// embedded reference server with o.Faults and o.Seed) and builds a client with o's
// transport settings. Its errors carry their exit code, as Run's do.
func ResolveTarget(ctx context.Context, o Options) (*Target, error) {
	o, err := o.withDefaults().targetFromFixtures()
	if err != nil {
		return nil, err
	}
	tlsCfg, err := o.checkTransport()
	if err != nil {
		return nil, err
	}
	env, err := resolveTarget(ctx, o, tlsCfg, nil)
	if err != nil {
		return nil, err
	}
	client, err := target.New(o.clientConfig(env.baseURL, tlsCfg))
	if err != nil {
		env.close()
		return nil, usageError("target client: %w", err)
	}
	return &Target{
		BaseURL: env.baseURL, Describe: env.describe, Embedded: o.Target == "",
		Client: client, Fixtures: env.fixtures, Primary: env.primary, Close: env.close,
	}, nil
}
