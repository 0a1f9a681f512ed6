package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/reference"
	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/reports"
	"github.com/accessctk/accessctk/steps"
)

func embedded(t *testing.T, faults ...string) *verdict.Results {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := runner.Run(ctx, runner.Options{
		Scope:         steps.Scope{AllowDestructive: true},
		Faults:        faults,
		Seed:          1,
		TaskStepDelay: 2 * time.Millisecond,
		TaskTimeout:   taskTimeout(faults...),
		Getenv:        func(string) string { return "" },
		Version:       "test",
	})
	if err != nil {
		t.Fatalf("run with faults %v: %v", faults, err)
	}
	return res
}

// taskTimeout bounds the wait for each batch task of a test run. The reference ends a
// task in milliseconds with fast task steps, but a loaded machine may take seconds,
// and reaching the timeout fails the run: so the timeout is far beyond any machine's
// pace, except for the fault that leaves tasks unfinished, which only the timeout can
// judge (a slow machine reaches it no differently), where a short one keeps the kill
// matrix fast.
func taskTimeout(faults ...string) time.Duration {
	if slices.Contains(faults, "batch-task-stuck") {
		return 2 * time.Second
	}
	return time.Minute
}

func summary(t *testing.T, res *verdict.Results) string {
	t.Helper()
	var b strings.Builder
	if err := reports.WriteText(&b, res); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The reference server is the suite's model of a conformant target: every rule the
// suite checks must pass on it, with no warning, skip or error.
func TestEmbeddedRunIsConformant(t *testing.T) {
	res := embedded(t)
	if res.Overall != verdict.Conformant {
		t.Fatalf("verdict %s, want CONFORMANT\n%s", res.Overall, summary(t, res))
	}
	for _, r := range res.Requirements {
		switch r.Status {
		case verdict.Pass, verdict.NotCovered:
		default:
			t.Errorf("%s is %s on the reference server: %s", r.ID, r.Status, r.Reason)
		}
	}
	for _, s := range res.Scenarios {
		if s.Outcome != verdict.Passed {
			t.Errorf("scenario %q %s: %s", s.Name, s.Outcome, s.Message)
		}
	}
}

// TestKillMatrix proves every check can fail: for each deliberate fault of the
// reference server the whole suite must come out NON-CONFORMANT and name the
// requirement the fault breaks.
func TestKillMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("the kill matrix runs in the full (non-race) pass of make test; -short leaves it out")
	}
	faults := reference.Faults()
	if len(faults) == 0 {
		t.Fatal("the reference server registers no faults")
	}
	for _, f := range faults {
		t.Run(f.Name, func(t *testing.T) {
			// Each run has its own embedded server, client and suite: runs share
			// nothing, and on two cores one run's waits leave room for another's work.
			t.Parallel()
			res := embedded(t, f.Name)
			failed := verdict.FailedRequirements(res.Requirements)
			if res.Overall != verdict.NonConformant || !slices.Contains(failed, f.Requirement) {
				t.Fatalf("fault %s (%s: %s) not caught: verdict %s, failed %v\n%s",
					f.Name, f.Requirement, f.Summary, res.Overall, failed, summary(t, res))
			}
		})
	}
}

// Every MUST requirement the suite covers needs a fault that proves its check can fail.
func TestEveryCoveredMustHasAFault(t *testing.T) {
	res := embedded(t)
	faulted := map[string]bool{}
	for _, f := range reference.Faults() {
		faulted[f.Requirement] = true
	}
	for _, r := range res.Requirements {
		if r.Level == verdict.Must && r.Status == verdict.Pass && !faulted[r.ID] && !automatic[r.ID] {
			t.Errorf("%s passes but no reference fault proves its check can fail", r.ID)
		}
	}
}

// automatic names the requirements checked on every response rather than by a scenario;
// their faults come with the suites that provoke them.
var automatic = map[string]bool{"SAM-CM-02": true, "SAM-CM-05": true}

func TestUnreachableTargetIsExit3(t *testing.T) {
	_, err := runner.Run(context.Background(), runner.Options{Target: "http://127.0.0.1:1", Getenv: os.Getenv, RequestTimeout: 2 * time.Second})
	var re *runner.Error
	if !asRunnerError(err, &re) || re.Code != runner.ExitNotJudged || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("err = %v, want exit 3 naming the unreachable target", err)
	}
}

func asRunnerError(err error, re **runner.Error) bool {
	for err != nil {
		if e, ok := err.(*runner.Error); ok {
			*re = e
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// A vendor-style run: the test owns the server, so it knows the token and sees every
// password the harness sends; neither may appear in anything the run produces.
func TestNoSecretInOutput(t *testing.T) {
	const token, secondToken = "s3cr3t-token-primary-0123456789", "s3cr3t-token-secondary-9876543210"
	primary, secondary := reference.DefaultTenants()
	srv, err := reference.New(context.Background(), reference.Options{Seed: 1, Tokens: map[string]string{primary: token, secondary: secondToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var (
		mu        sync.Mutex
		passwords []string
	)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := capturePasswords(r)
		mu.Lock()
		passwords = append(passwords, got...)
		mu.Unlock()
		srv.Handler().ServeHTTP(w, r)
	}))
	defer ts.Close()

	dir := t.TempDir()
	fx := srv.Fixtures(ts.URL)
	fx.Tenants.Primary = config.Tenant{Name: primary, TokenEnv: "TEST_TOKEN"}
	fx.Tenants.Secondary = &config.Tenant{Name: secondary, TokenFile: filepath.Join(dir, "second.token")}
	if err := os.WriteFile(fx.Tenants.Secondary.TokenFile, []byte(secondToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := fx.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "fixtures.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(context.Background(), runner.Options{
		Target: ts.URL, FixturesPath: path, Scope: steps.Scope{AllowDestructive: true},
		Getenv: func(k string) string {
			if k == "TEST_TOKEN" {
				return token
			}
			return ""
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Overall != verdict.Conformant {
		t.Fatalf("verdict %s\n%s", res.Overall, summary(t, res))
	}
	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	out := summary(t, res) + string(js)
	mu.Lock()
	defer mu.Unlock()
	for _, secret := range append([]string{token, secondToken}, passwords...) {
		if len(secret) >= 8 && strings.Contains(out, secret) {
			t.Errorf("a secret (%d bytes) appears in the run's output", len(secret))
		}
	}
}

// capturePasswords returns every string "password" value in a request's JSON body and
// leaves the body readable for the server.
func capturePasswords(r *http.Request) []string {
	if r.Body == nil {
		return nil
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if s, ok := c.(string); ok && strings.EqualFold(k, "password") {
					out = append(out, s)
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(v)
	return out
}
