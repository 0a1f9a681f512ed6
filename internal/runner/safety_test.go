package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// vendorTarget is a reference server run the way a vendor's server is: behind a URL
// the test controls, with a fixtures file and tokens from the environment.
type vendorTarget struct {
	srv      *reference.Server
	url      string
	fixtures string
	tokens   map[string]string
	// accesses are the fixture ids the fixtures file names, every role.
	accesses map[string]bool
}

const vendorTokenEnv, vendorSecondEnv = "VENDOR_TOKEN", "VENDOR_SECOND_TOKEN"

// newVendorTarget starts a reference server with ref's options, serves it through
// serve (which gets the reference handler and returns the server's base URL), and
// writes its fixtures.
func newVendorTarget(t *testing.T, ref reference.Options, serve func(http.Handler) string) *vendorTarget {
	t.Helper()
	primary, secondary := reference.DefaultTenants()
	ref.Tokens = map[string]string{primary: "vendor-token-primary-0123456789", secondary: "vendor-token-secondary-9876543210"}
	if ref.TaskStepDelay == 0 {
		ref.TaskStepDelay = 2 * time.Millisecond
	}
	srv, err := reference.New(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	v := &vendorTarget{srv: srv, tokens: ref.Tokens, accesses: map[string]bool{}}
	v.url = serve(srv.Handler())
	fx := srv.Fixtures(v.url)
	fx.Tenants.Primary = config.Tenant{Name: primary, TokenEnv: vendorTokenEnv}
	fx.Tenants.Secondary = &config.Tenant{Name: secondary, TokenEnv: vendorSecondEnv}
	for _, ids := range [][]string{fx.Accesses.PPU, fx.Accesses.NonPPU, fx.Accesses.Terminated, fx.Accesses.Secondary} {
		for _, id := range ids {
			v.accesses[id] = true
		}
	}
	data, err := fx.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	v.fixtures = filepath.Join(t.TempDir(), "fixtures.yaml")
	if err := os.WriteFile(v.fixtures, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return v
}

// options returns run options against the target.
func (v *vendorTarget) options() runner.Options {
	primary, secondary := reference.DefaultTenants()
	return runner.Options{
		Target:       v.url,
		FixturesPath: v.fixtures,
		TaskTimeout:  taskTimeout(),
		Concurrency:  4,
		Version:      "test",
		Getenv: func(k string) string {
			switch k {
			case vendorTokenEnv:
				return v.tokens[primary]
			case vendorSecondEnv:
				return v.tokens[secondary]
			}
			return ""
		},
	}
}

// exists reports whether any tenant can read the access: asked of the reference
// handler directly, not through the harness.
func (v *vendorTarget) exists(id string) bool {
	for tenant, token := range v.tokens {
		r := httptest.NewRequest(http.MethodGet, "/"+url.PathEscape(tenant)+"/access/"+url.PathEscape(id), nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		v.srv.Handler().ServeHTTP(w, r)
		if w.Code == http.StatusOK {
			return true
		}
	}
	return false
}

// sent is one request as the target received it.
type sent struct {
	Method string
	Path   string // unescaped segments joined by "/"
	Parts  []string
	Body   []byte
}

func (s sent) String() string {
	body := string(s.Body)
	if len(body) > 200 {
		body = body[:200] + "…"
	}
	return s.Method + " /" + strings.Join(s.Parts, "/") + " " + body
}

// requestLog records every request that reaches the target.
type requestLog struct {
	mu   sync.Mutex
	reqs []sent
}

func (l *requestLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var parts []string
		for _, seg := range strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/") {
			if u, err := url.PathUnescape(seg); err == nil {
				seg = u
			}
			parts = append(parts, seg)
		}
		l.mu.Lock()
		l.reqs = append(l.reqs, sent{Method: r.Method, Parts: parts, Body: body})
		l.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (l *requestLog) all() []sent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]sent(nil), l.reqs...)
}

