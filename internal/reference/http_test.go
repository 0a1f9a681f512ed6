package reference

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/accessctk/accessctk/fuzz/filter"
)

// everyRoute is one request per operation, valid but for its credentials.
func everyRoute(s *Server) []req {
	id := s.Fixtures("").Accesses.PPU[0]
	return []req{
		{target: "/eos/access"},
		{target: "/eos/access/" + id},
		{method: http.MethodPatch, target: "/eos/access/" + id, contentType: "application/merge-patch+json", body: `{"status":"SUSPENDED"}`},
		{method: http.MethodPost, target: "/eos/access/batchUpdate", contentType: "application/json",
			body: `{"operationType":"update","accessesIdList":["` + id + `"],"operationBody":{"status":"SUSPENDED"}}`},
		{target: "/eos/access/batch/job-100001"},
	}
}

// TestAuth: no or a bad bearer token gives 401 with a JSON error and no effect on
// every route (SAM-CM-01); another tenant's token makes the tenant invisible (404).
func TestAuth(t *testing.T) {
	s := newServer(t, nil)
	id := s.Fixtures("").Accesses.PPU[0]
	for _, r := range everyRoute(s) {
		for _, cred := range []struct {
			name, token string
			header      string
			status      int
		}{
			{"no header", "none", "", http.StatusUnauthorized},
			{"wrong token", "nope", "", http.StatusUnauthorized},
			{"basic scheme", "none", "Basic " + primaryToken, http.StatusUnauthorized},
			{"empty bearer", "none", "Bearer ", http.StatusUnauthorized},
			{"other tenant", secondaryToken, "", http.StatusNotFound},
		} {
			r := r
			r.token = cred.token
			if cred.header != "" {
				r.header = map[string]string{"Authorization": cred.header}
			}
			w := do(t, s, r)
			if w.Code != cred.status {
				t.Errorf("%s %s with %s: status %d, want %d", r.method, r.target, cred.name, w.Code, cred.status)
				continue
			}
			wantError(t, w, cred.status)
			if cred.status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s: 401 without WWW-Authenticate", r.method, r.target)
			}
		}
	}
	// Nothing happened: the access is unchanged and no task was created.
	if got := decode[resource](t, get(t, s, "/eos/access/"+id)).Status; got != "ACTIVE" {
		t.Fatalf("a rejected request changed the access to %s", got)
	}
	var tasks int
	if err := s.db.QueryRow(`SELECT count(*) FROM task`).Scan(&tasks); err != nil || tasks != 0 {
		t.Fatalf("rejected batches created %d tasks (%v)", tasks, err)
	}
	// The bearer scheme is case-insensitive (RFC 7235).
	wantStatus(t, do(t, s, req{target: "/eos/access/" + id, token: "none",
		header: map[string]string{"Authorization": "bearer " + primaryToken}}), http.StatusOK)
	// Unknown tenants, unknown paths and other methods still answer in JSON.
	wantError(t, get(t, s, "/zeta/access"), http.StatusNotFound)
	wantError(t, get(t, s, "/eos/nothing"), http.StatusNotFound)
	wantError(t, do(t, s, req{target: "/eos/nothing", token: "none"}), http.StatusUnauthorized)
	w := do(t, s, req{method: http.MethodDelete, target: "/eos/access/" + id})
	wantError(t, w, http.StatusMethodNotAllowed)
	if w.Header().Get("Allow") == "" {
		t.Error("405 without Allow")
	}
}

// TestCorrelationID: the correlation header is echoed on every answer, errors
// included (SAM-CM-04).
func TestCorrelationID(t *testing.T) {
	s := newServer(t, nil)
	for i, r := range append(everyRoute(s), req{target: "/eos/access/nope"}, req{target: "/eos/access", token: "none"}) {
		id := fmt.Sprintf("corr-%d", i)
		r.header = map[string]string{"X-Correlation-ID": id}
		if got := do(t, s, r).Header().Get("X-Correlation-ID"); got != id {
			t.Errorf("%s %s: echoed %q, want %q", r.method, r.target, got, id)
		}
	}
	custom := newServer(t, func(o *Options) { o.CorrelationHeader = "X-Request-ID" })
	w := do(t, custom, req{target: "/eos/access", header: map[string]string{"X-Request-ID": "abc"}})
	if w.Header().Get("X-Request-ID") != "abc" {
		t.Error("a configured correlation header is not echoed")
	}
}

