package tagexpr_test

import (
	"context"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/cucumber/godog"
	"pgregory.net/rapid"

	"github.com/accessctk/accessctk/internal/tagexpr"
)

func TestParseAcceptsGodogSyntax(t *testing.T) {
	for expr, want := range map[string][][]tagexpr.Term{
		"":                {},
		"  ":              {},
		"@SAM-UP-06":      {{{Tag: "@SAM-UP-06"}}},
		"@a && ~@b":       {{{Tag: "@a"}, {Tag: "@b", Negate: true}}},
		" @a,@b ":         {{{Tag: "@a"}}, {{Tag: "@b"}}},
		"@a&&@b , ~@c":    {{{Tag: "@a"}, {Tag: "@b"}}, {{Tag: "@c", Negate: true}}},
		"@SAM-RD-01,@x.y": {{{Tag: "@SAM-RD-01"}}, {{Tag: "@x.y"}}},
	} {
		got, err := tagexpr.Parse(expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", expr, err)
			continue
		}
		if len(got.Or) != len(want) || !slices.EqualFunc(got.Or, want, slices.Equal) {
			t.Errorf("Parse(%q) = %+v, want %+v", expr, got.Or, want)
		}
	}
}

// Each mistake the issue met (and its relatives) is refused with a message that says
// what is wrong, and how to write it where there is a direct translation.
func TestParseRefusesWithAnExplanation(t *testing.T) {
	for expr, want := range map[string]string{
		"@SAM-UP-06 &&":                `"&&" (AND) without a tag on both sides`,
		"&& @a":                        `"&&" (AND) without a tag on both sides`,
		"@a,":                          `alternative 2 of "@a," is empty`,
		",@a":                          `alternative 1 of ",@a" is empty`,
		"@a,,@b":                       `alternative 2 of "@a,,@b" is empty`,
		"~":                            `"~" (NOT) without a tag after it`,
		"@a && ~":                      `"~" (NOT) without a tag after it`,
		"~ @a":                         `write "~" right before its tag`,
		"~~@a":                         `"~@a" in "~~@a" is not a tag`,
		"(@SAM-UP-06":                  `there are no parentheses`,
		"@a && (@b,@c)":                `'@a && @b,@a && @c'`,
		"@readonly and not @SAM-CM-01": `write it as "@readonly && ~@SAM-CM-01"`,
		"@a OR @b":                     `write it as "@a,@b"`,
		"not @a":                       `write it as "~@a"`,
		"(@a or @b) and not @c":        `Cucumber tag expression with parentheses`,
		"@a || @b":                     `OR is ","`,
		"!@a":                          `NOT is "~"`,
		"@a & @b":                      `AND is "&&"`,
		"@a @b":                        `two tags with no operator between them`,
		"SAM-UP-06":                    `tags start with @`,
		"@a@b":                         `"@a@b" in "@a@b" is not a tag`,
		"@@a":                          `is not a tag`,
	} {
		_, err := tagexpr.Parse(expr)
		if err == nil {
			t.Errorf("Parse(%q) accepted", expr)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, want) || !strings.Contains(msg, tagexpr.Syntax) || strings.Contains(msg, "\n") {
			t.Errorf("Parse(%q): %q\nwant one line containing %q and the syntax", expr, msg, want)
		}
	}
}

func TestTags(t *testing.T) {
	e, err := tagexpr.Parse("@a && ~@b,@b && @c")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Tags(); !slices.Equal(got, []string{"@a", "@b", "@c"}) {
		t.Errorf("Tags() = %v", got)
	}
}

// tagged is a feature of one scenario per subset of the tags @a, @b, @c: enough to
// tell any two different selections over those tags apart.
var tagged = func() fstest.MapFS {
	var b strings.Builder
	b.WriteString("Feature: tags\n")
	for mask := range 8 {
		b.WriteString("\n  ")
		for i, tag := range []string{"@a", "@b", "@c"} {
			if mask&(1<<i) != 0 {
				b.WriteString(tag + " ")
			}
		}
		b.WriteString("\n  Scenario: s" + string(rune('0'+mask)) + "\n    Given nothing\n")
	}
	return fstest.MapFS{"f/tags.feature": {Data: []byte(b.String())}}
}()

// godogSelects runs godog over tagged with the expression and returns the names of the
// scenarios it selects.
func godogSelects(t *rapid.T, expr string) []string {
	var (
		mu  sync.Mutex
		out []string
	)
	godog.TestSuite{
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
				mu.Lock()
				out = append(out, s.Name)
				mu.Unlock()
				return ctx, godog.ErrSkip
			})
		},
		Options: &godog.Options{Format: "progress", Output: io.Discard, FS: tagged, Paths: []string{"f"}, Tags: expr, NoColors: true},
	}.Run()
	slices.Sort(out)
	return out
}

func matchSelects(e tagexpr.Expr) []string {
	var out []string
	for mask := range 8 {
		var tags []string
		for i, tag := range []string{"@a", "@b", "@c"} {
			if mask&(1<<i) != 0 {
				tags = append(tags, tag)
			}
		}
		if e.Match(tags) {
			out = append(out, "s"+string(rune('0'+mask)))
		}
	}
	return out
}

// Whatever Parse accepts, godog evaluates without panicking and selects exactly what
// Match selects: validating a selection (and trimming it: godog panics on a blank
// one) is enough to make godog safe, and Match may answer "does this select
// anything?" before the run. The pieces are mostly the syntax's own, so that about
// half the expressions drawn are accepted.
func TestParseAgreesWithGodog(t *testing.T) {
	pieces := []string{"@a", "@b", "@c", "@d", "~", "&&", ",", " ", "@a", "@b", "~@c", " && ", ",", "@", "a", "~ "}
	accepted := 0
	rapid.Check(t, func(t *rapid.T) {
		expr := strings.Join(rapid.SliceOfN(rapid.SampledFrom(pieces), 1, 7).Draw(t, "pieces"), "")
		e, err := tagexpr.Parse(expr)
		if err != nil {
			return
		}
		accepted++
		if got, want := godogSelects(t, strings.TrimSpace(expr)), matchSelects(e); !slices.Equal(got, want) {
			t.Fatalf("%q: godog selects %v, Match selects %v", expr, got, want)
		}
	})
	if accepted < 10 {
		t.Errorf("only %d expressions drawn were valid: the generator tests little", accepted)
	}
}
