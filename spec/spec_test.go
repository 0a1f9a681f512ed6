package spec_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/accessctk/accessctk/spec"
)

const target = "http://127.0.0.1:4321"

func mustLoad(t testing.TB, serverURL string) *spec.Spec {
	t.Helper()
	s, err := spec.Load(spec.DefaultDocument(), serverURL)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

func request(t testing.TB, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// loadRaw loads the embedded document with kin-openapi directly, for tests
// that walk it.
func loadRaw(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec.DefaultDocument())
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// exampleWalker validates every example it meets against the schema it
// belongs to.
// It does not guard against recursive schemas: the embedded document has
// none, and a shared schema is checked under every path that reaches it so
// that the names of the checks do not depend on map order.
type exampleWalker struct {
	checked  []string
	problems []string
}

func newExampleWalker() *exampleWalker {
	return &exampleWalker{}
}

func (w *exampleWalker) check(where string, schema *openapi3.SchemaRef, value any) {
	if schema == nil || schema.Value == nil {
		w.problems = append(w.problems, where+": example without a schema")
		return
	}
	w.checked = append(w.checked, where)
	if err := schema.Value.VisitJSON(value, openapi3.MultiErrors()); err != nil {
		w.problems = append(w.problems, fmt.Sprintf("%s: example does not validate: %v", where, err))
	}
}

func (w *exampleWalker) schema(where string, ref *openapi3.SchemaRef) {
	if ref == nil || ref.Value == nil {
		return
	}
	s := ref.Value
	if s.Example != nil {
		w.check(where+".example", ref, s.Example)
	}
	for name, p := range s.Properties {
		w.schema(where+".properties."+name, p)
	}
	w.schema(where+".items", s.Items)
	if s.AdditionalProperties.Schema != nil {
		w.schema(where+".additionalProperties", s.AdditionalProperties.Schema)
	}
	for i, sub := range slices.Concat(s.AllOf, s.AnyOf, s.OneOf) {
		w.schema(fmt.Sprintf("%s.sub[%d]", where, i), sub)
	}
	w.schema(where+".not", s.Not)
}

func (w *exampleWalker) content(where string, content openapi3.Content) {
	for mt, media := range content {
		at := where + "." + mt
		w.schema(at+".schema", media.Schema)
		if media.Example != nil {
			w.check(at+".example", media.Schema, media.Example)
		}
		for name, ex := range media.Examples {
			w.check(at+".examples."+name, media.Schema, ex.Value.Value)
		}
	}
}

func (w *exampleWalker) parameter(where string, ref *openapi3.ParameterRef) {
	p := ref.Value
	w.schema(where+".schema", p.Schema)
	if p.Example != nil {
		w.check(where+".example", p.Schema, p.Example)
	}
	for name, ex := range p.Examples {
		w.check(where+".examples."+name, p.Schema, ex.Value.Value)
	}
}

func (w *exampleWalker) header(where string, ref *openapi3.HeaderRef) {
	h := ref.Value
	w.schema(where+".schema", h.Schema)
	if h.Example != nil {
		w.check(where+".example", h.Schema, h.Example)
	}
}

func TestEveryExampleValidatesAgainstItsSchema(t *testing.T) {
	doc := loadRaw(t)
	w := newExampleWalker()
	for name, s := range doc.Components.Schemas {
		w.schema("schemas."+name, s)
	}
	for name, p := range doc.Components.Parameters {
		w.parameter("parameters."+name, p)
	}
	for name, h := range doc.Components.Headers {
		w.header("headers."+name, h)
	}
	for name, r := range doc.Components.Responses {
		w.content("responses."+name, r.Value.Content)
	}
	for path, item := range doc.Paths.Map() {
		for _, p := range item.Parameters {
			w.parameter(path+".parameters."+p.Value.Name, p)
		}
		for method, op := range item.Operations() {
			at := method + " " + path
			for _, p := range op.Parameters {
				w.parameter(at+".parameters."+p.Value.Name, p)
			}
			if op.RequestBody != nil {
				w.content(at+".requestBody", op.RequestBody.Value.Content)
			}
			for code, r := range op.Responses.Map() {
				w.content(at+"."+code, r.Value.Content)
				for name, h := range r.Value.Headers {
					w.header(at+"."+code+".headers."+name, h)
				}
			}
		}
	}
	for _, p := range w.problems {
		t.Error(p)
	}
	// The walk must have reached the examples the document is known to
	// carry, or it proves nothing.
	for _, want := range []string{
		"schemas.RealizingResource.example",
		"schemas.Task.example",
		"schemas.UpdateBody.example",
		"schemas.Error.example",
		"GET /{tenantName}/access.200.application/json.example",
		"GET /{tenantName}/access/batch/{taskId}.200.application/json.examples.done",
		"PATCH /{tenantName}/access/{accessId}.requestBody.application/merge-patch+json.examples.both",
		"headers.XTotalCount.example",
	} {
		if !slices.Contains(w.checked, want) {
			t.Errorf("example %s was not checked", want)
		}
	}
	if len(w.checked) < 40 {
		t.Errorf("only %d examples checked", len(w.checked))
	}
}

// The walker must catch a bad example, or the test above proves nothing.
func TestExampleWalkerCatchesABadExample(t *testing.T) {
	doc := loadRaw(t)
	rr := doc.Components.Schemas["RealizingResource"]
	bad := map[string]any{"id": "eos_1", "status": "BOGUS"}
	w := newExampleWalker()
	w.check("bad", rr, bad)
	if len(w.problems) != 1 {
		t.Fatal("a RealizingResource with status BOGUS and no name passed")
	}
}

func TestDefaultDocumentIsACopy(t *testing.T) {
	a := spec.DefaultDocument()
	a[0] = 'X'
	if spec.DefaultDocument()[0] == 'X' {
		t.Fatal("DefaultDocument exposes the embedded bytes")
	}
}

func TestLoadRejectsBrokenDocuments(t *testing.T) {
	valid := string(spec.DefaultDocument())
	cases := []struct {
		name, doc, want string
	}{
		{"invalid YAML", "openapi: [3.0.3\ninfo: {", "spec: invalid OpenAPI document"},
		{"empty", "", "spec: invalid OpenAPI document"},
		{"no openapi version", "info: {title: x, version: '1'}\npaths: {}\n", "openapi"},
		{"ref to nothing", strings.Replace(valid, "'#/components/schemas/Task'", "'#/components/schemas/Nope'", 1), "Nope"},
		{"path parameter undeclared", strings.Replace(valid, "/{tenantName}/access/batch/{taskId}:", "/{tenantName}/access/batch/{jobId}:", 1), "jobId"},
		{"bad example", strings.Replace(valid, "example: PRP_SKYRTK_EU_12", "example: 12", 1), "spec: invalid OpenAPI document"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := spec.Load([]byte(c.doc), target)
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "spec: ") {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestLoadRejectsBadServerURLs(t *testing.T) {
	for _, u := range []string{"127.0.0.1:4321", "ftp://host", "http://", "http://h/x?y=1", "http://u:p@h", "http://h/{v}", "/relative"} {
		_, err := spec.Load(spec.DefaultDocument(), u)
		if err == nil || !strings.Contains(err.Error(), "invalid server URL") {
			t.Errorf("server %q: got %v", u, err)
		}
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	main := filepath.Join(dir, "api.yaml")
	if err := os.WriteFile(main, spec.DefaultDocument(), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := spec.LoadFile(main, target)
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := s.Route(request(t, http.MethodGet, target+"/eos/access")); !ok || id != "listAccesses" {
		t.Fatalf("route: %q %v", id, ok)
	}
	if _, err := spec.LoadFile(filepath.Join(dir, "missing.yaml"), target); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("missing file: %v", err)
	}
}

// A document split over local files loads through LoadFile; Load refuses
// the external reference.
func TestLoadFileFollowsLocalRefsOnly(t *testing.T) {
	dir := t.TempDir()
	doc := `openapi: 3.0.3
info: {title: split, version: '1'}
paths:
  /things:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: 'schemas.yaml#/Thing'}
`
	schemas := "Thing: {type: object, required: [id], properties: {id: {type: string}}}\n"
	if err := os.WriteFile(filepath.Join(dir, "api.yaml"), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "schemas.yaml"), []byte(schemas), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := spec.LoadFile(filepath.Join(dir, "api.yaml"), target)
	if err != nil {
		t.Fatal(err)
	}
	res := s.CheckResponse(request(t, http.MethodGet, target+"/things"), 200, jsonHeader(), []byte(`{}`))
	if !hasFinding(res, "body/id") {
		t.Fatalf("split schema not applied: %+v", res)
	}
	if _, err := spec.Load([]byte(doc), target); err == nil {
		t.Fatal("Load followed an external reference")
	}
}

func TestMergePatchBodyDecoderIsRegistered(t *testing.T) {
	if openapi3filter.RegisteredBodyDecoder("application/merge-patch+json") == nil {
		t.Fatal("kin-openapi has no body decoder for application/merge-patch+json")
	}
}

func TestRoute(t *testing.T) {
	s := mustLoad(t, target)
	cases := []struct {
		method, url, want string
	}{
		{http.MethodGet, "/eos/access", "listAccesses"},
		{http.MethodGet, "/eos/access?filter=contractId%3D1&pageNumber=2&pageSize=10", "listAccesses"},
		{http.MethodGet, "/eos/access/eos_1", "getAccess"},
		{http.MethodPatch, "/eos/access/eos_1", "updateAccess"},
		{http.MethodPost, "/eos/access/batchUpdate", "batchUpdateAccesses"},
		{http.MethodGet, "/eos/access/batch/job-1", "getBatchTask"},
		// An access may be called "batch": one segment is an access id.
		{http.MethodGet, "/eos/access/batch", "getAccess"},
		{http.MethodPatch, "/eos/access/batch", "updateAccess"},
		// The concrete path wins over the template (OpenAPI's matching rule).
		{http.MethodPatch, "/eos/access/batchUpdate", ""},
		{http.MethodDelete, "/eos/access/eos_1", ""},
		{http.MethodGet, "/eos/access/batch/job-1/extra", ""},
		{http.MethodGet, "/eos", ""},
	}
	for _, c := range cases {
		id, ok := s.Route(request(t, c.method, target+c.url))
		if id != c.want || ok != (c.want != "") {
			t.Errorf("%s %s: got %q %v, want %q", c.method, c.url, id, ok, c.want)
		}
	}
	// Link URLs may name the server's public host or another spelling of it.
	for _, u := range []string{"http://localhost:4321/eos/access", "https://api.vendor.example/eos/access"} {
		if id, ok := s.Route(request(t, http.MethodGet, u)); !ok || id != "listAccesses" {
			t.Errorf("%s: got %q %v", u, id, ok)
		}
	}
}

func TestRouteWithBasePath(t *testing.T) {
	s := mustLoad(t, "https://api.vendor.example/sam/")
	if id, ok := s.Route(request(t, http.MethodPost, "https://api.vendor.example/sam/eos/access/batchUpdate")); !ok || id != "batchUpdateAccesses" {
		t.Errorf("base path: got %q %v", id, ok)
	}
	if _, ok := s.Route(request(t, http.MethodGet, "https://api.vendor.example/eos/access")); ok {
		t.Error("routed without the base path")
	}
}

func TestEmptyServerURLKeepsTheDocumentsServers(t *testing.T) {
	s := mustLoad(t, "")
	if _, ok := s.Route(request(t, http.MethodGet, "https://api.example.com/eos/access")); !ok {
		t.Error("the document's own server does not route")
	}
	if _, ok := s.Route(request(t, http.MethodGet, target+"/eos/access")); ok {
		t.Error("the document's own server matched another host")
	}
}

func jsonHeader(kv ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func hasFinding(res spec.Result, where string) bool {
	return slices.ContainsFunc(res.Findings, func(f spec.Finding) bool { return f.Where == where })
}

const access = `{"id":"eos_1954829761","name":"Rover 12","status":"ACTIVE","contractId":"1200035908","productOfferingId":"PRP_SKYRTK_EU_12","username":"rover12","createdBy":"job-100231","startDateTime":"2024-03-01T00:00:00Z"}`

const link = `<http://127.0.0.1:4321/eos/access?pageNumber=1&pageSize=10>; rel="first", <http://127.0.0.1:4321/eos/access?pageNumber=1&pageSize=10>; rel="last"`

func TestCheckResponse(t *testing.T) {
	s := mustLoad(t, target)
	listHeader := func(kv ...string) http.Header {
		return jsonHeader(append([]string{"X-Total-Count", "2", "Link", link}, kv...)...)
	}
	withField := func(field, value string) string {
		return strings.Replace(access, `"id":"eos_1954829761"`, `"id":"eos_1954829761",`+field+`:`+value, 1)
	}
	cases := []struct {
		name     string
		method   string
		path     string
		status   int
		header   http.Header
		body     string
		want     []string // Where of each finding, in order
		contains string   // a finding's message must contain it
	}{
		{name: "good list page", method: "GET", path: "/eos/access", status: 200, header: listHeader(),
			body: `[` + access + `,` + withField(`"endDateTime"`, `null`) + `]`},
		{name: "empty list", method: "GET", path: "/eos/access?filter=name%3Dnone", status: 200,
			header: jsonHeader("X-Total-Count", "0", "Link", link), body: `[]`},
		{name: "charset parameter", method: "GET", path: "/eos/access/eos_1954829761", status: 200,
			header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, body: access},
		{name: "extra properties are allowed", method: "GET", path: "/eos/access/eos_1954829761", status: 200,
			header: jsonHeader(), body: withField(`"vendorExtension"`, `{"a":1}`)},
		{name: "endDateTime set", method: "GET", path: "/eos/access/eos_1954829761", status: 200,
			header: jsonHeader(), body: withField(`"endDateTime"`, `"2024-06-30T23:59:00+02:00"`)},
		{name: "missing id", method: "GET", path: "/eos/access", status: 200, header: listHeader(),
			body: `[` + access + `,` + strings.Replace(access, `"id":"eos_1954829761",`, "", 1) + `]`,
			want: []string{"body/1/id"}, contains: `"id" is missing`},
		{name: "status BOGUS", method: "GET", path: "/eos/access/eos_1954829761", status: 200, header: jsonHeader(),
			body: strings.Replace(access, `"ACTIVE"`, `"BOGUS"`, 1), want: []string{"body/status"}, contains: "allowed values"},
		{name: "lower-case t and z (RFC 3339 5.6 allows them)", method: "GET", path: "/eos/access/eos_1954829761", status: 200,
			header: jsonHeader(), body: withField(`"endDateTime"`, `"2024-06-30t23:59:00.5z"`)},
		{name: "leap second", method: "GET", path: "/eos/access/eos_1954829761", status: 200,
			header: jsonHeader(), body: withField(`"endDateTime"`, `"2016-12-31T23:59:60Z"`)},
		{name: "no such day", method: "GET", path: "/eos/access/eos_1954829761", status: 200, header: jsonHeader(),
			body: withField(`"endDateTime"`, `"2023-02-29T10:00:00Z"`), want: []string{"body/endDateTime"}, contains: "date-time"},
		{name: "date only", method: "GET", path: "/eos/access/eos_1954829761", status: 200, header: jsonHeader(),
			body: withField(`"endDateTime"`, `"2024-06-30"`), want: []string{"body/endDateTime"}, contains: "date-time"},
		{name: "bad date-time", method: "GET", path: "/eos/access/eos_1954829761", status: 200, header: jsonHeader(),
			body: withField(`"endDateTime"`, `"30/06/2024"`), want: []string{"body/endDateTime"}, contains: "date-time"},
		{name: "wrong @type", method: "GET", path: "/eos/access/eos_1954829761", status: 200, header: jsonHeader(),
			body: withField(`"@type"`, `"Access"`), want: []string{"body/@type"}},
		{name: "object instead of list", method: "GET", path: "/eos/access", status: 200, header: listHeader(),
			body: access, want: []string{"body"}, contains: "array"},
		{name: "several errors at once", method: "GET", path: "/eos/access", status: 200,
			header: jsonHeader("Link", link, "X-Total-Count", "-1"),
			body:   `[{"id":1}, 3]`,
			want: []string{"header X-Total-Count",
				"body/0/contractId", "body/0/createdBy", "body/0/id", "body/0/name", "body/0/productOfferingId",
				"body/0/startDateTime", "body/0/status", "body/0/username", "body/1"}},
		{name: "undocumented status", method: "GET", path: "/eos/access/eos_1954829761", status: 418, header: jsonHeader(),
			body: `{"code":"TEAPOT","reason":"teapot"}`, want: []string{"status"}, contains: "418"},
		{name: "5xx is undocumented", method: "POST", path: "/eos/access/batchUpdate", status: 500, header: jsonHeader(),
			body: `{"code":"ERR","reason":"boom"}`, want: []string{"status"}},
		{name: "list without X-Total-Count", method: "GET", path: "/eos/access", status: 200,
			header: jsonHeader("Link", link), body: `[]`, want: []string{"header X-Total-Count"}, contains: "missing"},
		{name: "list without both headers", method: "GET", path: "/eos/access", status: 200,
			header: jsonHeader(), body: `[]`, want: []string{"header Link", "header X-Total-Count"}},
		{name: "X-Total-Count not a number", method: "GET", path: "/eos/access", status: 200,
			header: listHeader("X-Total-Count", "many"), body: `[]`, want: []string{"header X-Total-Count"}},
		{name: "HTML error body", method: "GET", path: "/eos/access/nope", status: 404,
			header: http.Header{"Content-Type": {"text/html"}}, body: `<html>Not Found</html>`,
			want: []string{"header Content-Type"}, contains: "text/html"},
		{name: "no content type", method: "GET", path: "/eos/access/nope", status: 404,
			header: http.Header{}, body: `{"code":"NOT_FOUND","reason":"Not found"}`, want: []string{"header Content-Type"}},
		{name: "JSON content type, HTML body", method: "GET", path: "/eos/access/nope", status: 404,
			header: jsonHeader(), body: `<html>`, want: []string{"body"}, contains: "not valid JSON"},
		{name: "empty error body", method: "GET", path: "/eos/access/nope", status: 404,
			header: jsonHeader(), body: ``, want: []string{"body"}, contains: "not valid JSON"},
		{name: "trailing garbage", method: "GET", path: "/eos/access/nope", status: 404,
			header: jsonHeader(), body: `{"code":"NOT_FOUND","reason":"Not found"} <html>`, want: []string{"body"}},
		{name: "error without reason", method: "GET", path: "/eos/access", status: 400,
			header: jsonHeader(), body: `{"code":"BAD"}`, want: []string{"body/reason"}},
		{name: "good error", method: "GET", path: "/eos/access", status: 400,
			header: jsonHeader(), body: `{"code":"BAD","reason":"Bad request","message":"pageNumber","status":"400"}`},
		{name: "429 with Retry-After", method: "GET", path: "/eos/access/batch/job-1", status: 429,
			header: jsonHeader("Retry-After", "30"), body: `{"code":"SLOW","reason":"Too many requests"}`},
		{name: "429 without Retry-After", method: "PATCH", path: "/eos/access/eos_1", status: 429,
			header: jsonHeader(), body: `{"code":"SLOW","reason":"Too many requests"}`},
		{name: "batch accepted", method: "POST", path: "/eos/access/batchUpdate", status: 202,
			header: jsonHeader(), body: `{"id":"job-123456","state":"ACKNOWLEDGED"}`},
		{name: "task done", method: "GET", path: "/eos/access/batch/job-123456", status: 200, header: jsonHeader(),
			body: `{"id":"job-123456","state":"DONE","updatedAccesses":[` + access + `],"errors":[{"accessId":"*","code":"X"}]}`},
		{name: "task state unknown", method: "GET", path: "/eos/access/batch/job-123456", status: 200, header: jsonHeader(),
			body: `{"id":"job-123456","state":"FINISHED"}`, want: []string{"body/state"}},
		{name: "task item error without code", method: "GET", path: "/eos/access/batch/job-123456", status: 200, header: jsonHeader(),
			body: `{"id":"job-123456","state":"DONE","updatedAccesses":[],"errors":[{"accessId":"eos_1"}]}`, want: []string{"body/errors/0/code"}},
		{name: "202 on read is undocumented", method: "GET", path: "/eos/access/batch/job-123456", status: 202, header: jsonHeader(),
			body: `{"id":"job-123456","state":"DONE"}`, want: []string{"status"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := s.CheckResponse(request(t, c.method, target+c.path), c.status, c.header, []byte(c.body))
			if !res.Checked {
				t.Fatalf("not checked: %s", res.Reason)
			}
			var got []string
			for _, f := range res.Findings {
				got = append(got, f.Where)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("findings at %q, want %q: %+v", got, c.want, res.Findings)
			}
			if c.contains != "" && !slices.ContainsFunc(res.Findings, func(f spec.Finding) bool { return strings.Contains(f.Message, c.contains) }) {
				t.Fatalf("no finding message contains %q: %+v", c.contains, res.Findings)
			}
		})
	}
}

func TestCheckResponseNamesTheOperation(t *testing.T) {
	s := mustLoad(t, target)
	res := s.CheckResponse(request(t, http.MethodPost, target+"/eos/access/batchUpdate"), 202, jsonHeader(), []byte(`{"id":"job-1","state":"DONE"}`))
	if res.Operation != "batchUpdateAccesses" {
		t.Fatalf("operation %q", res.Operation)
	}
}

// The harness sends invalid requests on purpose; only the response is judged.
func TestCheckResponseIgnoresInvalidRequests(t *testing.T) {
	s := mustLoad(t, target)
	for _, body := range []string{`{}`, `null`, `{"status":"active","colour":"red"}`, `not json`} {
		req, err := http.NewRequest(http.MethodPatch, target+"/eos/access/eos_1954829761", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/merge-patch+json")
		res := s.CheckResponse(req, 200, jsonHeader(), []byte(access))
		if !res.Checked || len(res.Findings) != 0 {
			t.Errorf("request body %s: %+v", body, res)
		}
	}
	// Nor do invalid query parameters or a missing token.
	res := s.CheckResponse(request(t, http.MethodGet, target+"/eos/access?pageNumber=-1&pageSize=abc"), 400, jsonHeader(),
		[]byte(`{"code":"BAD","reason":"bad paging"}`))
	if !res.Checked || len(res.Findings) != 0 {
		t.Errorf("invalid query: %+v", res)
	}
}

func TestCheckResponseNeverQuotesBodyValues(t *testing.T) {
	s := mustLoad(t, target)
	const secret = "s3cret-Passw0rd-€"
	body := strings.Replace(access, `"status":"ACTIVE"`, `"status":"`+secret+`","password":"`+secret+`","endDateTime":"`+secret+`"`, 1)
	res := s.CheckResponse(request(t, http.MethodPatch, target+"/eos/access/eos_1954829761"), 200, jsonHeader(), []byte(body))
	if len(res.Findings) != 2 {
		t.Fatalf("want findings on status and endDateTime: %+v", res.Findings)
	}
	for _, f := range res.Findings {
		if strings.Contains(f.Message, "s3cret") || strings.Contains(f.Where, "s3cret") {
			t.Errorf("finding quotes the body: %+v", f)
		}
	}
}

func TestCheckResponseNotChecked(t *testing.T) {
	s := mustLoad(t, target)
	cases := []struct {
		name, method, url, operation string
	}{
		{"unknown path", http.MethodGet, target + "/eos/things", ""},
		{"method not allowed", http.MethodDelete, target + "/eos/access/eos_1", ""},
		{"HEAD", http.MethodHead, target + "/eos/access", ""},
	}
	for _, c := range cases {
		res := s.CheckResponse(request(t, c.method, c.url), 200, jsonHeader(), []byte(`[]`))
		if res.Checked || res.Reason == "" || len(res.Findings) != 0 {
			t.Errorf("%s: %+v", c.name, res)
		}
	}
}

func TestCheckResponseIsSafeForConcurrentUse(t *testing.T) {
	s := mustLoad(t, target)
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				req := request(t, http.MethodGet, fmt.Sprintf("%s/eos/access/eos_%d", target, i*100+j))
				good := s.CheckResponse(req, 200, jsonHeader(), []byte(access))
				bad := s.CheckResponse(req, 200, jsonHeader(), []byte(`{"id":"x"}`))
				if len(good.Findings) != 0 || len(bad.Findings) != 7 {
					errs <- fmt.Sprintf("good %d findings, bad %d findings", len(good.Findings), len(bad.Findings))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func BenchmarkCheckResponse(b *testing.B) {
	s := mustLoad(b, target)
	items := make([]string, 100)
	for i := range items {
		items[i] = strings.Replace(access, "eos_1954829761", fmt.Sprintf("eos_%d", 1954829000+i), 1)
	}
	page := []byte("[" + strings.Join(items, ",") + "]")
	task := []byte(`{"id":"job-123456","state":"DONE","updatedAccesses":[` + access + `],"errors":[{"accessId":"eos_2","code":"NOT_PAY_PER_USE"}]}`)
	cases := []struct {
		name   string
		req    *http.Request
		header http.Header
		body   []byte
	}{
		{"list100", request(b, http.MethodGet, target+"/eos/access?pageSize=100"), jsonHeader("X-Total-Count", "130", "Link", link), page},
		{"list1", request(b, http.MethodGet, target+"/eos/access?pageSize=1"), jsonHeader("X-Total-Count", "130", "Link", link), []byte("[" + access + "]")},
		{"one", request(b, http.MethodGet, target+"/eos/access/eos_1954829761"), jsonHeader(), []byte(access)},
		{"task", request(b, http.MethodGet, target+"/eos/access/batch/job-123456"), jsonHeader(), task},
	}
	// "validate" is the schema validation itself (the memo bypassed); "remembered" is
	// the same answer met again, which a suite's repeated walks mostly are;
	// "items-known" is a page never seen whose items were (the same accesses in
	// another page size or order): the page judged anew, the items' findings reused.
	b.Run("list100/items-known", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(page)))
		req, header := cases[0].req, cases[0].header
		_ = s.CheckResponse(req, 200, header, page)
		for b.Loop() {
			if res := s.CheckResponseItemsRemembered(req, 200, header, page); len(res.Findings) != 0 || !res.Checked {
				b.Fatalf("%+v", res)
			}
		}
	})
	for _, c := range cases {
		for _, mode := range []struct {
			name  string
			check func(*http.Request, int, http.Header, []byte) spec.Result
		}{{"validate", s.CheckResponseUncached}, {"remembered", s.CheckResponse}} {
			b.Run(c.name+"/"+mode.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(c.body)))
				for b.Loop() {
					if res := mode.check(c.req, 200, c.header, c.body); len(res.Findings) != 0 || !res.Checked {
						b.Fatalf("%+v", res)
					}
				}
			})
		}
	}
}

// BenchmarkLoad is the spec's share of a run's start-up: parse, validate and route
// the embedded document.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		mustLoad(b, target)
	}
}
