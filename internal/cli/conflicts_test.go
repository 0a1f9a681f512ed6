package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Options that contradict each other, or one that would be silently ignored next to
// another, are usage errors (exit 2) with a one-line reason, before anything runs.
func TestConflictingOptionsAreUsageErrors(t *testing.T) {
	fixtures := filepath.Join(t.TempDir(), "fixtures.yaml")
	if err := os.WriteFile(fixtures, []byte("baseURL: http://127.0.0.1:1\ntenants: {primary: {name: eos, tokenEnv: T}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"run", "--readonly", "--allow-destructive"}, nil,
			"--readonly (from --readonly) and --allow-destructive (from --allow-destructive) contradict each other"},
		{[]string{"run", "--readonly"}, map[string]string{"ACCESSCTK_ALLOW_DESTRUCTIVE": "true"},
			"--allow-destructive (from ACCESSCTK_ALLOW_DESTRUCTIVE)"},
		{[]string{"run", "--target", "http://127.0.0.1:1", "--fixtures", fixtures, "--data-seed", "3"}, nil,
			"--data-seed (from --data-seed) seeds the embedded reference server's data set; --target names another server"},
		{[]string{"run", "--target", "http://127.0.0.1:1", "--fixtures", fixtures, "--bulk-accesses", "3"}, nil,
			"--bulk-accesses (from --bulk-accesses) grows the embedded reference server's tenant; --target names another server"},
		{[]string{"run", "--bulk-accesses", "-1"}, nil, "--bulk-accesses -1: want 0 or more"},
		{[]string{"run", "--target", "http://127.0.0.1:1", "--fixtures", fixtures, "--seed", "3"}, nil,
			"--data-seed (from --data-seed) seeds the embedded reference server's data set"},
		{[]string{"run", "--fixtures", fixtures}, map[string]string{"ACCESSCTK_DATA_SEED": "3"},
			"--fixtures (whose baseURL is the target) names another server"},
		{[]string{"fuzz", "--target", "http://127.0.0.1:1", "--fixtures", fixtures, "--data-seed", "3"}, nil,
			"--data-seed (from --data-seed) seeds the embedded reference server's data set"},
		{[]string{"run", "--seed", "2", "--data-seed", "3"}, nil, "--seed is the deprecated name of --data-seed: give only --data-seed"},
		// These were refused before; they stay on the list.
		{[]string{"run", "--target", "http://127.0.0.1:1", "--fixtures", fixtures, "--fault", "read-leaks-password"}, nil,
			"--fault applies only to the embedded reference server"},
		{[]string{"run", "--target", "http://127.0.0.1:1", "--fixtures", fixtures, "--chaos", "slow"}, nil,
			"--chaos applies only to the embedded reference server"},
		{[]string{"run", "--ca-cert", "ca.pem"}, nil, "apply only to an https --target"},
		{[]string{"run", "--target", "https://127.0.0.1:1", "--fixtures", fixtures, "--ca-cert", "ca.pem", "--insecure-skip-verify"}, nil,
			"--ca-cert (from --ca-cert) is not used with --insecure-skip-verify (from --insecure-skip-verify), which accepts any certificate"},
		{[]string{"fuzz", "--target", "http://127.0.0.1:1", "--fixtures", fixtures, "--client-cert", "c.pem", "--client-key", "k.pem"}, nil,
			"apply only to an https --target"},
		{[]string{"serve", "--chaos-delay", "1s"}, nil, `--chaos-delay tunes --chaos slow only; with --chaos "" it would do nothing`},
		{[]string{"serve", "--chaos", "slow", "--chaos-share", "0.5"}, nil, `--chaos-share tunes --chaos reset, garbage, ratelimit only; with --chaos "slow"`},
		{[]string{"serve", "--chaos", "reset", "--chaos-retry-after", "2s"}, nil, `--chaos-retry-after tunes --chaos ratelimit only`},
	} {
		code, stdout, stderr := invocation{args: c.args, env: c.env}.run(t)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != 2 || stdout != "" || !strings.Contains(lines[len(lines)-1], c.want) || !strings.HasPrefix(lines[len(lines)-1], "accessctk: ") {
			t.Errorf("%v %v: exit %d, stdout %q, stderr %q\nwant exit 2 and %q", c.args, c.env, code, stdout, stderr, c.want)
		}
	}
}

// The data set's seed is --data-seed in every command; run's and serve's old --seed
// still works, with a warning, and means what it meant.
func TestDeprecatedSeedStillWorks(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runCLI(t, nil, "run", "--seed", "2", "--tags", "@SAM-RD-01", "--out", dir, "--format", "json", "-q")
	if code != 0 || !strings.Contains(stderr, "accessctk: warning: --seed is deprecated: use --data-seed\n") {
		t.Fatalf("run --seed: exit %d, stderr %q", code, stderr)
	}
	if r := readResults(t, filepath.Join(dir, "results.json")); r.Config["dataSeed"] != "2" {
		t.Errorf("run --seed 2 ran with data seed %q", r.Config["dataSeed"])
	}
	code, stdout, stderr := runCLI(t, nil, "serve", "--seed", "2", "--list-faults")
	if code != 0 || !strings.Contains(stderr, "--seed is deprecated: use --data-seed") || !strings.Contains(stdout, "FAULT") {
		t.Errorf("serve --seed: exit %d, stderr %q", code, stderr)
	}
}

// The config file's keys are the flags' names: format, not formats, which still
// works with a warning.
func TestConfigKeyFormats(t *testing.T) {
	tmp := t.TempDir()
	for key, warning := range map[string]string{
		"format":  "",
		"formats": ":1: key formats is deprecated: write format",
	} {
		cfg := filepath.Join(tmp, key+".yaml")
		if err := os.WriteFile(cfg, []byte(key+": [json]\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(tmp, key)
		code, _, stderr := runCLI(t, nil, "run", "--config", cfg, "--tags", "@SAM-RD-01", "--out", out, "-q")
		wantStderr := ""
		if warning != "" {
			wantStderr = "accessctk: warning: " + cfg + warning + "\n"
		}
		if code != 0 || stderr != wantStderr {
			t.Errorf("%s: exit %d, stderr %q", key, code, stderr)
		}
		entries, _ := os.ReadDir(out)
		if len(entries) != 1 || entries[0].Name() != "results.json" {
			t.Errorf("%s: [json] wrote %v", key, entries)
		}
	}
}

// A mistake in the --config file names the file, the line and the key.
func TestConfigFileErrorThroughTheCLI(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "nightly.yaml")
	if err := os.WriteFile(cfg, []byte("tags: '@SAM-RD-01'\nrerunFailed: twice\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"run", "fuzz"} {
		code, _, stderr := runCLI(t, nil, cmd, "--config", cfg)
		if code != 2 || stderr != "accessctk: config "+cfg+`:2: rerunFailed: want a whole number, got "twice"`+"\n" {
			t.Errorf("%s: exit %d, stderr %q", cmd, code, stderr)
		}
	}
}
