package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/steps"
)

// An OpenAPI document with no paths leaves SAM-CM-02 (every 2xx matches its
// operation) unjudged: the whole suite passing otherwise is PASSED-PARTIAL, exit 0,
// never CONFORMANT, and the requirement says why it was not judged.
func TestSpecWithoutPathsIsNotACertification(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.yaml")
	doc := "openapi: 3.0.3\ninfo: {title: nothing, version: '1'}\npaths: {}\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(context.Background(), runner.Options{
		Scope: steps.Scope{AllowDestructive: true}, Seed: 1, SpecPath: path,
		Getenv: func(string) string { return "" }, Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Overall != verdict.PassedPartial || runner.ExitCode(res) != runner.ExitConformant {
		t.Fatalf("verdict %s (exit %d), want PASSED-PARTIAL with exit 0\n%s", res.Overall, runner.ExitCode(res), summary(t, res))
	}
	for _, r := range res.Requirements {
		if r.ID == "SAM-CM-02" && (r.Status != verdict.NotCovered || !strings.Contains(r.Reason, "--spec")) {
			t.Errorf("SAM-CM-02: %s %q, want NOT COVERED naming --spec", r.Status, r.Reason)
		}
	}
	if text := summary(t, res); !strings.Contains(text, "Verdict: PASSED-PARTIAL") || !strings.Contains(text, "1 MUST rule was checked by nothing this run sent") {
		t.Errorf("the summary does not say why the run is partial:\n%s", text)
	}
}
