package target

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
	"time"
)

// Error classes of Do and Probe, for errors.Is. A failed connection attempt that ran
// out of time is both ErrUnreachable and ErrTimeout.
var (
	// ErrUnreachable: no connection could be made (refused, no route, DNS failure).
	ErrUnreachable = errors.New("target unreachable")
	// ErrTimeout: no complete answer within the per-request timeout or the caller's deadline.
	ErrTimeout = errors.New("timed out")
	// ErrBodyTooLarge: the response body is larger than Config.MaxBodyBytes.
	ErrBodyTooLarge = errors.New("response body too large")
	// ErrConnection: a connection was made but broke before a complete response
	// arrived (reset, closed early). The request may or may not have been processed.
	ErrConnection = errors.New("connection broken")
	// ErrRateLimited: the target still answered 429 after the last retry.
	ErrRateLimited = errors.New("rate limited")
)

// requestError is what Do returns once a request was attempted. Its text is built
// here, from the redacted URL and a short reason, never from url.Error (whose text
// carries the unredacted URL).
type requestError struct {
	msg    string  // the whole message
	reason string  // the short cause, e.g. "connection refused"
	kinds  []error // sentinels it matches
	cause  error   // the underlying error, for errors.Is/As
}

func (e *requestError) Error() string { return e.msg }

func (e *requestError) Unwrap() []error {
	errs := append([]error(nil), e.kinds...)
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

func newRequestError(method, recordedURL, reason string, cause error, kinds ...error) *requestError {
	text := reason
	if len(kinds) == 1 && kinds[0] == ErrUnreachable {
		text = "target unreachable: " + reason
	}
	return &requestError{msg: fmt.Sprintf("%s %s: %s", method, recordedURL, text), reason: reason, kinds: kinds, cause: cause}
}

// classify turns a transport or body-read error into its classes and a short reason.
// parent is the caller's context, reqCtx the one carrying the per-request timeout.
func classify(parent, reqCtx context.Context, err error, timeout time.Duration, forms []string) (kinds []error, reason string, cause error) {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	dial := isDialError(err)
	switch {
	case errors.Is(parent.Err(), context.Canceled):
		return nil, "request canceled", err
	case errors.Is(parent.Err(), context.DeadlineExceeded):
		kinds = []error{ErrTimeout}
		reason = "the caller's deadline passed"
		if c := context.Cause(parent); c != nil && !errors.Is(c, context.DeadlineExceeded) {
			reason += ": " + c.Error()
		}
	case errors.Is(reqCtx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || isNetTimeout(err):
		kinds = []error{ErrTimeout}
		reason = fmt.Sprintf("timed out: no response within %s", timeout)
		if dial {
			reason = fmt.Sprintf("could not connect within %s", timeout)
		}
	case dial || isUnreachableErrno(err):
		return []error{ErrUnreachable}, scrubString(causeText(err), forms), err
	case isBrokenConnection(err):
		return []error{ErrConnection}, scrubString(brokenText(err), forms), err
	default:
		return nil, scrubString(causeText(err), forms), err
	}
	if dial {
		kinds = append(kinds, ErrUnreachable)
	}
	return kinds, reason, err
}

func isNetTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isDialError reports whether err happened while connecting (DNS included), before
// any byte of the request was sent.
func isDialError(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func isUnreachableErrno(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EADDRNOTAVAIL)
}

// isBrokenConnection reports whether the connection failed after it was made: the
// peer reset it, or closed it before the response was complete.
func isBrokenConnection(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

func brokenText(err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the connection was closed before a complete response"
	}
	return causeText(err)
}

// causeText is the shortest faithful wording of err: "connection refused" rather
// than "dial tcp 127.0.0.1:1: connect: connection refused".
func causeText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return fmt.Sprintf("cannot resolve %s: %s", dns.Name, dns.Err)
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}

// sizeText renders a byte count the way people set it: "8 MiB", "512 KiB", "1000 bytes".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
