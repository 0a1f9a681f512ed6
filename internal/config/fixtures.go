// Package config reads what a run is told from outside: the fixtures file that names
// a target's tenants, credentials and disposable accesses, and the run settings
// layered from defaults, a YAML file, ACCESSCTK_* environment variables and flags.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"

	"gopkg.in/yaml.v3"
)

// Fixtures describes a target: where it is, which tenants and credentials to use,
// and which accesses the harness may read and mutate. Mutating scenarios touch only
// the ids named here.
type Fixtures struct {
	// BaseURL is the target's root; the API's paths start below it.
	BaseURL string `yaml:"baseURL"`
	Tenants struct {
		Primary Tenant `yaml:"primary"`
		// Secondary is optional; without it tenant isolation (SAM-CM-06) is not run.
		Secondary *Tenant `yaml:"secondary,omitempty"`
	} `yaml:"tenants"`
	Accesses Accesses `yaml:"accesses"`
	// MaxPageSize is the server's largest page, when the vendor documents one.
	MaxPageSize int `yaml:"maxPageSize,omitempty"`
}

// Tenant names a tenant and where its bearer token is kept. The token itself is never
// written in the fixtures file: exactly one of TokenEnv and TokenFile is set.
type Tenant struct {
	Name      string `yaml:"name"`
	TokenEnv  string `yaml:"tokenEnv,omitempty"`
	TokenFile string `yaml:"tokenFile,omitempty"`
}

// Accesses lists fixture ids by role.
type Accesses struct {
	// PPU are disposable Pay-Per-Use accesses in status ACTIVE: single and batch
	// updates and terminations use them, each at most once per run.
	PPU []string `yaml:"ppu"`
	// NonPPU are ACTIVE accesses that are not Pay-Per-Use: batch scenarios name them
	// and a conformant server leaves them unchanged.
	NonPPU []string `yaml:"nonPpu"`
	// Terminated are accesses already TERMINATED.
	Terminated []string `yaml:"terminated"`
	// Secondary are accesses of the secondary tenant, for isolation checks.
	Secondary []string `yaml:"secondary"`
}

// ErrInvalidFixtures marks a fixtures file that cannot be used.
var ErrInvalidFixtures = errors.New("invalid fixtures")

// LoadFixtures reads and checks a fixtures file. Unknown keys are errors, so a typo
// never silently drops a fixture.
func LoadFixtures(path string) (*Fixtures, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read fixtures: %w", err)
	}
	f, err := ParseFixtures(data)
	if err != nil {
		return nil, fmt.Errorf("fixtures %s: %w", path, err)
	}
	return f, nil
}

// ParseFixtures decodes and checks fixtures from YAML.
func ParseFixtures(data []byte) (*Fixtures, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f Fixtures
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidFixtures, err)
	}
	if err := f.Check(); err != nil {
		return nil, err
	}
	return &f, nil
}

// Check reports the first structural problem: a missing tenant name, a tenant with
// no or two token sources, an id listed twice, a base URL that is not absolute.
func (f *Fixtures) Check() error {
	if f.BaseURL != "" {
		u, err := url.Parse(f.BaseURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("%w: baseURL %q is not an absolute http(s) URL", ErrInvalidFixtures, f.BaseURL)
		}
	}
	if err := f.Tenants.Primary.check("primary"); err != nil {
		return err
	}
	if s := f.Tenants.Secondary; s != nil {
		if err := s.check("secondary"); err != nil {
			return err
		}
		if s.Name == f.Tenants.Primary.Name {
			return fmt.Errorf("%w: the secondary tenant must differ from the primary (%q)", ErrInvalidFixtures, s.Name)
		}
	}
	seen := map[string]string{}
	for role, ids := range map[string][]string{
		"ppu": f.Accesses.PPU, "nonPpu": f.Accesses.NonPPU,
		"terminated": f.Accesses.Terminated, "secondary": f.Accesses.Secondary,
	} {
		for _, id := range ids {
			if id == "" {
				return fmt.Errorf("%w: accesses.%s has an empty id", ErrInvalidFixtures, role)
			}
			if other, dup := seen[id]; dup {
				return fmt.Errorf("%w: access %q is listed in both accesses.%s and accesses.%s", ErrInvalidFixtures, id, other, role)
			}
			seen[id] = role
		}
	}
	if f.MaxPageSize < 0 {
		return fmt.Errorf("%w: maxPageSize %d is negative", ErrInvalidFixtures, f.MaxPageSize)
	}
	return nil
}

func (t Tenant) check(role string) error {
	if t.Name == "" {
		return fmt.Errorf("%w: tenants.%s.name is empty", ErrInvalidFixtures, role)
	}
	if (t.TokenEnv == "") == (t.TokenFile == "") {
		return fmt.Errorf("%w: tenants.%s needs exactly one of tokenEnv and tokenFile", ErrInvalidFixtures, role)
	}
	return nil
}

// Marshal writes fixtures as YAML, for the reference server's --fixtures-out.
func (f *Fixtures) Marshal() ([]byte, error) {
	out, err := yaml.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("encode fixtures: %w", err)
	}
	return append([]byte("# accessctk fixtures: the target, its tenants and the accesses the harness may use.\n"), out...), nil
}
