package reference

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// ChaosMode is a way the server misbehaves below the API, as an unreliable or hostile
// deployment does: the harness must keep judging, finish in bounded time and never
// crash. Unlike a fault (Faults), chaos breaks no catalogue rule by itself; the
// run's verdict under it depends on what the harness can still observe.
type ChaosMode string

// Chaos modes. Where a mode hits "a share" of requests, which ones is decided by the
// data set's seed and the request's position (the n-th request the server saw), so a
// sequential run is repeatable.
const (
	// ChaosSlow delays every response by Chaos.Delay.
	ChaosSlow ChaosMode = "slow"
	// ChaosReset closes a share of connections without a response (a TCP reset).
	ChaosReset ChaosMode = "reset"
	// ChaosGarbage truncates a share of response bodies, with a Content-Length that
	// matches the cut body: the answer arrives complete and is not valid JSON.
	ChaosGarbage ChaosMode = "garbage"
	// ChaosHuge answers the list endpoint with an endless JSON array (up to 1 GiB),
	// far larger than any client's body cap.
	ChaosHuge ChaosMode = "huge"
	// ChaosHang never answers the list endpoint: the request waits until the client
	// gives up or the server closes.
	ChaosHang ChaosMode = "hang"
	// ChaosRateLimit answers a share of requests 429 with a Retry-After of
	// Chaos.RetryAfter, as delay seconds or (every other time) as an HTTP date.
	ChaosRateLimit ChaosMode = "ratelimit"
	// ChaosRedirectLoop answers the list endpoint 307 with a Location pointing back at
	// the same URL.
	ChaosRedirectLoop ChaosMode = "redirect-loop"
)

// ChaosInfo describes one chaos mode.
type ChaosInfo struct {
	Mode    ChaosMode
	Summary string
}

// ChaosModes lists every chaos mode.
func ChaosModes() []ChaosInfo {
	return []ChaosInfo{
		{ChaosSlow, "delay every response"},
		{ChaosReset, "close a share of connections without a response, a TCP reset"},
		{ChaosGarbage, "cut a share of response bodies in half: a complete answer that is not JSON"},
		{ChaosHuge, "answer the list endpoint with an endless JSON array, up to 1 GiB"},
		{ChaosHang, "never answer the list endpoint"},
		{ChaosRateLimit, "answer a share of requests 429 with a Retry-After in seconds or as an HTTP date"},
		{ChaosRedirectLoop, "answer the list endpoint 307 to its own URL"},
	}
}

// Chaos configures the server's misbehaviour; the zero value is none.
type Chaos struct {
	Mode ChaosMode
	// Share is the fraction of requests hit by reset, garbage and ratelimit, in
	// (0, 1]; default 0.1.
	Share float64
	// Delay is how long slow delays each response; default 200ms.
	Delay time.Duration
	// RetryAfter is the wait each 429 of ratelimit asks for, rounded up to whole
	// seconds on the wire; default 1s, negative for "Retry-After: 0".
	RetryAfter time.Duration
}

// Defaults of Chaos.
const (
	DefaultChaosShare      = 0.1
	DefaultChaosDelay      = 200 * time.Millisecond
	DefaultChaosRetryAfter = time.Second
	// hugeBodyBytes bounds the huge answer, so that a client without a cap still ends.
	hugeBodyBytes = 1 << 30
)

// chaos is the handler wrapper that applies a Chaos.
type chaos struct {
	Chaos
	seed       uint64
	corrHeader string
	log        *slog.Logger
	// stop ends hanging requests when the server closes.
	stop <-chan struct{}
	seen atomic.Uint64
}

func newChaos(c Chaos, seed int64, corrHeader string, log *slog.Logger) (*chaos, error) {
	if c.Mode != "" && !slices.ContainsFunc(ChaosModes(), func(i ChaosInfo) bool { return i.Mode == c.Mode }) {
		names := make([]string, 0, len(ChaosModes()))
		for _, i := range ChaosModes() {
			names = append(names, string(i.Mode))
		}
		return nil, fmt.Errorf("unknown chaos mode %q (modes: %s)", c.Mode, strings.Join(names, ", "))
	}
	switch {
	case c.Share == 0:
		c.Share = DefaultChaosShare
	case !(c.Share > 0 && c.Share <= 1):
		return nil, fmt.Errorf("chaos share %g: want a fraction in (0, 1]", c.Share)
	}
	switch {
	case c.Delay == 0:
		c.Delay = DefaultChaosDelay
	case c.Delay < 0:
		return nil, fmt.Errorf("chaos delay %s is negative", c.Delay)
	}
	switch {
	case c.RetryAfter == 0:
		c.RetryAfter = DefaultChaosRetryAfter
	case c.RetryAfter < 0:
		c.RetryAfter = 0
	}
	return &chaos{Chaos: c, seed: uint64(seed), corrHeader: corrHeader, log: log}, nil
}

