package deploy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const (
	actionFile   = ".github/actions/accessctk/action.yml"
	gateFile     = ".github/workflows/accessctk-gate.yml"
	nightlyFile  = ".github/workflows/accessctk-nightly.yml"
	shardsFile   = ".github/workflows/accessctk-shards.yml"
	testFault    = "update-limit-73-bytes" // a MUST fault whose findings do not depend on the selection
	summaryTitle = "## accessctk: "
)

// TestRecipesYAML checks what every recipe must hold even where nobody runs it: it
// parses (unknown keys are errors), each external action is pinned, run: scripts take
// values through env only, and a secret is only ever the value of an env variable.
func TestRecipesYAML(t *testing.T) {
	root := repoRoot(t)
	files, _ := filepath.Glob(filepath.Join(root, ".github/workflows/*.yml"))
	if len(files) < 3 {
		t.Fatalf("expected the gate, nightly and shards workflows, found %v", files)
	}
	files = append(files, filepath.Join(root, actionFile))
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		t.Run(rel, func(t *testing.T) {
			var steps []ghStep
			if strings.HasSuffix(f, "action.yml") {
				var a ghAction
				readYAML(t, f, &a)
				if a.Runs.Using != "composite" || a.Name == "" || a.Description == "" {
					t.Errorf("not a described composite action")
				}
				steps = a.Runs.Steps
			} else {
				var wf ghWorkflow
				readYAML(t, f, &wf)
				if wf.Name == "" || wf.On.Kind == 0 || len(wf.Jobs) == 0 {
					t.Errorf("a workflow needs name, on and jobs")
				}
				for id, j := range wf.Jobs {
					if j.RunsOn == "" || j.TimeoutMinutes <= 0 {
						t.Errorf("job %s: needs runs-on and a timeout-minutes", id)
					}
					steps = append(steps, j.Steps...)
				}
			}
			for _, s := range steps {
				if (s.Uses == "") == (s.Run == "") {
					t.Errorf("step %q: exactly one of uses and run", s.Name)
				}
				if s.Uses != "" && !strings.HasPrefix(s.Uses, "./") && !strings.Contains(s.Uses, "@v") {
					t.Errorf("step %q: %s is not pinned to a version", s.Name, s.Uses)
				}
				if strings.Contains(s.Run, "${{") {
					t.Errorf("step %q: its script holds a ${{ }} expression (script injection); pass it through env", s.Name)
				}
				if strings.Contains(s.Run, "set -x") || strings.Contains(s.Run, "TOKEN") {
					t.Errorf("step %q: a script must not trace itself or touch a token", s.Name)
				}
			}
			var doc yaml.Node
			data, _ := os.ReadFile(f)
			if err := yaml.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			secretsOnlyInEnv(t, &doc, nil)
		})
	}
}

// secretsOnlyInEnv walks a YAML tree: a value that names secrets.X must be the value of
// an env: entry, never in a script, an input (with:) or anywhere else.
func secretsOnlyInEnv(t *testing.T, n *yaml.Node, path []string) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			secretsOnlyInEnv(t, c, path)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			secretsOnlyInEnv(t, n.Content[i+1], append(path, n.Content[i].Value))
		}
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "secrets.") {
			return
		}
		ok := len(path) >= 2 && path[len(path)-2] == "env" && strings.TrimSpace(n.Value) == "${{ secrets."+path[len(path)-1]+" }}"
		if !ok {
			t.Errorf("line %d: %s = %q: a secret may only be an env variable of the same name", n.Line, strings.Join(path, "."), n.Value)
		}
	}
}

// composite workflow: one job that uses the action the way a vendor's gate does.
const compositeWorkflow = `name: gate
on: workflow_dispatch
defaults:
  run:
    shell: bash
jobs:
  gate:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - id: certify
        uses: ./.github/actions/accessctk
        env:
          ACCESSCTK_TOKEN: ${{ secrets.ACCESSCTK_TOKEN }}
        with:
          bin: ${{ vars.BIN }}
          args: ${{ vars.ARGS }}
          gate: ${{ vars.GATE }}
`

