package cli_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A nightly job reuses one fixtures file without resetting anything: every run gives
// back what it changed, uses up only what it terminates, says how many runs are left,
// and the run that would come up short stops before changing anything (exit 3) with
// the numbers. A run that needs fewer skips the unusable fixtures with a note.
func TestOneFixturesFileNightAfterNight(t *testing.T) {
	tokens := [2]string{"tok-nightly-primary-5a1b", "tok-nightly-secondary-9c2d"}
	v := newVendor(t, tokens, nil)
	env := map[string]string{"ACCESSCTK_TOKEN": tokens[0]}
	run := func(extra ...string) (int, string, string) {
		args := append([]string{"run", "--target", v.url, "--fixtures", v.fixtures, "--out", t.TempDir(), "--quiet=false"}, extra...)
		return invocation{env: env, args: args}.run(t)
	}
	code, stdout, stderr := run("--allow-destructive")
	if code != 0 || !strings.Contains(stdout, "Verdict: CONFORMANT") {
		t.Fatalf("first night: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"accesses.ppu 10 listed, 10 usable, 7 needed, 4 used up, 6 left", "Too few usable fixtures are left for another run"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the first night's summary does not say %q:\n%s", want, stdout)
		}
	}

	code, stdout, _ = invocation{env: env, args: []string{"fixtures", "--target", v.url, "--fixtures", v.fixtures, "--allow-destructive"}}.run(t)
	if code != 3 || !strings.Contains(stdout, "NOT ENOUGH FIXTURES") || !strings.Contains(stdout, "Not usable (skipped):") ||
		strings.Count(stdout, "TERMINATE") < 4 {
		t.Errorf("accessctk fixtures after the first night: exit %d\n%s", code, stdout)
	}

	code, stdout, stderr = run("--allow-destructive")
	if code != 3 {
		t.Fatalf("second night with 6 usable PPU fixtures of 7 needed: exit %d, want 3\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"too few usable fixtures", "accesses.ppu: the selection needs at least 7 usable", "6 of the 10 listed are usable", "nothing was changed"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the second night's error does not say %q:\n%s", want, stderr)
		}
	}

	// Without terminations a run needs 3 PPU fixtures: the 6 left do, and the 4 used
	// up are skipped with a note rather than failing the run.
	code, stdout, stderr = run()
	if code != 0 || !strings.Contains(stdout, "4 listed fixtures are not usable and were skipped") {
		t.Fatalf("a run that needs fewer: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// A target that is not this API is told in one line before any fixture is read.
func TestATargetThatIsNotThisAPIIsToldInOneLine(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<html><body>Not Found</body></html>"))
	}))
	t.Cleanup(page.Close)
	v := newVendor(t, [2]string{"tok-a-0123456789", "tok-b-0123456789"}, nil)
	out := t.TempDir()
	code, stdout, stderr := invocation{env: map[string]string{"ACCESSCTK_TOKEN": "tok-a-0123456789"},
		args: []string{"run", "--target", page.URL, "--fixtures", v.fixtures, "--out", out}}.run(t)
	want := `GET /eos/access answered 404 text/html: is --target the API's base URL, and "eos" a tenant?`
	if code != 3 || !strings.Contains(stderr, want) {
		t.Fatalf("exit %d, want 3 and %q\n%s\n%s", code, want, stdout, stderr)
	}
	if n := strings.Count(stderr+stdout, "\n"); n > 3 {
		t.Errorf("%d lines for one problem:\n%s", n, stderr)
	}
	// A CI gate still gets its report files, saying what could not be judged.
	for file, want := range map[string]string{
		"results.json": `"overall": "INCOMPLETE"`,
		"junit.xml":    "testsuite",
		"summary.md":   "is --target the API",
	} {
		data, err := os.ReadFile(filepath.Join(out, file))
		if err != nil || !strings.Contains(string(data), want) {
			t.Errorf("%s does not say %q: %v", file, want, err)
		}
	}
}
