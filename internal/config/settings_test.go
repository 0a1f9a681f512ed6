package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/accessctk/accessctk/internal/config"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "accessctk.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Each layer overrides the one before: defaults < file < environment < flags; From
// says which layer set each setting.
func TestSettingsLayering(t *testing.T) {
	l := config.NewLayers()
	path := writeFile(t, "target: https://file.example\ntags: '@SAM-RD-01'\ntimeout: 3s\nrerunFailed: 1\nformat: [json, html]\ndataSeed: 7\n")
	if err := l.File(path); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ACCESSCTK_TAGS": "@SAM-RD-02", "ACCESSCTK_RERUN_FAILED": "2", "ACCESSCTK_FORMAT": "junit, markdown"}
	if err := l.Env(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	flags := config.Settings{RerunFailed: 3, Timeout: time.Minute, Target: "https://ignored.example"}
	l.Flags(flags, func(name string) bool { return name == "rerun-failed" })

	want := config.Defaults()
	want.Target = "https://file.example" // file only
	want.Timeout = 3 * time.Second       // file only: the flag value was not set by the user
	want.DataSeed = 7                    // file only
	want.Tags = "@SAM-RD-02"             // env over file
	want.Formats = []string{"junit", "markdown"}
	want.RerunFailed = 3 // flag over env over file
	if !reflect.DeepEqual(l.Settings, want) {
		t.Fatalf("layered settings\n got %+v\nwant %+v", l.Settings, want)
	}
	wantFrom := map[string]string{
		"target": path + ":1", "timeout": path + ":3", "data-seed": path + ":6",
		"tags": "ACCESSCTK_TAGS", "format": "ACCESSCTK_FORMAT", "rerun-failed": "--rerun-failed",
	}
	if !reflect.DeepEqual(l.From, wantFrom) {
		t.Errorf("From = %v\nwant %v", l.From, wantFrom)
	}
	if len(l.Notes) != 0 {
		t.Errorf("notes without a deprecated spelling: %q", l.Notes)
	}
}

// The old spellings still work, each with a note naming the new one: the file keys
// formats and seed, the variable ACCESSCTK_SEED.
func TestDeprecatedSpellings(t *testing.T) {
	l := config.NewLayers()
	path := writeFile(t, "formats: [json]\nseed: 7\n")
	if err := l.File(path); err != nil {
		t.Fatal(err)
	}
	if l.Settings.DataSeed != 7 || !reflect.DeepEqual(l.Settings.Formats, []string{"json"}) {
		t.Errorf("old keys not read: %+v", l.Settings)
	}
	if err := l.Env(func(k string) string { return map[string]string{"ACCESSCTK_SEED": "9"}[k] }); err != nil {
		t.Fatal(err)
	}
	if l.Settings.DataSeed != 9 || l.From["data-seed"] != "ACCESSCTK_SEED" {
		t.Errorf("ACCESSCTK_SEED not read as the data seed: %d from %q", l.Settings.DataSeed, l.From["data-seed"])
	}
	want := []string{
		path + ":1: key formats is deprecated: write format",
		path + ":2: key seed is deprecated: write dataSeed",
		"ACCESSCTK_SEED is deprecated: set ACCESSCTK_DATA_SEED",
	}
	if !reflect.DeepEqual(l.Notes, want) {
		t.Errorf("notes %q\nwant %q", l.Notes, want)
	}
	// Both spellings at once is a mistake.
	if err := config.NewLayers().File(writeFile(t, "format: [json]\nformats: [html]\n")); err == nil || !strings.Contains(err.Error(), "format: set twice (first on line 1)") {
		t.Errorf("format and formats together: %v", err)
	}
}

func TestSettingsErrorsAreOneLineUsageErrors(t *testing.T) {
	cases := map[string]func() error{
		"unknown key":  func() error { return config.NewLayers().File(writeFile(t, "targte: https://x.example\n")) },
		"missing file": func() error { return config.NewLayers().File(filepath.Join(t.TempDir(), "nope.yaml")) },
		"bad env duration": func() error {
			return config.NewLayers().Env(func(k string) string {
				if k == "ACCESSCTK_TIMEOUT" {
					return "ten"
				}
				return ""
			})
		},
		"bad fail-on":     func() error { s := config.Defaults(); s.FailOn = "sometimes"; return s.Validate() },
		"regression only": func() error { s := config.Defaults(); s.FailOn = config.FailOnRegression; return s.Validate() },
		"bad shard":       func() error { s := config.Defaults(); s.Shard = "3/2"; return s.Validate() },
		"negative rerun":  func() error { s := config.Defaults(); s.RerunFailed = -1; return s.Validate() },
		"bad target":      func() error { s := config.Defaults(); s.Target = "ftp://x"; return s.Validate() },
		"bad transcripts": func() error { s := config.Defaults(); s.Transcripts = "some"; return s.Validate() },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			err := f()
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, config.ErrBadSettings) {
				t.Errorf("error %v is not ErrBadSettings", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

// Every mistake in the config file is reported at its line and key, with a
// did-you-mean for a mistyped key.
func TestConfigFileErrorsNameLineAndKey(t *testing.T) {
	for text, want := range map[string]string{
		"targte: https://x.example\n":  `:1: targte: unknown key (did you mean "target"?); the keys here are target, fixtures,`,
		"tags: x\nformats: json\n":     `:2: format: want a list, e.g. [a, b], got "json"`,
		"out: x\nrerunFailed: twice\n": `:2: rerunFailed: want a whole number, got "twice"`,
		"timeout: 30\n":                `:1: timeout: want a duration with its unit, e.g. 30s or 2m, got "30"`,
		"readonly: maybe\n":            `:1: readonly: want true or false, got "maybe"`,
		"tags: [a]\n":                  `:1: tags: want text, got a list`,
		"out: x\n  format: [json]\n":   `:2: not valid YAML (after out): mapping values are not allowed in this context`,
		"target: x\ntarget: y\n":       `:2: target: set twice (first on line 1)`,
		"- a\n":                        `:1: want keys and values (target, fixtures,`,
		"rps: fast\n":                  `:1: rps: want a number, got "fast"`,
	} {
		path := writeFile(t, text)
		err := config.NewLayers().File(path)
		if err == nil || !strings.Contains(err.Error(), path+want) || !errors.Is(err, config.ErrBadSettings) {
			t.Errorf("%q: %v\nwant %q", text, err, path+want)
		}
	}
}

// A config file that sets nothing changes nothing.
func TestEmptyConfigFileSetsNothing(t *testing.T) {
	l := config.NewLayers()
	if err := l.File(writeFile(t, "")); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(l.Settings, config.Defaults()) || len(l.From) != 0 {
		t.Fatalf("empty file changed settings: %+v, %v", l.Settings, l.From)
	}
}

// Settings that would leave one of them silently unused are refused, saying where
// each side came from.
func TestConflictingSettings(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		file string
		want string
	}{
		{"readonly and allow-destructive", map[string]string{"ACCESSCTK_READONLY": "true", "ACCESSCTK_ALLOW_DESTRUCTIVE": "1"}, "",
			"--readonly (from ACCESSCTK_READONLY) and --allow-destructive (from ACCESSCTK_ALLOW_DESTRUCTIVE) contradict each other"},
		{"data seed with target", map[string]string{"ACCESSCTK_TARGET": "https://sam.example"}, "dataSeed: 1\n",
			"--data-seed (from CONFIG:1) seeds the embedded reference server's data set; --target names another server"},
		{"data seed with fixtures", map[string]string{"ACCESSCTK_FIXTURES": "f.yaml", "ACCESSCTK_DATA_SEED": "3"}, "",
			"--data-seed (from ACCESSCTK_DATA_SEED) seeds the embedded reference server's data set; --fixtures (whose baseURL is the target) names another server"},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := config.NewLayers()
			want := c.want
			if c.file != "" {
				path := writeFile(t, c.file)
				if err := l.File(path); err != nil {
					t.Fatal(err)
				}
				want = strings.ReplaceAll(want, "CONFIG", path)
			}
			if err := l.Env(func(k string) string { return c.env[k] }); err != nil {
				t.Fatal(err)
			}
			err := l.Check()
			if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, config.ErrBadSettings) {
				t.Fatalf("Check() = %v\nwant %q", err, want)
			}
		})
	}
	// The seed's default does not conflict with a target: only a seed someone set.
	l := config.NewLayers()
	l.Settings.Target = "https://sam.example"
	if err := l.Check(); err != nil {
		t.Errorf("default seed with a target: %v", err)
	}
}

