package runner_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
)

// listPath is the list endpoint of any tenant.
var listPath = regexp.MustCompile(`^/[^/]+/access$`)

// emptyLists answers every list request the reference server would answer 200 with
// what a tenant holding no access would get: 200, [], X-Total-Count 0, and first and
// last links to page 1 at the page size in use. Reads of one access still answer:
// only the list is empty, as in a tenant whose accesses the list does not show.
func emptyLists(maxPageSize int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || !listPath.MatchString(r.URL.Path) {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if rec.Code != http.StatusOK {
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes())
				return
			}
			q := r.URL.Query()
			size, err := strconv.Atoi(q.Get("pageSize"))
			if err != nil || size < 1 {
				size = 20
			}
			size = min(size, maxPageSize)
			q.Set("pageNumber", "1")
			q.Set("pageSize", strconv.Itoa(size))
			u := *r.URL
			u.RawQuery = q.Encode()
			for _, h := range []string{"X-Correlation-ID"} {
				if v := r.Header.Get(h); v != "" {
					w.Header().Set(h, v)
				}
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Total-Count", "0")
			w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="first", <%s>; rel="last"`, u.String(), u.String()))
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte("[]"))
		})
	}
}

// A rule whose checks range over the tenant's accesses is not PASS when there is no
// access to range over: a scenario that finds every one of zero accesses fine, or
// compares two empty sets, judged nothing. Behind a proxy that empties every list,
// each rule below is judged on no data at all and must come out SKIP (with the
// reason) rather than PASS; the run is then not CONFORMANT.
func TestRulesOverNoAccessesAreNotPassed(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite several times")
	}
	for _, c := range []struct {
		tags  string
		rules []string
		// kept are rules the same scenarios do exercise on an empty list: still PASS.
		kept []string
	}{
		{"@SAM-RD-03,@SAM-RD-04,@SAM-RD-05", []string{"SAM-RD-03", "SAM-RD-04", "SAM-RD-05"}, nil},
		// The paging outline is the only scenario of SAM-PG-05 and -08: a walk of no
		// access has no gap, no duplicate and no full page to count.
		// A value read as syntax (a wildcard, an injection) matches nothing more than
		// the literal in a list of nothing.
		{"@SAM-FL-06", []string{"SAM-FL-06"}, nil},
		// What an unknown parameter or field drops cannot be seen when there is
		// nothing to drop.
		{"@SAM-FL-04", []string{"SAM-FL-04"}, nil},
		// Random expressions built from no data, checked against an oracle over no
		// access, all agree on nothing.
		{"@SAM-FZ-01,@SAM-FZ-02", []string{"SAM-FZ-01", "SAM-FZ-02"}, nil},
		{"@SAM-PG-05", []string{"SAM-PG-05", "SAM-PG-08"}, []string{"SAM-PG-01", "SAM-PG-02", "SAM-PG-03", "SAM-PG-06"}},
	} {
		t.Run(c.tags, func(t *testing.T) {
			o := vendor(t, emptyLists(1000))
			o.Tags = c.tags
			res, err := runner.Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range res.Scenarios {
				if s.Outcome == verdict.Passed && slices.ContainsFunc(s.Requirements, func(r string) bool { return slices.Contains(c.rules, r) }) {
					t.Errorf("scenario %q passed on an empty list", s.Name)
				}
			}
			for _, r := range res.Requirements {
				if slices.Contains(c.rules, r.ID) && r.Status == verdict.Pass {
					t.Errorf("%s is PASS, judged on no access", r.ID)
				}
				if slices.Contains(c.kept, r.ID) && r.Status != verdict.Pass {
					t.Errorf("%s is %s %q, want PASS: an empty page exercises it", r.ID, r.Status, r.Reason)
				}
			}
			if res.Overall == verdict.Conformant {
				t.Errorf("overall CONFORMANT with rules judged on no access")
			}
		})
	}
}
