// Package target is the one HTTP client every step uses to talk to the target under
// test. It alone sees the bearer token, and it records every exchange in a redacted
// transcript that reports show and curl commands reproduce. It copes with unreliable
// targets without hiding them: it waits out 429 answers as Retry-After asks (and
// retries nothing else), paces requests to a rate limit, caps body reads, and stops
// trying a target that keeps refusing connections.
package target

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Defaults for the zero fields of Config.
const (
	DefaultTimeout           = 10 * time.Second
	DefaultMaxBodyBytes      = 8 << 20
	DefaultCorrelationHeader = "X-Correlation-ID"
	DefaultUserAgent         = "accessctk"
)

// Config configures a Client. Zero fields take the defaults above.
type Config struct {
	// BaseURL is the target root, e.g. http://127.0.0.1:4321 or https://host/base.
	// It must not carry credentials, a query or a fragment.
	BaseURL *url.URL
	// Timeout bounds each request, body read included.
	Timeout time.Duration
	// MaxBodyBytes caps a response body; a larger one is an ErrBodyTooLarge error.
	MaxBodyBytes int64
	// CorrelationHeader names the correlation ID header sent with every request.
	CorrelationHeader string
	// Transport replaces the default keep-alive transport (tests, TLS settings).
	Transport http.RoundTripper
	// UserAgent is sent unless a request sets its own.
	UserAgent string
	// TLS configures connections to an https target (trusted CAs, a client
	// certificate); see LoadTLS. Ignored when Transport is set.
	TLS *tls.Config
	// MaxRetries bounds how often a request answered 429 is sent again (default
	// DefaultMaxRetries; negative for never). Nothing else is ever retried.
	MaxRetries int
	// MaxRetryWait caps a single wait before a retry (default DefaultMaxRetryWait): a
	// longer Retry-After is cut to it.
	MaxRetryWait time.Duration
	// RPS limits the requests sent per second, every attempt counted; 0 means no limit.
	RPS float64
	// GiveUpAfter is how many requests in a row may fail to connect before the client
	// stops trying the target: every later request then fails at once with
	// ErrUnreachable (default DefaultGiveUpAfter; negative for never).
	GiveUpAfter int
	// KeepTranscript makes the client keep its most recent exchanges (at most 1024,
	// and 16 MiB of bodies) for Transcript. Without it the client holds no exchange
	// once Do has returned it: scenarios keep the exchanges they judge, and a walk's
	// pages are garbage as soon as they are checked.
	KeepTranscript bool
}