func TestRedact(t *testing.T) {
	s := config.Defaults()
	s.Target = "https://user:hunter22secret@sam.example/api"
	m := s.Redact().Map()
	if strings.Contains(m["target"], "hunter22secret") || !strings.Contains(m["target"], "sam.example") {
		t.Fatalf("redacted target %q", m["target"])
	}
	if s.Target != "https://user:hunter22secret@sam.example/api" {
		t.Fatal("Redact changed its receiver")
	}
	if m["timeout"] != "10s" || m["format"] != "all" || m["failOn"] != "nonconformant" {
		t.Errorf("map: %v", m)
	}
}

// Every setting is reachable from every layer, and no setting can carry a token.
func TestEverySettingHasAllTags(t *testing.T) {
	for _, f := range reflect.VisibleFields(reflect.TypeFor[config.Settings]()) {
		for _, tag := range []string{"yaml", "env", "flag"} {
			if f.Tag.Get(tag) == "" {
				t.Errorf("field %s has no %s tag", f.Name, tag)
			}
		}
		if strings.Contains(strings.ToLower(f.Name), "token") {
			t.Errorf("field %s: tokens are never settings", f.Name)
		}
	}
}

func TestParseShard(t *testing.T) {
	for in, want := range map[string]config.Shard{"1/1": {1, 1}, "2/4": {2, 4}, " 3 / 3 ": {3, 3}} {
		got, err := config.ParseShard(in)
		if err != nil || got != want || got.String() != strings.ReplaceAll(in, " ", "") {
			t.Errorf("ParseShard(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0/2", "3/2", "1/0", "a/b", "1", "1/2/3", "-1/2"} {
		if _, err := config.ParseShard(in); err == nil {
			t.Errorf("ParseShard(%q) accepted", in)
		}
	}
}
