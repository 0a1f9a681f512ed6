package cli_test

import (
	"strings"
	"testing"
)

func TestFuzzEmbeddedHolds(t *testing.T) {
	code, stdout, stderr := runCLI(t, nil, "fuzz", "--seed", "1", "--checks", "30")
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	for _, p := range []string{"SAM-FZ-01 PASS", "SAM-FZ-02 PASS", "SAM-FZ-03 PASS", "seed 1,"} {
		if !strings.Contains(stdout, p) {
			t.Errorf("stdout lacks %q:\n%s", p, stdout)
		}
	}
}

// A fault is found, and the replay line it prints gives the same minimal case.
func TestFuzzPrintsAReplayThatReproduces(t *testing.T) {
	code, stdout, stderr := runCLI(t, nil, "fuzz", "--fault", "filter-non-ascii-500", "--property", "SAM-FZ-03", "--seed", "1")
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	replay, expr := line(stdout, "replay: "), encoded(stdout)
	if !strings.HasPrefix(replay, "accessctk fuzz --fault filter-non-ascii-500 --property SAM-FZ-03 --seed ") || expr == "" {
		t.Fatalf("no replay line or expression:\n%s", stdout)
	}
	code, again, stderr := runCLI(t, nil, strings.Fields(strings.TrimPrefix(replay, "accessctk "))...)
	if code != 1 || encoded(again) != expr {
		t.Fatalf("replay exit %d, expression %q; want exit 1 and %q\n%s%s", code, encoded(again), expr, again, stderr)
	}
}

// encoded is the first encoded expression a report shows.
func encoded(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if _, after, ok := strings.Cut(l, " encoded: "); ok {
			return after
		}
	}
	return ""
}

func line(out, prefix string) string {
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, prefix) {
			return strings.TrimPrefix(l, prefix)
		}
	}
	return ""
}

func TestFuzzUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"fuzz", "--property", "SAM-FZ-09"},
		{"fuzz", "--checks", "0"},
		{"fuzz", "--max-depth", "0"},
		// rapid's own flags are not the CLI's.
		{"fuzz", "--rapid.checks=5"},
		{"fuzz", "-rapid.seed=5"},
	} {
		code, _, stderr := runCLI(t, nil, args...)
		if code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 with a message", args, code, stderr)
		}
	}
}

func TestFuzzUnreachableTargetIsExit3(t *testing.T) {
	code, _, stderr := runCLI(t, nil, "fuzz", "--target", "http://127.0.0.1:1", "--fixtures", "f.yaml", "--timeout", "2s")
	if code != 3 || !strings.Contains(stderr, "unreachable") {
		t.Fatalf("exit %d, stderr %q; want 3 naming the unreachable target", code, stderr)
	}
}
