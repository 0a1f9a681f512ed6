package steps_test

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
	"time"

	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/reference"
	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/steps"
)

// The SHOULD rules of the update area cannot be proven by the kill matrix (a SHOULD
// never makes a target non-conformant), so each is proven able to warn here: the
// reference server sits behind a proxy that bends one answer the way a real server
// might, and the rule must come out WARN while the run stays CONFORMANT. Without
// tampering, every one of them passes.
func TestUpdateShouldRulesCanWarn(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite several times; the full pass covers it")
	}
	for _, tc := range []struct {
		name   string
		tags   string
		warns  string
		tamper func(next http.Handler) http.Handler
	}{
		{"untampered", "@SAM-UP-02,@SAM-UP-05,@SAM-UP-12,@SAM-UP-13,@SAM-UP-14,@SAM-UP-15", "", nil},
		{"415 answered as 400", "@SAM-UP-02", "SAM-UP-02", onPatch(func(_ []byte, rec *httptest.ResponseRecorder) {
			if rec.Code == http.StatusUnsupportedMediaType {
				rec.Code = http.StatusBadRequest
			}
		})},
		{"unsupported property answered 422", "@SAM-UP-05", "SAM-UP-05", onPatch(func(_ []byte, rec *httptest.ResponseRecorder) {
			if rec.Code == http.StatusBadRequest && strings.Contains(rec.Body.String(), "cannot be updated") {
				rec.Code = http.StatusUnprocessableEntity
			}
		})},
		{"rotation answered without the password", "@SAM-UP-12", "SAM-UP-12", onPatch(func(_ []byte, rec *httptest.ResponseRecorder) {
			var m map[string]any
			if rec.Code == http.StatusOK && json.Unmarshal(rec.Body.Bytes(), &m) == nil {
				delete(m, "password")
				out, _ := json.Marshal(m)
				rec.Body = bytes.NewBuffer(out)
			}
		})},
		{"reviving a TERMINATED access answered 200", "@SAM-UP-13", "SAM-UP-13", reviveAnswered200},
		{"a repeated PATCH refused", "@SAM-UP-14", "SAM-UP-14", refuseRepeats()},
		{"duplicate keys resolved, last wins", "@SAM-UP-15", "SAM-UP-15", lastKeyWins},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runBehind(t, tc.tamper, tc.tags)
			if res.Overall != verdict.PassedPartial {
				t.Fatalf("verdict %s, want PASSED-PARTIAL (a selection that found nothing wrong): a SHOULD never blocks", res.Overall)
			}
			for _, r := range res.Requirements {
				unselected := r.Status == verdict.Skip && strings.HasPrefix(r.Reason, verdict.OutOfScopePrefix)
				if !strings.HasPrefix(r.ID, "SAM-UP-") || unselected {
					continue
				}
				want := verdict.Pass
				if r.ID == tc.warns {
					want = verdict.Warn
				}
				if r.Status != want {
					t.Errorf("%s is %s, want %s (%v)", r.ID, r.Status, want, r.Findings)
				}
			}
		})
	}
}

// onPatch rewrites the reference server's answers to PATCH requests.
func onPatch(edit func(reqBody []byte, rec *httptest.ResponseRecorder)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPatch {
				next.ServeHTTP(w, r)
				return
			}
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			edit(body, rec)
			replay(w, rec)
		})
	}
}

func replay(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// reviveAnswered200 answers a refused revival of a TERMINATED access with 200 and the
// access as it is (still TERMINATED): a server that ignores the request silently.
func reviveAnswered200(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if r.Method == http.MethodPatch && rec.Code == http.StatusConflict {
			read := r.Clone(r.Context())
			read.Method, read.Body, read.ContentLength = http.MethodGet, http.NoBody, 0
			rec = httptest.NewRecorder()
			next.ServeHTTP(rec, read)
		}
		replay(w, rec)
	})
}

// refuseRepeats answers 409 to a PATCH that repeats an earlier one byte for byte.
func refuseRepeats() func(http.Handler) http.Handler {
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
	)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPatch {
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				key := r.URL.Path + "\x00" + string(body)
				mu.Lock()
				again := seen[key]
				seen[key] = true
				mu.Unlock()
				if again {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusConflict)
					_, _ = io.WriteString(w, `{"code":"CONFLICT","reason":"Conflict","message":"already applied"}`)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// lastKeyWins re-encodes a PATCH body through a map, as encoding/json resolves
// repeated keys: the server never sees the duplicate.
func lastKeyWins(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			body, _ := io.ReadAll(r.Body)
			var m map[string]any
			if json.Unmarshal(body, &m) == nil {
				body, _ = json.Marshal(m)
			}
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		next.ServeHTTP(w, r)
	})
}

// runBehind runs the selected scenarios against a fresh reference server behind the
// tampering proxy, as a vendor run (fixtures file, token from the environment).
func runBehind(t *testing.T, tamper func(http.Handler) http.Handler, tags string) *verdict.Results {
	t.Helper()
	const token, secondToken = "should-test-token-primary", "should-test-token-secondary"
	primary, secondary := reference.DefaultTenants()
	srv, err := reference.New(context.Background(), reference.Options{Seed: 1, Tokens: map[string]string{primary: token, secondary: secondToken}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	var h http.Handler = srv.Handler()
	if tamper != nil {
		h = tamper(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)

	dir := t.TempDir()
	fx := srv.Fixtures(ts.URL)
	fx.Tenants.Primary = config.Tenant{Name: primary, TokenEnv: "TEST_TOKEN"}
	fx.Tenants.Secondary = &config.Tenant{Name: secondary, TokenEnv: "TEST_TOKEN_2"}
	data, err := fx.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "fixtures.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := runner.Run(ctx, runner.Options{
		Target: ts.URL, FixturesPath: path, Tags: tags, Scope: steps.Scope{AllowDestructive: true},
		Getenv: func(k string) string { return map[string]string{"TEST_TOKEN": token, "TEST_TOKEN_2": secondToken}[k] },
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
