package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/accessctk/accessctk/internal/cli"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/reports"
)

type invocation struct {
	env      map[string]string
	terminal bool
	args     []string
}

func (in invocation) run(t *testing.T) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cli.Main(cli.State{
		Args: in.args, Stdout: &out, Stderr: &errOut, Context: context.Background(),
		Getenv:     func(k string) string { return in.env[k] },
		IsTerminal: func(io.Writer) bool { return in.terminal },
	})
	return code, out.String(), errOut.String()
}

func readResults(t *testing.T, path string) *verdict.Results {
	t.Helper()
	r, err := reports.ReadResultsFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRunWritesEveryFormat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "report")
	code, stdout, stderr := runCLI(t, nil, "run", "--tags", "@SAM-RD-01", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, name := range []string{"results.json", "junit.xml", "cucumber.json", "report.html", "summary.md"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	r := readResults(t, filepath.Join(dir, "results.json"))
	if r.Config["tags"] != "@SAM-RD-01" || r.Config["out"] != dir || r.SpecDigest == "" {
		t.Errorf("results.json config %v, spec digest %q", r.Config, r.SpecDigest)
	}
	if !strings.Contains(stderr, "Reports in "+dir+": results.json, junit.xml, cucumber.json, report.html, summary.md") {
		t.Errorf("stderr does not say where the reports are:\n%s", stderr)
	}

	// --format picks files.
	only := filepath.Join(t.TempDir(), "only")
	if code, _, stderr := runCLI(t, nil, "run", "--tags", "@SAM-RD-01", "--out", only, "--format", "html,markdown"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	entries, _ := os.ReadDir(only)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"report.html", "summary.md"}) {
		t.Errorf("--format html,markdown wrote %v", names)
	}
}

func TestQuietAndJSON(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, nil, "run", "--tags", "@SAM-RD-01", "--out", dir, "--quiet")
	if code != 0 || stdout != "" || stderr != "" {
		t.Fatalf("--quiet: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, nil, "run", "--tags", "@SAM-RD-01", "--out", dir, "--json", "--quiet")
	if code != 0 {
		t.Fatalf("--json: exit %d", code)
	}
	r, err := reports.ReadResults([]byte(stdout))
	if err != nil {
		t.Fatalf("--json stdout is not a results.json: %v", err)
	}
	if r.Overall != verdict.PassedPartial {
		t.Errorf("overall %s, want PASSED-PARTIAL (a --tags run)", r.Overall)
	}
}

// Progress goes to stderr: plain lines for a log, one updating line on a terminal.
// Colour only on a terminal, and never with NO_COLOR.
func TestProgressAndColour(t *testing.T) {
	dir := t.TempDir()
	args := []string{"run", "--tags", "@SAM-RD-01,@SAM-RD-02", "--out", dir}
	_, stdout, stderr := invocation{args: args}.run(t)
	if !regexp.MustCompile(`\] read:\d+: `).MatchString(stderr) || !strings.Contains(stderr, "[1/2 ") || !strings.Contains(stderr, "[2/2 ") || strings.Contains(stderr, "\r") {
		t.Errorf("plain progress:\n%q", stderr)
	}
	if strings.Contains(stdout, "\x1b[") {
		t.Error("colour when stdout is not a terminal")
	}

	_, stdout, stderr = invocation{args: args, terminal: true}.run(t)
	if !strings.Contains(stderr, "\r\x1b[K[1/2 ") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("terminal progress is not one updating line (then the reports line):\n%q", stderr)
	}
	if !strings.Contains(stdout, "\x1b[32m") {
		t.Error("no colour on a terminal")
	}
	_, stdout, _ = invocation{args: args, terminal: true, env: map[string]string{"NO_COLOR": "1"}}.run(t)
	if strings.Contains(stdout, "\x1b[") {
		t.Error("colour despite NO_COLOR")
	}
}