// recordedRun runs the whole suite against a recording vendor target.
func recordedRun(t *testing.T, scope steps.Scope) (*vendorTarget, []sent, *verdict.Results) {
	t.Helper()
	log := &requestLog{}
	v := newVendorTarget(t, reference.Options{Seed: 1}, func(h http.Handler) string {
		ts := httptest.NewServer(log.wrap(h))
		t.Cleanup(ts.Close)
		return ts.URL
	})
	o := v.options()
	o.Scope = scope
	res, err := runner.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	want := verdict.Conformant
	if scope.ReadOnly || !scope.AllowDestructive {
		want = verdict.PassedPartial
	}
	if res.Overall != want {
		t.Fatalf("verdict %s against the reference server, want %s\n%s", res.Overall, want, summary(t, res))
	}
	return v, log.all(), res
}

// A request is destructive when a lenient server could apply it as a termination: a
// status of TERMINATED in any case or spacing, or a batch operationType of terminate
// likewise (a one-element array included: loose JSON bindings take it for the string).
func destructive(r sent) bool {
	var body map[string]any
	if json.Unmarshal(r.Body, &body) != nil {
		return false
	}
	isWord := func(v any, word string) bool {
		switch x := v.(type) {
		case string:
			return strings.EqualFold(strings.TrimSpace(x), word)
		case []any:
			return len(x) == 1 && isStringWord(x[0], word)
		}
		return false
	}
	for k, v := range body {
		switch {
		case strings.EqualFold(k, "status") && isWord(v, "TERMINATED"):
			return true
		case strings.EqualFold(k, "operationType") && isWord(v, "terminate"):
			return true
		case strings.EqualFold(k, "operationBody"):
			if ob, ok := v.(map[string]any); ok {
				for k2, v2 := range ob {
					if strings.EqualFold(k2, "status") && isWord(v2, "TERMINATED") {
						return true
					}
				}
			}
		}
	}
	return false
}

func isStringWord(v any, word string) bool {
	s, ok := v.(string)
	return ok && strings.EqualFold(strings.TrimSpace(s), word)
}

// targetedIDs returns the access ids a request that is not a GET may change: the id
// in the path of /{tenant}/access/{id}, and every string of a batch's accessesIdList.
// ok is false for a request outside the two endpoints that change data.
func targetedIDs(r sent) (ids []string, ok bool) {
	switch {
	case len(r.Parts) == 3 && r.Parts[1] == "access" && r.Parts[2] == "batchUpdate" && r.Method == http.MethodPost:
		var body map[string]any
		if json.Unmarshal(r.Body, &body) != nil {
			return nil, true // not JSON: nothing a server could apply
		}
		for k, v := range body {
			if !strings.EqualFold(k, "accessesIdList") {
				continue
			}
			switch x := v.(type) {
			case string:
				ids = append(ids, x)
			case []any:
				for _, e := range x {
					if s, ok := e.(string); ok {
						ids = append(ids, s)
					}
				}
			}
		}
		return ids, true
	case len(r.Parts) == 3 && r.Parts[1] == "access":
		return []string{r.Parts[2]}, true
	}
	return nil, false
}

// checkTargets asserts that every request that is not a GET changes only fixtures, or
// names an id the harness made up ("accessctk-…") that does not exist.
func checkTargets(t *testing.T, v *vendorTarget, reqs []sent) (patches, batches int) {
	t.Helper()
	for _, r := range reqs {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			continue
		}
		ids, ok := targetedIDs(r)
		if !ok {
			t.Errorf("a request outside the PATCH and batch endpoints: %s", r)
			continue
		}
		if r.Method == http.MethodPatch {
			patches++
		} else if r.Method == http.MethodPost {
			batches++
		}
		for _, id := range ids {
			if v.accesses[id] {
				continue
			}
			if !strings.HasPrefix(id, "accessctk-") || v.exists(id) {
				t.Errorf("a request targets %q, neither a fixture nor an id the harness made up that does not exist: %s", id, r)
			}
		}
	}
	return patches, batches
}

