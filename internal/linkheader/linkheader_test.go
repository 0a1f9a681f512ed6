package linkheader

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func rels(ls Links) [][]string {
	out := make([][]string, len(ls))
	for i, l := range ls {
		out[i] = l.Rels
	}
	return out
}

func targets(ls Links) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Target
	}
	return out
}

// The examples of RFC 8288 section 3.5, the Skylark page's own example, and the
// cases lenient parsers get wrong (commas and semicolons inside URIs, several rels).
func TestParseValid(t *testing.T) {
	cases := []struct {
		name    string
		lines   []string
		targets []string
		rels    [][]string
		params  map[int]map[string]string // link index -> param -> value
	}{
		{
			name:    "rfc8288 previous chapter",
			lines:   []string{`<http://example.com/TheBook/chapter2>; rel="previous"; title="previous chapter"`},
			targets: []string{"http://example.com/TheBook/chapter2"},
			rels:    [][]string{{"previous"}},
			params:  map[int]map[string]string{0: {"title": "previous chapter"}},
		},
		{
			name:    "rfc8288 extension relation type",
			lines:   []string{`</>; rel="http://example.net/foo"`},
			targets: []string{"/"},
			rels:    [][]string{{"http://example.net/foo"}},
		},
		{
			name:    "rfc8288 anchor",
			lines:   []string{`</terms>; rel="copyright"; anchor="#foo"`},
			targets: []string{"/terms"},
			rels:    [][]string{{"copyright"}},
			params:  map[int]map[string]string{0: {"anchor": "#foo"}},
		},
		{
			name: "rfc8288 title* in two links",
			lines: []string{`</TheBook/chapter2>; rel="previous"; title*=UTF-8'de'letztes%20Kapitel, ` +
				`</TheBook/chapter4>; rel="next"; title*=UTF-8'de'n%c3%a4chstes%20Kapitel`},
			targets: []string{"/TheBook/chapter2", "/TheBook/chapter4"},
			rels:    [][]string{{"previous"}, {"next"}},
			params: map[int]map[string]string{
				0: {"title*": "UTF-8'de'letztes%20Kapitel"},
				1: {"title*": "UTF-8'de'n%c3%a4chstes%20Kapitel"},
			},
		},
		{
			name:    "rfc8288 several relation types",
			lines:   []string{`<http://example.org/>; rel="start http://example.net/relation/other"`},
			targets: []string{"http://example.org/"},
			rels:    [][]string{{"start", "http://example.net/relation/other"}},
		},
		{
			name:    "rfc8288 two links",
			lines:   []string{`<https://example.org/>; rel="start", <https://example.org/index>; rel="index"`},
			targets: []string{"https://example.org/", "https://example.org/index"},
			rels:    [][]string{{"start"}, {"index"}},
		},
		{
			name: "the Skylark page's example",
			lines: []string{`<https://api.example.com/eos/access?pageNumber=20&pageSize=10>; rel="last", ` +
				`<https://api.example.com/eos/access?pageNumber=1&pageSize=10>; rel="first", ` +
				`<https://api.example.com/eos/access?pageNumber=17&pageSize=10>; rel="next"`},
			targets: []string{
				"https://api.example.com/eos/access?pageNumber=20&pageSize=10",
				"https://api.example.com/eos/access?pageNumber=1&pageSize=10",
				"https://api.example.com/eos/access?pageNumber=17&pageSize=10",
			},
			rels: [][]string{{"last"}, {"first"}, {"next"}},
		},
		{
			name:    "commas and semicolons inside URIs",
			lines:   []string{`<http://x/a,b;c=1?q=1,2;3>; rel="next", <http://y/,>; rel=prev`},
			targets: []string{"http://x/a,b;c=1?q=1,2;3", "http://y/,"},
			rels:    [][]string{{"next"}, {"prev"}},
		},
		{
			name:    "unquoted rel, no whitespace, upper case",
			lines:   []string{`<u>;REL=Next`},
			targets: []string{"u"},
			rels:    [][]string{{"next"}},
		},
		{
			name:    "whitespace around = and ;",
			lines:   []string{"  <u> \t; rel = \"next\" ;\ttitle= x  "},
			targets: []string{"u"},
			rels:    [][]string{{"next"}},
			params:  map[int]map[string]string{0: {"title": "x"}},
		},
		{
			name:    "several spaces between relation types",
			lines:   []string{`<u>; rel="next  prefetch"`},
			targets: []string{"u"},
			rels:    [][]string{{"next", "prefetch"}},
		},
		{
			name:    "quoted-pairs and a comma in a quoted value",
			lines:   []string{`<u>; rel=next; title="a \"b\", \\c"`},
			targets: []string{"u"},
			rels:    [][]string{{"next"}},
			params:  map[int]map[string]string{0: {"title": `a "b", \c`}},
		},
		{
			name:    "a parameter without value",
			lines:   []string{`<u>; crossorigin; rel=next`},
			targets: []string{"u"},
			rels:    [][]string{{"next"}},
		},
		{
			name:    "empty list elements",
			lines:   []string{` , <a>; rel=first ,, <b>; rel=last, `},
			targets: []string{"a", "b"},
			rels:    [][]string{{"first"}, {"last"}},
		},
		{
			name:    "several field lines",
			lines:   []string{`<a>; rel=first`, `<b>; rel=last, <c>; rel=next`},
			targets: []string{"a", "b", "c"},
			rels:    [][]string{{"first"}, {"last"}, {"next"}},
		},
		{
			name:    "empty reference and percent-encoding",
			lines:   []string{`<>; rel=self, <?filter=contractId%3D1%26x%3D%2B1>; rel=next`},
			targets: []string{"", "?filter=contractId%3D1%26x%3D%2B1"},
			rels:    [][]string{{"self"}, {"next"}},
		},
		{
			name:    "IP literal host",
			lines:   []string{`<http://[::1]:8080/eos/access?pageNumber=2>; rel=next`},
			targets: []string{"http://[::1]:8080/eos/access?pageNumber=2"},
			rels:    [][]string{{"next"}},
		},
		{
			name:  "no header",
			lines: nil,
		},
		{
			name:  "an empty header",
			lines: []string{"  "},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ls, err := Parse(c.lines...)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := targets(ls); len(got) != len(c.targets) || (len(got) > 0 && !reflect.DeepEqual(got, c.targets)) {
				t.Errorf("targets %q, want %q", got, c.targets)
			}
			if got := rels(ls); len(got) != len(c.rels) || (len(got) > 0 && !reflect.DeepEqual(got, c.rels)) {
				t.Errorf("rels %q, want %q", got, c.rels)
			}
			for i, ps := range c.params {
				for name, want := range ps {
					if got, ok := ls[i].Param(name); !ok || got != want {
						t.Errorf("link %d param %s = %q (%v), want %q", i, name, got, ok, want)
					}
				}
			}
		})
	}
}