// wrap puts the chaos in front of next, outside the API's middleware: what chaos does
// to a request (a reset, a 429, a redirect) happens before the API sees it, so the
// request has no effect. stop ends hanging requests when the server closes.
func (c *chaos) wrap(next http.Handler, stop <-chan struct{}) http.Handler {
	if c.Mode == "" {
		return next
	}
	c.stop = stop
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := c.seen.Add(1)
		roll := mix(c.seed ^ n*0x9e3779b97f4a7c15)
		hit := float64(roll>>11)/(1<<53) < c.Share
		switch {
		case c.Mode == ChaosSlow:
			if !c.wait(r, c.Delay) {
				panic(http.ErrAbortHandler) // the client went or the server closes
			}
		case c.Mode == ChaosReset && hit:
			c.log.Debug("chaos: reset", "n", n, "method", r.Method, "path", r.URL.Path)
			reset(w)
			return
		case c.Mode == ChaosGarbage && hit:
			c.log.Debug("chaos: truncated body", "n", n, "method", r.Method, "path", r.URL.Path)
			truncated(w, r, next)
			return
		case c.Mode == ChaosRateLimit && hit:
			c.log.Debug("chaos: 429", "n", n, "method", r.Method, "path", r.URL.Path)
			c.tooMany(w, r, roll&(1<<10) != 0)
			return
		case c.Mode == ChaosHang && isList(r):
			c.log.Debug("chaos: hang", "n", n, "path", r.URL.Path)
			c.wait(r, -1)
			panic(http.ErrAbortHandler) // never an answer, not even an empty one
		case c.Mode == ChaosHuge && isList(r):
			c.log.Debug("chaos: huge body", "n", n, "path", r.URL.Path)
			huge(w)
			return
		case c.Mode == ChaosRedirectLoop && isList(r):
			c.echo(w, r)
			w.Header().Set("Location", r.URL.RequestURI())
			w.WriteHeader(http.StatusTemporaryRedirect)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// mix is SplitMix64's finaliser: consecutive inputs give unrelated outputs.
func mix(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// isList reports whether r asks for the list endpoint, GET /{tenant}/access.
func isList(r *http.Request) bool {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	return r.Method == http.MethodGet && len(parts) == 2 && parts[0] != "" && parts[1] == "access"
}

// wait pauses for d (forever when d < 0) or until the client goes or the server
// closes; it reports whether the full time passed.
func (c *chaos) wait(r *http.Request, d time.Duration) bool {
	var timer <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-timer:
		return true
	case <-r.Context().Done():
	case <-c.stop:
	}
	return false
}

func (c *chaos) echo(w http.ResponseWriter, r *http.Request) {
	if id := r.Header.Get(c.corrHeader); id != "" {
		w.Header().Set(c.corrHeader, id)
	}
}

func (c *chaos) tooMany(w http.ResponseWriter, r *http.Request, asDate bool) {
	c.echo(w, r)
	secs := int64((c.RetryAfter + time.Second - 1) / time.Second)
	if asDate {
		// An HTTP date has whole seconds: round up so that the client waits at least
		// RetryAfter.
		at := time.Now().Add(c.RetryAfter)
		if t := at.Truncate(time.Second); !t.Equal(at) {
			at = t.Add(time.Second)
		}
		w.Header().Set("Retry-After", at.UTC().Format(http.TimeFormat))
	} else {
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	writeError(w, http.StatusTooManyRequests, "RATE_LIMITED", "too many requests; retry after the Retry-After delay")
}

// reset closes the connection without a response: with a zero linger the peer gets a
// TCP reset. Where the connection cannot be taken over (HTTP/2), the stream is
// aborted instead.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	raw := conn
	if nc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		raw = nc.NetConn() // under TLS
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// truncated serves r with next into a buffer and sends the first half of the body,
// with headers and status as next set them and a Content-Length for the half.
func truncated(w http.ResponseWriter, r *http.Request, next http.Handler) {
	buf := &bufferedWriter{header: http.Header{}}
	next.ServeHTTP(buf, r)
	for k, vs := range buf.header {
		w.Header()[k] = vs
	}
	body := buf.body.Bytes()
	body = body[:len(body)/2]
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(cmpOr(buf.status, http.StatusOK))
	_, _ = w.Write(body)
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// bufferedWriter keeps a response in memory.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// huge streams a JSON array of padding objects until the client stops reading or
// hugeBodyBytes are sent.
func huge(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	item := []byte(`{"id":"chaos-huge","name":"` + strings.Repeat("x", 200) + `"},`)
	chunk := bytes.Repeat(item, (64<<10)/len(item))
	if _, err := w.Write([]byte("[")); err != nil {
		return
	}
	for sent := 0; sent < hugeBodyBytes; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
	_, _ = w.Write([]byte(`{"id":"chaos-huge","name":"end"}]`))
}
