package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accessctk/accessctk/internal/config"
)

const goodFixtures = `baseURL: https://sam.example.com
tenants:
  primary:
    name: eos
    tokenEnv: ACCESSCTK_TOKEN
  secondary:
    name: acme
    tokenFile: ./acme.token
accesses:
  ppu: [eos_1001, eos_1002, eos_1003]
  nonPpu: [eos_2001]
  terminated: [eos_3001]
  secondary: [acme_9001]
maxPageSize: 1000
`

func writeFixtures(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fixtures.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadFixtures(t *testing.T) {
	f, err := config.LoadFixtures(writeFixtures(t, goodFixtures))
	if err != nil {
		t.Fatal(err)
	}
	if f.BaseURL != "https://sam.example.com" || f.Tenants.Secondary.TokenFile != "./acme.token" || len(f.Accesses.PPU) != 3 || f.MaxPageSize != 1000 {
		t.Errorf("fixtures %+v", f)
	}
}

// Every mistake in a fixtures file is reported as file:line: key path: what is wrong
// (with a did-you-mean for a mistyped key), never in Go's terms.
func TestFixturesErrorsNameFileLineAndKey(t *testing.T) {
	for _, c := range []struct {
		name, from, to, want string
	}{
		{"mistyped key", "accesses:", "acceses:",
			`:9: acceses: unknown key (did you mean "accesses"?); the keys here are baseURL, tenants, accesses, maxPageSize`},
		{"mistyped nested key", "    tokenEnv:", "    tokenEvn:",
			`:5: tenants.primary.tokenEvn: unknown key (did you mean "tokenEnv"?); the keys here are name, tokenEnv, tokenFile`},
		{"unknown key, nothing close", "maxPageSize: 1000", "colour: blue",
			`:14: colour: unknown key; the keys here are baseURL, tenants, accesses, maxPageSize`},
		// yaml.v3 says "line 2: did not find expected key" for this one.
		{"indentation", "    tokenEnv: ACCESSCTK_TOKEN", "   tokenEnv: ACCESSCTK_TOKEN",
			`:5: not valid YAML (after tenants.primary.name): did not find expected key: check this line's indentation against the keys above it`},
		{"indentation in a list", "  nonPpu: [eos_2001]", "  nonPpu:\n    - eos_2001\n   - eos_2002",
			`:13: not valid YAML (after accesses.nonPpu[0]): did not find expected key`},
		{"tab", "  primary:", "\tprimary:", `:3: not valid YAML (after tenants): found character that cannot start any token: YAML indents with spaces, not tabs`},
		{"text for a number", "maxPageSize: 1000", "maxPageSize: lots", `:14: maxPageSize: want a whole number, got "lots"`},
		{"scalar for a list", "ppu: [eos_1001, eos_1002, eos_1003]", "ppu: eos_1001", `:10: accesses.ppu: want a list, e.g. [a, b], got "eos_1001"`},
		{"list for a name", "name: eos", "name: [eos]", `:4: tenants.primary.name: want text, got a list`},
		{"empty id", "[eos_1001, eos_1002, eos_1003]", "[eos_1001, eos_1002, '']", `:10: accesses.ppu[2]: empty id`},
		{"id listed twice", "terminated: [eos_3001]", "terminated: [eos_1002]",
			`:12: accesses.terminated[0]: access "eos_1002" is listed twice (also as accesses.ppu[1]): each fixture has one role`},
		{"two token sources", "    tokenEnv: ACCESSCTK_TOKEN", "    tokenEnv: ACCESSCTK_TOKEN\n    tokenFile: x",
			`:3: tenants.primary: needs exactly one of tokenEnv (an environment variable) and tokenFile (a file)`},
		{"no tenant name", "    name: eos\n", "", `:3: tenants.primary.name: the tenant has no name`},
		{"same tenant twice", "name: acme", "name: eos", `:7: tenants.secondary.name: the secondary tenant must differ from the primary ("eos")`},
		{"relative base URL", "baseURL: https://sam.example.com", "baseURL: sam.example.com", `:1: baseURL: "sam.example.com" is not an absolute http(s) URL`},
		{"negative page size", "maxPageSize: 1000", "maxPageSize: -1", `:14: maxPageSize: -1 is negative`},
		{"key twice", "maxPageSize: 1000", "maxPageSize: 1000\nmaxPageSize: 10", `:15: maxPageSize: set twice (first on line 14)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(goodFixtures, c.from) {
				t.Fatalf("the good fixtures lack %q", c.from)
			}
			path := writeFixtures(t, strings.Replace(goodFixtures, c.from, c.to, 1))
			_, err := config.LoadFixtures(path)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.HasPrefix(err.Error(), path+c.want) || strings.Contains(err.Error(), "\n") || !errors.Is(err, config.ErrInvalidFixtures) {
				t.Errorf("error %q\nwant one line starting %q", err, path+c.want)
			}
		})
	}
}

func TestUnreadableFixturesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.yaml")
	_, err := config.LoadFixtures(path)
	if err == nil || err.Error() != path+": cannot read the fixtures file: no such file or directory" || !errors.Is(err, config.ErrInvalidFixtures) {
		t.Errorf("error %v", err)
	}
}

// Anchors and merge keys are YAML's own: they work, and what a merge brings in is
// checked like any other key.
func TestFixturesWithAnchorsAndMerges(t *testing.T) {
	text := "tenants:\n  primary: &eos\n    name: eos\n    tokenEnv: T\n  secondary:\n    <<: *eos\n    name: acme\naccesses:\n  ppu: &ids [a, b]\n  terminated: [c]\n"
	f, err := config.LoadFixtures(writeFixtures(t, text))
	if err != nil {
		t.Fatal(err)
	}
	if f.Tenants.Secondary.Name != "acme" || f.Tenants.Secondary.TokenEnv != "T" || len(f.Accesses.PPU) != 2 {
		t.Errorf("fixtures %+v, secondary %+v", f, f.Tenants.Secondary)
	}
	path := writeFixtures(t, "tenants:\n  primary:\n    <<: {nme: x}\n    name: eos\n    tokenEnv: T\n")
	if _, err := config.LoadFixtures(path); err == nil || !strings.Contains(err.Error(), path+`:3: tenants.primary.nme: unknown key (did you mean "name"?)`) {
		t.Errorf("an unknown key a merge brings in: %v", err)
	}
}
