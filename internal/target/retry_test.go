package target

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock replaces the client's sleep and now: waits are recorded, not slept, and
// move the clock on.
type fakeClock struct {
	mu    sync.Mutex
	at    time.Time
	waits []time.Duration
}

func useFakeClock(c *Client) *fakeClock {
	fc := &fakeClock{at: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	c.now = func() time.Time {
		fc.mu.Lock()
		defer fc.mu.Unlock()
		return fc.at
	}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		fc.mu.Lock()
		defer fc.mu.Unlock()
		fc.waits = append(fc.waits, d)
		fc.at = fc.at.Add(d)
		return ctx.Err()
	}
	return fc
}

// limited answers 429 to the first n requests with the given Retry-After values (in
// turn, the last repeated), then 200 with the request body.
func limited(n int, retryAfter ...string) (http.HandlerFunc, *atomic.Int32) {
	var seen atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(seen.Add(1))
		if i <= n {
			if len(retryAfter) > 0 {
				if v := retryAfter[min(i-1, len(retryAfter)-1)]; v != "" {
					w.Header().Set("Retry-After", v)
				}
			}
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"code":"RATE_LIMITED"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"attempt":%d}`, i)
	}, &seen
}

func TestRetryAfterSecondsAndDateHonoured(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	date := start.Add(7 * time.Second).Format(http.TimeFormat)
	h, seen := limited(2, "3", date)
	rec := newRecorder(t, h)
	c := newClient(t, rec.srv.URL)
	fc := useFakeClock(c)

	resp, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/eos/access"})
	if err != nil || resp.Status != 200 || string(resp.Body) != `{"attempt":3}` {
		t.Fatalf("Do: %v, %+v", err, resp)
	}
	// The date is read against the clock after the first 3 s wait: 4 s remain.
	if want := []time.Duration{3 * time.Second, 4 * time.Second}; fmt.Sprint(fc.waits) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", fc.waits, want)
	}
	if seen.Load() != 3 {
		t.Errorf("server saw %d requests, want 3", seen.Load())
	}
	tr := c.Transcript()
	if len(tr) != 3 || tr[0].Status != 429 || tr[1].Status != 429 || tr[2] != resp.Exchange {
		t.Fatalf("transcript: %v", tr)
	}
	if tr[0].Attempt != 1 || tr[2].Attempt != 3 || tr[2].Waited != 7*time.Second {
		t.Errorf("attempts %d, %d; waited %s", tr[0].Attempt, tr[2].Attempt, tr[2].Waited)
	}
	if !strings.Contains(resp.Exchange.String(), "# retry 2 of this request, after waiting 7s on 429 answers") {
		t.Errorf("transcript does not show the retry:\n%s", resp.Exchange)
	}
	st := c.Stats()
	if st.RateLimited != 2 || st.Retries != 2 || st.RetryWait != 7*time.Second || st.GaveUp != 0 || st.Exchanges != 3 {
		t.Errorf("stats %+v", st)
	}
}

// A 429 means the target refused the request unprocessed, so PATCH and POST are sent
// again too, byte for byte; nothing else is ever sent twice.
func TestRetryOnlyAfter429(t *testing.T) {
	for _, method := range []string{http.MethodPatch, http.MethodPost} {
		h, seen := limited(1, "1")
		rec := newRecorder(t, h)
		c := newClient(t, rec.srv.URL)
		useFakeClock(c)
		body := []byte(`{"status":"SUSPENDED"}`)
		resp, err := c.Do(context.Background(), Request{Method: method, Path: "/eos/access/eos_1", Body: body})
		if err != nil || resp.Status != 200 || seen.Load() != 2 {
			t.Fatalf("%s after a 429: %v, status %d, server saw %d", method, err, resp.Status, seen.Load())
		}
		rec.mu.Lock()
		if string(rec.reqs[0].Body) != string(body) || string(rec.reqs[1].Body) != string(body) {
			t.Errorf("%s: bodies sent %q, %q", method, rec.reqs[0].Body, rec.reqs[1].Body)
		}
		rec.mu.Unlock()
	}

	var n atomic.Int32
	statuses := []int{500, 502, 503, 408, 409, 425}
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(statuses[int(n.Load()-1)%len(statuses)])
	})
	c := newClient(t, rec.srv.URL)
	fc := useFakeClock(c)
	for range statuses {
		for _, method := range []string{http.MethodGet, http.MethodPatch, http.MethodPost} {
			before := n.Load()
			if _, err := c.Do(context.Background(), Request{Method: method, Path: "/x"}); err != nil {
				t.Fatal(err)
			}
			if n.Load() != before+1 {
				t.Errorf("%s answered %d was sent %d times", method, statuses[int(before)%len(statuses)], n.Load()-before)
			}
		}
	}
	if len(fc.waits) != 0 {
		t.Errorf("waited %v without a 429", fc.waits)
	}
}

func TestRetryBackoffAndCap(t *testing.T) {
	h, _ := limited(4, "", "", "", "86400")
	rec := newRecorder(t, h)
	c := newClient(t, rec.srv.URL, func(c *Config) { c.MaxRetryWait = 10 * time.Second })
	fc := useFakeClock(c)
	if _, err := c.Do(context.Background(), Request{Path: "/x"}); err != nil {
		t.Fatal(err)
	}
	// Without Retry-After: 1 s, doubling; a Retry-After over the cap is cut to it.
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 10 * time.Second}
	if fmt.Sprint(fc.waits) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", fc.waits, want)
	}
}

func TestRateLimitedToTheEnd(t *testing.T) {
	h, seen := limited(100, "2")
	rec := newRecorder(t, h)
	c := newClient(t, rec.srv.URL, func(c *Config) { c.MaxRetries = 3 })
	useFakeClock(c)
	resp, err := c.Do(context.Background(), Request{Method: http.MethodPatch, Path: "/eos/access/eos_1", Body: []byte(`{}`)})
	if !errors.Is(err, ErrRateLimited) || errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	if want := "PATCH " + rec.srv.URL + "/eos/access/eos_1: rate limited: still 429 after 3 retries (waited 6s in all)"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if resp == nil || resp.Status != 429 || resp.Body != nil || resp.Err != err.Error() || seen.Load() != 4 {
		t.Errorf("response %+v, server saw %d", resp, seen.Load())
	}
	if st := c.Stats(); st.GaveUp != 1 || st.RateLimited != 4 || st.Retries != 3 {
		t.Errorf("stats %+v", st)
	}

	c = newClient(t, rec.srv.URL, func(c *Config) { c.MaxRetries = -1 })
	if _, err := c.Do(context.Background(), Request{Path: "/x"}); !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "retries are off") {
		t.Errorf("retries off: %v", err)
	}
	// A target that rate-limits everything is still reachable.
	if err := c.Probe(context.Background()); err != nil {
		t.Errorf("Probe of a rate-limiting target: %v", err)
	}
}

// The wait for a retry after a 429 ends with the caller's context, naming its cause.
// The deadline must fall in the wait, after the 429 arrived: a machine too slow to
// get the 429 within the deadline tries again with a longer one, so the outcome does
// not depend on its pace.
func TestRetryWaitEndsWithTheCaller(t *testing.T) {
	h, _ := limited(1000, "60")
	rec := newRecorder(t, h)
	c := newClient(t, rec.srv.URL)
	cause := errors.New("run time limit (1m0s) reached")
	for deadline := 50 * time.Millisecond; ; deadline *= 4 {
		if deadline > 30*time.Second {
			t.Fatal("no deadline fell in the wait: the 429 never came in time")
		}
		ctx, cancel := context.WithTimeoutCause(context.Background(), deadline, cause)
		resp, err := c.Do(ctx, Request{Path: "/x"})
		cancel()
		if resp == nil || resp.Status != 429 {
			t.Logf("the deadline (%s) passed before the 429 came: %v", deadline, err)
			continue
		}
		if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "waiting 30s to retry after a 429: the caller's deadline passed: run time limit (1m0s) reached") {
			t.Fatalf("err = %v", err)
		}
		return
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{" 5 ", 5 * time.Second, true},
		{"99999999999999999999", 1<<63 - 1, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"Sunday, 01-Mar-26 12:00:30 GMT", 30 * time.Second, true}, // RFC 850, still valid
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
	}
	for _, tc := range cases {
		got, ok := ParseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// After GiveUpAfter requests in a row cannot connect, the client stops trying: later
// requests fail at once, and say why.
func TestGiveUpOnUnreachableTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connections are refused

	c := newClient(t, "http://"+addr, func(c *Config) { c.GiveUpAfter = 2 })
	for i := range 2 {
		if _, err := c.Do(context.Background(), Request{Path: "/eos/access"}); !errors.Is(err, ErrUnreachable) || strings.Contains(err.Error(), "not sent") {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	resp, err := c.Do(context.Background(), Request{Method: http.MethodPatch, Path: "/eos/access/eos_1"})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "not sent: gave up on the target after 2 requests in a row could not connect (last: connection refused)") {
		t.Fatalf("after giving up: %v", err)
	}
	if resp == nil || resp.Err == "" {
		t.Errorf("response %+v", resp)
	}
	st := c.Stats()
	if st.Unreachable == "" || st.NotSent != 1 || st.Exchanges != 3 {
		t.Errorf("stats %+v", st)
	}
}

// One refused connection between answers does not make the client give up.
func TestGiveUpNeedsFailuresInARow(t *testing.T) {
	rec := newRecorder(t, nil)
	c := newClient(t, rec.srv.URL, func(c *Config) { c.GiveUpAfter = 2 })
	refused := &requestError{kinds: []error{ErrUnreachable}, reason: "connection refused"}
	for range 3 {
		c.observe(&Response{Exchange: &Exchange{}}, refused)
		if _, err := c.Do(context.Background(), Request{Path: "/x"}); err != nil {
			t.Fatal(err)
		}
	}
	if st := c.Stats(); st.Unreachable != "" {
		t.Errorf("gave up although answers came between failures: %+v", st)
	}
}

func TestRequestsPerSecond(t *testing.T) {
	rec := newRecorder(t, nil)
	c := newClient(t, rec.srv.URL, func(c *Config) { c.RPS = 20 })
	start := time.Now()
	for range 5 {
		if _, err := c.Do(context.Background(), Request{Path: "/x"}); err != nil {
			t.Fatal(err)
		}
	}
	// 20 per second with a burst of one: 4 gaps of 50 ms at least, however fast the
	// machine (a slow one only makes them longer, and the limiter's part shorter).
	took := time.Since(start)
	if took < 190*time.Millisecond {
		t.Errorf("5 requests at 20/s took %s", took)
	}
	if st := c.Stats(); st.LimiterWait > took {
		t.Errorf("limiter wait %s, longer than the %s the requests took", st.LimiterWait, took)
	}
	slow := newClient(t, rec.srv.URL, func(c *Config) { c.RPS = 0.01 })
	_, _ = slow.Do(context.Background(), Request{Path: "/x"}) // takes the only token
	// The next token comes in 100 s: the limiter refuses at once a wait the deadline
	// cannot meet.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := slow.Do(ctx, Request{Path: "/x"}); !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "requests-per-second limit") {
		t.Errorf("a limit the deadline cannot meet: %v", err)
	}
	if _, err := New(Config{BaseURL: c.base, RPS: -1}); err == nil {
		t.Error("a negative RPS was accepted")
	}
}

// A connection closed without an answer is ErrConnection, not a response and not
// "unreachable"; a PATCH is not sent again.
func TestConnectionReset(t *testing.T) {
	var n atomic.Int32
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // RST, not FIN
		}
		conn.Close()
	})
	c := newClient(t, rec.srv.URL)
	resp, err := c.Do(context.Background(), Request{Method: http.MethodPatch, Path: "/eos/access/eos_1", Body: []byte(`{"status":"SUSPENDED"}`)})
	if !errors.Is(err, ErrConnection) || errors.Is(err, ErrUnreachable) || errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "connection reset by peer") && !strings.Contains(err.Error(), "closed before a complete response") {
		t.Errorf("message %q does not name the reset", err)
	}
	if resp == nil || resp.Status != 0 || n.Load() != 1 {
		t.Errorf("response %+v; server saw %d requests", resp, n.Load())
	}
}

// A GET whose connection is reset is sent again, a bounded number of times; a PATCH
// never is (the target may have applied it).
func TestReadsAreRetriedOnABrokenConnection(t *testing.T) {
	var mu sync.Mutex
	resets := map[string]int{}
	failFirst := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n := resets[r.Method+r.URL.Path]
		limit := failFirst
		if r.URL.Path == "/always" {
			limit = 1 << 30
		}
		if n < limit {
			resets[r.Method+r.URL.Path] = n + 1
			mu.Unlock()
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					_ = tc.SetLinger(0)
				}
				_ = conn.Close()
			}
			return
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL)
	ctx := context.Background()

	failFirst = MaxConnectionRetries
	if resp, err := c.Do(ctx, Request{Path: "/read"}); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("a GET reset %d times: %v", MaxConnectionRetries, err)
	}
	if _, err := c.Do(ctx, Request{Path: "/always"}); !errors.Is(err, ErrConnection) {
		t.Fatalf("a GET reset every time: %v, want the broken connection", err)
	}
	mu.Lock()
	// Go's transport itself sends an idempotent request again once when a reused
	// connection breaks: each of our tries may count twice.
	if got := resets["GET/always"]; got < MaxConnectionRetries+1 || got > 2*(MaxConnectionRetries+1) {
		t.Errorf("a GET reset every time was sent %d times, want %d tries", got, MaxConnectionRetries+1)
	}
	mu.Unlock()
	failFirst = 1
	if _, err := c.Do(ctx, Request{Method: http.MethodPatch, Path: "/change", Body: []byte(`{}`)}); !errors.Is(err, ErrConnection) {
		t.Fatalf("a PATCH whose connection broke: %v, want the error, not a second PATCH", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := resets["PATCH/change"]; got != 1 {
		t.Errorf("the PATCH was sent %d times", got)
	}
}
