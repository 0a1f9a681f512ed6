package deploy

// A local runner for the repository's GitHub Actions recipes: it reads a workflow (or
// the composite action) as GitHub does, evaluates its expressions, runs every run:
// script with bash exactly as written, expands the local composite action, and stands
// in for the few marketplace actions the recipes use (checkout, setup-go, cache,
// upload-artifact, download-artifact) with local directories. GITHUB_OUTPUT, GITHUB_ENV
// and GITHUB_STEP_SUMMARY are files, as on a runner. A recipe that uses an action or an
// expression this runner does not know fails the test.

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type ghStep struct {
	ID               string            `yaml:"id"`
	Name             string            `yaml:"name"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	Env              map[string]string `yaml:"env"`
	With             map[string]string `yaml:"with"`
	ContinueOnError  bool              `yaml:"continue-on-error"`
}

type ghJob struct {
	RunsOn         string            `yaml:"runs-on"`
	Needs          ghList            `yaml:"needs"`
	If             string            `yaml:"if"`
	Env            map[string]string `yaml:"env"`
	TimeoutMinutes int               `yaml:"timeout-minutes"`
	Strategy       struct {
		FailFast *bool            `yaml:"fail-fast"`
		Matrix   map[string][]any `yaml:"matrix"`
	} `yaml:"strategy"`
	Steps []ghStep `yaml:"steps"`
}

type ghWorkflow struct {
	Name        string            `yaml:"name"`
	On          yaml.Node         `yaml:"on"`
	Env         map[string]string `yaml:"env"`
	Permissions map[string]string `yaml:"permissions"`
	Concurrency yaml.Node         `yaml:"concurrency"`
	Defaults    struct {
		Run struct {
			Shell string `yaml:"shell"`
		} `yaml:"run"`
	} `yaml:"defaults"`
	Jobs map[string]*ghJob `yaml:"jobs"`
}

type ghAction struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Inputs      map[string]struct {
		Description string `yaml:"description"`
		Required    bool   `yaml:"required"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string   `yaml:"using"`
		Steps []ghStep `yaml:"steps"`
	} `yaml:"runs"`
}

// ghList is a YAML string or list of strings (needs:).
type ghList []string

func (l *ghList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = []string{n.Value}
		return nil
	}
	var s []string
	if err := n.Decode(&s); err != nil {
		return err
	}
	*l = s
	return nil
}

func readYAML(t *testing.T, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// ghStore stands in for GitHub's storage: the Actions cache (kept across workflow
// runs, each key written once) and one run's artifacts (each name uploaded once).
type ghStore struct {
	dir       string
	cacheKeys []string // in the order saved: the newest last
	cache     map[string]string
	artifacts map[string]string
}

func newStore(t *testing.T) *ghStore {
	return &ghStore{dir: t.TempDir(), cache: map[string]string{}, artifacts: map[string]string{}}
}

// ghRunner runs workflows of one repository.
type ghRunner struct {
	t         *testing.T
	workspace string            // GITHUB_WORKSPACE: the checked-out repository
	machine   map[string]string // the runner machine's environment
	secrets   map[string]string
	vars      map[string]string
	store     *ghStore
	runID     int
}

// jobRun is what one job (one matrix combination) left.
type jobRun struct {
	job     string
	matrix  map[string]any
	ok      bool
	log     strings.Builder
	summary strings.Builder
	steps   map[string]any // steps.<id>.outputs, for the test to read
	temp    string         // RUNNER_TEMP
}

func newRunner(t *testing.T, workspace string, store *ghStore) *ghRunner {
	machine := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		// The runner's own machine: tools and Go's settings, nothing of this process's
		// accessctk configuration.
		if k == "PATH" || k == "HOME" || k == "TMPDIR" || k == "LANG" || strings.HasPrefix(k, "GO") {
			machine[k] = v
		}
	}
	return &ghRunner{t: t, workspace: workspace, machine: machine, store: store,
		secrets: map[string]string{}, vars: map[string]string{}}
}

