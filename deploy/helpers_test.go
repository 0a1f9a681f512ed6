// Package deploy holds the tests of the recipes that run accessctk where its users run
// it: the Dockerfile, the GitHub composite action and workflows (.github/), and the
// Kubernetes Indexed Job (deploy/kubernetes/). Each recipe's commands run here, locally,
// against the embedded reference server; nothing needs Docker, a cluster or GitHub.
package deploy

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// canary is the value every test gives the token secret: it must never show up in a
// log, a step summary, an output or a report.
const canary = "canary-token-5f1d7c0e-never-print-me"

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found: %v", err)
	}
	return root
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// accessctkBin builds cmd/accessctk once for the package's tests, as `make build` does.
func accessctkBin(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "accessctk-deploy-test-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "accessctk")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/accessctk")
		cmd.Dir = repoRoot(t)
		var out []byte
		out, binErr = cmd.CombinedOutput()
		if binErr != nil {
			binErr = &buildError{err: binErr, out: string(out)}
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// verdicts is what two runs must agree on: the overall verdict, each requirement's
// status, each scenario's outcome.
type verdicts struct {
	Overall      string
	Requirements map[string]string
	Scenarios    map[string]string
}

func readVerdicts(t *testing.T, file string) verdicts {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Overall      string `json:"overall"`
		Requirements []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"requirements"`
		Scenarios []struct {
			ID      string `json:"id"`
			Outcome string `json:"outcome"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	v := verdicts{Overall: raw.Overall, Requirements: map[string]string{}, Scenarios: map[string]string{}}
	for _, r := range raw.Requirements {
		v.Requirements[r.ID] = r.Status
	}
	for _, s := range raw.Scenarios {
		v.Scenarios[s.ID] = s.Outcome
	}
	if v.Overall == "" || len(v.Requirements) == 0 || len(v.Scenarios) == 0 {
		t.Fatalf("%s: no verdict, requirements or scenarios", file)
	}
	return v
}

// sameVerdicts reports every difference between a whole run and a merged one.
func sameVerdicts(t *testing.T, whole, merged verdicts) {
	t.Helper()
	if whole.Overall != merged.Overall {
		t.Errorf("overall verdict: whole run %s, merged shards %s", whole.Overall, merged.Overall)
	}
	for _, pair := range []struct {
		what string
		a, b map[string]string
	}{{"requirement", whole.Requirements, merged.Requirements}, {"scenario", whole.Scenarios, merged.Scenarios}} {
		keys := map[string]bool{}
		for k := range pair.a {
			keys[k] = true
		}
		for k := range pair.b {
			keys[k] = true
		}
		var diffs []string
		for k := range keys {
			if pair.a[k] != pair.b[k] {
				diffs = append(diffs, k+": whole "+pair.a[k]+", merged "+pair.b[k])
			}
		}
		sort.Strings(diffs)
		if len(diffs) > 0 {
			t.Errorf("%d %ss differ:\n%s", len(diffs), pair.what, strings.Join(diffs, "\n"))
		}
	}
}

// wholeRun runs the entire suite once against the embedded reference server, with
// extra environment (e.g. ACCESSCTK_FAULTS), and returns its verdicts and exit code.
func wholeRun(t *testing.T, env ...string) (verdicts, int) {
	t.Helper()
	out := t.TempDir()
	cmd := exec.Command(accessctkBin(t), "run", "--quiet", "--out", out)
	cmd.Env = append(cleanEnv(), env...)
	rc := 0
	if b, err := cmd.CombinedOutput(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("accessctk run: %v\n%s", err, b)
		}
		rc = ee.ExitCode()
	}
	return readVerdicts(t, filepath.Join(out, "results.json")), rc
}

// cleanEnv is this process's environment without any ACCESSCTK_ setting.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ACCESSCTK_") {
			env = append(env, kv)
		}
	}
	return env
}

// faultRule is a deliberate fault of the embedded reference server and the rule it
// breaks, read from `accessctk serve --list-faults`.
func faultRule(t *testing.T, fault string) string {
	t.Helper()
	out, err := exec.Command(accessctkBin(t), "serve", "--list-faults").CombinedOutput()
	if err != nil {
		t.Fatalf("serve --list-faults: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == fault {
			return f[1]
		}
	}
	t.Fatalf("fault %s not listed:\n%s", fault, out)
	return ""
}

// noCanary fails the test when the token canary appears in any file under dir or in
// any of the texts.
func noCanary(t *testing.T, dir string, texts ...string) {
	t.Helper()
	for i, s := range texts {
		if strings.Contains(s, canary) {
			t.Errorf("the token secret appears in text %d", i)
		}
	}
	if dir == "" {
		return
	}
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), canary) {
			t.Errorf("the token secret appears in %s", p)
		}
		return nil
	})
}
