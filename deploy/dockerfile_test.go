package deploy

import (
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// dockerInstr is one Dockerfile instruction, continuation lines joined.
type dockerInstr struct {
	cmd, args string
	line      int
}

type dockerStage struct {
	from, name string
	instrs     []dockerInstr
}

// parseDockerfile returns the global ARGs before the first FROM and the stages.
func parseDockerfile(t *testing.T, file string) (globalArgs []dockerInstr, stages []*dockerStage) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cur strings.Builder
	start := 0
	for i, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur.Len() == 0) {
			continue
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		cur.Reset()
		in := dockerInstr{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args), line: start}
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			st := &dockerStage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			}
			stages = append(stages, st)
			continue
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Fatalf("%s:%d: %s before the first FROM", file, in.line, in.cmd)
			}
			globalArgs = append(globalArgs, in)
			continue
		}
		stages[len(stages)-1].instrs = append(stages[len(stages)-1].instrs, in)
	}
	return globalArgs, stages
}

func (s *dockerStage) all(cmd string) []dockerInstr {
	var out []dockerInstr
	for _, in := range s.instrs {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

func (s *dockerStage) last(cmd string) string {
	v := ""
	for _, in := range s.all(cmd) {
		v = in.args
	}
	return v
}

// imageFacts are what the Dockerfile says the image is.
type imageFacts struct {
	build, final *dockerStage
	binary       string   // where the final stage puts the binary
	entrypoint   []string // exec form
	cmd          []string
	uid, gid     int
	env          map[string]string // the final stage's ENV
	workdir      string
}

var envPair = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)`)

// TestDockerfile checks the image's invariants statically: a multi-stage build whose
// build stage makes a static, trimmed binary (CGO_ENABLED=0, -trimpath) and whose
// last stage is a minimal base running that binary as a non-root user.
func TestDockerfile(t *testing.T) {
	f := dockerfileFacts(t)
	if f.uid == 0 || f.gid == 0 {
		t.Errorf("the image runs as uid %d gid %d: it must not be root", f.uid, f.gid)
	}
	if len(f.entrypoint) == 0 || f.entrypoint[0] != f.binary {
		t.Errorf("ENTRYPOINT %v is not the binary %s", f.entrypoint, f.binary)
	}
	if len(f.cmd) == 0 || f.cmd[0] != "run" {
		t.Errorf("CMD %v: `docker run IMAGE` must run the certification", f.cmd)
	}
	if f.env["ACCESSCTK_OUT"] == "" || f.workdir != f.env["ACCESSCTK_OUT"] {
		t.Errorf("the report directory (ACCESSCTK_OUT %q) must be the WORKDIR (%q), the volume's mount point", f.env["ACCESSCTK_OUT"], f.workdir)
	}
	for _, s := range []*dockerStage{f.build, f.final} {
		for _, in := range s.all("ADD") {
			t.Errorf("line %d: ADD (use COPY)", in.line)
		}
	}
	ignore, err := os.ReadFile(filepath.Join(repoRoot(t), ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".git", "bin/", "accessctk-report/"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(want) + `$`).Match(ignore) {
			t.Errorf(".dockerignore does not exclude %s", want)
		}
	}
	// Everything the binary embeds must stay in the context.
	for _, keep := range []string{"*.md", "*.feature", "*.yaml", "*.json", "*.tmpl"} {
		if regexp.MustCompile(`(?m)^\*\*?/?` + regexp.QuoteMeta(keep) + `$`).Match(ignore) {
			t.Errorf(".dockerignore drops %s, which the binary embeds", keep)
		}
	}
}

func dockerfileFacts(t *testing.T) imageFacts {
	t.Helper()
	file := filepath.Join(repoRoot(t), "Dockerfile")
	globals, stages := parseDockerfile(t, file)
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stage(s): it must be multi-stage", len(stages))
	}
	var f imageFacts
	f.final = stages[len(stages)-1]
	for _, s := range stages {
		if s.name == "build" {
			f.build = s
		}
	}
	if f.build == nil {
		t.Fatal("no stage named build")
	}
	// The build stage's base: Go 1.26, named through an ARG with a pinned default.
	base := f.build.from
	for _, a := range globals {
		if name, def, ok := strings.Cut(a.args, "="); ok && "${"+name+"}" == base {
			base = def
		}
	}
	if !strings.HasPrefix(base, "golang:1.26") {
		t.Errorf("build stage base %q is not golang:1.26", base)
	}
	if f.final.from != "scratch" && !strings.HasPrefix(f.final.from, "gcr.io/distroless/static") {
		t.Errorf("final stage base %q is not minimal (scratch or distroless/static)", f.final.from)
	}
	buildEnv := map[string]string{}
	for _, in := range f.build.all("ENV") {
		for _, m := range envPair.FindAllStringSubmatch(in.args, -1) {
			buildEnv[m[1]] = strings.Trim(m[2], `"`)
		}
	}
	if buildEnv["CGO_ENABLED"] != "0" {
		t.Errorf("build stage ENV CGO_ENABLED is %q, want 0", buildEnv["CGO_ENABLED"])
	}
	var goBuild string
	for _, in := range f.build.all("RUN") {
		if strings.Contains(in.args, "go build") {
			goBuild = in.args
		}
	}
	if !strings.Contains(goBuild, "./cmd/accessctk") || !strings.Contains(goBuild, "-o /out/accessctk") {
		t.Errorf("no `go build -o /out/accessctk ./cmd/accessctk` in the build stage: %q", goBuild)
	}
	if !strings.Contains(buildEnv["GOFLAGS"], "-trimpath") && !strings.Contains(goBuild, "-trimpath") {
		t.Errorf("the build is not -trimpath")
	}
	for _, in := range f.final.all("COPY") {
		fields := strings.Fields(in.args)
		if len(fields) >= 3 && fields[0] == "--from=build" && fields[len(fields)-2] == "/out/accessctk" {
			f.binary = fields[len(fields)-1]
		}
	}
	if f.binary == "" {
		t.Fatal("the final stage does not COPY --from=build /out/accessctk")
	}
	user := f.final.last("USER")
	uid, gid, _ := strings.Cut(user, ":")
	var err error
	if f.uid, err = strconv.Atoi(uid); err != nil {
		t.Fatalf("USER %q: give a numeric uid (Kubernetes' runAsNonRoot can only check a number)", user)
	}
	if f.gid, err = strconv.Atoi(gid); err != nil {
		t.Fatalf("USER %q: give a numeric uid:gid", user)
	}
	if err := json.Unmarshal([]byte(f.final.last("ENTRYPOINT")), &f.entrypoint); err != nil {
		t.Errorf("ENTRYPOINT is not in exec (JSON) form: %v", err)
	}
	if err := json.Unmarshal([]byte(f.final.last("CMD")), &f.cmd); err != nil {
		t.Errorf("CMD is not in exec (JSON) form: %v", err)
	}
	f.env = map[string]string{}
	for _, in := range f.final.all("ENV") {
		for _, m := range envPair.FindAllStringSubmatch(in.args, -1) {
			f.env[m[1]] = strings.Trim(m[2], `"`)
		}
	}
	f.workdir = f.final.last("WORKDIR")
	return f
}

