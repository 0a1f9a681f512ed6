// Package config reads what a run is told from outside: the fixtures file that names
// a target's tenants, credentials and disposable accesses, and the run settings
// layered from defaults, a YAML file, ACCESSCTK_* environment variables and flags.
package config

import (
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

	// source places a key path in the file the fixtures were read from, for At.
	source *yamlFile
}

// At returns an error about the value at a key path (e.g. tenants.primary.tokenEnv)
// that names the file and the line, when the fixtures were read from a file.
func (f *Fixtures) At(path, format string, args ...any) error {
	y := f.source
	if y == nil {
		y = &yamlFile{kind: ErrInvalidFixtures, lines: map[string]int{}}
	}
	return y.at(path, format, args...)
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
// never silently drops a fixture. Every error is a *FileError naming the file, the
// line and the key path.
func LoadFixtures(path string) (*Fixtures, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &FileError{File: path, Msg: fmt.Sprintf("cannot read the fixtures file: %v", unwrapPath(err)), kind: ErrInvalidFixtures}
	}
	return parseFixtures(path, data)
}

// ParseFixtures decodes and checks fixtures from YAML.
func ParseFixtures(data []byte) (*Fixtures, error) { return parseFixtures("", data) }

func parseFixtures(file string, data []byte) (*Fixtures, error) {
	y := &yamlFile{file: file, kind: ErrInvalidFixtures}
	var f Fixtures
	if err := y.decode(data, &f); err != nil {
		return nil, err
	}
	if err := f.check(y.at); err != nil {
		return nil, err
	}
	f.source = y
	return &f, nil
}

// Check reports the first structural problem: a missing tenant name, a tenant with
// no or two token sources, an id listed twice, a base URL that is not absolute.
func (f *Fixtures) Check() error {
	y := &yamlFile{kind: ErrInvalidFixtures, lines: map[string]int{}}
	return f.check(y.at)
}

// check reports the first problem through at, which places it in the file.
func (f *Fixtures) check(at func(path, format string, args ...any) error) error {
	if f.BaseURL != "" {
		u, err := url.Parse(f.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return at("baseURL", "%q is not an absolute http(s) URL", redactURL(f.BaseURL))
		}
	}
	if err := f.Tenants.Primary.check("tenants.primary", at); err != nil {
		return err
	}
	if s := f.Tenants.Secondary; s != nil {
		if err := s.check("tenants.secondary", at); err != nil {
			return err
		}
		if s.Name == f.Tenants.Primary.Name {
			return at("tenants.secondary.name", "the secondary tenant must differ from the primary (%q)", s.Name)
		}
	}
	seen := map[string]string{}
	for _, role := range []struct {
		key string
		ids []string
	}{
		{"ppu", f.Accesses.PPU}, {"nonPpu", f.Accesses.NonPPU},
		{"terminated", f.Accesses.Terminated}, {"secondary", f.Accesses.Secondary},
	} {
		for i, id := range role.ids {
			path := fmt.Sprintf("accesses.%s[%d]", role.key, i)
			if id == "" {
				return at(path, "empty id")
			}
			if other, dup := seen[id]; dup {
				return at(path, "access %q is listed twice (also as %s): each fixture has one role", id, other)
			}
			seen[id] = path
		}
	}
	if f.MaxPageSize < 0 {
		return at("maxPageSize", "%d is negative", f.MaxPageSize)
	}
	return nil
}

func (t Tenant) check(path string, at func(path, format string, args ...any) error) error {
	if t.Name == "" {
		return at(path+".name", "the tenant has no name")
	}
	if (t.TokenEnv == "") == (t.TokenFile == "") {
		return at(path, "needs exactly one of tokenEnv (an environment variable) and tokenFile (a file) for the tenant's token")
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

// ByRole returns each role's list of ids by the key the fixtures file gives it
// (ppu, nonPpu, terminated, secondary), for the callers that treat roles alike.
func (a *Accesses) ByRole() map[string]*[]string {
	return map[string]*[]string{"ppu": &a.PPU, "nonPpu": &a.NonPPU, "terminated": &a.Terminated, "secondary": &a.Secondary}
}