// TestCompositeAction runs the composite action's steps against the embedded
// reference server: the step summary is summary.md, the report directory is uploaded
// whatever the verdict, and the exit code is the gate (or, with gate 'false', only a
// usage error or a missing results.json fails).
func TestCompositeAction(t *testing.T) {
	root := repoRoot(t)
	rule := faultRule(t, testFault)
	for _, c := range []struct {
		name, args, gate string
		wantOK           bool
		wantRC           string
		wantVerdict      string
	}{
		{"conformant", "", "true", true, "0", "CONFORMANT"},
		{"nonconformant gate", "--fault\n" + testFault, "true", false, "1", "NON-CONFORMANT"},
		{"nonconformant no gate", "--fault\n" + testFault, "false", true, "1", "NON-CONFORMANT"},
		{"usage error no gate", "--fail-on\nregression", "false", false, "2", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			ws := t.TempDir()
			copyTree(t, filepath.Join(root, ".github/actions"), filepath.Join(ws, ".github/actions"))
			wf := filepath.Join(ws, "gate.yml")
			if err := os.WriteFile(wf, []byte(compositeWorkflow), 0o644); err != nil {
				t.Fatal(err)
			}
			r := newRunner(t, ws, newStore(t))
			r.secrets["ACCESSCTK_TOKEN"] = canary
			r.vars["BIN"] = accessctkBin(t)
			r.vars["ARGS"] = c.args
			r.vars["GATE"] = c.gate
			res := r.runWorkflow(wf, "workflow_dispatch", nil)
			jr := res["gate"][0]
			defer func() {
				if t.Failed() {
					t.Logf("job log:\n%s", logTail(jr.log.String()))
				}
			}()
			if jr.ok != c.wantOK {
				t.Errorf("job ok = %v, want %v", jr.ok, c.wantOK)
			}
			outs := jr.steps["certify"].(map[string]any)["outputs"].(map[string]any)
			if outs["exit-code"] != c.wantRC {
				t.Errorf("exit-code output %v, want %s", outs["exit-code"], c.wantRC)
			}
			// The default out is accessctk-report in the workspace.
			if want := filepath.Join(ws, "accessctk-report"); outs["report-dir"] != want {
				t.Errorf("report-dir output %v, want %s", outs["report-dir"], want)
			}
			noCanary(t, ws, jr.log.String(), jr.summary.String())
			if c.wantVerdict == "" {
				if !strings.Contains(jr.summary.String(), "exited 2") {
					t.Errorf("step summary of a usage error: %q", jr.summary.String())
				}
				return
			}
			summary, err := os.ReadFile(filepath.Join(ws, "accessctk-report", "summary.md"))
			if err != nil {
				t.Fatal(err)
			}
			if jr.summary.String() != string(summary) {
				t.Errorf("the step summary is not summary.md")
			}
			if !strings.Contains(string(summary), summaryTitle+c.wantVerdict+"\n") {
				t.Errorf("summary.md does not say %s:\n%s", c.wantVerdict, summary)
			}
			if c.wantVerdict == "NON-CONFORMANT" && !strings.Contains(string(summary), rule) {
				t.Errorf("summary.md does not name %s, the rule %s breaks", rule, testFault)
			}
			art, ok := r.store.artifacts["accessctk-report"]
			if !ok {
				t.Fatalf("no accessctk-report artifact uploaded")
			}
			for _, f := range []string{"results.json", "junit.xml", "summary.md", "report.html", "cucumber.json"} {
				if _, err := os.Stat(filepath.Join(art, f)); err != nil {
					t.Errorf("artifact lacks %s", f)
				}
			}
			if v := readVerdicts(t, filepath.Join(art, "results.json")); v.Overall != c.wantVerdict {
				t.Errorf("artifact's results.json: %s, want %s", v.Overall, c.wantVerdict)
			}
		})
	}
}

// TestGateWorkflow runs the deployment gate workflow with no target: it builds
// accessctk, certifies the embedded reference server, and passes.
func TestGateWorkflow(t *testing.T) {
	root := repoRoot(t)
	r := newRunner(t, root, newStore(t))
	r.secrets["ACCESSCTK_TOKEN"] = canary
	res := r.runWorkflow(filepath.Join(root, gateFile), "workflow_dispatch", map[string]any{"target": "", "fixtures": ""})
	jr := res["certify"][0]
	if !jr.ok {
		t.Fatalf("the gate failed against the embedded reference server:\n%s", logTail(jr.log.String()))
	}
	if !strings.Contains(jr.summary.String(), summaryTitle+"CONFORMANT\n") {
		t.Errorf("step summary does not say CONFORMANT:\n%s", jr.summary.String())
	}
	art, ok := r.store.artifacts["accessctk-report"]
	if !ok {
		t.Fatal("no report artifact")
	}
	if v := readVerdicts(t, filepath.Join(art, "results.json")); v.Overall != "CONFORMANT" {
		t.Errorf("artifact's verdict %s", v.Overall)
	}
	noCanary(t, jr.temp, jr.log.String(), jr.summary.String())
}