// Malformed values a lenient parser would drop or repair; each must be an error.
func TestParseRejects(t *testing.T) {
	cases := map[string]string{
		"no angle brackets":             `http://x; rel=next`,
		"unterminated target":           `<http://x; rel=next`,
		"no rel":                        `<http://x>`,
		"no rel among other params":     `<http://x>; title="t"`,
		"rel without value":             `<http://x>; rel`,
		"rel with = and nothing":        `<http://x>; rel=`,
		"empty quoted rel":              `<http://x>; rel=""`,
		"rel twice":                     `<http://x>; rel="next"; rel="prev"`,
		"title twice":                   `<http://x>; rel=next; title="a"; title="b"`,
		"space in the URI":              `<http://x/a b>; rel=next`,
		"non-ASCII in the URI":          "<http://x/\u00e9>; rel=next",
		"bad percent-encoding":          `<http://x/%zz>; rel=next`,
		"truncated percent-encoding":    `<http://x/%4>; rel=next`,
		"two fragments":                 `<http://x#a#b>; rel=next`,
		"quote in the URI":              `<http://x/"a">; rel=next`,
		"bracket in the path":           `<http://x/[a]>; rel=next`,
		"unterminated quoted-string":    `<http://x>; rel="next`,
		"trailing semicolon":            `<http://x>; rel=next;`,
		"double semicolon":              `<http://x>;; rel=next`,
		"missing semicolon":             `<http://x> rel=next`,
		"missing comma":                 `<http://x>; rel=next <http://y>; rel=prev`,
		"leading space in rel":          `<http://x>; rel=" next"`,
		"trailing space in rel":         `<http://x>; rel="next "`,
		"comma-separated rels":          `<http://x>; rel="next,prev"`,
		"relation type with a digit":    `<http://x>; rel=1next`,
		"relation type with underscore": `<http://x>; rel="next_page"`,
		"parameter without name":        `<http://x>; =next`,
		"garbage after a token value":   `<http://x>; rel=ne"xt"`,
		"control character in quotes":   "<http://x>; rel=next; title=\"a\x01b\"",
		"bad quoted-pair":               "<http://x>; rel=next; title=\"a\\\x01\"",
		"a bare word":                   `next`,
		"a second line is bad":          "",
		"tab inside quoted rel":         "<http://x>; rel=\"next\tprev\"",
		"unicode quotes":                "<http://x>; rel=\u201cnext\u201d",
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			lines := []string{value}
			if name == "a second line is bad" {
				lines = []string{`<a>; rel=first`, `<b>; rel=last; rel=next`}
			}
			ls, err := Parse(lines...)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", lines, ls)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SyntaxError: %v", err, err)
			}
			if se.Offset < 0 || se.Offset > len(se.Value) {
				t.Errorf("offset %d outside the value %q", se.Offset, se.Value)
			}
			if !strings.Contains(err.Error(), "RFC 8288") {
				t.Errorf("message does not name the RFC: %v", err)
			}
		})
	}
}