// runWorkflow runs every job of the workflow file in the order of their needs and
// returns each job's runs (a matrix job has one per combination).
func (r *ghRunner) runWorkflow(file string, event string, inputs map[string]any) map[string][]*jobRun {
	t := r.t
	t.Helper()
	var wf ghWorkflow
	readYAML(t, file, &wf)
	r.runID++
	r.store.artifacts = map[string]string{}
	results := map[string][]*jobRun{}
	done := map[string]bool{}
	for len(done) < len(wf.Jobs) {
		progressed := false
		for _, id := range sortedKeys(wf.Jobs) {
			job := wf.Jobs[id]
			if done[id] {
				continue
			}
			ready, needsOK := true, true
			for _, n := range job.Needs {
				if _, ok := wf.Jobs[n]; !ok {
					t.Fatalf("%s: job %s needs unknown job %s", file, id, n)
				}
				if !done[n] {
					ready = false
				}
				for _, jr := range results[n] {
					needsOK = needsOK && jr.ok
				}
			}
			if !ready {
				continue
			}
			done[id], progressed = true, true
			for _, m := range expandMatrix(job.Strategy.Matrix) {
				jr := r.runJob(&wf, id, job, m, event, inputs, !needsOK)
				if jr != nil {
					results[id] = append(results[id], jr)
				}
			}
		}
		if !progressed {
			t.Fatalf("%s: jobs' needs form a cycle", file)
		}
	}
	return results
}