// TestNightlyWorkflow runs the nightly workflow night after night with one cache: the
// first night records a baseline, a night without regression passes and records the
// next, a night with a regression fails and keeps the old baseline, and a night run
// by hand with accept-baseline records it anyway.
func TestNightlyWorkflow(t *testing.T) {
	root := repoRoot(t)
	store := newStore(t)
	rule := faultRule(t, testFault)
	nights := 0
	night := func(name string, inputs map[string]any, env ...string) *jobRun {
		r := newRunner(t, root, store)
		nights++
		r.runID = nights * 10 // a new run id each night
		r.secrets["ACCESSCTK_TOKEN"] = canary
		for _, kv := range env {
			k, v, _ := strings.Cut(kv, "=")
			r.machine[k] = v
		}
		event := "schedule"
		if inputs != nil {
			event = "workflow_dispatch"
		}
		jr := r.runWorkflow(filepath.Join(root, nightlyFile), event, inputs)["nightly"][0]
		noCanary(t, jr.temp, jr.log.String(), jr.summary.String())
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("%s log:\n%s", name, logTail(jr.log.String()))
			}
		})
		return jr
	}
	baseline := func() verdicts {
		return readVerdicts(t, filepath.Join(store.cache[store.cacheKeys[len(store.cacheKeys)-1]], "results.json"))
	}

	first := night("night 1", nil)
	if !first.ok || len(store.cacheKeys) != 1 {
		t.Fatalf("first night: ok=%v, %d baselines saved; want ok and 1", first.ok, len(store.cacheKeys))
	}
	if !strings.Contains(first.log.String(), "No baseline yet") {
		t.Errorf("first night did not notice it had no baseline")
	}

	second := night("night 2", nil)
	if !second.ok || len(store.cacheKeys) != 2 {
		t.Fatalf("night without regression: ok=%v, %d baselines; want ok and 2", second.ok, len(store.cacheKeys))
	}
	if mode := second.steps["mode"].(map[string]any)["outputs"].(map[string]any); mode["fail-on"] != "regression" {
		t.Errorf("second night ran with fail-on %v, not regression against the baseline", mode["fail-on"])
	}
	if !strings.Contains(second.summary.String(), "CONFORMANT") {
		t.Errorf("second night's step summary:\n%s", second.summary.String())
	}

	third := night("night 3", nil, "ACCESSCTK_FAULTS="+testFault)
	if third.ok {
		t.Errorf("a night with a regression (%s breaks %s) passed", testFault, rule)
	}
	if rc := third.steps["certify"].(map[string]any)["outputs"].(map[string]any)["exit-code"]; rc != "1" {
		t.Errorf("regression night: accessctk exited %v, want 1", rc)
	}
	if !strings.Contains(third.summary.String(), rule) {
		t.Errorf("regression night's step summary does not name %s:\n%s", rule, third.summary.String())
	}
	if len(store.cacheKeys) != 2 || baseline().Overall != "CONFORMANT" {
		t.Errorf("a regression replaced the baseline (%d saved)", len(store.cacheKeys))
	}

	fourth := night("night 4", map[string]any{"accept-baseline": true}, "ACCESSCTK_FAULTS="+testFault)
	if fourth.ok {
		t.Errorf("an accepted regression still fails its own run")
	}
	if len(store.cacheKeys) != 3 || baseline().Requirements[rule] != "FAIL" {
		t.Errorf("accept-baseline did not record the regressed night as the baseline")
	}

	fifth := night("night 5", nil, "ACCESSCTK_FAULTS="+testFault)
	if !fifth.ok {
		t.Errorf("a failure already in the accepted baseline failed the next night")
	}
}