// Settings layer: defaults < --config file < ACCESSCTK_* environment < flags.
func TestSettingsLayersThroughTheCLI(t *testing.T) {
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "accessctk.yaml")
	if err := os.WriteFile(cfg, []byte("tags: '@SAM-RD-02'\nformat: [json]\nout: "+filepath.Join(tmp, "from-file")+"\nrerunFailed: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	envOut := filepath.Join(tmp, "from-env")
	env := map[string]string{"ACCESSCTK_CONFIG": cfg, "ACCESSCTK_OUT": envOut, "ACCESSCTK_TAGS": "@SAM-RD-03"}
	code, _, stderr := invocation{env: env, args: []string{"run", "--tags", "@SAM-RD-01", "-q"}}.run(t)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r := readResults(t, filepath.Join(envOut, "results.json")) // env beat the file's out
	if r.Selection.Tags != "@SAM-RD-01" {                      // the flag beat env and file
		t.Errorf("tags %q, want the flag's", r.Selection.Tags)
	}
	if r.Selection.RerunFailed != 1 || r.Config["config"] != cfg || r.Config["format"] != "json" { // from the file
		t.Errorf("selection %+v, config %v", r.Selection, r.Config)
	}
	if _, err := os.Stat(filepath.Join(envOut, "report.html")); err == nil {
		t.Error("formats from the file were ignored")
	}
}

func TestBadConfigurationIsOneLineExit2(t *testing.T) {
	tmp := t.TempDir()
	bad := filepath.Join(tmp, "bad.yaml")
	if err := os.WriteFile(bad, []byte("tagz: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	notResults := filepath.Join(tmp, "x.json")
	if err := os.WriteFile(notResults, []byte(`{"schemaVersion":"1","tool":"x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, in := range []invocation{
		{args: []string{"run", "--config", bad}},
		{args: []string{"run", "--config", filepath.Join(tmp, "missing.yaml")}},
		{args: []string{"run"}, env: map[string]string{"ACCESSCTK_RERUN_FAILED": "many"}},
		{args: []string{"run", "--fail-on", "regression"}},
		{args: []string{"run", "--shard", "0/2"}},
		{args: []string{"run", "--format", "pdf"}},
		{args: []string{"run", "--baseline", notResults}},
		{args: []string{"run", "--timeout", "0s"}},
		{args: []string{"report", "diff", notResults, notResults}},
		{args: []string{"report", "merge", notResults}},
		{args: []string{"report", "render", filepath.Join(tmp, "none.json")}},
	} {
		code, stdout, stderr := in.run(t)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "accessctk: ") || stdout != "" {
			t.Errorf("%v %v: exit %d, stdout %q, stderr %q; want exit 2 and one line", in.args, in.env, code, stdout, stderr)
		}
	}
}

// Shards run disjoint stable subsets; merging their results judges the whole.
func TestShardsMergeIntoTheWholeRun(t *testing.T) {
	tmp := t.TempDir()
	tags := "@SAM-CM-01,@SAM-RD-01,@SAM-RD-02,@SAM-RD-03"
	whole := filepath.Join(tmp, "whole")
	if code, _, stderr := runCLI(t, nil, "run", "--tags", tags, "--out", whole, "-q"); code != 0 {
		t.Fatalf("whole run: exit %d: %s", code, stderr)
	}
	var parts []string
	for _, shard := range []string{"1/3", "2/3", "3/3"} {
		out := filepath.Join(tmp, "shard"+shard[:1])
		if code, _, stderr := runCLI(t, nil, "run", "--tags", tags, "--shard", shard, "--out", out, "-q"); code != 0 {
			t.Fatalf("shard %s: exit %d: %s", shard, code, stderr)
		}
		parts = append(parts, filepath.Join(out, "results.json"))
	}
	merged := filepath.Join(tmp, "merged")
	code, stdout, stderr := runCLI(t, nil, append([]string{"report", "merge", "--out", merged}, parts...)...)
	if code != 0 || !strings.Contains(stdout, "Verdict: PASSED-PARTIAL") {
		t.Fatalf("merge of a --tags run's shards: exit %d, want 0 and PASSED-PARTIAL\n%s\n%s", code, stdout, stderr)
	}
	w, m := readResults(t, filepath.Join(whole, "results.json")), readResults(t, filepath.Join(merged, "results.json"))
	ids := func(r *verdict.Results) []string {
		var out []string
		for _, s := range r.Scenarios {
			out = append(out, s.ID)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(ids(w), ids(m)) || len(ids(w)) < 3 {
		t.Fatalf("merged scenarios %v, whole run %v", ids(m), ids(w))
	}
	for i, q := range m.Requirements {
		if q.Status != w.Requirements[i].Status {
			t.Errorf("%s: merged %s, whole %s", q.ID, q.Status, w.Requirements[i].Status)
		}
	}
	if code, _, _ := runCLI(t, nil, "report", "merge", "--out", merged, parts[0], parts[1]); code != 2 {
		t.Errorf("merging without shard 3/3: exit %d, want 2", code)
	}
}

// --baseline classifies requirements in every format; --fail-on regression exits 1
// only on new failures; report diff does the same offline.
func TestBaselineAndRegression(t *testing.T) {
	tmp := t.TempDir()
	tags := "@SAM-RD-01,@SAM-RD-03"
	good, bad := filepath.Join(tmp, "good"), filepath.Join(tmp, "bad")
	if code, _, stderr := runCLI(t, nil, "run", "--tags", tags, "--out", good, "-q"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	goodJSON := filepath.Join(good, "results.json")
	code, stdout, _ := runCLI(t, nil, "run", "--tags", tags, "--out", bad, "--fault", "read-leaks-password",
		"--baseline", goodJSON, "--fail-on", "regression")
	if code != 1 || !strings.Contains(stdout, "SAM-RD-03   MUST   FAIL  (new failure)") || !strings.Contains(stdout, "new failure:   1 SAM-RD-03") {
		t.Fatalf("regression run: exit %d\n%s", code, stdout)
	}
	for file, want := range map[string]string{
		"results.json":  `"change": "new-failure"`,
		"junit.xml":     `name="accessctk.baseline.new-failure" value="SAM-RD-03"`,
		"cucumber.json": "SAM-RD-03 MUST (new failure)",
		"report.html":   `data-change="new-failure"`,
		"summary.md":    "**new failure** (1): SAM-RD-03",
	} {
		data, err := os.ReadFile(filepath.Join(bad, file))
		if err != nil || !strings.Contains(string(data), want) {
			t.Errorf("%s does not show the new failure (%q): %v", file, want, err)
		}
	}
	badJSON := filepath.Join(bad, "results.json")
	// Still failing is not a regression.
	if code, stdout, _ := runCLI(t, nil, "run", "--tags", tags, "--format", "none", "--fault", "read-leaks-password",
		"--baseline", badJSON, "--fail-on", "regression"); code != 0 || !strings.Contains(stdout, "still failing: 1 SAM-RD-03") {
		t.Errorf("still failing: exit %d\n%s", code, stdout)
	}
	// Without --fail-on regression the verdict decides.
	if code, _, _ := runCLI(t, nil, "run", "--tags", tags, "--format", "none", "--fault", "read-leaks-password", "--baseline", badJSON); code != 1 {
		t.Errorf("non-conformant with a baseline: exit %d, want 1", code)
	}
	code, stdout, _ = runCLI(t, nil, "report", "diff", goodJSON, badJSON)
	if code != 1 || !strings.Contains(stdout, "new failure    SAM-RD-03   PASS -> FAIL") {
		t.Errorf("report diff: exit %d\n%s", code, stdout)
	}
	if code, stdout, _ := runCLI(t, nil, "report", "diff", badJSON, goodJSON); code != 0 || !strings.Contains(stdout, "fixed          SAM-RD-03   FAIL -> PASS") ||
		!strings.Contains(stdout, "(NON-CONFORMANT, ") || !strings.Contains(stdout, "(PASSED-PARTIAL, ") {
		t.Errorf("report diff, fixed: exit %d, want both verdicts, the --tags run's PASSED-PARTIAL\n%s", code, stdout)
	}
	// A record from before PASSED-PARTIAL called a --tags run CONFORMANT: diff reads
	// it as what it is.
	data, err := os.ReadFile(goodJSON)
	if err != nil {
		t.Fatal(err)
	}
	oldJSON := filepath.Join(tmp, "old.json")
	old := strings.Replace(string(data), `"overall": "PASSED-PARTIAL"`, `"overall": "CONFORMANT"`, 1)
	if err := os.WriteFile(oldJSON, []byte(old), 0o600); err != nil || old == string(data) {
		t.Fatalf("write an old record: %v", err)
	}
	if code, stdout, _ := runCLI(t, nil, "report", "diff", oldJSON, badJSON); code != 1 || !strings.Contains(stdout, "Baseline: "+oldJSON+" (PASSED-PARTIAL, ") {
		t.Errorf("report diff of an old partial record: exit %d\n%s", code, stdout)
	}
	// report diff --json carries the comparison.
	_, stdout, _ = runCLI(t, nil, "report", "diff", goodJSON, badJSON, "--json")
	var r verdict.Results
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || r.Baseline == nil || r.Baseline.Counts[verdict.NewFailure] != 1 {
		t.Errorf("report diff --json: %v %+v", err, r.Baseline)
	}
}

func TestReportRender(t *testing.T) {
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	if code, _, stderr := runCLI(t, nil, "run", "--tags", "@SAM-RD-03", "--fault", "read-leaks-password", "--out", src, "--format", "json", "-q"); code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	again := filepath.Join(tmp, "again")
	code, stdout, stderr := runCLI(t, nil, "report", "render", filepath.Join(src, "results.json"), "--out", again)
	if code != 0 || strings.Count(stdout, "\n") != 5 {
		t.Fatalf("render: exit %d\n%s\n%s", code, stdout, stderr)
	}
	page, err := os.ReadFile(filepath.Join(again, "report.html"))
	if err != nil || !strings.Contains(string(page), `id="req-SAM-RD-03"`) {
		t.Fatalf("rendered report.html lacks the failure: %v", err)
	}
	before, _ := os.ReadFile(filepath.Join(src, "results.json"))
	after, _ := os.ReadFile(filepath.Join(again, "results.json"))
	if !bytes.Equal(before, after) {
		t.Error("re-rendered results.json differs from its source")
	}
}