// Client sends requests to one target and keeps the transcript. It is safe for
// concurrent use.
type Client struct {
	base       *url.URL
	http       *http.Client
	timeout    time.Duration
	maxBody    int64
	corrHeader string
	userAgent  string

	maxRetries   int
	maxRetryWait time.Duration
	giveUpAfter  int
	limiter      *rate.Limiter // nil without an RPS limit
	// sleep and now are the clock, replaced in tests.
	sleep func(context.Context, time.Duration) error
	now   func() time.Time

	mu  sync.Mutex
	seq int
	log []*Exchange
	// logBytes is the body bytes the transcript holds.
	logBytes int
	tokens   []string // every token value used so far
	forms    []string // secretForms(tokens)
	stats    Stats
	// failedConnects counts consecutive requests that could not connect.
	failedConnects int
	keepTranscript bool
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == nil {
		return nil, errors.New("target: no base URL")
	}
	base := *cfg.BaseURL
	switch {
	case base.Scheme != "http" && base.Scheme != "https":
		return nil, fmt.Errorf("target URL %s: the scheme must be http or https", base.Redacted())
	case base.Host == "":
		return nil, fmt.Errorf("target URL %s: no host", base.Redacted())
	case base.User != nil:
		return nil, fmt.Errorf("target URL %s: credentials in the URL are not allowed; pass a token", base.Redacted())
	case base.RawQuery != "" || base.ForceQuery:
		return nil, fmt.Errorf("target URL %s: a query is not allowed in the base URL", base.Redacted())
	case base.Fragment != "":
		return nil, fmt.Errorf("target URL %s: a fragment is not allowed in the base URL", base.Redacted())
	case cfg.Timeout < 0:
		return nil, fmt.Errorf("target: negative timeout %s", cfg.Timeout)
	case cfg.MaxBodyBytes < 0:
		return nil, fmt.Errorf("target: negative body cap %d", cfg.MaxBodyBytes)
	case cfg.MaxRetryWait < 0:
		return nil, fmt.Errorf("target: negative retry wait cap %s", cfg.MaxRetryWait)
	case cfg.RPS < 0 || math.IsNaN(cfg.RPS) || math.IsInf(cfg.RPS, 0):
		return nil, fmt.Errorf("target: requests per second must be a positive number or 0 (no limit), not %g", cfg.RPS)
	}
	c := &Client{
		base:           &base,
		timeout:        orDefault(cfg.Timeout, DefaultTimeout),
		maxBody:        orDefault(cfg.MaxBodyBytes, DefaultMaxBodyBytes),
		corrHeader:     orDefault(cfg.CorrelationHeader, DefaultCorrelationHeader),
		userAgent:      orDefault(cfg.UserAgent, DefaultUserAgent),
		maxRetries:     max(orDefault(cfg.MaxRetries, DefaultMaxRetries), 0),
		maxRetryWait:   orDefault(cfg.MaxRetryWait, DefaultMaxRetryWait),
		giveUpAfter:    orDefault(cfg.GiveUpAfter, DefaultGiveUpAfter),
		keepTranscript: cfg.KeepTranscript,
		sleep:          sleepCtx,
		now:            time.Now,
	}
	if cfg.RPS > 0 {
		// A burst of one: the limit holds over any interval, not only on average.
		c.limiter = rate.NewLimiter(rate.Limit(cfg.RPS), 1)
	}
	if !isToken(c.corrHeader) {
		return nil, fmt.Errorf("target: correlation header name %q is not a valid header name", c.corrHeader)
	}
	transport := cfg.Transport
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// Scenarios may run concurrently against one host; the default of 2 idle
		// connections per host would close and reopen connections between them.
		t.MaxIdleConnsPerHost = 32
		if cfg.TLS != nil {
			t.TLSClientConfig = cfg.TLS.Clone()
		}
		transport = t
	}
	c.http = &http.Client{
		Transport: transport,
		// A redirect is an answer to judge, not to follow: following it would hide
		// the target's status from the checks and could carry the token elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// BaseURL returns a copy of the target root.
func (c *Client) BaseURL() *url.URL {
	u := *c.base
	return &u
}

// Request describes one call.
type Request struct {
	// Method defaults to GET.
	Method string
	// Path is relative to BaseURL ("/eos/access/eos_1"), in its escaped wire form:
	// escape dynamic segments with url.PathEscape. It may also be an absolute URL on
	// the same origin as BaseURL (a Link header target, resolved by the caller); its
	// query is then used when Query and RawQuery are empty.
	Path string
	// Query is encoded with keys sorted and spaces as %20 (never '+', which some
	// servers read as a plus).
	Query url.Values
	// RawQuery is used verbatim when non-empty, for raw filter forms.
	RawQuery string
	// Header is sent as given; it must not hold Authorization (use Token or
	// AuthOverride). A correlation ID and User-Agent are added unless present.
	Header http.Header
	// Body is sent as is. Nothing adds a Content-Type.
	Body []byte
	// Token selects the credential; the zero Token sends no Authorization header.
	Token Token
	// AuthOverride sends exactly this Authorization value (e.g. "Bearer wrong" for
	// bad-token checks). It is recorded as "Bearer [redacted]" like any credential.
	AuthOverride string
}

// Response is the result of Do. The embedded Exchange is the redacted record (the
// one Transcript returns); Header and Body are the raw response, for assertions only:
// Body may hold an echoed password (SAM-UP-12). Never log or report them; printing
// a Response with fmt or slog shows only the redacted Exchange.
type Response struct {
	*Exchange
	Header http.Header
	Body   []byte
}

// Format prints the redacted transcript for every verb, so the raw body cannot leak
// through fmt.
func (r Response) Format(f fmt.State, _ rune) {
	if r.Exchange == nil {
		_, _ = io.WriteString(f, "<no exchange>")
		return
	}
	_, _ = io.WriteString(f, r.Exchange.String())
}

// LogValue logs the exchange's summary, never the raw body.
func (r Response) LogValue() slog.Value {
	if r.Exchange == nil {
		return slog.StringValue("<no exchange>")
	}
	return r.Exchange.LogValue()
}

// prepared is a validated request, ready to send (possibly more than once, once
// retries come).
type prepared struct {
	method    string
	u         *url.URL
	header    http.Header // as sent, without Authorization
	body      []byte
	auth      AuthKind
	authValue string // the Authorization value; a secret
	token     Token
	corrID    string
}

func (c *Client) prepare(r Request) (*prepared, error) {
	p := &prepared{method: orDefault(r.Method, http.MethodGet), body: r.Body}
	if !isToken(p.method) {
		return nil, fmt.Errorf("target: invalid method %q", p.method)
	}
	u, err := c.resolve(r)
	if err != nil {
		return nil, err
	}
	p.u = u
	p.header = make(http.Header, len(r.Header)+3)
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Authorization") {
			return nil, errors.New("target: set Request.Token or Request.AuthOverride, not an Authorization header")
		}
		p.header[k] = slices.Clone(vs)
	}
	switch {
	case !r.Token.IsZero() && r.AuthOverride != "":
		return nil, errors.New("target: a request takes Token or AuthOverride, not both")
	case !r.Token.IsZero():
		if err := checkTokenChars(r.Token.value()); err != nil {
			return nil, fmt.Errorf("target: %w", err)
		}
		p.auth, p.authValue, p.token = AuthToken, "Bearer "+r.Token.value(), r.Token
	case r.AuthOverride != "":
		if err := checkTokenChars(r.AuthOverride); err != nil {
			return nil, fmt.Errorf("target: AuthOverride: %w", err)
		}
		p.auth, p.authValue = AuthOverride, r.AuthOverride
	}
	if headerValue(p.header, "User-Agent") == "" {
		p.header.Set("User-Agent", c.userAgent)
	}
	if p.corrID = headerValue(p.header, c.corrHeader); p.corrID == "" {
		p.corrID = newCorrelationID()
		p.header.Set(c.corrHeader, p.corrID)
	}
	return p, nil
}

