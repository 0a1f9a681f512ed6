package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/reports"
)

// --fixtures without --target certifies the server the fixtures' baseURL names, as
// the README says, and it is a vendor's server: nothing destructive runs without
// --allow-destructive.
func TestFixturesBaseURLIsTheTarget(t *testing.T) {
	tokens := [2]string{"tok-baseurl-primary-0123", "tok-baseurl-secondary-4567"}
	v := newVendor(t, tokens, nil)
	env := map[string]string{"ACCESSCTK_TOKEN": tokens[0]}
	dir := t.TempDir()
	code, stdout, stderr := invocation{env: env, args: []string{"run", "--fixtures", v.fixtures, "--tags", "@SAM-RD-01", "--out", dir}}.run(t)
	if code != 0 || !strings.Contains(stdout, "Verdict: PASSED-PARTIAL") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if r := readResults(t, filepath.Join(dir, "results.json")); r.Target != v.url {
		t.Errorf("target %q, want the fixtures' baseURL %q", r.Target, v.url)
	}

	code, stdout, stderr = invocation{env: env, args: []string{"run", "--fixtures", v.fixtures, "--tags", "@destructive", "--json", "-q", "--format", "none"}}.run(t)
	r, err := reports.ReadResults([]byte(stdout))
	if err != nil {
		t.Fatalf("exit %d, no results: %v\n%s", code, err, stderr)
	}
	if len(r.Scenarios) == 0 {
		t.Fatal("no scenario selected")
	}
	for _, s := range r.Scenarios {
		if s.Outcome != verdict.Skipped || !strings.Contains(s.Message, "--allow-destructive") {
			t.Errorf("scenario %q: %s (%s); a vendor target without --allow-destructive runs nothing destructive", s.Name, s.Outcome, s.Message)
		}
	}
}

// Fixtures without a baseURL and no --target name no server: a usage error that
// says what to add, before anything runs.
func TestFixturesWithoutBaseURLNeedTarget(t *testing.T) {
	tokens := [2]string{"tok-nobase-primary-0123", "tok-nobase-secondary-4567"}
	v := newVendor(t, tokens, nil)
	data, err := os.ReadFile(v.fixtures)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "baseURL:") {
			kept = append(kept, line)
		}
	}
	if len(kept) == len(strings.Split(string(data), "\n")) {
		t.Fatal("the vendor's fixtures have no baseURL line to remove")
	}
	path := filepath.Join(t.TempDir(), "fixtures.yaml")
	if err := os.WriteFile(path, []byte(strings.Join(kept, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"run", "fuzz"} {
		code, stdout, stderr := invocation{env: map[string]string{"ACCESSCTK_TOKEN": tokens[0]}, args: []string{cmd, "--fixtures", path}}.run(t)
		if code != 2 || stdout != "" || !strings.Contains(stderr, path+" has no baseURL and there is no --target") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and one line", cmd, code, stdout, stderr)
		}
	}
	// With --target it is complete.
	code, stdout, stderr := invocation{env: map[string]string{"ACCESSCTK_TOKEN": tokens[0]},
		args: []string{"run", "--target", v.url, "--fixtures", path, "--tags", "@SAM-RD-01", "--format", "none"}}.run(t)
	if code != 0 {
		t.Errorf("with --target: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// fuzz reads the target's options from --config (and the variables) as run does: a
// config file naming the target, fixtures and a rate limit is enough.
func TestFuzzTakesTheTargetFromConfig(t *testing.T) {
	tokens := [2]string{"tok-fuzzcfg-primary-0123", "tok-fuzzcfg-secondary-4567"}
	v := newVendor(t, tokens, nil)
	cfg := filepath.Join(t.TempDir(), "accessctk.yaml")
	if err := os.WriteFile(cfg, []byte("target: "+v.url+"\nfixtures: "+v.fixtures+"\nrps: 500\ntimeout: 5s\nformat: [json]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := invocation{env: map[string]string{"ACCESSCTK_TOKEN": tokens[0]},
		args: []string{"fuzz", "--config", cfg, "--property", "SAM-FZ-01", "--checks", "5", "--seed", "1"}}.run(t)
	if code != 0 || !strings.Contains(stdout, "target: "+v.url) {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// A token the fixtures name but cannot be read is reported at the fixtures line that
// names it.
func TestMissingTokenNamesTheFixturesLine(t *testing.T) {
	v := newVendor(t, [2]string{"tok-missing-primary-0123", "tok-missing-secondary-4567"}, nil)
	data, err := os.ReadFile(v.fixtures)
	if err != nil {
		t.Fatal(err)
	}
	line := 0
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, "tokenEnv: ACCESSCTK_TOKEN") {
			line = i + 1
		}
	}
	code, _, stderr := invocation{args: []string{"run", "--fixtures", v.fixtures, "--tags", "@SAM-RD-01"}}.run(t)
	want := fmt.Sprintf("accessctk: %s:%d: tenants.primary.tokenEnv: environment variable ACCESSCTK_TOKEN is not set: it must hold tenant eos's bearer token\n", v.fixtures, line)
	if code != 2 || line == 0 || stderr != want {
		t.Errorf("exit %d, stderr %q\nwant exit 2, %q", code, stderr, want)
	}
}

// A fixtures file that cannot be read is "fixtures invalid" (exit 3), as it is with
// --target, and says so in one line.
func TestUnreadableFixturesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.yaml")
	for _, cmd := range []string{"run", "fuzz"} {
		code, _, stderr := runCLI(t, nil, cmd, "--fixtures", path)
		if code != 3 || stderr != "accessctk: "+path+": cannot read the fixtures file: no such file or directory\n" {
			t.Errorf("%s: exit %d, %q", cmd, code, stderr)
		}
	}
}