// TestImageEquivalent does without Docker what the image does: it runs the build
// stage's ARG defaults, ENV and every RUN that makes or checks /out/accessctk, as
// written, in the repository (the build context), checks the binary is static, then
// runs the final stage's ENTRYPOINT and CMD with its ENV and WORKDIR (paths moved under
// a temporary directory) as its non-root USER when this test runs as root, and as the
// current user otherwise. The embedded reference server must come out CONFORMANT.
func TestImageEquivalent(t *testing.T) {
	f := dockerfileFacts(t)
	root := repoRoot(t)
	dir := sharedTempDir(t)
	var script strings.Builder
	script.WriteString("set -e\n")
	for _, in := range f.build.all("ARG") {
		if strings.Contains(in.args, "=") {
			script.WriteString("export " + in.args + "\n")
		}
	}
	for _, in := range f.build.all("ENV") {
		script.WriteString("export " + in.args + "\n")
	}
	ran := 0
	for _, in := range f.build.all("RUN") {
		if strings.Contains(in.args, "/out/accessctk") {
			script.WriteString(strings.ReplaceAll(in.args, "/out/", dir+"/out/") + "\n")
			ran++
		}
	}
	if ran < 2 {
		t.Fatalf("expected the build and its static check among the build stage's RUNs, found %d", ran)
	}
	cmd := exec.Command("sh", "-c", script.String())
	cmd.Dir = root
	cmd.Env = cleanEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the build stage, run here, failed: %v\n%s\nscript:\n%s", err, out, script.String())
	}
	bin := filepath.Join(dir, "out", "accessctk")
	assertStatic(t, bin)

	// The final stage: its file system is moved under dir.
	reports := filepath.Join(dir, strings.TrimPrefix(f.workdir, "/"))
	home := filepath.Join(dir, "home")
	for _, d := range []string{reports, home} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	run := exec.Command(bin, f.cmd...)
	run.Dir = reports
	run.Env = []string{"PATH=" + filepath.Dir(bin) + ":/usr/bin:/bin", "HOME=" + home}
	for k, v := range f.env {
		switch k {
		case "PATH", "HOME":
		case "ACCESSCTK_OUT":
			run.Env = append(run.Env, k+"="+reports)
		default:
			run.Env = append(run.Env, k+"="+v)
		}
	}
	asUser(t, run, f.uid, f.gid)
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("the image's command failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Verdict: CONFORMANT") {
		t.Fatalf("no CONFORMANT verdict:\n%s", out)
	}
	info, err := os.Stat(filepath.Join(reports, "results.json"))
	if err != nil {
		t.Fatalf("no results.json in the report directory: %v", err)
	}
	if os.Geteuid() == 0 {
		if st := info.Sys().(*syscall.Stat_t); int(st.Uid) != f.uid {
			t.Errorf("results.json is owned by uid %d, not the image's user %d", st.Uid, f.uid)
		}
	}
}

