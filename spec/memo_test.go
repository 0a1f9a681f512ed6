package spec_test

import (
	"fmt"
	"github.com/accessctk/accessctk/spec"
	"net/http"
	"reflect"
	"testing"
)

// The memo never changes a verdict: every answer, checked once, again, and without
// the memo, gives the same result.
func TestCheckResponseMemoMatchesUncached(t *testing.T) {
	s := mustLoad(t, target)
	list := request(t, http.MethodGet, target+"/eos/access?pageSize=10")
	one := request(t, http.MethodGet, target+"/eos/access/eos_1954829761")
	cases := []struct {
		name   string
		req    *http.Request
		status int
		header http.Header
		body   string
	}{
		{"good page", list, 200, jsonHeader("X-Total-Count", "1", "Link", link), "[" + access + "]"},
		{"page without its total", list, 200, jsonHeader("Link", link), "[" + access + "]"},
		{"page with a bad item", list, 200, jsonHeader("X-Total-Count", "1", "Link", link), `[{"id":"x"}]`},
		{"good access", one, 200, jsonHeader(), access},
		{"access as text", one, 200, http.Header{"Content-Type": {"text/plain"}}, access},
		{"not JSON", one, 200, jsonHeader(), `{"id":`},
		{"not found", one, 404, jsonHeader(), `{"code":"NOT_FOUND","message":"no such access"}`},
		{"undocumented status", one, 418, jsonHeader(), `{}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := s.CheckResponseUncached(c.req, c.status, c.header, []byte(c.body))
			for i := range 2 {
				if got := s.CheckResponse(c.req, c.status, c.header, []byte(c.body)); !reflect.DeepEqual(got, want) {
					t.Fatalf("call %d: %+v, want %+v", i+1, got, want)
				}
			}
		})
	}
}

// The memo keys on everything the check reads (the documented headers, the media
// type, the body) and on nothing else (the correlation id, the query).
func TestCheckResponseMemoKeys(t *testing.T) {
	s := mustLoad(t, target)
	body := []byte("[" + access + "]")
	page := func(pageSize int) *http.Request {
		return request(t, http.MethodGet, fmt.Sprintf("%s/eos/access?pageSize=%d", target, pageSize))
	}
	good := jsonHeader("X-Total-Count", "1", "Link", link, "X-Correlation-ID", "a")
	if res := s.CheckResponse(page(10), 200, good, body); len(res.Findings) != 0 {
		t.Fatalf("good page: %+v", res.Findings)
	}
	n := s.MemoLen()
	// Only an undocumented header and the query differ: the remembered result serves.
	s.CheckResponse(page(20), 200, jsonHeader("X-Total-Count", "1", "Link", link, "X-Correlation-ID", "b"), body)
	if s.MemoLen() != n {
		t.Errorf("an answer differing only in its correlation id and query was checked again (memo %d -> %d entries)", n, s.MemoLen())
	}
	for name, h := range map[string]http.Header{
		"total missing":     jsonHeader("Link", link),
		"total not numeric": jsonHeader("X-Total-Count", "many", "Link", link),
		"other media type":  {"Content-Type": {"text/plain"}, "X-Total-Count": {"1"}, "Link": {link}},
	} {
		if res := s.CheckResponse(page(10), 200, h, body); len(res.Findings) == 0 {
			t.Errorf("%s: no finding; the memo answered for the good page", name)
		}
	}
	if res := s.CheckResponse(page(10), 200, good, []byte(`[{"id":"x"}]`)); len(res.Findings) == 0 {
		t.Error("a bad body after a good one with the same headers: no finding")
	}
}

// A caller that changes the findings it got does not change what the memo returns.
func TestCheckResponseMemoReturnsCopies(t *testing.T) {
	s := mustLoad(t, target)
	req := request(t, http.MethodGet, target+"/eos/access/eos_1")
	first := s.CheckResponse(req, 200, jsonHeader(), []byte(`{"id":"x"}`))
	if len(first.Findings) == 0 {
		t.Fatal("no findings for a bad access")
	}
	want := first.Findings[0]
	first.Findings[0].Message = "changed"
	if again := s.CheckResponse(req, 200, jsonHeader(), []byte(`{"id":"x"}`)); again.Findings[0] != want {
		t.Fatalf("the memo returned %+v after the caller changed its copy, want %+v", again.Findings[0], want)
	}
}

// A long walk (every page different) keeps the memo within its bound.
func TestCheckResponseMemoIsBounded(t *testing.T) {
	s := mustLoad(t, target)
	req := request(t, http.MethodGet, target+"/eos/access/eos_1")
	for i := range spec.MemoEntries + 10 {
		s.CheckResponse(req, 200, jsonHeader(), fmt.Appendf(nil, `{"id":"eos_%d"}`, i))
		if n := s.MemoLen(); n > spec.MemoEntries {
			t.Fatalf("after %d answers the memo holds %d entries, more than its bound %d", i+1, n, spec.MemoEntries)
		}
	}
}
