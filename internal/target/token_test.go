package target

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const secretValue = "s3cr3t-T0K3N-value"

func TestTokenNeverPrinted(t *testing.T) {
	tok := NewToken(secretValue)
	type exported struct{ Tok Token }
	type hidden struct{ tok Token }
	values := []any{tok, &tok, exported{tok}, &exported{tok}, hidden{tok}, Request{Token: tok}, []Token{tok}, map[string]Token{"k": tok}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		for _, v := range values {
			if got := fmt.Sprintf(verb, v); strings.Contains(got, secretValue) || strings.Contains(got, fmt.Sprintf("%x", secretValue)) {
				t.Errorf("fmt %s of %T leaks the token: %s", verb, v, got)
			}
		}
	}
	if got := fmt.Sprint(tok); got != redacted {
		t.Errorf("fmt.Sprint(token) = %q, want %q", got, redacted)
	}
	if got := fmt.Sprintf("%#v", tok); got != redacted {
		t.Errorf("%%#v = %q, want %q", got, redacted)
	}
	for _, v := range []any{tok, exported{tok}, map[string]any{"t": tok}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secretValue)) || !bytes.Contains(b, []byte(redacted)) {
			t.Errorf("json.Marshal(%T) = %s", v, b)
		}
	}
	if b, _ := tok.MarshalText(); string(b) != redacted {
		t.Errorf("MarshalText = %q", b)
	}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		l := slog.New(h)
		l.Info("token", "tok", tok, "wrapped", exported{tok}, "ptr", &tok)
		l.Info("group", slog.Group("g", "tok", tok))
	}
	if strings.Contains(buf.String(), secretValue) || !strings.Contains(buf.String(), redacted) {
		t.Errorf("slog output leaks or lacks redaction:\n%s", buf.String())
	}
}

func TestTokenZero(t *testing.T) {
	if !NewToken("").IsZero() || !(Token{}).IsZero() {
		t.Error("empty token is not zero")
	}
	if NewToken("x").IsZero() {
		t.Error("non-empty token is zero")
	}
	if got := (Token{}).value(); got != "" {
		t.Errorf("zero token value %q", got)
	}
}

func TestTokenFromEnv(t *testing.T) {
	const name = "ACCESSCTK_TEST_TOKEN_ENV"
	t.Setenv(name, "  "+secretValue+"\n")
	tok, err := TokenFromEnv(name)
	if err != nil {
		t.Fatal(err)
	}
	if tok.value() != secretValue || tok.envVar() != name {
		t.Errorf("got value ok=%v env %q", tok.value() == secretValue, tok.envVar())
	}

	t.Setenv(name, "   ")
	_, err = TokenFromEnv(name)
	if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty variable: err = %v", err)
	}
	t.Setenv(name, "abc\ndef")
	_, err = TokenFromEnv(name)
	if err == nil || strings.Contains(err.Error(), "abc") || !strings.Contains(err.Error(), "line break") {
		t.Errorf("line break: err = %v", err)
	}
	if err := os.Unsetenv(name); err != nil {
		t.Fatal(err)
	}
	_, err = TokenFromEnv(name)
	if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "not set") {
		t.Errorf("unset variable: err = %v", err)
	}
}

func TestTokenFromFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "token")
	if err := os.WriteFile(path, []byte(secretValue+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := TokenFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if tok.value() != secretValue || tok.envVar() != "" {
		t.Errorf("token from file: value ok=%v env %q", tok.value() == secretValue, tok.envVar())
	}

	cases := map[string]struct {
		content []byte
		want    string
	}{
		"empty":     {[]byte("\n"), "is empty"},
		"two lines": {[]byte(secretValue + "\nsecond-line"), "line break"},
		"control":   {[]byte(secretValue + "\x00"), "control character"},
		"huge":      {bytes.Repeat([]byte("a"), maxTokenFile+1), "larger than"},
	}
	for name, tc := range cases {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if err := os.WriteFile(p, tc.content, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := TokenFromFile(p)
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), secretValue) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	missing := filepath.Join(dir, "missing")
	if _, err := TokenFromFile(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: err = %v", err)
	}
}

func TestAuthKindTextRoundTrip(t *testing.T) {
	for _, k := range []AuthKind{AuthNone, AuthToken, AuthOverride} {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back AuthKind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Errorf("%v: round trip gave %v, %v", k, back, err)
		}
		if k.String() != string(b) {
			t.Errorf("String %q != MarshalText %q", k.String(), b)
		}
	}
	if _, err := AuthKind(7).MarshalText(); err == nil {
		t.Error("MarshalText accepted an unknown kind")
	}
	var k AuthKind
	if err := k.UnmarshalText([]byte("bearer")); err == nil {
		t.Error("UnmarshalText accepted an unknown name")
	}
}

// A token given a shell variable keeps its value and names that variable in every
// curl reproduction of its requests; the export lines name where the token is kept,
// never the token, and run as printed.
func TestTokenForShell(t *testing.T) {
	file := NewToken(secretValue).ForShell("ACCESSCTK_TOKEN_ACME", ExportFromFile("ACCESSCTK_TOKEN_ACME", "/run/it's/acme.token"))
	if file.value() != secretValue || file.ShellVar() != "ACCESSCTK_TOKEN_ACME" {
		t.Fatalf("ForShell: value kept %v, variable %q", file.value() == secretValue, file.ShellVar())
	}
	if got, want := file.ShellSetup(), `export ACCESSCTK_TOKEN_ACME="$(cat '/run/it'\''s/acme.token')"`; got != want {
		t.Errorf("file setup %s, want %s", got, want)
	}
	e := &Exchange{Method: "GET", URL: "http://h/acme/access/1", Auth: AuthToken, tokenVar: file.envVar()}
	if c := e.Curl(); !strings.Contains(c, `"Authorization: Bearer ${ACCESSCTK_TOKEN_ACME}"`) {
		t.Errorf("curl does not name the tenant's variable: %s", c)
	}
	if NewToken(secretValue).ForShell("not a name", "x").ShellVar() != "" {
		t.Error("ForShell took a name a shell cannot write")
	}
	for _, c := range []struct{ name, from, tenant, want string }{
		{"ACCESSCTK_TOKEN", "ACCESSCTK_TOKEN", "eos", `export ACCESSCTK_TOKEN="${ACCESSCTK_TOKEN:?set it to the bearer token of tenant eos, as for the run}"`},
		{"ACCESSCTK_TOKEN", "ACCESSCTK_TOKEN", "it's", `export ACCESSCTK_TOKEN="${ACCESSCTK_TOKEN:?set it to the bearer token, as for the run}"`},
		{"ACCESSCTK_TOKEN_EOS", "eos.token", "eos", `export ACCESSCTK_TOKEN_EOS="$(printenv 'eos.token')"`},
	} {
		if got := ExportFromEnv(c.name, c.from, c.tenant); got != c.want {
			t.Errorf("ExportFromEnv(%q, %q, %q) = %s, want %s", c.name, c.from, c.tenant, got, c.want)
		}
	}
}
