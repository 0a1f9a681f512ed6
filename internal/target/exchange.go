package target

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// AuthKind says which credential a request carried.
type AuthKind int

// The credentials a request can carry.
const (
	AuthNone     AuthKind = iota // no Authorization header
	AuthToken                    // "Bearer <token>" from Request.Token
	AuthOverride                 // Request.AuthOverride, verbatim
)

var authNames = [...]string{AuthNone: "none", AuthToken: "token", AuthOverride: "override"}

func (a AuthKind) String() string {
	if a >= 0 && int(a) < len(authNames) {
		return authNames[a]
	}
	return "AuthKind(" + strconv.Itoa(int(a)) + ")"
}

// MarshalText encodes the kind as its name.
func (a AuthKind) MarshalText() ([]byte, error) {
	if a < 0 || int(a) >= len(authNames) {
		return nil, fmt.Errorf("target: unknown AuthKind %d", int(a))
	}
	return []byte(authNames[a]), nil
}

// UnmarshalText decodes a name written by MarshalText.
func (a *AuthKind) UnmarshalText(b []byte) error {
	i := slices.Index(authNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("target: unknown auth kind %q", b)
	}
	*a = AuthKind(i)
	return nil
}

// Exchange is the record of one request and its response: what reports show. It
// holds no secret: credentials, password values and every token the client used are
// redacted (see redactBody), and bodies keep their byte shape.
type Exchange struct {
	Seq      int // 1-based, in the order requests started
	Started  time.Time
	Duration time.Duration

	Method string
	URL    string // as sent, with token/access_token/password query values hidden
	// RequestHeader as sent (Go's transport adds Host, Content-Length and
	// Accept-Encoding on top); Authorization reads "Bearer [redacted]".
	RequestHeader http.Header
	RequestBody   []byte // password values replaced by same-shape placeholders
	Auth          AuthKind
	CorrelationID string // the correlation header value sent
	// Attempt is 1 for a request's first exchange and n+1 for its n-th retry after
	// a 429; Waited is the time spent waiting on 429 answers before this attempt.
	Attempt int
	Waited  time.Duration

	Status         int // 0 when no response arrived
	ResponseHeader http.Header
	ResponseBody   []byte // redacted like RequestBody; cut at the cap when too large
	Err            string // why the exchange failed, if it did (no secrets)

	tokenVar string // environment variable that held the token, for Curl
}

// excerptBytes is how much of each body String shows.
const excerptBytes = 4 << 10

// String renders the exchange as a transcript block:
//
//	> PATCH http://host/eos/access/eos_1
//	> Content-Type: application/merge-patch+json
//	>
//	{"password":"[redacted: 73 bytes, 72 chars]"}
//	< 200 OK (12ms)
//	< Content-Type: application/json
//	<
//	{...}
//
// Bodies are cut at 4 KiB with a "… (N more bytes)" line; password placeholders are
// shown as "[redacted: N bytes, M chars]".
func (e *Exchange) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", e.Method, e.URL)
	writeHeader(&b, "> ", e.RequestHeader)
	if len(e.RequestBody) > 0 {
		b.WriteString(">\n")
		writeBody(&b, e.RequestBody, excerptBytes)
	}
	if e.Attempt > 1 {
		fmt.Fprintf(&b, "# retry %d of this request, after waiting %s on 429 answers\n", e.Attempt-1, roundDuration(e.Waited))
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, "< %d %s (%s)\n", e.Status, http.StatusText(e.Status), roundDuration(e.Duration))
		writeHeader(&b, "< ", e.ResponseHeader)
		if len(e.ResponseBody) > 0 {
			b.WriteString("<\n")
			writeBody(&b, e.ResponseBody, excerptBytes)
		}
	}
	if e.Err != "" {
		fmt.Fprintf(&b, "! %s (after %s)\n", e.Err, roundDuration(e.Duration))
	}
	return b.String()
}

