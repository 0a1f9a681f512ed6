package target

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// seen is what the test server received.
type seen struct {
	Method, URI string
	Header      http.Header
	Body        []byte
}

// recorder is an httptest server that records requests and answers with handler
// (or echoes the request body as JSON when handler is nil).
type recorder struct {
	srv     *httptest.Server
	mu      sync.Mutex
	reqs    []seen
	handler http.HandlerFunc
}

func newRecorder(t *testing.T, h http.HandlerFunc) *recorder {
	t.Helper()
	r := &recorder{handler: h}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, seen{req.Method, req.RequestURI, req.Header.Clone(), body})
		r.mu.Unlock()
		if r.handler != nil {
			req.Body = io.NopCloser(bytes.NewReader(body))
			r.handler(w, req)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *recorder) last(t *testing.T) seen {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reqs) == 0 {
		t.Fatal("server saw no request")
	}
	return r.reqs[len(r.reqs)-1]
}

func newClient(t *testing.T, base string, mod ...func(*Config)) *Client {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{BaseURL: u, KeepTranscript: true}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// assertNoSecret fails if any rendering of the exchange holds one of the secrets.
func assertNoSecret(t *testing.T, ex *Exchange, secrets ...string) {
	t.Helper()
	js, _ := json.Marshal(ex)
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "ex", ex)
	views := map[string]string{
		"String": ex.String(), "Curl": ex.Curl(), "json": string(js), "%#v": fmt.Sprintf("%#v", ex),
		"slog": logged.String(), "Err": ex.Err, "URL": ex.URL,
	}
	for name, v := range views {
		for _, s := range secrets {
			if strings.Contains(v, s) {
				t.Errorf("%s of exchange #%d holds secret %q:\n%s", name, ex.Seq, s, v)
			}
		}
	}
}

