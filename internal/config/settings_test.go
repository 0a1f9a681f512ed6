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

// Each layer overrides the one before: defaults < file < environment < flags.
func TestSettingsLayering(t *testing.T) {
	s := config.Defaults()
	path := writeFile(t, "target: https://file.example\ntags: '@SAM-RD-01'\ntimeout: 3s\nrerunFailed: 1\nformats: [json, html]\nseed: 7\n")
	if err := s.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ACCESSCTK_TAGS": "@SAM-RD-02", "ACCESSCTK_RERUN_FAILED": "2", "ACCESSCTK_FORMAT": "junit, markdown"}
	if err := s.LoadEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	flags := config.Settings{RerunFailed: 3, Timeout: time.Minute, Target: "https://ignored.example"}
	s.ApplyFlags(flags, func(name string) bool { return name == "rerun-failed" })

	want := config.Defaults()
	want.Target = "https://file.example" // file only
	want.Timeout = 3 * time.Second       // file only: the flag value was not set by the user
	want.Seed = 7                        // file only
	want.Tags = "@SAM-RD-02"             // env over file
	want.Formats = []string{"junit", "markdown"}
	want.RerunFailed = 3 // flag over env over file
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("layered settings\n got %+v\nwant %+v", s, want)
	}
}

func TestSettingsErrorsAreOneLineUsageErrors(t *testing.T) {
	cases := map[string]func() error{
		"unknown key": func() error {
			s := config.Defaults()
			return s.LoadFile(writeFile(t, "targte: https://x.example\n"))
		},
		"missing file": func() error {
			s := config.Defaults()
			return s.LoadFile(filepath.Join(t.TempDir(), "nope.yaml"))
		},
		"bad env duration": func() error {
			s := config.Defaults()
			return s.LoadEnv(func(k string) string {
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

func TestEmptyConfigFileSetsNothing(t *testing.T) {
	s := config.Defaults()
	if err := s.LoadFile(writeFile(t, "")); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s, config.Defaults()) {
		t.Fatalf("empty file changed settings: %+v", s)
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
	if m["timeout"] != "10s" || m["formats"] != "all" || m["failOn"] != "nonconformant" {
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