// TestReadOne: 200 with the requested id, href and @type, never password or
// createdAt (SAM-RD-01..05); unknown and foreign ids are 404 (SAM-RD-02, SAM-CM-06).
func TestReadOne(t *testing.T) {
	s := newServer(t, nil)
	f := s.Fixtures("")
	id := f.Accesses.PPU[0]
	wantStatus(t, patch(t, s, id, `{"password":"secret-1"}`), http.StatusOK)
	w := get(t, s, "/eos/access/"+id)
	wantStatus(t, w, http.StatusOK)
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	m := decode[map[string]any](t, w)
	if m["id"] != id || m["href"] != "/eos/access/"+id || m["@type"] != "RealizingResource" {
		t.Errorf("read %s: %v", id, m)
	}
	for _, k := range []string{"password", "createdAt"} {
		if _, ok := m[k]; ok {
			t.Errorf("read carries %q", k)
		}
	}
	for _, k := range []string{"name", "status", "contractId", "productOfferingId", "username", "createdBy", "startDateTime"} {
		if _, ok := m[k].(string); !ok {
			t.Errorf("read lacks %q", k)
		}
	}
	wantError(t, get(t, s, "/eos/access/eos_0000000000"), http.StatusNotFound)
	wantError(t, get(t, s, "/eos/access/"+f.Accesses.Secondary[0]), http.StatusNotFound)
	wantStatus(t, do(t, s, req{target: "/acme/access/" + f.Accesses.Secondary[0], token: secondaryToken}), http.StatusOK)
	// The list item equals the single read (SAM-RD-06), for every access.
	list := decode[[]resource](t, get(t, s, "/eos/access?pageSize=1000"))
	for _, item := range list {
		one := decode[resource](t, get(t, s, "/eos/access/"+url.PathEscape(item.ID)))
		if !reflect.DeepEqual(one, item) {
			t.Fatalf("list item %+v differs from read %+v", item, one)
		}
		if item.Password != nil {
			t.Fatalf("list item %s carries a password", item.ID)
		}
	}
	if strings.Contains(get(t, s, "/eos/access?pageSize=1000").Body.String(), "createdAt") {
		t.Fatal("a list carries createdAt")
	}
}

// TestListPaging: totals, Link relations and page sizes (SAM-PG-01..11).
func TestListPaging(t *testing.T) {
	s := newServer(t, func(o *Options) { o.MaxPageSize = 40; o.DefaultPageSize = 15 })
	recs := allRecords(t, s, primaryID)
	total := len(recs)
	last := (total + 14) / 15

	w := get(t, s, "/eos/access")
	wantStatus(t, w, http.StatusOK)
	if got := atoi(t, w.Header().Get("X-Total-Count")); got != total {
		t.Fatalf("X-Total-Count %d, want %d", got, total)
	}
	if n := len(decode[[]resource](t, w)); n != 15 {
		t.Fatalf("default page holds %d", n)
	}
	links := parseLinks(t, w.Header().Get("Link"))
	wantLink := func(links map[string]string, rel string, page, size int) {
		t.Helper()
		want := fmt.Sprintf("http://example.com/eos/access?pageNumber=%d&pageSize=%d", page, size)
		if links[rel] != want {
			t.Errorf("rel=%s: %q, want %q", rel, links[rel], want)
		}
	}
	wantLink(links, "first", 1, 15)
	wantLink(links, "next", 2, 15)
	wantLink(links, "last", last, 15)
	if _, ok := links["prev"]; ok {
		t.Error("first page has prev")
	}
	links = parseLinks(t, get(t, s, "/eos/access?pageNumber=3").Header().Get("Link"))
	wantLink(links, "prev", 2, 15)
	wantLink(links, "next", 4, 15)
	w = get(t, s, fmt.Sprintf("/eos/access?pageNumber=%d", last))
	links = parseLinks(t, w.Header().Get("Link"))
	if _, ok := links["next"]; ok {
		t.Error("last page has next")
	}
	wantLink(links, "prev", last-1, 15)
	if n := len(decode[[]resource](t, w)); n != total-(last-1)*15 {
		t.Errorf("last page holds %d", n)
	}

	// A walk sees every access once, in a stable order, and ends where last says.
	ids, _ := walk(t, s, "/eos/access?pageSize=13")
	want := make([]string, len(recs))
	for i, r := range recs {
		want[i] = r.id
	}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("walk saw %d ids, want %d in primary-key order", len(ids), len(want))
	}
	// Pages read out of order (OFFSET) agree with the walk (keyset).
	for _, p := range []int{7, 2, 11, 5} {
		page := decode[[]resource](t, get(t, s, fmt.Sprintf("/eos/access?pageSize=13&pageNumber=%d", p)))
		for i, r := range page {
			if r.ID != want[(p-1)*13+i] {
				t.Fatalf("page %d item %d is %s, want %s", p, i, r.ID, want[(p-1)*13+i])
			}
		}
	}

	// Sizes above the maximum are clamped, and the links say so.
	w = get(t, s, "/eos/access?pageSize=100000000000000000000000")
	wantStatus(t, w, http.StatusOK)
	if n := len(decode[[]resource](t, w)); n != 40 {
		t.Errorf("clamped page holds %d", n)
	}
	wantLink(parseLinks(t, w.Header().Get("Link")), "first", 1, 40)

	// Past the last page: 200 [] with the same total.
	for _, p := range []string{fmt.Sprint(last + 1), "99999999999999999999999"} {
		w = get(t, s, "/eos/access?pageNumber="+p)
		wantStatus(t, w, http.StatusOK)
		if strings.TrimSpace(w.Body.String()) != "[]" || atoi(t, w.Header().Get("X-Total-Count")) != total {
			t.Errorf("page %s: %q total %s", p, excerpt(w.Body.String()), w.Header().Get("X-Total-Count"))
		}
		wantLink(parseLinks(t, w.Header().Get("Link")), "last", last, 15)
	}

	// Invalid paging values are rejected (SAM-PG-10).
	for _, q := range []string{"pageNumber=0", "pageNumber=-1", "pageNumber=abc", "pageSize=0", "pageSize=-5",
		"pageSize=abc", "pageNumber=", "pageNumber=1.5", "pageSize=%zz"} {
		wantError(t, get(t, s, "/eos/access?"+q), http.StatusBadRequest)
	}
	// Unknown parameters change nothing (SAM-FL-04).
	a := get(t, s, "/eos/access?pageSize=5&sort=name&x=%zz")
	b := get(t, s, "/eos/access?pageSize=5")
	if a.Body.String() != b.Body.String() || a.Header().Get("X-Total-Count") != b.Header().Get("X-Total-Count") {
		t.Error("an unknown parameter changed the answer")
	}
}