func expandMatrix(m map[string][]any) []map[string]any {
	combos := []map[string]any{{}}
	for _, k := range sortedKeys(m) {
		var next []map[string]any
		for _, c := range combos {
			for _, v := range m[k] {
				n := map[string]any{k: v}
				for ck, cv := range c {
					n[ck] = cv
				}
				next = append(next, n)
			}
		}
		combos = next
	}
	return combos
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (r *ghRunner) baseContexts(event string, inputs map[string]any, temp string) map[string]any {
	secrets := map[string]any{}
	for k, v := range r.secrets {
		secrets[k] = v
	}
	vars := map[string]any{}
	for k, v := range r.vars {
		vars[k] = v
	}
	in := map[string]any{}
	for k, v := range inputs {
		in[k] = v
	}
	return map[string]any{
		"github": map[string]any{
			"workspace": r.workspace, "run_id": strconv.Itoa(1000 + r.runID), "run_attempt": "1",
			"event_name": event, "repository": "accessctk/accessctk",
		},
		"runner":  map[string]any{"temp": temp, "os": "Linux"},
		"inputs":  in,
		"secrets": secrets,
		"vars":    vars,
		"env":     map[string]any{},
		"steps":   map[string]any{},
		"matrix":  map[string]any{},
	}
}

func (r *ghRunner) runJob(wf *ghWorkflow, id string, job *ghJob, matrix map[string]any, event string, inputs map[string]any, needsFailed bool) *jobRun {
	t := r.t
	temp := t.TempDir()
	jr := &jobRun{job: id, matrix: matrix, ok: true, steps: map[string]any{}, temp: temp}
	ctx := &exprCtx{contexts: r.baseContexts(event, inputs, temp), failed: needsFailed}
	ctx.contexts["matrix"] = matrix
	run, err := condition(ctx, job.If)
	if err != nil {
		t.Fatalf("job %s if: %v", id, err)
	}
	if !run {
		jr.ok = !needsFailed
		fmt.Fprintf(&jr.log, "job %s skipped\n", id)
		return jr
	}
	ctx.failed = false
	env := map[string]string{}
	for _, layer := range []map[string]string{wf.Env, job.Env} {
		for _, k := range sortedKeys(layer) {
			v, err := interpolate(ctx, layer[k])
			if err != nil {
				t.Fatalf("job %s env %s: %v", id, k, err)
			}
			env[k] = v
			ctx.contexts["env"].(map[string]any)[k] = v
		}
	}
	ctx.contexts["steps"] = jr.steps
	fmt.Fprintf(&jr.log, "== job %s %v\n", id, matrix)
	for i := range job.Steps {
		r.runStep(jr, ctx, &job.Steps[i], env, wf.Defaults.Run.Shell, "")
	}
	jr.ok = !ctx.failed
	return jr
}

// runStep runs one step in ctx (a job's or a composite action's).
func (r *ghRunner) runStep(jr *jobRun, ctx *exprCtx, s *ghStep, env map[string]string, defaultShell, actionPath string) {
	t := r.t
	if (s.Uses == "") == (s.Run == "") {
		t.Fatalf("step %q must have exactly one of uses and run", s.Name)
	}
	run, err := condition(ctx, s.If)
	if err != nil {
		t.Fatalf("step %q if: %v", s.Name, err)
	}
	label := s.Name
	if label == "" {
		label = s.Uses
	}
	if !run {
		fmt.Fprintf(&jr.log, "-- skipped: %s\n", label)
		return
	}
	fmt.Fprintf(&jr.log, "-- step: %s\n", label)
	stepEnv := map[string]string{}
	for k, v := range env {
		stepEnv[k] = v
	}
	envCtx := map[string]any{}
	for k, v := range ctx.contexts["env"].(map[string]any) {
		envCtx[k] = v
	}
	for _, k := range sortedKeys(s.Env) {
		v, err := interpolate(ctx, s.Env[k])
		if err != nil {
			t.Fatalf("step %q env %s: %v", label, k, err)
		}
		stepEnv[k] = v
		envCtx[k] = v
	}
	with := map[string]string{}
	for _, k := range sortedKeys(s.With) {
		v, err := interpolate(ctx, s.With[k])
		if err != nil {
			t.Fatalf("step %q with %s: %v", label, k, err)
		}
		with[k] = v
	}
	var outputs map[string]string
	var ok bool
	if s.Run != "" {
		if strings.Contains(s.Run, "${{") {
			t.Fatalf("step %q: a run: script holds a ${{ }} expression; pass values through env", label)
		}
		shell := s.Shell
		if shell == "" {
			shell = defaultShell
		}
		outputs, ok = r.runScript(jr, ctx, s.Run, shell, s.WorkingDirectory, stepEnv, env, actionPath)
	} else {
		outputs, ok = r.runAction(jr, ctx, s.Uses, with, stepEnv)
	}
	if s.ID != "" {
		o := map[string]any{}
		for k, v := range outputs {
			o[k] = v
		}
		outcome := "success"
		if !ok {
			outcome = "failure"
		}
		ctx.contexts["steps"].(map[string]any)[s.ID] = map[string]any{"outputs": o, "outcome": outcome, "conclusion": outcome}
	}
	if !ok && !s.ContinueOnError {
		fmt.Fprintf(&jr.log, "-- FAILED: %s\n", label)
		ctx.failed = true
	}
}

// runScript runs a run: step with bash as GitHub does (shell: bash is
// `bash --noprofile --norc -eo pipefail {0}`). jobEnv receives what the script
// appends to GITHUB_ENV.
func (r *ghRunner) runScript(jr *jobRun, ctx *exprCtx, script, shell, wd string, stepEnv, jobEnv map[string]string, actionPath string) (map[string]string, bool) {
	t := r.t
	switch shell {
	case "bash", "":
	default:
		t.Fatalf("shell %q: the local runner runs bash only", shell)
	}
	temp := ctx.contexts["runner"].(map[string]any)["temp"].(string)
	files := t.TempDir()
	scriptFile := filepath.Join(files, "step.sh")
	outFile := filepath.Join(files, "output")
	envFile := filepath.Join(files, "env")
	sumFile := filepath.Join(files, "summary")
	for _, f := range []string{outFile, envFile, sumFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(scriptFile, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", scriptFile)
	cmd.Dir = r.workspace
	if wd != "" {
		cmd.Dir = filepath.Join(r.workspace, wd)
	}
	full := map[string]string{}
	for k, v := range r.machine {
		full[k] = v
	}
	for k, v := range stepEnv {
		full[k] = v
	}
	gh := ctx.contexts["github"].(map[string]any)
	full["CI"] = "true"
	full["GITHUB_ACTIONS"] = "true"
	full["GITHUB_WORKSPACE"] = r.workspace
	full["GITHUB_RUN_ID"] = gh["run_id"].(string)
	full["GITHUB_RUN_ATTEMPT"] = gh["run_attempt"].(string)
	full["GITHUB_EVENT_NAME"] = gh["event_name"].(string)
	full["RUNNER_TEMP"] = temp
	full["RUNNER_OS"] = "Linux"
	full["GITHUB_OUTPUT"] = outFile
	full["GITHUB_ENV"] = envFile
	full["GITHUB_STEP_SUMMARY"] = sumFile
	if actionPath != "" {
		full["GITHUB_ACTION_PATH"] = actionPath
	}
	for _, k := range sortedKeys(full) {
		cmd.Env = append(cmd.Env, k+"="+full[k])
	}
	out, err := cmd.CombinedOutput()
	jr.log.Write(out)
	ok := err == nil
	if err != nil {
		fmt.Fprintf(&jr.log, "(bash: %v)\n", err)
	}
	sum, _ := os.ReadFile(sumFile)
	jr.summary.Write(sum)
	for k, v := range readKV(t, envFile) {
		jobEnv[k] = v
		ctx.contexts["env"].(map[string]any)[k] = v
	}
	return readKV(t, outFile), ok
}

// readKV reads a GITHUB_OUTPUT or GITHUB_ENV file: name=value lines and
// name<<DELIMITER blocks.
func readKV(t *testing.T, file string) map[string]string {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kv := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var lines []string
			closed := false
			for sc.Scan() {
				if sc.Text() == delim {
					closed = true
					break
				}
				lines = append(lines, sc.Text())
			}
			if !closed {
				t.Fatalf("%s: %s<<%s is never closed", file, name, delim)
			}
			kv[name] = strings.Join(lines, "\n")
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: malformed line %q", file, line)
		}
		kv[name] = value
	}
	return kv
}

// runAction runs a uses: step: the local composite action, or a stand-in for a
// marketplace action.
func (r *ghRunner) runAction(jr *jobRun, ctx *exprCtx, uses string, with, stepEnv map[string]string) (map[string]string, bool) {
	t := r.t
	if strings.HasPrefix(uses, "./") {
		return r.runComposite(jr, ctx, filepath.Join(r.workspace, uses), with, stepEnv)
	}
	name, ref, ok := strings.Cut(uses, "@")
	if !ok || !strings.HasPrefix(ref, "v") {
		t.Fatalf("uses %q: pin a marketplace action to a version tag", uses)
	}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(r.workspace, p)
	}
	switch name {
	case "actions/checkout", "actions/setup-go":
		// The workspace is the repository already, and Go is this machine's.
		return nil, true
	case "actions/upload-artifact":
		art := with["name"]
		if art == "" {
			art = "artifact"
		}
		if _, dup := r.store.artifacts[art]; dup {
			fmt.Fprintf(&jr.log, "upload-artifact: an artifact named %q was already uploaded in this run\n", art)
			return nil, false
		}
		src := abs(with["path"])
		if _, err := os.Stat(src); err != nil {
			if with["if-no-files-found"] == "error" {
				fmt.Fprintf(&jr.log, "upload-artifact: no files at %s\n", src)
				return nil, false
			}
			fmt.Fprintf(&jr.log, "upload-artifact: warning: no files at %s\n", src)
			return nil, true
		}
		dst := filepath.Join(r.store.dir, fmt.Sprintf("run%d-artifacts", r.runID), art)
		copyTree(t, src, dst)
		r.store.artifacts[art] = dst
		return nil, true
	case "actions/download-artifact":
		dst := abs(with["path"])
		if with["path"] == "" {
			dst = r.workspace
		}
		if n := with["name"]; n != "" {
			src, ok := r.store.artifacts[n]
			if !ok {
				fmt.Fprintf(&jr.log, "download-artifact: no artifact %q\n", n)
				return nil, false
			}
			copyTree(t, src, dst)
			return nil, true
		}
		for _, n := range sortedKeys(r.store.artifacts) {
			if m, _ := path.Match(with["pattern"], n); m || with["pattern"] == "" {
				to := filepath.Join(dst, n)
				if with["merge-multiple"] == "true" {
					to = dst
				}
				copyTree(t, r.store.artifacts[n], to)
			}
		}
		return nil, true
	case "actions/cache/restore":
		p := abs(with["path"])
		key := with["key"]
		if src, ok := r.store.cache[key]; ok {
			copyTree(t, src, p)
			return map[string]string{"cache-hit": "true", "cache-matched-key": key}, true
		}
		for _, prefix := range strings.Split(with["restore-keys"], "\n") {
			prefix = strings.TrimSpace(prefix)
			if prefix == "" {
				continue
			}
			for i := len(r.store.cacheKeys) - 1; i >= 0; i-- {
				if k := r.store.cacheKeys[i]; strings.HasPrefix(k, prefix) {
					copyTree(t, r.store.cache[k], p)
					return map[string]string{"cache-hit": "false", "cache-matched-key": k}, true
				}
			}
		}
		return map[string]string{"cache-hit": "false"}, true
	case "actions/cache/save":
		key := with["key"]
		if _, dup := r.store.cache[key]; dup {
			t.Errorf("cache/save: key %q already exists: GitHub would not replace it", key)
			return nil, true
		}
		src := abs(with["path"])
		if _, err := os.Stat(src); err != nil {
			t.Errorf("cache/save: nothing at %s", src)
			return nil, true
		}
		dst := filepath.Join(r.store.dir, "cache", strconv.Itoa(len(r.store.cacheKeys)))
		copyTree(t, src, dst)
		r.store.cache[key] = dst
		r.store.cacheKeys = append(r.store.cacheKeys, key)
		return nil, true
	}
	t.Fatalf("uses %q: the local runner has no stand-in for this action; add one", uses)
	return nil, false
}