// resolve builds the request URL from BaseURL, Path and the query fields.
func (c *Client) resolve(r Request) (*url.URL, error) {
	var u *url.URL
	if r.Path != "" && !strings.HasPrefix(r.Path, "/") {
		if abs, err := url.Parse(r.Path); err == nil && abs.IsAbs() {
			if !strings.EqualFold(abs.Scheme, c.base.Scheme) || !strings.EqualFold(abs.Host, c.base.Host) || abs.User != nil {
				return nil, fmt.Errorf("target: %s is not on the target %s; the token is only sent there", abs.Redacted(), c.base.Redacted())
			}
			u = abs
		}
	}
	if u == nil {
		path := r.Path
		if path != "" && !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		full := c.base.Scheme + "://" + c.base.Host + strings.TrimSuffix(c.base.EscapedPath(), "/") + path
		var err error
		if u, err = url.Parse(full); err != nil {
			return nil, fmt.Errorf("target: invalid request path %q: %w", r.Path, err)
		}
	}
	u.Fragment, u.RawFragment = "", ""
	hasOwn := u.RawQuery != "" || u.ForceQuery
	switch {
	case r.RawQuery != "" && r.Query != nil:
		return nil, errors.New("target: a request takes Query or RawQuery, not both")
	case (r.RawQuery != "" || r.Query != nil) && hasOwn:
		return nil, errors.New("target: the path already has a query; drop Query/RawQuery or the path's query")
	case r.RawQuery != "":
		u.RawQuery = r.RawQuery
	case r.Query != nil:
		u.RawQuery = encodeQuery(r.Query)
	}
	return u, nil
}

// encodeQuery is url.Values.Encode with spaces as %20: under RFC 3986 '+' is a
// literal plus, and only form decoding turns it into a space.
func encodeQuery(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	for _, k := range keys {
		for _, val := range v[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(esc(k))
			b.WriteByte('=')
			b.WriteString(esc(val))
		}
	}
	return b.String()
}

