package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/accessctk/accessctk/internal/cli"
)

func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cli.Main(cli.State{
		Args: args, Stdout: &out, Stderr: &errOut, Context: context.Background(),
		Getenv: func(k string) string { return env[k] },
	})
	return code, out.String(), errOut.String()
}

func TestUnreachableTargetIsOneLineAndExit3(t *testing.T) {
	code, stdout, stderr := runCLI(t, nil, "run", "--target", "http://127.0.0.1:1", "--timeout", "2s")
	if code != 3 {
		t.Fatalf("exit %d, want 3\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "unreachable") || stdout != "" {
		t.Fatalf("want one line on stderr naming the unreachable target, got stdout %q stderr %q", stdout, stderr)
	}
}

func TestUsageErrorsAreExit2(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--no-such-flag"},
		{"run", "--target", "not a url"},
		{"run", "--fault", "no-such-fault"},
		{"run", "extra-argument"},
	} {
		code, _, stderr := runCLI(t, nil, args...)
		if code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 with a message", args, code, stderr)
		}
	}
}

func TestEmbeddedRunEndsWithVerdict(t *testing.T) {
	code, stdout, stderr := runCLI(t, nil, "run", "--tags", "@SAM-RD-01", "--out", t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "Verdict: PASSED-PARTIAL") {
		t.Fatalf("last line %q, want the verdict of a --tags run", last)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := runCLI(t, nil, "version")
	if code != 0 || !strings.HasPrefix(stdout, "accessctk ") {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
}