func TestRelAndResolve(t *testing.T) {
	ls, err := Parse(`</eos/access?pageNumber=2&pageSize=7>; rel="next prefetch", <https://other.example/x>; rel=last`)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ls.Rel("NEXT")); n != 1 {
		t.Fatalf("Rel(NEXT) gave %d links", n)
	}
	if n := len(ls.Rel("prev")); n != 0 {
		t.Fatalf("Rel(prev) gave %d links", n)
	}
	base, _ := url.Parse("http://127.0.0.1:8080/eos/access?pageNumber=1")
	u, err := ls.Rel("next")[0].Resolve(base)
	if err != nil || u.String() != "http://127.0.0.1:8080/eos/access?pageNumber=2&pageSize=7" {
		t.Errorf("resolved next = %v, %v", u, err)
	}
	u, err = ls.Rel("last")[0].Resolve(base)
	if err != nil || u.String() != "https://other.example/x" {
		t.Errorf("resolved last = %v, %v", u, err)
	}
}

func TestStringRoundTrip(t *testing.T) {
	in := `<http://x/a,b>; rel="next prefetch"; title="a \"q\""; crossorigin; type="text/html"`
	ls, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(ls.String())
	if err != nil {
		t.Fatalf("re-parse of %q: %v", ls.String(), err)
	}
	if !reflect.DeepEqual(ls, again) {
		t.Errorf("round trip changed the links:\n%#v\n%#v", ls, again)
	}
}

// FuzzParse: Parse never panics, errors are SyntaxErrors within the value, and what
// it accepts prints to a form it reads back as the same links.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`<http://example.com/TheBook/chapter2>; rel="previous"; title="previous chapter"`,
		`</TheBook/chapter2>; rel="previous"; title*=UTF-8'de'letztes%20Kapitel, </TheBook/chapter4>; rel="next"`,
		`<http://example.org/>; rel="start http://example.net/relation/other"`,
		`<https://api.example.com/eos/access?pageNumber=20&pageSize=10>; rel="last", <https://api.example.com/eos/access?pageNumber=1&pageSize=10>; rel="first"`,
		`<u>; rel=next; title="a \"b\", \\c", , <v>;rel=prev`,
		`<http://x>; rel="next`, `<http://x/%zz>; rel=next`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ls, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("Parse(%q): bad error %v", s, err)
			}
			return
		}
		for _, l := range ls {
			if len(l.Rels) == 0 {
				t.Fatalf("Parse(%q) accepted a link without relation types", s)
			}
		}
		printed := ls.String()
		again, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) accepted, but its print %q does not parse: %v", s, printed, err)
		}
		if len(ls) == 0 && len(again) == 0 {
			return
		}
		if !reflect.DeepEqual(ls, again) {
			t.Fatalf("round trip of %q changed the links:\n%#v\n%#v", s, ls, again)
		}
	})
}