// headerValue looks a header up by name in any case: callers may set keys directly
// in the map, bypassing canonicalisation.
func headerValue(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return v
	}
	for k, vs := range h {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

func newCorrelationID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// isToken reports whether s is an RFC 9110 token (method and header names).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// MaxConnectionRetries is how many times a GET whose connection broke before a
// complete answer is sent again before its error stands.
const MaxConnectionRetries = 2

// Do sends r and records the exchange. A request answered 429 is sent again after the
// wait its Retry-After asks for (at most MaxRetryWait, MaxRetries times; see retry.go
// for why that holds for PATCH and POST too); each attempt is its own exchange, and
// the Response is the last one.
//
// A non-nil error from a valid Request comes with a non-nil Response whose Exchange
// records the attempt (Err set); its raw Body is nil. The error matches
// ErrUnreachable, ErrTimeout, ErrConnection, ErrBodyTooLarge or ErrRateLimited under
// errors.Is when one applies. An invalid Request gives a nil Response and records
// nothing. A GET whose connection broke before a complete answer is sent again, up
// to MaxConnectionRetries times: a read changes nothing.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	p, err := c.prepare(r)
	if err != nil {
		return nil, err
	}
	var waited time.Duration
	broken := 0
	for n := 0; ; n++ {
		res, err := c.send(ctx, p, attempt{n: n + 1, waited: waited})
		if err != nil && p.method == http.MethodGet && errors.Is(err, ErrConnection) && !errors.Is(err, ErrUnreachable) && broken < MaxConnectionRetries && ctx.Err() == nil {
			// A read changes nothing, so one whose connection broke is sent again,
			// a bounded number of times; a PATCH or POST never is (see retry.go).
			c.record(res.Exchange)
			broken++
			continue
		}
		if err != nil || res.Status != http.StatusTooManyRequests {
			c.record(res.Exchange)
			return res, err
		}
		c.count(func(s *Stats) { s.RateLimited++ })
		if n >= c.maxRetries {
			c.count(func(s *Stats) { s.GaveUp++ })
			return c.failRecorded(res, rateLimitedError(p, res.URL, n, waited))
		}
		wait := retryWait(res.Header.Get("Retry-After"), n+1, c.now(), c.maxRetryWait)
		if err := c.sleep(ctx, wait); err != nil {
			reason := fmt.Sprintf("waiting %s to retry after a 429: %s", roundDuration(wait), ctxReason(ctx))
			return c.failRecorded(res, newRequestError(p.method, res.URL, reason, err, ctxKinds(ctx)...))
		}
		c.record(res.Exchange)
		c.count(func(s *Stats) { s.Retries++; s.RetryWait += wait })
		waited += wait
	}
}

// attempt describes one try of a request: its number (1 for the first) and the time
// waited on 429 answers before it.
type attempt struct {
	n      int
	waited time.Duration
}

// failRecorded ends a request whose last exchange carries a status but is still an
// error (rate limited to the end, or interrupted while waiting).
func (c *Client) failRecorded(res *Response, e *requestError) (*Response, error) {
	res.Exchange.Err = e.msg
	res.Body = nil
	c.record(res.Exchange)
	return res, e
}

// ctxReason says why ctx ended, naming its cause when it has one (the run deadline).
func ctxReason(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.Canceled) {
		return "request canceled"
	}
	reason := "the caller's deadline passed"
	if c := context.Cause(ctx); c != nil && !errors.Is(c, context.DeadlineExceeded) {
		reason += ": " + c.Error()
	}
	return reason
}

func ctxKinds(ctx context.Context) []error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return []error{ErrTimeout}
	}
	return nil
}

