package reference

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/accessctk/accessctk/spec"
)

// TestResponsesMatchSpec: every answer, success or rejection, matches the project's
// OpenAPI description: status documented, media type, schema, required headers
// (SAM-CM-02 for 2xx, SAM-CM-03 for 4xx).
func TestResponsesMatchSpec(t *testing.T) {
	sp, err := spec.Load(spec.DefaultDocument(), "http://example.com")
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, nil)
	f := s.Fixtures("")
	ppu, term := f.Accesses.PPU, f.Accesses.Terminated[0]
	tk := submit(t, s, primaryToken, "eos", batchBody("update", []string{ppu[3], f.Accesses.NonPPU[0], "eos_0"}, `{"password":"p"}`))
	tt := submit(t, s, primaryToken, "eos", batchBody("terminate", []string{ppu[4]}, `{}`))
	mp := "application/merge-patch+json"
	js := "application/json"
	reqs := []req{
		{target: "/eos/access"},
		{target: "/eos/access?pageSize=3&pageNumber=2&filter=contractId%3DC100"},
		{target: "/eos/access?pageNumber=9999"},
		{target: "/eos/access?filter=name%3Dnothing"},
		{target: "/eos/access/" + ppu[0]},
		{method: "PATCH", target: "/eos/access/" + ppu[1], contentType: mp, body: `{"status":"SUSPENDED","password":"x"}`},
		{method: "POST", target: "/eos/access/batchUpdate", contentType: js, body: batchBody("update", []string{ppu[2]}, `{"status":"SUSPENDED"}`)},
		{target: "/eos/access/batch/" + tk.ID},
		{target: "/eos/access/batch/" + tt.ID},
		// Rejections.
		{target: "/eos/access", token: "none"},
		{target: "/eos/access?pageNumber=0"},
		{target: "/eos/access?filter=contractId%3E5"},
		{target: "/eos/access/nope"},
		{target: "/eos/access/nope", token: "bad"},
		{method: "PATCH", target: "/eos/access/" + ppu[1], contentType: js, body: `{"status":"ACTIVE"}`},
		{method: "PATCH", target: "/eos/access/" + ppu[1], contentType: mp, body: `{}`},
		{method: "PATCH", target: "/eos/access/nope", contentType: mp, body: `{"status":"ACTIVE"}`},
		{method: "PATCH", target: "/eos/access/" + term, contentType: mp, body: `{"status":"ACTIVE"}`},
		{method: "POST", target: "/eos/access/batchUpdate", contentType: "text/plain", body: `{}`},
		{method: "POST", target: "/eos/access/batchUpdate", contentType: js, body: `{}`},
		{method: "POST", target: "/eos/access/batchUpdate", contentType: js, token: "none", body: `{}`},
		{target: "/eos/access/batch/job-1"},
		{target: "/eos/access/" + ppu[0], token: secondaryToken},
	}
	for _, tk := range []string{tk.ID, tt.ID} {
		await(t, s, tk)
	}
	time.Sleep(5 * time.Millisecond) // the third task, too
	for _, r := range reqs {
		w := do(t, s, r)
		hr := httptest.NewRequest(r.method, "http://example.com"+r.target, strings.NewReader(r.body))
		if r.method == "" {
			hr.Method = http.MethodGet
		}
		res := sp.CheckResponse(hr, w.Code, w.Header(), w.Body.Bytes())
		if !res.Checked {
			t.Errorf("%s %s → %d: not checked: %s", hr.Method, r.target, w.Code, res.Reason)
			continue
		}
		for _, f := range res.Findings {
			t.Errorf("%s %s → %d: %s: %s", hr.Method, r.target, w.Code, f.Where, f.Message)
		}
	}
}
