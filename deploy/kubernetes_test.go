package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const (
	k8sShardsFile = "deploy/kubernetes/accessctk-shards.yaml"
	k8sMergeFile  = "deploy/kubernetes/accessctk-merge.yaml"
)

type k8sEnv struct {
	Name      string `yaml:"name"`
	Value     string `yaml:"value"`
	ValueFrom *struct {
		SecretKeyRef *struct {
			Name string `yaml:"name"`
			Key  string `yaml:"key"`
		} `yaml:"secretKeyRef"`
	} `yaml:"valueFrom"`
}

type k8sSecurityContext struct {
	RunAsNonRoot             *bool  `yaml:"runAsNonRoot"`
	RunAsUser                *int64 `yaml:"runAsUser"`
	RunAsGroup               *int64 `yaml:"runAsGroup"`
	AllowPrivilegeEscalation *bool  `yaml:"allowPrivilegeEscalation"`
}

type k8sContainer struct {
	Name            string             `yaml:"name"`
	Image           string             `yaml:"image"`
	Command         []string           `yaml:"command"`
	Args            []string           `yaml:"args"`
	Env             []k8sEnv           `yaml:"env"`
	SecurityContext k8sSecurityContext `yaml:"securityContext"`
	VolumeMounts    []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

type k8sObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		// Job
		CompletionMode string `yaml:"completionMode"`
		Completions    *int   `yaml:"completions"`
		Parallelism    *int   `yaml:"parallelism"`
		Template       struct {
			Spec struct {
				RestartPolicy   string             `yaml:"restartPolicy"`
				SecurityContext k8sSecurityContext `yaml:"securityContext"`
				Containers      []k8sContainer     `yaml:"containers"`
				Volumes         []struct {
					Name                  string `yaml:"name"`
					PersistentVolumeClaim *struct {
						ClaimName string `yaml:"claimName"`
					} `yaml:"persistentVolumeClaim"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
		// PersistentVolumeClaim
		AccessModes []string `yaml:"accessModes"`
	} `yaml:"spec"`
}

func readManifests(t *testing.T, file string) []k8sObject {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var objs []k8sObject
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var o k8sObject
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if o.APIVersion == "" || o.Kind == "" || o.Metadata.Name == "" {
			t.Fatalf("%s: a document without apiVersion, kind or metadata.name", file)
		}
		objs = append(objs, o)
	}
	return objs
}

// job returns the one Job of objs and its one container.
func job(t *testing.T, objs []k8sObject) (*k8sObject, *k8sContainer) {
	t.Helper()
	var j *k8sObject
	for i := range objs {
		if objs[i].Kind == "Job" {
			if j != nil {
				t.Fatal("more than one Job")
			}
			j = &objs[i]
		}
	}
	if j == nil || j.APIVersion != "batch/v1" {
		t.Fatal("no batch/v1 Job")
	}
	if n := len(j.Spec.Template.Spec.Containers); n != 1 {
		t.Fatalf("job %s has %d containers, want 1", j.Metadata.Name, n)
	}
	return j, &j.Spec.Template.Spec.Containers[0]
}

func (c *k8sContainer) env(name string) *k8sEnv {
	for i := range c.Env {
		if c.Env[i].Name == name {
			return &c.Env[i]
		}
	}
	return nil
}

// checkPod checks what both Jobs' pods must hold: not root, no privilege escalation,
// never restarted, tokens only from Secrets, the reports on the shared claim.
func checkPod(t *testing.T, j *k8sObject, c *k8sContainer, uid int) (claim string) {
	t.Helper()
	pod := j.Spec.Template.Spec
	sc := pod.SecurityContext
	if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
		t.Errorf("%s: the pod must set runAsNonRoot: true and a non-zero runAsUser", j.Metadata.Name)
	} else if *sc.RunAsUser != int64(uid) {
		t.Errorf("%s: runAsUser %d is not the image's USER %d", j.Metadata.Name, *sc.RunAsUser, uid)
	}
	if p := c.SecurityContext.AllowPrivilegeEscalation; p == nil || *p {
		t.Errorf("%s: allowPrivilegeEscalation must be false", j.Metadata.Name)
	}
	if pod.RestartPolicy != "Never" {
		t.Errorf("%s: restartPolicy %q: a run must not be repeated by the kubelet (fixtures change once per run)", j.Metadata.Name, pod.RestartPolicy)
	}
	for _, e := range c.Env {
		if strings.Contains(strings.ToUpper(e.Name), "TOKEN") && (e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
			t.Errorf("%s: %s must come from a Secret (valueFrom.secretKeyRef), never a literal", j.Metadata.Name, e.Name)
		}
	}
	script := strings.Join(append(append([]string{}, c.Command...), c.Args...), " ")
	if strings.Contains(strings.ToLower(script), "token") {
		t.Errorf("%s: the command line mentions a token", j.Metadata.Name)
	}
	reports := c.env("REPORTS")
	if reports == nil {
		t.Fatalf("%s: no REPORTS variable", j.Metadata.Name)
	}
	for _, m := range c.VolumeMounts {
		if m.MountPath == reports.Value {
			for _, v := range pod.Volumes {
				if v.Name == m.Name && v.PersistentVolumeClaim != nil {
					claim = v.PersistentVolumeClaim.ClaimName
				}
			}
		}
	}
	if claim == "" {
		t.Errorf("%s: %s is not a mounted PersistentVolumeClaim", j.Metadata.Name, reports.Value)
	}
	return claim
}

var shardArg = regexp.MustCompile(`--shard "?\$\(\(\s*JOB_COMPLETION_INDEX\s*\+\s*1\s*\)\)/\$\{?SHARDS\}?"?`)

// TestKubernetesManifests checks the Indexed Job and the merge Job structurally, runs
// each pod's command here (the shards one per completion index, then the merge) against
// the embedded reference server as the pods' user, and requires the merged verdicts to
// be a whole run's. If kubectl is installed it also has it read both files (client-side
// dry run, against a stand-in API server that only answers discovery).
func TestKubernetesManifests(t *testing.T) {
	root := repoRoot(t)
	uid := dockerfileFacts(t).uid
	shardObjs := readManifests(t, filepath.Join(root, k8sShardsFile))
	mergeObjs := readManifests(t, filepath.Join(root, k8sMergeFile))

	sj, sc := job(t, shardObjs)
	if sj.Spec.CompletionMode != "Indexed" {
		t.Errorf("completionMode %q, want Indexed", sj.Spec.CompletionMode)
	}
	shards := sc.env("SHARDS")
	if shards == nil {
		t.Fatal("no SHARDS variable")
	}
	n, err := strconv.Atoi(shards.Value)
	if err != nil || n < 2 {
		t.Fatalf("SHARDS %q", shards.Value)
	}
	if sj.Spec.Completions == nil || sj.Spec.Parallelism == nil || *sj.Spec.Completions != n || *sj.Spec.Parallelism != n {
		t.Errorf("completions and parallelism must both be SHARDS (%d)", n)
	}
	script := strings.Join(sc.Args, " ")
	if len(sc.Command) == 0 || !strings.HasSuffix(sc.Command[0], "sh") || !shardArg.MatchString(script) {
		t.Errorf("the shard pod must run through a shell with --shard \"$((JOB_COMPLETION_INDEX + 1))/$SHARDS\": %q %q", sc.Command, script)
	}
	if tok := sc.env("ACCESSCTK_TOKEN"); tok == nil || tok.ValueFrom == nil || tok.ValueFrom.SecretKeyRef == nil {
		t.Errorf("ACCESSCTK_TOKEN must come from a secretKeyRef")
	}
	claim := checkPod(t, sj, sc, uid)
	var pvcOK bool
	for _, o := range shardObjs {
		if o.Kind == "PersistentVolumeClaim" && o.Metadata.Name == claim {
			for _, m := range o.Spec.AccessModes {
				pvcOK = pvcOK || m == "ReadWriteMany"
			}
		}
	}
	if !pvcOK {
		t.Errorf("the claim %q is not defined beside the Job as ReadWriteMany (the shards' pods may be on different nodes)", claim)
	}

	mj, mc := job(t, mergeObjs)
	if got := checkPod(t, mj, mc, uid); got != claim {
		t.Errorf("the merge Job mounts claim %q, the shards write to %q", got, claim)
	}
	if !strings.Contains(strings.Join(mc.Args, " "), "accessctk report merge") {
		t.Errorf("the merge Job does not run accessctk report merge: %q", mc.Args)
	}
	if sc.Image != mc.Image {
		t.Errorf("the two Jobs run different images: %s, %s", sc.Image, mc.Image)
	}
	if t.Failed() {
		return
	}

	// Run the pods' commands here: accessctk on PATH as in the image, the shared
	// volume a directory, the Secret's value the canary, no target (the embedded
	// reference server).
	bin := accessctkBin(t)
	if os.Geteuid() == 0 {
		makeReachable(t, bin)
	}
	volume := sharedTempDir(t)
	podEnv := func(c *k8sContainer, extra ...string) []string {
		env := []string{"PATH=" + filepath.Dir(bin) + ":/usr/bin:/bin", "HOME=" + volume}
		for _, e := range c.Env {
			switch {
			case e.Name == "REPORTS":
				env = append(env, "REPORTS="+volume)
			case e.Name == "ACCESSCTK_TARGET" || e.Name == "FIXTURES_DIR":
				// The stand-in for the vendor's server: the embedded reference.
			case e.ValueFrom != nil:
				env = append(env, e.Name+"="+canary)
			default:
				env = append(env, e.Name+"="+e.Value)
			}
		}
		return append(env, extra...)
	}
	// With the vendor's settings, pod k reads its own fixtures file: a stand-in
	// accessctk that prints its arguments shows what the pod would run.
	fake := filepath.Join(t.TempDir(), "accessctk")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	dirEnv := sc.env("FIXTURES_DIR")
	if dirEnv == nil || dirEnv.Value == "" {
		t.Fatal("no FIXTURES_DIR: parallel shards against one server need a fixtures file each")
	}
	probe := exec.Command(sc.Command[0], append(sc.Command[1:], sc.Args...)...)
	probe.Env = []string{"PATH=" + filepath.Dir(fake) + ":/usr/bin:/bin", "JOB_COMPLETION_INDEX=2",
		"SHARDS=" + shards.Value, "REPORTS=/reports", "FIXTURES_DIR=" + dirEnv.Value}
	out, err := probe.CombinedOutput()
	if err != nil {
		t.Fatalf("pod 2's command with a stand-in accessctk: %v\n%s", err, out)
	}
	want := strings.Join([]string{"run", "--shard", "3/" + shards.Value, "--out", "/reports/shard-3",
		"--fixtures", dirEnv.Value + "/fixtures-3.yaml"}, "\n") + "\n"
	if string(out) != want {
		t.Errorf("pod 2 would run:\n%swant:\n%s", out, want)
	}

	for k := 0; k < n; k++ {
		cmd := exec.Command(sc.Command[0], append(sc.Command[1:], sc.Args...)...)
		cmd.Env = podEnv(sc, "JOB_COMPLETION_INDEX="+strconv.Itoa(k))
		cmd.Dir = volume
		asUser(t, cmd, uid, uid)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("pod %d: %v\n%s", k, err, out)
		}
		noCanary(t, "", string(out))
		if _, err := os.Stat(filepath.Join(volume, fmt.Sprintf("shard-%d", k+1), "results.json")); err != nil {
			t.Errorf("pod %d wrote no shard-%d/results.json", k, k+1)
		}
	}
	cmd := exec.Command(mc.Command[0], append(mc.Command[1:], mc.Args...)...)
	cmd.Env = podEnv(mc)
	cmd.Dir = volume
	asUser(t, cmd, uid, uid)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("merge pod: %v\n%s", err, out)
	}
	noCanary(t, volume)
	whole, _ := wholeRun(t)
	sameVerdicts(t, whole, readVerdicts(t, filepath.Join(volume, "merged", "results.json")))

	kubectlDryRun(t, filepath.Join(root, k8sShardsFile), filepath.Join(root, k8sMergeFile))
}

// kubectlDryRun has kubectl, where installed, read the manifests as it would apply
// them (client-side dry run, no validation against a schema). kubectl still asks an
// API server which kinds exist; a stand-in on loopback answers that and nothing else.
func kubectlDryRun(t *testing.T, files ...string) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Log("kubectl not installed: the manifests are checked by the test alone")
		return
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api":
			fmt.Fprint(w, `{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]}`)
		case "/apis":
			fmt.Fprint(w, `{"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"batch","versions":[{"groupVersion":"batch/v1","version":"v1"}],"preferredVersion":{"groupVersion":"batch/v1","version":"v1"}}]}`)
		case "/api/v1":
			fmt.Fprint(w, `{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"v1","resources":[`+
				`{"name":"persistentvolumeclaims","singularName":"persistentvolumeclaim","namespaced":true,"kind":"PersistentVolumeClaim","verbs":["create","get","list","patch","delete"]},`+
				`{"name":"secrets","singularName":"secret","namespaced":true,"kind":"Secret","verbs":["create","get","list","patch","delete"]},`+
				`{"name":"configmaps","singularName":"configmap","namespaced":true,"kind":"ConfigMap","verbs":["create","get","list","patch","delete"]}]}`)
		case "/apis/batch/v1":
			fmt.Fprint(w, `{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"batch/v1","resources":[`+
				`{"name":"jobs","singularName":"job","namespaced":true,"kind":"Job","verbs":["create","get","list","patch","delete"]}]}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`)
		}
	}))
	defer srv.Close()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := "apiVersion: v1\nkind: Config\nclusters:\n- name: stand-in\n  cluster:\n    server: " + srv.URL +
		"\ncontexts:\n- name: stand-in\n  context:\n    cluster: stand-in\n    namespace: accessctk\ncurrent-context: stand-in\nusers: []\n"
	if err := os.WriteFile(kubeconfig, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		cmd := exec.Command(kubectl, "apply", "--dry-run=client", "--validate=false", "-f", f,
			"--kubeconfig", kubeconfig, "--cache-dir", t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("kubectl apply --dry-run=client -f %s: %v\n%s", filepath.Base(f), err, out)
			continue
		}
		if !strings.Contains(string(out), "job.batch/") || !strings.Contains(string(out), "(dry run)") {
			t.Errorf("kubectl apply --dry-run=client -f %s did not create a Job:\n%s", filepath.Base(f), out)
		}
		t.Logf("kubectl: %s", strings.TrimSpace(string(out)))
	}
}
