package target

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

const redacted = "[redacted]"

// A Token is a bearer token. It is a secret: every way of printing or encoding it
// (fmt verbs, JSON, text, slog) yields "[redacted]", and only this package reads the
// value. The zero Token means "no credential".
//
// The value is held by a closure: a Token nested in an unexported field, where fmt
// cannot call its methods and walks the fields itself, prints a function address
// under every verb rather than the secret. Two Tokens are equal only if one was
// copied from the other.
type Token struct {
	s *secret
}

type secret struct {
	value  func() string
	envVar string // the shell variable curl reproductions name; "" if none
	// setup is the shell line that sets envVar for a reader of the report (never
	// the value: an export from the file or variable the token came from).
	setup string
}

// NewToken wraps value as a Token. An empty value gives the zero Token.
func NewToken(value string) Token {
	if value == "" {
		return Token{}
	}
	return Token{s: &secret{value: func() string { return value }}}
}

// EnvToken wraps value, read by the caller from the environment variable name, so
// that curl renderings refer to that variable instead of a generic one.
func EnvToken(name, value string) Token {
	t := NewToken(strings.TrimSpace(value))
	if !t.IsZero() && isShellName(name) {
		t.s.envVar = name
	}
	return t
}

// TokenFromEnv reads the token from the environment variable name. Surrounding
// whitespace is trimmed; an unset or empty variable is an error naming the variable.
func TokenFromEnv(name string) (Token, error) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return Token{}, fmt.Errorf("environment variable %s is not set: it must hold the bearer token", name)
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return Token{}, fmt.Errorf("environment variable %s is empty: it must hold the bearer token", name)
	}
	if err := checkTokenChars(v); err != nil {
		return Token{}, fmt.Errorf("environment variable %s: %w", name, err)
	}
	t := NewToken(v)
	if isShellName(name) {
		t.s.envVar = name
	}
	return t, nil
}

// maxTokenFile bounds what TokenFromFile reads: a token file is a line, and a
// mistaken path to a large file should fail fast rather than fill memory.
const maxTokenFile = 64 << 10

// TokenFromFile reads the token from the file at path, trimming surrounding
// whitespace (the trailing newline editors add). Errors name the path, never the
// content.
func TokenFromFile(path string) (Token, error) {
	f, err := os.Open(path)
	if err != nil {
		return Token{}, fmt.Errorf("token file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return Token{}, fmt.Errorf("token file %s: %w", path, err)
	}
	if len(b) > maxTokenFile {
		return Token{}, fmt.Errorf("token file %s is larger than %d bytes: not a token", path, maxTokenFile)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return Token{}, fmt.Errorf("token file %s is empty", path)
	}
	if err := checkTokenChars(v); err != nil {
		return Token{}, fmt.Errorf("token file %s: %w", path, err)
	}
	return NewToken(v), nil
}

// checkTokenChars rejects values that cannot travel in a header. The message never
// quotes the value.
func checkTokenChars(v string) error {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\n' || c == '\r' {
			return fmt.Errorf("the token contains a line break (position %d)", i)
		}
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return fmt.Errorf("the token contains a control character (position %d)", i)
		}
	}
	return nil
}

// ForShell returns a copy of t whose curl reproductions read it from the shell
// variable name, which setup (a line such as `export NAME="$(cat /path)"`, never the
// value) sets. The run gives each tenant's token its own variable, so a command for
// one tenant's request never sends another tenant's token. A name a shell cannot
// write leaves t as it is.
func (t Token) ForShell(name, setup string) Token {
	if t.IsZero() || !isShellName(name) {
		return t
	}
	s := *t.s
	s.envVar, s.setup = name, setup
	return Token{s: &s}
}

// ShellVar is the shell variable curl reproductions of t's requests name ("" when
// none was given: they then name ACCESSCTK_TOKEN). It is a name, not a secret.
func (t Token) ShellVar() string { return t.envVar() }

// ShellSetup is the line that sets ShellVar for a reader of a report ("" when none
// was given). It names where the token is kept and never holds it.
func (t Token) ShellSetup() string {
	if t.s == nil {
		return ""
	}
	return t.s.setup
}

// IsZero reports whether t is the zero Token (no credential).
func (t Token) IsZero() bool { return t.s == nil }

func (t Token) value() string {
	if t.s == nil {
		return ""
	}
	return t.s.value()
}

func (t Token) envVar() string {
	if t.s == nil {
		return ""
	}
	return t.s.envVar
}

// String returns "[redacted]".
func (t Token) String() string { return redacted }

// GoString returns "[redacted]", so %#v hides the value too.
func (t Token) GoString() string { return redacted }

// Format prints "[redacted]" for every verb (%q quotes it), so no verb such as %x
// or %d can reach the value.
func (t Token) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		_, _ = io.WriteString(f, `"`+redacted+`"`)
		return
	}
	_, _ = io.WriteString(f, redacted)
}

// MarshalJSON encodes the Token as the JSON string "[redacted]".
func (t Token) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText encodes the Token as "[redacted]" (YAML, text encoders, map keys).
func (t Token) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue makes slog print "[redacted]".
func (t Token) LogValue() slog.Value { return slog.StringValue(redacted) }

// isShellName reports whether name can be written as ${name} in a shell command.
func isShellName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// ExportFromFile is the shell line that sets the variable name to the token kept in
// the file at path, as a run reads it (the shell drops the trailing newline).
func ExportFromFile(name, path string) string {
	return "export " + name + `="$(cat ` + shellQuote(path) + `)"`
}

// ExportFromEnv is the shell line that sets the variable name to the token held in
// the environment variable from, the one the run read. When the two are one
// variable the line keeps it as it is, and stops with what to set when it is unset,
// so that it can be pasted as printed.
func ExportFromEnv(name, from, tenant string) string {
	if name != from {
		return "export " + name + `="$(printenv ` + shellQuote(from) + `)"`
	}
	what := "the bearer token"
	if plainWord(tenant) {
		what += " of tenant " + tenant
	}
	return "export " + name + `="${` + name + `:?set it to ` + what + `, as for the run}"`
}

// plainWord reports whether s can stand in a shell word unquoted and unexpanded.
func plainWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '-' || c == '.' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
