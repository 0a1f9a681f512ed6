package reference

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// chaosServer serves a reference server with the given chaos over real HTTP.
func chaosServer(t *testing.T, c Chaos) (*Server, *httptest.Server) {
	t.Helper()
	s := newServer(t, func(o *Options) { o.Chaos = c })
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts
}

func chaosGet(t *testing.T, client *http.Client, url string) (*http.Response, []byte, error) {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Authorization", "Bearer "+primaryToken)
	r.Header.Set("X-Correlation-ID", "c-1")
	resp, err := client.Do(r)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestChaosOptionsChecked(t *testing.T) {
	for _, c := range []Chaos{{Mode: "melt"}, {Mode: ChaosReset, Share: 1.5}, {Mode: ChaosReset, Share: -0.1}, {Mode: ChaosSlow, Delay: -time.Second}} {
		_, err := New(context.Background(), Options{Seed: 1, Tokens: map[string]string{"eos": "a", "acme": "b"}, Chaos: c})
		if err == nil {
			t.Errorf("chaos %+v accepted", c)
		}
	}
}

func TestChaosSlow(t *testing.T) {
	_, ts := chaosServer(t, Chaos{Mode: ChaosSlow, Delay: 80 * time.Millisecond})
	start := time.Now()
	resp, _, err := chaosGet(t, ts.Client(), ts.URL+"/eos/access/nope")
	if err != nil || resp.StatusCode != 404 {
		t.Fatalf("%v %v", resp, err)
	}
	if took := time.Since(start); took < 80*time.Millisecond {
		t.Errorf("answered in %s, want at least 80ms", took)
	}
}

// Which requests a share hits depends on the seed and the request's position only.
func TestChaosShareIsDeterministic(t *testing.T) {
	pattern := func(seed int64) string {
		s := newServer(t, func(o *Options) {
			o.Seed = seed
			o.Chaos = Chaos{Mode: ChaosRateLimit, Share: 0.3}
		})
		var b strings.Builder
		for range 60 {
			if do(t, s, req{target: "/eos/access/nope"}).Code == http.StatusTooManyRequests {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	a, b, other := pattern(7), pattern(7), pattern(8)
	if a != b {
		t.Errorf("same seed, different hits:\n%s\n%s", a, b)
	}
	if a == other {
		t.Errorf("seeds 7 and 8 hit the same requests: %s", a)
	}
	if n := strings.Count(a, "x"); n < 8 || n > 30 {
		t.Errorf("share 0.3 of 60 hit %d: %s", n, a)
	}
}

func TestChaosRateLimit(t *testing.T) {
	s := newServer(t, func(o *Options) { o.Chaos = Chaos{Mode: ChaosRateLimit, Share: 1, RetryAfter: 1500 * time.Millisecond} })
	forms := map[string]bool{}
	for range 20 {
		w := do(t, s, req{target: "/eos/access", header: map[string]string{"X-Correlation-ID": "c-9"}})
		if w.Code != http.StatusTooManyRequests || w.Header().Get("X-Correlation-ID") != "c-9" {
			t.Fatalf("status %d, correlation %q", w.Code, w.Header().Get("X-Correlation-ID"))
		}
		var e apiError
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code != "RATE_LIMITED" {
			t.Errorf("body %q", w.Body)
		}
		ra := w.Header().Get("Retry-After")
		if ra == "2" {
			forms["seconds"] = true
			continue
		}
		at, err := http.ParseTime(ra)
		if err != nil {
			t.Fatalf("Retry-After %q is neither seconds nor an HTTP date", ra)
		}
		if wait := time.Until(at); wait < 400*time.Millisecond || wait > 2600*time.Millisecond {
			t.Errorf("Retry-After date %s is %s away, want about 1.5s rounded up", ra, wait)
		}
		forms["date"] = true
	}
	if !forms["seconds"] || !forms["date"] {
		t.Errorf("Retry-After forms seen: %v", forms)
	}
}

func TestChaosReset(t *testing.T) {
	_, ts := chaosServer(t, Chaos{Mode: ChaosReset, Share: 1})
	_, _, err := chaosGet(t, ts.Client(), ts.URL+"/eos/access")
	if err == nil || !(errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF)) {
		t.Errorf("err = %v, want a reset connection", err)
	}
}

func TestChaosGarbage(t *testing.T) {
	s := newServer(t, func(o *Options) { o.Chaos = Chaos{Mode: ChaosGarbage, Share: 1} })
	whole := newServer(t, nil)
	cut := do(t, s, req{target: "/eos/access?pageSize=3"})
	full := do(t, whole, req{target: "/eos/access?pageSize=3"})
	if cut.Code != 200 || cut.Header().Get("X-Total-Count") == "" || cut.Header().Get("Content-Type") != "application/json" {
		t.Errorf("status and headers should be kept: %d %v", cut.Code, cut.Header())
	}
	if cut.Body.Len() != full.Body.Len()/2 || cut.Header().Get("Content-Length") != strconv.Itoa(cut.Body.Len()) {
		t.Errorf("body %d bytes (Content-Length %s), want half of %d", cut.Body.Len(), cut.Header().Get("Content-Length"), full.Body.Len())
	}
	if json.Valid(cut.Body.Bytes()) {
		t.Errorf("a truncated body is valid JSON: %s", cut.Body)
	}
}

func TestChaosHuge(t *testing.T) {
	_, ts := chaosServer(t, Chaos{Mode: ChaosHuge})
	r, _ := http.NewRequest(http.MethodGet, ts.URL+"/eos/access", nil)
	resp, err := ts.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 32<<20))
	resp.Body.Close()
	if err != nil || n != 32<<20 {
		t.Errorf("read %d bytes (%v), want the 32 MiB asked for", n, err)
	}
	// Other endpoints answer normally.
	if resp, _, err := chaosGet(t, ts.Client(), ts.URL+"/eos/access/nope"); err != nil || resp.StatusCode != 404 {
		t.Errorf("read endpoint: %v %v", resp, err)
	}
}

// A hanging request ends when the client gives up, and when the server closes.
func TestChaosHang(t *testing.T) {
	s, ts := chaosServer(t, Chaos{Mode: ChaosHang})
	client := &http.Client{Timeout: 100 * time.Millisecond}
	if _, _, err := chaosGet(t, client, ts.URL+"/eos/access"); err == nil {
		t.Fatal("the list endpoint answered")
	}
	if resp, _, err := chaosGet(t, client, ts.URL+"/eos/access/nope"); err != nil || resp.StatusCode != 404 {
		t.Errorf("read endpoint: %v %v", resp, err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := chaosGet(t, ts.Client(), ts.URL+"/eos/access")
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Error("the hanging request got an answer when the server closed")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a hanging request outlived the server's Close")
	}
}

func TestChaosRedirectLoop(t *testing.T) {
	s := newServer(t, func(o *Options) { o.Chaos = Chaos{Mode: ChaosRedirectLoop} })
	w := do(t, s, req{target: "/eos/access?pageSize=2&filter=a%20b"})
	if w.Code != http.StatusTemporaryRedirect || w.Header().Get("Location") != "/eos/access?pageSize=2&filter=a%20b" {
		t.Errorf("status %d, Location %q", w.Code, w.Header().Get("Location"))
	}
	if w := do(t, s, req{target: "/eos/access/nope"}); w.Code != http.StatusNotFound {
		t.Errorf("read endpoint: %d", w.Code)
	}
}
