package target

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRedactJSONPasswords(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"top level", `{"password":"hunter22","status":"ACTIVE"}`, `{"password":"xxxxxxxx","status":"ACTIVE"}`},
		{"case variants", `{"PASSWORD":"ab","PassWord":"cd","status":"x"}`, `{"PASSWORD":"xx","PassWord":"xx","status":"x"}`},
		{"key containing password", `{"newPassword":"abc","passwordConfirm":"d"}`, `{"newPassword":"xxx","passwordConfirm":"x"}`},
		{"depth and arrays", `{"a":[{"b":{"password":"p1"}},[{"password":"€é"}]],"operationBody":{"password":"😀a"}}`,
			`{"a":[{"b":{"password":"xx"}},[{"password":"€é"}]],"operationBody":{"password":"😀x"}}`},
		{"array value", `{"password":["one","two",3]}`, `{"password":["xxx","xxx",3]}`},
		{"object value", `{"password":{"value":"secret","n":1}}`, `{"password":{"value":"xxxxxx","n":1}}`},
		{"non-string kept", `{"password":null,"Password":12345678,"pAssword":true}`, `{"password":null,"Password":12345678,"pAssword":true}`},
		{"duplicate keys", `{"password":"first1","password":"second"}`, `{"password":"xxxxxx","password":"xxxxxx"}`},
		{"whitespace kept", "{ \"password\" :\n \"ab\" }", "{ \"password\" :\n \"xx\" }"},
		{"escapes decoded", `{"password":"a\u00e9\"\\\ud83d\ude00\ud800"}`, `{"password":"xéxx😀€"}`},
		{"escaped key", `{"pass\u0077ord":"abc"}`, `{"pass\u0077ord":"xxx"}`},
		{"long s folds", `{"paſſword":"abc"}`, `{"paſſword":"xxx"}`},
		{"other keys untouched", `{"name":"password","username":"bob"}`, `{"name":"password","username":"bob"}`},
		{"top-level string", `"password"`, `"password"`},
		{"echo in message", `{"message":"invalid body {\"password\":\"abc\\\"def\"}"}`, `{"message":"invalid body {\"password\":\"xxxxxxxxxx\"}"}`},
		{"form in message", `{"message":"got password=hunter2&x=1"}`, `{"message":"got password=xxxxxxx&x=1"}`},
		{"prose in message", `{"message":"password is too long"}`, `{"message":"password is too long"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := redactBody([]byte(tc.in), nil, placeholderStyle)
			if string(got) != tc.want {
				t.Errorf("redact(%s)\n got %s\nwant %s", tc.in, got, tc.want)
			}
			if json.Valid([]byte(tc.in)) && !json.Valid(got) {
				t.Errorf("valid JSON became invalid: %s", got)
			}
		})
	}
}

// The placeholder keeps what the 72-byte rule (SAM-UP-06) is about: bytes and runes.
func TestRedactKeepsShape(t *testing.T) {
	for _, pw := range []string{
		strings.Repeat("a", 72), strings.Repeat("a", 73), strings.Repeat("€", 24), strings.Repeat("€", 25),
		strings.Repeat("a", 71) + "é", "😀😀é€a",
	} {
		body, _ := json.Marshal(map[string]any{"password": pw, "status": "ACTIVE"})
		got := redactBody(body, nil, placeholderStyle)
		var m map[string]string
		if err := json.Unmarshal(got, &m); err != nil {
			t.Fatalf("%s: %v", got, err)
		}
		if m["password"] == pw && strings.Trim(pw, "x€é😀") != "" {
			t.Fatalf("password not redacted: %s", got)
		}
		if len(m["password"]) != len(pw) || utf8.RuneCountInString(m["password"]) != utf8.RuneCountInString(pw) {
			t.Errorf("shape of %q changed: %q", pw, m["password"])
		}
		ann := string(redactBody(got, nil, annotateStyle))
		want := `[redacted: ` + itoa(len(pw)) + ` bytes, ` + itoa(utf8.RuneCountInString(pw)) + ` chars]`
		if !strings.Contains(ann, `"password":"`+want+`"`) {
			t.Errorf("annotation of %q: %s, want %s", pw, ann, want)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestRedactLoose(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"truncated", `{"password":"hunter22`, `{"password":"xxxxxxxx`},
		{"trailing comma", `{"password":"hunter22",}`, `{"password":"xxxxxxxx",}`},
		{"unquoted", `{"password": hunter22}`, `{"password": xxxxxxxx}`},
		{"unquoted literals kept", `{"password": null,}`, `{"password": null,}`},
		{"single quotes", `{'password': 'it''s'}`, `{'password': 'xx''s'}`},
		{"form", `status=ACTIVE&password=hunter22&x=1`, `status=ACTIVE&password=xxxxxxxx&x=1`},
		{"escaped quote inside", `{"password":"a\"b" "x`, `{"password":"xxxx" "x`},
		{"nested escape levels", `{"m":"{\"password\":\"a\\\"b\"}"`, `{"m":"{\"password\":\"xxxxxx\"}"`},
		{"value swallows next key", `password:"a password:"hunter22"`, `password:"xxxxxxxxxxx"xxxxxxxx"`},
		{"html", `<p>password: hunter22</p>`, `<p>password: xxxxxxxx</p>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := redactBody([]byte(tc.in), nil, placeholderStyle)
			if string(got) != tc.want {
				t.Errorf("redact(%s)\n got %s\nwant %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestRedactAnnotate(t *testing.T) {
	in := []byte(`{"password":"` + strings.Repeat("a", 71) + `é","status":"ACTIVE"}`)
	rec := redactBody(in, nil, placeholderStyle)
	got := string(redactBody(rec, nil, annotateStyle))
	want := `{"password":"[redacted: 73 bytes, 72 chars]","status":"ACTIVE"}`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if got := string(redactBody([]byte(`{"password":"a"}`), nil, annotateStyle)); got != `{"password":"[redacted: 1 byte, 1 char]"}` {
		t.Errorf("singular: %s", got)
	}
}

func TestScrubSecrets(t *testing.T) {
	tok := `ab/c+d=e<f>&"g`
	forms := secretForms([]string{tok})
	jsonEsc, _ := json.Marshal(tok)
	for _, in := range []string{
		"raw " + tok + " end",
		"json " + string(jsonEsc),
		"query " + url.QueryEscape(tok),
		"path " + url.PathEscape(tok),
		`slash ab\/c+d=e<f>&\"g`,
		`nohtml ab/c+d=e<f>&\"g`,
	} {
		got := scrub([]byte(in), forms)
		if !bytes.Contains(got, []byte(redacted)) {
			t.Errorf("%q: no redaction in %q", in, got)
		}
		for _, f := range forms {
			if bytes.Contains(got, []byte(f)) {
				t.Errorf("%q: form %q survives in %q", in, f, got)
			}
		}
	}
	// A secret that is part of "[redacted]" itself must still disappear.
	for _, tiny := range []string{"e", "d]x", "[red"} {
		got := scrub([]byte("a [redacted] e d]xx [red ee"), secretForms([]string{tiny}))
		if bytes.Contains(got, []byte(tiny)) {
			t.Errorf("tiny secret %q survives: %q", tiny, got)
		}
	}
	if got := redactBody([]byte(`{"note":"`+tok+`"}`), forms, placeholderStyle); bytes.Contains(got, []byte("c+d=e")) {
		t.Errorf("token survives in body: %s", got)
	}
}

func TestRedactHeaderAndURL(t *testing.T) {
	forms := secretForms([]string{secretValue})
	h := http.Header{
		"Authorization":    {"Basic dXNlcjpwYXNz"},
		"Set-Cookie":       {"session=abc"},
		"X-Echo":           {"token " + secretValue},
		"X-Correlation-Id": {"abc"},
	}
	got := redactHeader(h, forms)
	if got.Get("Authorization") != "Bearer [redacted]" || got.Get("Set-Cookie") != redacted ||
		got.Get("X-Echo") != "token [redacted]" || got.Get("X-Correlation-Id") != "abc" {
		t.Errorf("redactHeader = %v", got)
	}
	if h.Get("Authorization") != "Basic dXNlcjpwYXNz" {
		t.Error("redactHeader modified its input")
	}

	u, _ := url.Parse("http://user:pw@h/p/" + secretValue + "?token=a&access_token=b&newPassword=c&filter=name%3Dtoken&x=1#frag")
	want := "http://h/p/[redacted]?token=[redacted]&access_token=[redacted]&newPassword=[redacted]&filter=name%3Dtoken&x=1"
	if s := redactURL(u, forms); s != want {
		t.Errorf("redactURL = %s\nwant %s", s, want)
	}
}

var annotation = regexp.MustCompile(`\[redacted: \d+ bytes?, \d+ chars?\]`)

// FuzzRedact: no panic on any input; a string password (>= 8 runes, none of them a
// placeholder rune) spliced into any text as "password":"..." never survives, in
// either style; a token never survives; valid JSON stays valid.
func FuzzRedact(f *testing.F) {
	seeds := []struct {
		prefix, pw, suffix string
		sep                byte
	}{
		{`{`, "hunter2hunter2", `}`, 0},
		{`{"a":[{"b":`, "ünïcödé-pässwörd", `}]}`, 1},
		{`{"x\`, "quote\"inside\\and", `}`, 2},
		{`{"message":"`, "embedded--pw", `"}`, 3},
		{`password=`, "abcdefghijk", `&x=1`, 4},
		{``, "😀😀😀😀😀😀😀😀", ``, 5},
		{`[[[[`, "deep-nesting-pw", `]]]]`, 6},
		{`{"password":"`, "after-open-quote", ``, 7},
	}
	for _, s := range seeds {
		f.Add([]byte(s.prefix), s.pw, []byte(s.suffix), s.sep, "tok-"+s.pw)
	}
	f.Fuzz(func(t *testing.T, prefix []byte, pw string, suffix []byte, sep byte, token string) {
		// Any input: no panic, and valid JSON stays valid.
		for _, in := range [][]byte{prefix, suffix} {
			sameWithoutShortcut(t, in)
			out := redactBody(in, nil, placeholderStyle)
			if json.Valid(in) && !json.Valid(out) {
				t.Fatalf("valid JSON %q became invalid %q", in, out)
			}
			_ = redactBody(in, nil, annotateStyle)
		}
		quoted, _ := json.Marshal(pw)
		seps := []string{`:`, ` : `, ":\n\t", `=`}
		key := `"password"`
		if sep&4 != 0 {
			key = `"PassWord"`
		}
		head := append(append([]byte(nil), prefix...), key+seps[int(sep)%len(seps)]...)
		body := bytes.Join([][]byte{head, quoted, suffix}, nil)

		// A known token never survives, wherever it is.
		if token != "" {
			out := redactBody(body, secretForms([]string{token}), placeholderStyle)
			if bytes.Contains(out, []byte(token)) {
				t.Fatalf("token %q survives in %q", token, out)
			}
		}

		sameWithoutShortcut(t, body)
		out := redactBody(body, nil, placeholderStyle)
		if json.Valid(body) && !json.Valid(out) {
			t.Fatalf("valid JSON %q became invalid %q", body, out)
		}
		// Annotations become 'x', which no interesting password holds, so removing
		// them cannot join text into a false positive.
		ann := annotation.ReplaceAll(redactBody(out, nil, annotateStyle), []byte("x"))
		if !interesting(pw) {
			return
		}
		// Placeholders hold no rune of pw, so pw can only survive whole inside the
		// value or inside text that held it before redaction.
		around := [][]byte{append(head, '"'), append([]byte(`"`), suffix...)}
		needles := [][]byte{[]byte(pw), quoted[1 : len(quoted)-1]}
		for _, needle := range needles {
			if bytes.Contains(around[0], needle) || bytes.Contains(around[1], needle) {
				return
			}
		}
		for _, needle := range needles {
			if bytes.Contains(out, needle) {
				t.Fatalf("password %q survives:\n in %q\nout %q", pw, body, out)
			}
			if bytes.Contains(ann, needle) {
				t.Fatalf("password %q survives annotation:\n in %q\nout %q", pw, body, ann)
			}
		}
	})
}

// sameWithoutShortcut fails unless redactBody, which skips the JSON scan for bodies
// that cannot hold a password, gives what the full scan gives.
func sameWithoutShortcut(t *testing.T, in []byte) {
	t.Helper()
	if len(in) == 0 {
		return
	}
	for _, style := range []pwStyle{placeholderStyle, annotateStyle} {
		if got, want := redactBody(in, nil, style), hidePasswords(in, style); !bytes.Equal(got, want) {
			t.Fatalf("style %d: redactBody(%q) = %q, the full scan gives %q", style, in, got, want)
		}
	}
}

// The shortcut for bodies without "password" or a backslash changes no result: the
// cases of the other redaction tests, and bodies built around the ways a password
// can hide (escaped keys, case folding, loose text).
func TestRedactShortcutAgreesWithTheScan(t *testing.T) {
	bodies := []string{
		`[{"id":"eos_1","name":"Rover 12","status":"ACTIVE"}]`,
		`{"pass\u0077ord":"abc"}`, `{"p\u0061ssword":"abc"}`, `{"paſſword":"abc"}`, `{"PASSWORD":"x"}`,
		`password=hunter2`, `{"message":"got password=hunter2"}`, `{"message":"a \"password\":\"x\""}`,
		`not json at all`, `{"name":"pass word"}`, `{"name":"passwor"}`, `"\\"`, `{"x":"\u0070"}`,
		`{"name":"back\\slash","pass\\word":"x"}`, `{"a\tpassword":"x"}`, `{"\\password":"x"}`, `{"pass\/word":"x"}`,
	}
	for _, b := range bodies {
		sameWithoutShortcut(t, []byte(b))
		if !mayHidePassword([]byte(b)) && !bytes.Equal(hidePasswords([]byte(b), placeholderStyle), []byte(b)) {
			t.Errorf("%s: the scan changed a body the shortcut passes through", b)
		}
	}
	for _, b := range []string{`[{"id":"eos_1","status":"ACTIVE"}]`, `[{"name":"back\\slash \" \/ \n"}]`} {
		if mayHidePassword([]byte(b)) {
			t.Errorf("%s: a body without password or \\u takes the full scan", b)
		}
	}
}

// interesting reports whether pw is a password the fuzz property speaks about.
func interesting(pw string) bool {
	return utf8.ValidString(pw) && utf8.RuneCountInString(pw) >= 8 && !strings.ContainsAny(pw, "xé€😀\uFFFD")
}

// BenchmarkRedactBody redacts a list page of 100 accesses (one name holds a
// backslash, as the reference data's do) and a PATCH answer that echoes a password.
func BenchmarkRedactBody(b *testing.B) {
	items := make([]string, 100)
	for i := range items {
		items[i] = fmt.Sprintf(`{"id":"eos_%d","name":"Rover %d","status":"ACTIVE","contractId":"1200035908","productOfferingId":"PRP_SKYRTK_EU_12","username":"rover%d","createdBy":"job-100231","startDateTime":"2024-03-01T00:00:00Z"}`, i, i, i)
	}
	items[7] = `{"id":"eos_7","name":"back\\slash","status":"ACTIVE"}`
	for _, c := range []struct {
		name string
		body []byte
	}{
		{"list100", []byte("[" + strings.Join(items, ",") + "]")},
		{"patch", []byte(`{"id":"eos_1","status":"ACTIVE","password":"hunter2hunter2"}`)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				redactBody(c.body, nil, placeholderStyle)
			}
		})
	}
}