// assertStatic fails unless bin is a static ELF built without cgo and with -trimpath.
func assertStatic(t *testing.T, bin string) {
	t.Helper()
	ef, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s has a %v program header: it is dynamically linked", bin, p.Type)
		}
	}
	if libs, _ := ef.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v", bin, libs)
	}
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "0" || settings["-trimpath"] != "true" {
		t.Errorf("build settings CGO_ENABLED=%q -trimpath=%q, want 0 and true", settings["CGO_ENABLED"], settings["-trimpath"])
	}
}

// sharedTempDir is a temporary directory that another user can use too.
func sharedTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "accessctk-deploy-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// asUser makes cmd run as uid:gid with no supplementary groups (what
// `setpriv --reuid --regid --clear-groups` does) when this process is root; otherwise
// it runs as the current user, who is not root either.
func asUser(t *testing.T, cmd *exec.Cmd, uid, gid int) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{
		Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{},
	}}
	makeReachable(t, cmd.Path)
}

// makeReachable lets every user reach file: it opens the temporary directories
// (made by these tests) on its way to search and read.
func makeReachable(t *testing.T, file string) {
	t.Helper()
	tmp := filepath.Clean(os.TempDir())
	for d := filepath.Dir(file); strings.HasPrefix(d, tmp+"/"); d = filepath.Dir(d) {
		if info, err := os.Stat(d); err == nil && info.Mode().Perm()&0o005 != 0o005 {
			if err := os.Chmod(d, info.Mode().Perm()|0o005); err != nil {
				t.Fatal(err)
			}
		}
	}
}