// The harness changes only what the fixtures file offers, and terminates nothing
// unless the run allows it. It holds for every scenario, whoever writes it.
func TestSafetyMutatesOnlyFixturesAndNeverTerminates(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-suite safety runs are in the full pass")
	}
	v, reqs, res := recordedRun(t, steps.Scope{})
	patches, batches := checkTargets(t, v, reqs)
	if patches == 0 || batches == 0 {
		t.Errorf("the run sent %d PATCH and %d batch requests: nothing was checked", patches, batches)
	}
	for _, r := range reqs {
		if destructive(r) {
			t.Errorf("a destructive request without --allow-destructive (tag its scenario or Examples @destructive): %s\n  sent by %s", r, whoSent(res, r))
		}
	}
}

// whoSent names the scenario whose transcript holds the request.
func whoSent(res *verdict.Results, r sent) string {
	for _, s := range res.Scenarios {
		for _, ex := range s.Exchanges {
			u, err := url.Parse(ex.URL)
			if err == nil && ex.Method == r.Method && strings.Trim(u.Path, "/") == strings.Join(r.Parts, "/") && ex.RequestBody == string(r.Body) {
				return fmt.Sprintf("%s:%d %q", s.Feature, s.Line, s.Name)
			}
		}
	}
	return "an unknown scenario"
}

func TestSafetyDestructiveOnlyWhenAllowed(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-suite safety runs are in the full pass")
	}
	v, reqs, _ := recordedRun(t, steps.Scope{AllowDestructive: true})
	checkTargets(t, v, reqs)
	n := 0
	for _, r := range reqs {
		if destructive(r) {
			n++
		}
	}
	// The suite has @destructive scenarios; seeing them here proves the detector.
	if n == 0 {
		t.Error("no destructive request with --allow-destructive: the detector sees nothing")
	}
}

func TestSafetyReadOnlySendsOnlyGET(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-suite safety runs are in the full pass")
	}
	_, reqs, res := recordedRun(t, steps.Scope{ReadOnly: true})
	for _, r := range reqs {
		if r.Method != http.MethodGet {
			t.Errorf("--readonly sent %s", r)
		}
	}
	ran := 0
	for _, s := range res.Scenarios {
		if s.Outcome == verdict.Passed {
			ran++
		}
	}
	if ran == 0 || len(reqs) == 0 {
		t.Errorf("--readonly ran %d scenarios and sent %d requests", ran, len(reqs))
	}
}

// The detector itself, on the shapes a lenient server could take for a termination.
func TestDestructiveDetector(t *testing.T) {
	cases := []struct {
		body string
		want bool
	}{
		{`{"status":"TERMINATED"}`, true},
		{`{"status":"tERMINATED "}`, true},
		{`{"Status":"terminated"}`, true},
		{`{"status":["TERMINATED"]}`, true},
		{`{"status":"SUSPENDED"}`, false},
		{`{"status":"PENDING_TERMINATE"}`, false},
		{`{"operationType":"terminate","accessesIdList":["a"],"operationBody":{}}`, true},
		{`{"operationType":"TERMINATE","accessesIdList":["a"]}`, true},
		{`{"operationType":["terminate"],"accessesIdList":["a"]}`, true},
		{`{"operationType":"update","accessesIdList":["a"],"operationBody":{"status":"TERMINATED"}}`, true},
		{`{"operationType":"update","accessesIdList":["a"],"operationBody":{"status":"SUSPENDED"}}`, false},
		{`not json`, false},
	}
	for _, tc := range cases {
		if got := destructive(sent{Method: http.MethodPatch, Body: []byte(tc.body)}); got != tc.want {
			t.Errorf("destructive(%s) = %v, want %v", tc.body, got, tc.want)
		}
	}
}