// runComposite runs a composite action: its inputs from with (or their defaults), its
// steps in a context of their own, its outputs from its outputs: values.
func (r *ghRunner) runComposite(jr *jobRun, outer *exprCtx, dir string, with, stepEnv map[string]string) (map[string]string, bool) {
	t := r.t
	var act ghAction
	readYAML(t, filepath.Join(dir, "action.yml"), &act)
	if act.Runs.Using != "composite" {
		t.Fatalf("%s: runs.using is %q, not composite", dir, act.Runs.Using)
	}
	for k := range with {
		if _, ok := act.Inputs[k]; !ok {
			t.Fatalf("%s: with: %s is not an input of the action", dir, k)
		}
	}
	ctx := &exprCtx{contexts: map[string]any{}}
	for k, v := range outer.contexts {
		ctx.contexts[k] = v
	}
	inputs := map[string]any{}
	for k, in := range act.Inputs {
		v, ok := with[k]
		if !ok {
			v = in.Default
		}
		if in.Required && v == "" {
			t.Fatalf("%s: required input %s is empty", dir, k)
		}
		inputs[k] = v
	}
	ctx.contexts["inputs"] = inputs
	ctx.contexts["steps"] = map[string]any{}
	envCtx := map[string]any{}
	for k, v := range outer.contexts["env"].(map[string]any) {
		envCtx[k] = v
	}
	for k, v := range stepEnv {
		envCtx[k] = v
	}
	ctx.contexts["env"] = envCtx
	for i := range act.Runs.Steps {
		s := &act.Runs.Steps[i]
		if s.Run != "" && s.Shell == "" {
			t.Fatalf("%s: composite run: step %q needs shell:", dir, s.Name)
		}
		env := map[string]string{}
		for k, v := range stepEnv {
			env[k] = v
		}
		r.runStep(jr, ctx, s, env, "", dir)
	}
	outputs := map[string]string{}
	for k, o := range act.Outputs {
		v, err := interpolate(ctx, o.Value)
		if err != nil {
			t.Fatalf("%s: output %s: %v", dir, k, err)
		}
		outputs[k] = v
	}
	return outputs, !ctx.failed
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		return os.WriteFile(to, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copy %s to %s: %v", src, dst, err)
	}
}
