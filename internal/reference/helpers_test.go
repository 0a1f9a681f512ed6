package reference

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

const (
	primaryToken   = "test-token-eos"
	secondaryToken = "test-token-acme"
)

// newServer starts a reference server for one test; it is closed at cleanup.
func newServer(t testing.TB, mutate func(*Options)) *Server {
	t.Helper()
	o := Options{
		Seed:          42,
		Tokens:        map[string]string{"eos": primaryToken, "acme": secondaryToken},
		TaskStepDelay: time.Millisecond,
		PPUPool:       30,
	}
	if mutate != nil {
		mutate(&o)
	}
	s, err := New(context.Background(), o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// req describes one request to the handler.
type req struct {
	method, target, token, contentType, body string
	header                                   map[string]string
}

// do serves one request in process. token "" sends no Authorization header; the
// primary token is the default when token is "-".
func do(t testing.TB, s *Server, r req) *httptest.ResponseRecorder {
	t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr := httptest.NewRequest(r.method, r.target, body)
	switch r.token {
	case "":
		hr.Header.Set("Authorization", "Bearer "+primaryToken)
	case "none":
	default:
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.contentType != "" {
		hr.Header.Set("Content-Type", r.contentType)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, hr)
	return w
}

func get(t testing.TB, s *Server, target string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, s, req{target: target})
}

func patch(t testing.TB, s *Server, id, body string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, s, req{method: http.MethodPatch, target: "/eos/access/" + url.PathEscape(id),
		contentType: "application/merge-patch+json", body: body})
}

func decode[T any](t testing.TB, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %T from %q: %v", v, w.Body.String(), err)
	}
	return v
}

func wantStatus(t testing.TB, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("expected status %d, got %d: %s", status, w.Code, excerpt(w.Body.String()))
	}
}

// wantError checks an error answer: the status and a JSON Error body.
func wantError(t testing.TB, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	wantStatus(t, w, status)
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error Content-Type %q, want application/json", ct)
	}
	e := decode[map[string]any](t, w)
	for _, k := range []string{"code", "reason", "status"} {
		if _, ok := e[k].(string); !ok {
			t.Fatalf("error body lacks string %q: %s", k, w.Body.String())
		}
	}
}

func excerpt(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

var linkRE = regexp.MustCompile(`<([^>]*)>;\s*rel="([a-z]+)"`)

// parseLinks maps rel to URL.
func parseLinks(t testing.TB, header string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range linkRE.FindAllStringSubmatch(header, -1) {
		if _, dup := out[m[2]]; dup {
			t.Fatalf("rel %q twice in %q", m[2], header)
		}
		out[m[2]] = m[1]
	}
	return out
}

// walk follows next links from first, returning every id seen in order and the
// total each page reported (which must agree).
func walk(t testing.TB, s *Server, first string) ([]string, int) {
	t.Helper()
	var ids []string
	total := -1
	target := first
	for pages := 0; target != ""; pages++ {
		if pages > 100000 {
			t.Fatal("walk does not end")
		}
		w := get(t, s, target)
		wantStatus(t, w, http.StatusOK)
		n := atoi(t, w.Header().Get("X-Total-Count"))
		if total >= 0 && n != total {
			t.Fatalf("X-Total-Count changed during the walk: %d then %d", total, n)
		}
		total = n
		for _, r := range decode[[]resource](t, w) {
			ids = append(ids, r.ID)
		}
		next := parseLinks(t, w.Header().Get("Link"))["next"]
		target = ""
		if next != "" {
			u, err := url.Parse(next)
			if err != nil {
				t.Fatalf("next link %q: %v", next, err)
			}
			target = u.RequestURI()
		}
	}
	return ids, total
}

func atoi(t testing.TB, s string) int {
	t.Helper()
	var n int
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not a non-negative integer: %q", s)
		}
		n = n*10 + int(c-'0')
	}
	if s == "" {
		t.Fatal("empty integer")
	}
	return n
}

// allRecords reads every access of a tenant straight from the database.
func allRecords(t testing.TB, s *Server, tenantID int64) []record {
	t.Helper()
	rows, err := s.db.Query(`SELECT `+recordCols+` FROM access WHERE tenant = ? ORDER BY pk`, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
