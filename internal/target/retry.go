package target

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults of the retry policy and the circuit breaker (see Config).
const (
	DefaultMaxRetries   = 5
	DefaultMaxRetryWait = 30 * time.Second
	DefaultGiveUpAfter  = 3
	// backoffBase is the first wait after a 429 without Retry-After; it doubles on
	// each retry, up to MaxRetryWait.
	backoffBase = time.Second
)

// Why 429 is retried for every method, PATCH and POST included: a blind retry (after a
// timeout, a reset, a 5xx) is never made, because then the target may have applied
// the request and a second PATCH or batch could change what the scenario judges. A
// 429 is not that: the target says it refused the request unprocessed, and the wire
// contract (skylark-wire.md, Headers) tells clients to wait and retry. Returning the
// 429 instead would be worse: the catalogue calls any 4xx with no state change a
// rejection, so a rate-limited invalid PATCH would pass a rejection check without the
// target ever judging its body, and a valid one would fail. A 429 that persists after
// the last retry is therefore an error (ErrRateLimited), never a response to judge.

// Stats counts what the client did beyond sending requests: retries after 429, time
// spent waiting, and whether it gave up on an unreachable target.
type Stats struct {
	// Exchanges is the number of exchanges recorded (every attempt counts).
	Exchanges int
	// RateLimited counts the 429 answers received.
	RateLimited int
	// Retries counts the requests sent again after a 429.
	Retries int
	// RetryWait is the time spent waiting before those retries.
	RetryWait time.Duration
	// GaveUp counts the requests still answered 429 after the last retry.
	GaveUp int
	// LimiterWait is the time spent waiting for the requests-per-second limit.
	LimiterWait time.Duration
	// Unreachable is non-empty once the client stopped trying the target after
	// consecutive connection failures: the last failure's reason.
	Unreachable string
	// NotSent counts the requests refused at once because of that.
	NotSent int
}

// ParseRetryAfter reads a Retry-After value (RFC 9110 §10.2.3): delay seconds or an
// HTTP date, which is relative to now (a date in the past means no wait). ok is false
// when the value is absent or malformed.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		n, err := strconv.ParseInt(v, 10, 64)
		// A value too large to represent waits "forever"; the cap cuts it.
		if err != nil || n > int64((1<<63-1)/time.Second) {
			return 1<<63 - 1, true
		}
		return time.Duration(n) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// retryWait is the wait before retry number n (1-based) after a 429: the target's
// Retry-After when it gives one, else an exponential backoff; at most the cap.
func retryWait(header string, n int, now time.Time, limit time.Duration) time.Duration {
	d, ok := ParseRetryAfter(header, now)
	if !ok {
		d = backoffBase << min(n-1, 20)
	}
	return min(d, limit)
}

// sleepCtx waits d or until ctx ends, whichever is first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// rateLimitedError is the error of a request still answered 429 after every retry.
func rateLimitedError(p *prepared, recordedURL string, retries int, waited time.Duration) *requestError {
	reason := fmt.Sprintf("rate limited: still 429 after %d retries (waited %s in all)", retries, roundDuration(waited))
	if retries == 0 {
		reason = "rate limited: 429, and retries are off"
	}
	return newRequestError(p.method, recordedURL, reason, nil, ErrRateLimited)
}