// send makes one attempt unless the client gave up on the target, waiting for the
// RPS limit first. The exchange is not recorded yet: Do decides how it ended.
func (c *Client) send(ctx context.Context, p *prepared, a attempt) (*Response, error) {
	seq, forms := c.begin(p.token)
	res := c.newResponse(seq, forms, p, a)
	ex := res.Exchange
	fail := func(e *requestError) (*Response, error) {
		ex.Duration = time.Since(ex.Started)
		ex.Err = e.msg
		res.Body = nil
		return res, e
	}
	if reason, down := c.gaveUp(); down {
		c.count(func(s *Stats) { s.NotSent++ })
		return fail(newRequestError(p.method, ex.URL, "not sent: "+reason, nil, ErrUnreachable))
	}
	if c.limiter != nil {
		start := time.Now()
		err := c.limiter.Wait(ctx)
		c.count(func(s *Stats) { s.LimiterWait += time.Since(start) })
		if err != nil {
			reason := "waiting for the requests-per-second limit: " + ctxReason(ctx)
			if ctx.Err() == nil {
				// Wait refuses at once when the deadline would pass before its turn.
				reason = "waiting for the requests-per-second limit: the caller's deadline would pass first"
				return fail(newRequestError(p.method, ex.URL, reason, err, ErrTimeout))
			}
			return fail(newRequestError(p.method, ex.URL, reason, err, ctxKinds(ctx)...))
		}
		ex.Started = time.Now()
	}
	res, err := c.doOnce(ctx, p, res, forms)
	c.observe(res, err)
	return res, err
}

func (c *Client) newResponse(seq int, forms []string, p *prepared, a attempt) *Response {
	ex := &Exchange{
		Seq:           seq,
		Started:       time.Now(),
		Method:        p.method,
		URL:           redactURL(p.u, forms),
		RequestHeader: redactHeader(p.header, forms),
		RequestBody:   redactBody(p.body, forms, placeholderStyle),
		Auth:          p.auth,
		CorrelationID: scrubString(p.corrID, forms),
		Attempt:       a.n,
		Waited:        a.waited,
		tokenVar:      p.token.envVar(),
	}
	if p.auth != AuthNone {
		ex.RequestHeader.Set("Authorization", "Bearer "+redacted)
	}
	return &Response{Exchange: ex}
}

// doOnce sends a prepared request once and completes res; it records nothing.
func (c *Client) doOnce(ctx context.Context, p *prepared, res *Response, forms []string) (*Response, error) {
	ex := res.Exchange
	fail := func(e *requestError) (*Response, error) {
		ex.Duration = time.Since(ex.Started)
		ex.Err = e.msg
		res.Body = nil
		return res, e
	}

	reqCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if len(p.body) > 0 {
		body = bytes.NewReader(p.body)
	}
	req, err := http.NewRequestWithContext(reqCtx, p.method, c.base.String(), body)
	if err != nil {
		return fail(newRequestError(p.method, ex.URL, scrubString(err.Error(), forms), err))
	}
	// The URL is set after construction so that a raw query is sent exactly as given,
	// not re-parsed.
	req.URL, req.Host = p.u, p.u.Host
	req.Header = p.header.Clone()
	if p.auth != AuthNone {
		req.Header.Set("Authorization", p.authValue)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		kinds, reason, cause := classify(ctx, reqCtx, err, c.timeout, forms)
		return fail(newRequestError(p.method, ex.URL, reason, cause, kinds...))
	}
	defer resp.Body.Close()
	ex.Status = resp.StatusCode
	ex.ResponseHeader = redactHeader(resp.Header, forms)
	res.Header = resp.Header
	raw, err := readBody(resp, c.maxBody+1)
	if err != nil {
		ex.ResponseBody = redactBody(raw, forms, placeholderStyle)
		kinds, reason, cause := classify(ctx, reqCtx, err, c.timeout, forms)
		return fail(newRequestError(p.method, ex.URL, "reading the response body: "+reason, cause, kinds...))
	}
	if int64(len(raw)) > c.maxBody {
		ex.ResponseBody = redactBody(raw[:c.maxBody], forms, placeholderStyle)
		reason := fmt.Sprintf("response body exceeds the %s cap", sizeText(c.maxBody))
		return fail(newRequestError(p.method, ex.URL, reason, nil, ErrBodyTooLarge))
	}
	ex.ResponseBody = redactBody(raw, forms, placeholderStyle)
	ex.Duration = time.Since(ex.Started)
	res.Body = raw
	return res, nil
}