func TestAuthTokenSentAndRedacted(t *testing.T) {
	rec := newRecorder(t, nil)
	c := newClient(t, rec.srv.URL)
	tok := NewToken(secretValue)
	resp, err := c.Do(context.Background(), Request{Method: "GET", Path: "/eos/access/eos_1", Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.last(t).Header.Get("Authorization"); got != "Bearer "+secretValue {
		t.Errorf("server saw Authorization %q", got)
	}
	if got := resp.RequestHeader.Get("Authorization"); got != "Bearer [redacted]" {
		t.Errorf("recorded Authorization %q", got)
	}
	if resp.Auth != AuthToken || resp.Status != 200 || resp.URL != rec.srv.URL+"/eos/access/eos_1" {
		t.Errorf("exchange: auth %v status %d url %s", resp.Auth, resp.Status, resp.URL)
	}
	assertNoSecret(t, resp.Exchange, secretValue)
	if !strings.Contains(resp.Curl(), `"Authorization: Bearer ${ACCESSCTK_TOKEN}"`) {
		t.Errorf("curl lacks the token reference:\n%s", resp.Curl())
	}
}

func TestAuthOverrideAndNone(t *testing.T) {
	rec := newRecorder(t, nil)
	c := newClient(t, rec.srv.URL)
	ctx := context.Background()

	resp, err := c.Do(ctx, Request{Path: "/x", AuthOverride: "Bearer wrong"})
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.last(t).Header.Get("Authorization"); got != "Bearer wrong" {
		t.Errorf("override: server saw %q", got)
	}
	if resp.Auth != AuthOverride || resp.RequestHeader.Get("Authorization") != "Bearer [redacted]" {
		t.Errorf("override recorded as %v %q", resp.Auth, resp.RequestHeader.Get("Authorization"))
	}
	assertNoSecret(t, resp.Exchange, "wrong")

	resp, err = c.Do(ctx, Request{Path: "/x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rec.last(t).Header["Authorization"]; ok {
		t.Error("no-token request carried an Authorization header")
	}
	if resp.Auth != AuthNone || resp.RequestHeader.Get("Authorization") != "" || strings.Contains(resp.Curl(), "Authorization") {
		t.Errorf("no-token request recorded with auth: %v\n%s", resp.Auth, resp.Curl())
	}

	for name, r := range map[string]Request{
		"both":          {Token: NewToken("a"), AuthOverride: "Bearer b"},
		"header":        {Header: http.Header{"authorization": {"Bearer x"}}},
		"line break":    {AuthOverride: "Bearer a\r\nX-Evil: 1"},
		"bad method":    {Method: "GE T"},
		"other origin":  {Path: "http://elsewhere.example/eos/access"},
		"double query":  {Path: "/x?a=1", RawQuery: "b=2"},
		"query and raw": {Query: url.Values{"a": {"1"}}, RawQuery: "b=2"},
	} {
		before := len(c.Transcript())
		if resp, err := c.Do(ctx, r); err == nil || resp != nil {
			t.Errorf("%s: Do accepted the request (resp %v, err %v)", name, resp != nil, err)
		}
		if len(c.Transcript()) != before {
			t.Errorf("%s: an invalid request was recorded", name)
		}
	}
}

func TestPasswordRedactedInBothBodies(t *testing.T) {
	rec := newRecorder(t, nil) // echoes the body
	c := newClient(t, rec.srv.URL)
	pw := strings.Repeat("a", 71) + "é"
	body, _ := json.Marshal(map[string]any{
		"operationType": "update", "accessesIdList": []string{"eos_1"},
		"operationBody": map[string]any{"password": pw, "status": "ACTIVE"},
		"items":         []any{map[string]any{"Password": "deep-" + pw}},
	})
	resp, err := c.Do(context.Background(), Request{Method: "PATCH", Path: "/eos/access/eos_1",
		Header: http.Header{"Content-Type": {"application/merge-patch+json"}}, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rec.last(t).Body, body) {
		t.Fatal("the server did not get the body as given")
	}
	if !bytes.Equal(resp.Body, body) {
		t.Error("the raw response body is not available to the caller")
	}
	for name, b := range map[string][]byte{"request": resp.RequestBody, "response": resp.ResponseBody} {
		if len(b) != len(body) {
			t.Errorf("%s body length %d, want %d", name, len(b), len(body))
		}
		if bytes.Contains(b, []byte(pw)) {
			t.Errorf("%s body holds the password: %s", name, b)
		}
		if !json.Valid(b) {
			t.Errorf("%s body is no longer JSON: %s", name, b)
		}
	}
	assertNoSecret(t, resp.Exchange, pw)
	if !strings.Contains(resp.String(), `"password":"[redacted: 73 bytes, 72 chars]"`) {
		t.Errorf("transcript lacks the annotation:\n%s", resp.String())
	}
	// Printing the Response itself must not reach the raw body.
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("r", "resp", resp)
	for _, v := range []string{fmt.Sprintf("%v|%+v|%#v|%s|%d|%x", resp, resp, resp, resp, *resp, *resp), logged.String()} {
		if strings.Contains(v, pw[:20]) || strings.Contains(v, fmt.Sprintf("%x", pw[:20])) {
			t.Errorf("printing a Response leaks the raw body: %.300s", v)
		}
	}
}

func TestTokenEchoScrubbed(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("X-Seen-Token", tok)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = fmt.Fprintf(w, `{"code":"401","reason":"bad token %s","escaped":%q}`, tok, tok)
	})
	c := newClient(t, rec.srv.URL)
	tok := "tok/with+chars="
	resp, err := c.Do(context.Background(), Request{Path: "/x", Token: NewToken(tok), Query: url.Values{"access_token": {tok}}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 401 || !bytes.Contains(resp.Body, []byte(tok)) {
		t.Fatalf("status %d, raw body %s", resp.Status, resp.Body)
	}
	assertNoSecret(t, resp.Exchange, tok, url.QueryEscape(tok))
	if resp.ResponseHeader.Get("X-Seen-Token") != redacted {
		t.Errorf("echoed header: %q", resp.ResponseHeader.Get("X-Seen-Token"))
	}
}

func TestCorrelationAndUserAgent(t *testing.T) {
	rec := newRecorder(t, nil)
	c := newClient(t, rec.srv.URL, func(c *Config) { c.CorrelationHeader = "X-Request-ID"; c.UserAgent = "suite/1" })
	ctx := context.Background()
	r1, err := c.Do(ctx, Request{Path: "/a"})
	if err != nil {
		t.Fatal(err)
	}
	got := rec.last(t).Header.Get("X-Request-ID")
	if len(got) != 16 || strings.Trim(got, "0123456789abcdef") != "" || r1.CorrelationID != got {
		t.Errorf("correlation ID %q (recorded %q)", got, r1.CorrelationID)
	}
	if ua := rec.last(t).Header.Get("User-Agent"); ua != "suite/1" {
		t.Errorf("User-Agent %q", ua)
	}
	r2, _ := c.Do(ctx, Request{Path: "/a"})
	if r2.CorrelationID == r1.CorrelationID {
		t.Error("correlation ID reused")
	}
	r3, _ := c.Do(ctx, Request{Path: "/a", Header: http.Header{"x-request-id": {"mine"}}})
	if h := rec.last(t).Header; h.Get("X-Request-ID") != "mine" || len(h.Values("X-Request-ID")) != 1 || r3.CorrelationID != "mine" {
		t.Errorf("caller's correlation ID not kept: %v (recorded %q)", h, r3.CorrelationID)
	}
}

func TestURLBuilding(t *testing.T) {
	rec := newRecorder(t, nil)
	c := newClient(t, rec.srv.URL+"/base/")
	ctx := context.Background()
	cases := []struct {
		req     Request
		wantURI string
	}{
		{Request{Path: "/eos/access/eos_1"}, "/base/eos/access/eos_1"},
		{Request{Path: "eos/access"}, "/base/eos/access"},
		{Request{Path: "/eos/access/" + url.PathEscape("a/b c")}, "/base/eos/access/a%2Fb%20c"},
		{Request{Path: "/eos/access", Query: url.Values{"filter": {"name=a b+c&d"}, "pageSize": {"2"}}},
			"/base/eos/access?filter=name%3Da%20b%2Bc%26d&pageSize=2"},
		{Request{Path: "/eos/access", RawQuery: "filter=contractId=1&productOfferingId=X"},
			"/base/eos/access?filter=contractId=1&productOfferingId=X"},
		{Request{Path: rec.srv.URL + "/base/eos/access?pageNumber=2&pageSize=5"}, "/base/eos/access?pageNumber=2&pageSize=5"},
	}
	for _, tc := range cases {
		resp, err := c.Do(ctx, tc.req)
		if err != nil {
			t.Fatalf("%+v: %v", tc.req, err)
		}
		if got := rec.last(t).URI; got != tc.wantURI {
			t.Errorf("%+v: server saw %s, want %s", tc.req, got, tc.wantURI)
		}
		if resp.URL != rec.srv.URL+tc.wantURI {
			t.Errorf("recorded URL %s", resp.URL)
		}
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://elsewhere.invalid/", http.StatusFound)
	})
	c := newClient(t, rec.srv.URL)
	resp, err := c.Do(context.Background(), Request{Path: "/x", Token: NewToken("t")})
	if err != nil || resp.Status != http.StatusFound {
		t.Fatalf("status %v, err %v", resp, err)
	}
}

func TestEmptyPatchBodySendsContentLengthZero(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-CL", fmt.Sprint(r.ContentLength))
	})
	c := newClient(t, rec.srv.URL)
	resp, err := c.Do(context.Background(), Request{Method: "PATCH", Path: "/x", Body: []byte{}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("X-CL") != "0" {
		t.Errorf("server saw Content-Length %q", resp.Header.Get("X-CL"))
	}
	if _, ok := rec.last(t).Header["Content-Type"]; ok {
		t.Error("a Content-Type was added")
	}
}

func TestBodyCap(t *testing.T) {
	size := 0
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(bytes.Repeat([]byte("a"), size))
	})
	c := newClient(t, rec.srv.URL, func(c *Config) { c.MaxBodyBytes = 1 << 10 })
	ctx := context.Background()

	size = 1 << 10
	if resp, err := c.Do(ctx, Request{Path: "/x"}); err != nil || len(resp.Body) != size {
		t.Fatalf("a body at the cap failed: %v", err)
	}
	size = 1<<10 + 1
	resp, err := c.Do(ctx, Request{Path: "/x"})
	if !errors.Is(err, ErrBodyTooLarge) || !strings.Contains(err.Error(), "response body exceeds the 1 KiB cap") {
		t.Fatalf("err = %v", err)
	}
	if resp == nil || resp.Body != nil || resp.Status != 200 || resp.Err != err.Error() || len(resp.ResponseBody) != 1<<10 {
		t.Errorf("record of the oversized exchange: %+v", resp)
	}

	size = 8<<20 + 1
	c = newClient(t, rec.srv.URL)
	if _, err := c.Do(ctx, Request{Path: "/x"}); !errors.Is(err, ErrBodyTooLarge) || !strings.Contains(err.Error(), "exceeds the 8 MiB cap") {
		t.Errorf("default cap: err = %v", err)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow-body" {
			w.WriteHeader(200)
			_, _ = w.Write([]byte("partial"))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := newClient(t, rec.srv.URL, func(c *Config) { c.Timeout = 100 * time.Millisecond })
	// The handler never answers before release: only the timeout can end each request.
	for _, path := range []string{"/slow-head", "/slow-body"} {
		resp, err := c.Do(context.Background(), Request{Path: path})
		if !errors.Is(err, ErrTimeout) || errors.Is(err, ErrUnreachable) {
			t.Fatalf("%s: err = %v", path, err)
		}
		if !strings.Contains(err.Error(), "no response within 100ms") {
			t.Errorf("%s: message %q", path, err)
		}
		if resp == nil || resp.Err == "" || c.Transcript()[len(c.Transcript())-1] != resp.Exchange {
			t.Errorf("%s: the timed-out exchange was not recorded", path)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	c = newClient(t, rec.srv.URL)
	if _, err := c.Do(ctx, Request{Path: "/slow-head"}); !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "caller's deadline") {
		t.Errorf("caller deadline: err = %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := c.Do(ctx, Request{Path: "/slow-head"}); !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) || errors.Is(err, ErrUnreachable) {
		t.Errorf("canceled: err = %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1")
	resp, err := c.Do(context.Background(), Request{Path: "/eos/access", Token: NewToken(secretValue)})
	if !errors.Is(err, ErrUnreachable) || errors.Is(err, ErrTimeout) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err = %v", err)
	}
	if want := "GET http://127.0.0.1:1/eos/access: target unreachable: connection refused"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if resp == nil || resp.Err != err.Error() || resp.Status != 0 || len(c.Transcript()) != 1 {
		t.Errorf("attempt not recorded: %+v", resp)
	}
	assertNoSecret(t, resp.Exchange, secretValue)

	err = c.Probe(context.Background())
	if want := "target http://127.0.0.1:1 is unreachable: connection refused"; err == nil || err.Error() != want || !errors.Is(err, ErrUnreachable) {
		t.Errorf("Probe: %v, want %q", err, want)
	}
}

func TestProbeReachable(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	c := newClient(t, rec.srv.URL)
	if err := c.Probe(context.Background()); err != nil {
		t.Errorf("a 404 answer is reachable: %v", err)
	}
	if _, ok := rec.last(t).Header["Authorization"]; ok {
		t.Error("Probe sent credentials")
	}
}

func TestClassify(t *testing.T) {
	bg := context.Background()
	expired, cancel := context.WithTimeout(bg, -1)
	defer cancel()
	dnsErr := &net.DNSError{Err: "no such host", Name: "nohost.invalid", IsNotFound: true}
	cases := []struct {
		name       string
		reqCtx     context.Context
		err        error
		want       []error
		notWant    []error
		wantReason string
	}{
		{"dns", bg, &url.Error{Op: "Get", URL: "http://nohost.invalid/?token=s", Err: &net.OpError{Op: "dial", Net: "tcp", Err: dnsErr}},
			[]error{ErrUnreachable}, []error{ErrTimeout}, "cannot resolve nohost.invalid: no such host"},
		{"no route", bg, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)},
			[]error{ErrUnreachable}, []error{ErrTimeout}, "no route to host"},
		{"dial timeout", expired, &net.OpError{Op: "dial", Net: "tcp", Err: context.DeadlineExceeded},
			[]error{ErrUnreachable, ErrTimeout}, nil, "could not connect within 1s"},
		{"reset", bg, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)},
			nil, []error{ErrUnreachable, ErrTimeout}, "connection reset by peer"},
	}
	for _, tc := range cases {
		kinds, reason, cause := classify(bg, tc.reqCtx, tc.err, time.Second, nil)
		e := newRequestError("GET", "u", reason, cause, kinds...)
		for _, w := range tc.want {
			if !errors.Is(e, w) {
				t.Errorf("%s: %v is not %v", tc.name, e, w)
			}
		}
		for _, w := range tc.notWant {
			if errors.Is(e, w) {
				t.Errorf("%s: %v is %v", tc.name, e, w)
			}
		}
		if reason != tc.wantReason || strings.Contains(e.Error(), "token=s") {
			t.Errorf("%s: reason %q, message %q", tc.name, reason, e)
		}
	}
}

