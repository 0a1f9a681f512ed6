package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/reference"
)

// vendorServer is the reference server run as a vendor target: the test knows its
// tokens, and wrap may observe or disturb the traffic.
type vendorServer struct {
	url, fixtures string
}

func newVendor(t *testing.T, tokens [2]string, wrap func(http.Handler) http.Handler, faults ...string) *vendorServer {
	t.Helper()
	primary, secondary := reference.DefaultTenants()
	srv, err := reference.New(context.Background(), reference.Options{Seed: 1, Faults: faults, Tokens: map[string]string{primary: tokens[0], secondary: tokens[1]}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	h := srv.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	fx := srv.Fixtures(ts.URL)
	fx.Tenants.Primary = config.Tenant{Name: primary, TokenEnv: "ACCESSCTK_TOKEN"}
	// The second tenant's token comes from a file, the other way the fixtures allow.
	second := filepath.Join(dir, "second.token")
	if err := os.WriteFile(second, []byte(tokens[1]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fx.Tenants.Secondary = &config.Tenant{Name: secondary, TokenFile: second}
	data, err := fx.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "fixtures.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return &vendorServer{url: ts.URL, fixtures: path}
}

// passwordCapture records every "password" value the harness sends.
type passwordCapture struct {
	mu   sync.Mutex
	seen []string
}

func (c *passwordCapture) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var v any
			if json.Unmarshal(body, &v) == nil {
				c.mu.Lock()
				c.seen = append(c.seen, passwordsIn(v)...)
				c.mu.Unlock()
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (c *passwordCapture) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.seen...)
}

func passwordsIn(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if s, ok := c.(string); ok && strings.EqualFold(k, "password") {
				out = append(out, s)
			}
			out = append(out, passwordsIn(c)...)
		}
	case []any:
		for _, c := range x {
			out = append(out, passwordsIn(c)...)
		}
	}
	return out
}

// TestNoSecretInReportsOrOutput extends runner's TestNoSecretInOutput to everything a
// user sees: the whole suite runs through the CLI against a vendor target with known
// tokens (one from the environment, one from a file) while the test records every
// password the harness sends (the update scenarios rotate them); then every file in
// the report directory, everything printed (summary, progress, debug log) and the
// --json output are searched. None of the secrets may appear.
func TestNoSecretInReportsOrOutput(t *testing.T) {
	tokens := [2]string{"tok-primary-7c1e9a0f3b2d4e6a", "tok-secondary-0d9b8c7a6f5e4d3c"}
	var capture passwordCapture
	dir := t.TempDir()
	env := map[string]string{"ACCESSCTK_TOKEN": tokens[0]}
	var printed strings.Builder
	for _, extra := range [][]string{
		{"--allow-destructive", "--out", dir, "--rerun-failed", "1", "--verbose"},
		{"--tags", "@mutating", "--out", filepath.Join(dir, "json"), "--json"},
	} {
		// Each run gets a fresh server: a run uses up its disposable fixtures.
		v := newVendor(t, tokens, capture.wrap)
		args := append([]string{"run", "--target", v.url, "--fixtures", v.fixtures}, extra...)
		code, stdout, stderr := invocation{env: env, args: args, terminal: true}.run(t)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
		printed.WriteString(stdout + stderr)
	}
	passwords := capture.all()
	if len(passwords) < 3 {
		t.Fatalf("the suite sent %d passwords: the update scenarios that rotate passwords did not run", len(passwords))
	}
	secrets := append([]string{tokens[0], tokens[1]}, passwords...)
	check := func(where, text string) {
		for _, s := range secrets {
			if len(s) >= 8 && strings.Contains(text, s) {
				t.Errorf("a secret (%d bytes) appears in %s", len(s), where)
			}
		}
	}
	check("what the CLI printed", printed.String())
	files := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		check(path, string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != 10 {
		t.Errorf("searched %d report files, want 5 formats × 2 runs", files)
	}
}

// failOnce answers 500 to the first request the server would have answered 404.
func failOnce(next http.Handler) http.Handler {
	var once sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		fail := false
		if rec.Code == http.StatusNotFound {
			once.Do(func() { fail = true })
		}
		if fail {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":"injected once"}`))
			return
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// A scenario that fails and then passes on a rerun is FLAKY in every format, and the
// run is INCOMPLETE (exit 3), not a pass.
func TestFlakyInEveryFormat(t *testing.T) {
	tokens := [2]string{"tok-flaky-primary-0123", "tok-flaky-secondary-4567"}
	v := newVendor(t, tokens, failOnce)
	dir := t.TempDir()
	code, stdout, stderr := invocation{env: map[string]string{"ACCESSCTK_TOKEN": tokens[0]},
		args: []string{"run", "--target", v.url, "--fixtures", v.fixtures, "--tags", "@SAM-RD-02", "--rerun-failed", "2", "--out", dir}}.run(t)
	if code != 3 || !strings.Contains(stdout, "SAM-RD-02   MUST   FLAKY") || !strings.Contains(stdout, "Verdict: INCOMPLETE") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "rerun 1 [1/1 ") {
		t.Errorf("progress does not show the rerun:\n%s", stderr)
	}
	for file, want := range map[string]string{
		"results.json":  `"outcome": "flaky"`,
		"junit.xml":     `type="flaky"`,
		"cucumber.json": `"name": "@flaky"`,
		"report.html":   `data-status="FLAKY"`,
		"summary.md":    "**SAM-RD-02** MUST **FLAKY**",
	} {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil || !strings.Contains(string(data), want) {
			t.Errorf("%s does not mark the flaky scenario (%q): %v", file, want, err)
		}
	}
}