// readBody reads at most limit bytes of resp's body. A declared Content-Length
// sizes the buffer up front (within the limit: a lying header costs at most the cap),
// so a page of a thousand accesses is read into one allocation rather than a dozen
// doubling ones.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	size := int64(512)
	if n := resp.ContentLength; n > 0 {
		size = min(n+1, limit) // +1: the read that finds the end needs room
	}
	r := io.LimitReader(resp.Body, limit)
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// observe keeps the circuit breaker's count: a request that could not connect adds
// one, any sign of a live connection (an answer, a connection broken after it was
// made) starts again from zero.
func (c *Client) observe(res *Response, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case err != nil && errors.Is(err, ErrUnreachable):
		c.failedConnects++
		if c.giveUpAfter > 0 && c.failedConnects >= c.giveUpAfter && c.stats.Unreachable == "" {
			var re *requestError
			reason := err.Error()
			if errors.As(err, &re) {
				reason = re.reason
			}
			c.stats.Unreachable = fmt.Sprintf("gave up on the target after %d requests in a row could not connect (last: %s)", c.failedConnects, reason)
		}
	case res.Status != 0 || errors.Is(err, ErrConnection):
		c.failedConnects = 0
	}
}

// gaveUp reports whether the client stopped trying the target, and why.
func (c *Client) gaveUp() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats.Unreachable, c.stats.Unreachable != ""
}

func (c *Client) count(f func(*Stats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.stats)
}

// Stats returns the client's counters so far.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// begin reserves the next sequence number and registers the token, returning the
// secret forms to scrub from this exchange.
func (c *Client) begin(t Token) (int, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	if v := t.value(); v != "" && !slices.Contains(c.tokens, v) {
		c.tokens = append(c.tokens, v)
		c.forms = secretForms(c.tokens)
	}
	return c.seq, c.forms
}

// transcriptKeep and transcriptKeepBytes bound the client's own transcript: the most
// recent exchanges, at most 1024 of them and at most 16 MiB of bodies (the latest
// exchange is always kept). Scenarios keep the exchanges they judge; the client's copy
// is for diagnostics. A count alone did not keep memory flat: a walk in pages of 1000
// accesses holds ~300 KB per page, and 1024 of them were 376 MiB at a million.
const (
	transcriptKeep      = 1024
	transcriptKeepBytes = 16 << 20
)

func exchangeBytes(ex *Exchange) int { return len(ex.RequestBody) + len(ex.ResponseBody) }

func (c *Client) record(ex *Exchange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.Exchanges++
	if !c.keepTranscript {
		return
	}
	c.log = append(c.log, ex)
	c.logBytes += exchangeBytes(ex)
	drop := 0
	for len(c.log)-drop > 1 && (len(c.log)-drop > transcriptKeep || c.logBytes > transcriptKeepBytes) {
		c.logBytes -= exchangeBytes(c.log[drop])
		drop++
	}
	if drop > 0 {
		// Copy down and clear the tail: a re-slice would leave the dropped exchanges
		// referenced by the backing array, bodies and all.
		n := copy(c.log, c.log[drop:])
		clear(c.log[n:])
		c.log = c.log[:n]
	}
}

// Transcript returns the most recent exchanges (up to 1024, and 16 MiB of bodies;
// none unless Config.KeepTranscript), ordered by Seq (the order requests started). The Exchanges are shared and must not be modified.
func (c *Client) Transcript() []*Exchange {
	c.mu.Lock()
	out := slices.Clone(c.log)
	c.mu.Unlock()
	slices.SortFunc(out, func(a, b *Exchange) int { return a.Seq - b.Seq })
	return out
}

// Probe sends one GET to the base URL without credentials. Any HTTP answer, even a
// 404, a body over the cap or a 429 to the end, means the target is reachable;
// otherwise the error matches ErrUnreachable and reads "target URL is unreachable:
// reason".
func (c *Client) Probe(ctx context.Context) error {
	_, err := c.Do(ctx, Request{Method: http.MethodGet})
	if err == nil || errors.Is(err, ErrBodyTooLarge) || errors.Is(err, ErrRateLimited) {
		return nil
	}
	var re *requestError
	if !errors.As(err, &re) {
		return err
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return fmt.Errorf("probe of target %s: %w", c.base.Redacted(), err)
	}
	kinds := re.kinds
	if !slices.Contains(kinds, ErrUnreachable) {
		kinds = append(slices.Clone(kinds), ErrUnreachable)
	}
	return &requestError{
		msg:    fmt.Sprintf("target %s is unreachable: %s", c.base.Redacted(), re.reason),
		reason: re.reason,
		kinds:  kinds,
		cause:  re.cause,
	}
}