// TestShardsWorkflow runs the matrix of shards and the merge job, and requires the
// merged judgement to be the whole run's: on the conformant reference server and on
// one with a deliberate fault.
func TestShardsWorkflow(t *testing.T) {
	root := repoRoot(t)
	var wf ghWorkflow
	readYAML(t, filepath.Join(root, shardsFile), &wf)
	n, err := strconv.Atoi(wf.Env["SHARD_COUNT"])
	if err != nil {
		t.Fatalf("SHARD_COUNT: %v", err)
	}
	shards := wf.Jobs["shard"].Strategy.Matrix["shard"]
	if len(shards) != n || n < 2 {
		t.Fatalf("matrix has %d shards, SHARD_COUNT is %d", len(shards), n)
	}
	for i, s := range shards {
		if fmt.Sprint(s) != strconv.Itoa(i+1) {
			t.Fatalf("matrix.shard must be 1..%d, got %v", n, shards)
		}
	}
	// Shards at once against one server need their own fixtures: {shard} in the
	// fixtures input names each shard's file.
	var fixturesStep *ghStep
	for i, s := range wf.Jobs["shard"].Steps {
		if s.ID == "fixtures" {
			fixturesStep = &wf.Jobs["shard"].Steps[i]
		}
	}
	if fixturesStep == nil {
		t.Fatal("no step fixtures in the shard job")
	}
	for in, want := range map[string]string{"ci/fixtures-{shard}.yaml": "ci/fixtures-3.yaml", "ci/all.yaml": "ci/all.yaml", "": ""} {
		outFile := filepath.Join(t.TempDir(), "output")
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", fixturesStep.Run)
		cmd.Env = []string{"FIXTURES=" + in, "SHARD=3", "GITHUB_OUTPUT=" + outFile, "PATH=/usr/bin:/bin"}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("fixtures step: %v\n%s", err, out)
		}
		if got := readKV(t, outFile)["path"]; got != want {
			t.Errorf("fixtures %q for shard 3: %q, want %q", in, got, want)
		}
	}

	for _, c := range []struct {
		name   string
		env    []string
		wantOK bool
	}{
		{"conformant", nil, true},
		{"with a fault", []string{"ACCESSCTK_FAULTS=" + testFault}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRunner(t, root, newStore(t))
			r.secrets["ACCESSCTK_TOKEN"] = canary
			for _, kv := range c.env {
				k, v, _ := strings.Cut(kv, "=")
				r.machine[k] = v
			}
			res := r.runWorkflow(filepath.Join(root, shardsFile), "workflow_dispatch", map[string]any{"target": "", "fixtures": ""})
			if len(res["shard"]) != n {
				t.Fatalf("%d shard jobs ran, want %d", len(res["shard"]), n)
			}
			for _, jr := range res["shard"] {
				if !jr.ok {
					t.Errorf("shard job %v failed:\n%s", jr.matrix, logTail(jr.log.String()))
				}
				noCanary(t, jr.temp, jr.log.String(), jr.summary.String())
			}
			merge := res["merge"][0]
			if merge.ok != c.wantOK {
				t.Errorf("merge job ok = %v, want %v:\n%s", merge.ok, c.wantOK, logTail(merge.log.String()))
			}
			if !strings.Contains(merge.log.String(), fmt.Sprintf("%d of %d shards downloaded", n, n)) {
				t.Errorf("merge job did not get every shard:\n%s", logTail(merge.log.String()))
			}
			art, ok := r.store.artifacts["accessctk-report"]
			if !ok {
				t.Fatal("no merged report artifact")
			}
			merged := readVerdicts(t, filepath.Join(art, "results.json"))
			whole, _ := wholeRun(t, c.env...)
			sameVerdicts(t, whole, merged)
			if !strings.Contains(merge.summary.String(), summaryTitle+whole.Overall+"\n") {
				t.Errorf("merge step summary does not give the whole run's verdict %s:\n%s", whole.Overall, merge.summary.String())
			}
		})
	}
}

// logTail keeps a failure message readable: the steps' markers and the last lines
// of a job log (accessctk's progress runs to hundreds of lines).
func logTail(log string) string {
	lines := strings.Split(log, "\n")
	var keep []string
	for i, l := range lines {
		if strings.HasPrefix(l, "-- ") || strings.HasPrefix(l, "== ") || strings.HasPrefix(l, "::error::") || i >= len(lines)-40 {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