// ResponseExcerpt returns at most max bytes of the response body, passwords
// annotated, with a "… (N more bytes)" marker when cut: for failure messages.
func (e *Exchange) ResponseExcerpt(max int) string {
	var b strings.Builder
	writeBody(&b, e.ResponseBody, max)
	return strings.TrimSuffix(b.String(), "\n")
}

// LogValue logs a one-line summary.
func (e *Exchange) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.Int("seq", e.Seq),
		slog.String("method", e.Method),
		slog.String("url", e.URL),
		slog.Int("status", e.Status),
		slog.Duration("duration", e.Duration),
	}
	if e.Err != "" {
		attrs = append(attrs, slog.String("err", e.Err))
	}
	return slog.GroupValue(attrs...)
}

// roundDuration keeps transcripts readable: milliseconds, or microseconds below one.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

func writeHeader(b *strings.Builder, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, v)
		}
	}
}

func writeBody(b *strings.Builder, body []byte, limit int) {
	shown := redactBody(body, nil, annotateStyle)
	rest := 0
	if len(shown) > limit {
		cut := max(limit, 0)
		for cut > 0 && !utf8.RuneStart(shown[cut]) {
			cut--
		}
		rest = len(shown) - cut
		shown = shown[:cut]
	}
	b.Write(shown)
	if len(shown) > 0 && shown[len(shown)-1] != '\n' {
		b.WriteByte('\n')
	}
	if rest > 0 {
		fmt.Fprintf(b, "… (%d more bytes)\n", rest)
	}
}

// Curl returns a bash command reproducing the request: the token as an environment
// reference (${ACCESSCTK_TOKEN}, or the variable it was read from), the body as
// recorded (placeholders keep each password's byte length), every recorded header,
// and the full URL. An AuthOverride is shown as "Bearer [redacted]", itself an
// invalid credential, so the command still reproduces a bad-token request.
func (e *Exchange) Curl() string {
	args := []string{"curl -sS -i -g --path-as-is"}
	if e.Method == http.MethodHead {
		args = append(args, "--head")
	} else {
		args = append(args, "-X "+shellQuote(e.Method))
	}
	keys := make([]string, 0, len(e.RequestHeader))
	for k := range e.RequestHeader {
		if !strings.EqualFold(k, "Authorization") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range e.RequestHeader[k] {
			args = append(args, "-H "+shellQuote(k+": "+v))
		}
	}
	switch e.Auth {
	case AuthToken:
		args = append(args, `-H "Authorization: Bearer ${`+orDefault(e.tokenVar, "ACCESSCTK_TOKEN")+`}"`)
	case AuthOverride:
		args = append(args, "-H "+shellQuote("Authorization: Bearer "+redacted))
	}
	if len(e.RequestBody) > 0 || sendsEmptyBody(e.Method) {
		if headerValue(e.RequestHeader, "Content-Type") == "" {
			// curl would add application/x-www-form-urlencoded; Go sent none.
			args = append(args, "-H 'Content-Type:'")
		}
		if slices.Contains(e.RequestBody, 0) {
			// Arguments cannot hold NUL bytes: have printf produce the body.
			args = append(args, "--data-binary @<(printf '%b' "+shellQuote(octalEscape(e.RequestBody))+")")
		} else {
			args = append(args, "--data-binary "+shellQuote(string(e.RequestBody)))
		}
	}
	args = append(args, shellQuote(e.URL))
	return strings.Join(args, " \\\n  ")
}

// sendsEmptyBody reports whether Go sends "Content-Length: 0" for a body-less
// request of this method, which curl does only when given a (possibly empty) body.
func sendsEmptyBody(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

// shellQuote quotes s for bash in single quotes; a quote inside closes the
// string, adds an escaped quote and reopens it.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// octalEscape writes b for printf %b: printable ASCII as is, everything else
// (quotes and backslash included) as \0NNN.
func octalEscape(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f && c != '\\' && c != '\'' && c != '%' {
			s.WriteByte(c)
			continue
		}
		fmt.Fprintf(&s, `\0%03o`, c)
	}
	return s.String()
}