func TestConcurrentDo(t *testing.T) {
	rec := newRecorder(t, nil)
	c := newClient(t, rec.srv.URL)
	tokens := []Token{NewToken("token-one-aaaa"), NewToken("token-two-bbbb"), {}}
	const n = 60
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body := fmt.Appendf(nil, `{"i":%d,"password":"pw-%04d-secret"}`, i, i)
			resp, err := c.Do(context.Background(), Request{Method: "POST", Path: fmt.Sprintf("/item/%d", i), Token: tokens[i%3], Body: body})
			if err != nil {
				t.Error(err)
				return
			}
			if !bytes.Equal(resp.Body, body) {
				t.Errorf("request %d got another body back", i)
			}
			_ = c.Transcript()
		})
	}
	wg.Wait()
	tr := c.Transcript()
	if len(tr) != n {
		t.Fatalf("transcript has %d exchanges, want %d", len(tr), n)
	}
	ids := map[string]bool{}
	for i, ex := range tr {
		if ex.Seq != i+1 {
			t.Errorf("position %d holds seq %d", i, ex.Seq)
		}
		ids[ex.CorrelationID] = true
		assertNoSecret(t, ex, "token-one-aaaa", "token-two-bbbb", "-secret")
	}
	if len(ids) != n {
		t.Errorf("%d distinct correlation IDs for %d requests", len(ids), n)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, raw := range []string{"ftp://h", "http://", "http://u:p@h", "http://h/?q=1", "http://h/#f"} {
		u, _ := url.Parse(raw)
		_, err := New(Config{BaseURL: u})
		if err == nil {
			t.Errorf("%s accepted", raw)
		} else if strings.Contains(err.Error(), ":p@") {
			t.Errorf("%s: error shows the password: %v", raw, err)
		}
	}
	u, _ := url.Parse("http://h")
	for _, cfg := range []Config{{}, {BaseURL: u, Timeout: -1}, {BaseURL: u, MaxBodyBytes: -1}, {BaseURL: u, CorrelationHeader: "X Bad"}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

// The curl command, run by bash against the same server, must send what Do sent:
// method, headers, the recorded body byte for byte, and the token from the env.
func TestCurlReproduces(t *testing.T) {
	bash, errBash := exec.LookPath("bash")
	curl, errCurl := exec.LookPath("curl")
	if errBash != nil {
		t.Skip("bash not installed")
	}
	rec := newRecorder(t, nil)
	c := newClient(t, rec.srv.URL)
	tok := NewToken(secretValue)
	bodies := map[string][]byte{
		"quotes newlines unicode": []byte("{\"name\":\"it's a \\\"test\\\"\",\n\"note\":\"line1\nline2 'q' ünï €😀 $HOME `id` \\\\\"}"),
		"password":                []byte(`{"password":"` + strings.Repeat("a", 71) + `é","status":"ACTIVE"}`),
		"nul and binary":          {0, 1, '\'', '\\', '%', 0xff, 'a', '\n'},
		"empty":                   {},
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			req := Request{Method: "PATCH", Path: "/eos/access/it's", Token: tok, Body: body, Query: url.Values{"q": {"a b'c"}}}
			if name != "empty" {
				req.Header = http.Header{"Content-Type": {"application/merge-patch+json"}}
			}
			resp, err := c.Do(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			sent := rec.last(t)
			cmd := resp.Curl()
			if strings.Contains(cmd, secretValue) {
				t.Fatalf("curl holds the token:\n%s", cmd)
			}
			if out, err := exec.Command(bash, "-n", "-c", cmd).CombinedOutput(); err != nil {
				t.Fatalf("bash -n: %v\n%s\n%s", err, out, cmd)
			}
			if errCurl != nil {
				return
			}
			run := exec.Command(bash, "-c", strings.Replace(cmd, "curl ", curl+" ", 1))
			run.Env = append(os.Environ(), "ACCESSCTK_TOKEN="+secretValue)
			if out, err := run.CombinedOutput(); err != nil {
				t.Fatalf("curl: %v\n%s\n%s", err, out, cmd)
			}
			got := rec.last(t)
			if got.Method != sent.Method || got.URI != sent.URI {
				t.Errorf("curl sent %s %s, Do sent %s %s", got.Method, got.URI, sent.Method, sent.URI)
			}
			if !bytes.Equal(got.Body, resp.RequestBody) || len(got.Body) != len(body) {
				t.Errorf("curl body %q, recorded %q", got.Body, resp.RequestBody)
			}
			for _, h := range []string{"Authorization", "Content-Type", "User-Agent", "X-Correlation-Id", "Content-Length"} {
				if got.Header.Get(h) != sent.Header.Get(h) || len(got.Header.Values(h)) != len(sent.Header.Values(h)) {
					t.Errorf("%s: curl sent %q, Do sent %q", h, got.Header.Values(h), sent.Header.Values(h))
				}
			}
		})
	}
}

func TestExchangeString(t *testing.T) {
	big := bytes.Repeat([]byte("é"), 3000) // 6000 bytes
	ex := &Exchange{
		Method: "PATCH", URL: "http://h/x",
		RequestHeader: http.Header{"Content-Type": {"application/merge-patch+json"}},
		RequestBody:   []byte(`{"password":"xxxé"}`),
		Status:        200, Duration: 12 * time.Millisecond,
		ResponseHeader: http.Header{"Content-Type": {"application/json"}},
		ResponseBody:   big,
	}
	s := ex.String()
	for _, want := range []string{
		"> PATCH http://h/x\n> Content-Type: application/merge-patch+json\n>\n" + `{"password":"[redacted: 5 bytes, 4 chars]"}` + "\n< 200 OK (12ms)\n< Content-Type: application/json\n<\n",
		"… (1904 more bytes)\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("transcript lacks %q:\n%.400s", want, s)
		}
	}
	if got := ex.ResponseExcerpt(5); got != "éé\n… (5996 more bytes)" {
		t.Errorf("excerpt %q", got)
	}
	failed := &Exchange{Method: "GET", URL: "http://h/", Err: "GET http://h/: timed out", Duration: time.Second}
	if got := failed.String(); got != "> GET http://h/\n! GET http://h/: timed out (after 1s)\n" {
		t.Errorf("failed transcript %q", got)
	}
}