// TestListFilteredLinks: links keep the filter, encoded, and an empty result still
// links first and last to page 1 (SAM-PG-07, SAM-PG-09, SAM-FL-07).
func TestListFilteredLinks(t *testing.T) {
	s := newServer(t, nil)
	text := "contractId=C100;name=with space&unknown=1"
	w := get(t, s, "/eos/access?pageSize=2&filter="+filter.Encode(text))
	wantStatus(t, w, http.StatusOK)
	links := parseLinks(t, w.Header().Get("Link"))
	for rel, link := range links {
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		if u.Query().Get("filter") != text || !strings.Contains(link, "filter="+filter.Encode(text)) {
			t.Errorf("rel=%s lost the filter: %s", rel, link)
		}
	}
	ids, total := walk(t, s, "/eos/access?pageSize=2&filter="+filter.Encode(text))
	if len(ids) != total || total < 2 {
		t.Errorf("filtered walk: %d ids, total %d", len(ids), total)
	}

	w = get(t, s, "/eos/access?filter="+filter.Encode("name=no such name"))
	wantStatus(t, w, http.StatusOK)
	if strings.TrimSpace(w.Body.String()) != "[]" || w.Header().Get("X-Total-Count") != "0" {
		t.Fatalf("empty result: %q, total %q", w.Body.String(), w.Header().Get("X-Total-Count"))
	}
	links = parseLinks(t, w.Header().Get("Link"))
	for _, rel := range []string{"first", "last"} {
		if !strings.Contains(links[rel], "pageNumber=1&") {
			t.Errorf("empty result rel=%s: %q", rel, links[rel])
		}
	}
	if _, ok := links["next"]; ok {
		t.Error("empty result has next")
	}
}

// TestLinkHostAndScheme: links are absolute URLs on the host the client used.
func TestLinkHostAndScheme(t *testing.T) {
	s := newServer(t, nil)
	ts := httptest.NewTLSServer(s.Handler())
	defer ts.Close()
	r, _ := http.NewRequest(http.MethodGet, ts.URL+"/eos/access?pageSize=3", nil)
	r.Header.Set("Authorization", "Bearer "+primaryToken)
	resp, err := ts.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	links := parseLinks(t, resp.Header.Get("Link"))
	if !strings.HasPrefix(links["next"], ts.URL+"/eos/access?") {
		t.Fatalf("next %q is not on %s", links["next"], ts.URL)
	}
}
