// Package tagexpr parses the tag expressions that select scenarios (--tags), in the
// syntax godog evaluates: alternatives separated by "," (OR), each a conjunction of
// terms separated by "&&" (AND), each term a tag, "~" before a tag negating it. There
// are no parentheses: "," binds loosest, so "@a && @b,@c" is (a AND b) OR c.
//
// godog itself does not check an expression: an empty term panics, and anything else
// it cannot read quietly matches nothing or everything. Parse accepts exactly the
// expressions godog evaluates as written, so a selection is checked (and explained)
// before a run contacts its target.
package tagexpr

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Syntax explains the accepted syntax in one line, for error messages and help.
const Syntax = `tags start with @; "&&" is AND, "," is OR, "~" before a tag is NOT, e.g. '@readonly && ~@SAM-CM-01' or '@SAM-RD-01,@SAM-RD-02'; there are no parentheses ("," binds loosest)`

// Term is one tag of a conjunction, possibly negated.
type Term struct {
	Tag    string // with its leading "@"
	Negate bool
}

// Expr is a parsed selection: an OR of ANDs. The zero value (the empty expression)
// selects everything.
type Expr struct {
	Or [][]Term
}

// tagName is what a tag may contain: no space, no operator character, no "@".
var tagName = regexp.MustCompile(`^[^\s@~,&|!()]+$`)

// cucumberWord finds the words of Cucumber's tag expressions, which godog reads as
// part of a tag name.
var cucumberWord = regexp.MustCompile(`(?i)(^|[\s()])(and|or|not)($|[\s()])`)

// Parse reads a tag expression. Its errors say what is wrong and how to write it.
func Parse(expr string) (Expr, error) {
	src := strings.TrimSpace(expr)
	if src == "" {
		return Expr{}, nil
	}
	if err := foreignSyntax(src); err != nil {
		return Expr{}, err
	}
	var out Expr
	for i, alt := range strings.Split(src, ",") {
		if strings.TrimSpace(alt) == "" {
			return Expr{}, syntaxError("alternative %d of %q is empty: a \",\" (OR) needs a tag on both sides", i+1, src)
		}
		var and []Term
		for _, raw := range strings.Split(alt, "&&") {
			term, err := parseTerm(strings.TrimSpace(raw), src)
			if err != nil {
				return Expr{}, err
			}
			and = append(and, term)
		}
		out.Or = append(out.Or, and)
	}
	return out, nil
}

func parseTerm(s, src string) (Term, error) {
	if s == "" {
		return Term{}, syntaxError("%q has an \"&&\" (AND) without a tag on both sides", src)
	}
	var t Term
	if rest, ok := strings.CutPrefix(s, "~"); ok {
		t.Negate, s = true, rest
	}
	name, hasAt := strings.CutPrefix(s, "@")
	switch {
	case strings.TrimSpace(s) == "":
		return Term{}, syntaxError("%q has a \"~\" (NOT) without a tag after it", src)
	case strings.IndexFunc(s, unicode.IsSpace) == 0:
		// godog would read "~ @a" as NOT of a tag named " a", which every scenario lacks.
		return Term{}, syntaxError("%q in %q: write \"~\" right before its tag, e.g. '~@a'", "~"+s, src)
	case !hasAt:
		return Term{}, syntaxError("%q in %q is not a tag: tags start with @", s, src)
	case strings.ContainsFunc(name, unicode.IsSpace):
		return Term{}, syntaxError("%q in %q has two tags with no operator between them: join them with \"&&\" (AND) or \",\" (OR)", s, src)
	case !tagName.MatchString(name):
		return Term{}, syntaxError("%q in %q is not a tag", s, src)
	}
	t.Tag = "@" + name
	return t, nil
}

// foreignSyntax recognises the other tag expression syntaxes people write and says
// how to write the same in godog's.
func foreignSyntax(src string) error {
	if cucumberWord.MatchString(src) {
		if strings.ContainsAny(src, "()") {
			return syntaxError("%q is a Cucumber tag expression with parentheses, which this syntax lacks: write it as alternatives (\",\") of conjunctions (\"&&\"), e.g. '(@a or @b) and not @c' as '@a && ~@c,@b && ~@c'", src)
		}
		return syntaxError("%q is a Cucumber tag expression: write it as %q (\"and\" is \"&&\", \"or\" is \",\", \"not\" is \"~\")", src, fromCucumber(src))
	}
	switch {
	case strings.ContainsAny(src, "()"):
		return syntaxError("%q: there are no parentheses; write it as alternatives (\",\") of conjunctions (\"&&\"), e.g. '@a && (@b,@c)' as '@a && @b,@a && @c'", src)
	case strings.Contains(src, "||"):
		return syntaxError("%q: OR is \",\", not \"||\" (e.g. '@a,@b')", src)
	case strings.Contains(src, "!"):
		return syntaxError("%q: NOT is \"~\", not \"!\" (e.g. '@a && ~@b')", src)
	case strings.Contains(strings.ReplaceAll(src, "&&", ""), "&"):
		return syntaxError("%q: AND is \"&&\", not \"&\" (e.g. '@a && @b')", src)
	}
	return nil
}

// fromCucumber rewrites a Cucumber expression without parentheses word by word: its
// precedence (not, then and, then or) is the one godog's syntax has.
func fromCucumber(src string) string {
	var out []string
	negate := false
	for _, w := range strings.Fields(src) {
		switch strings.ToLower(w) {
		case "and":
			out = append(out, "&&")
		case "or":
			out = append(out, ",")
		case "not":
			negate = !negate
		default:
			if negate {
				w = "~" + w
			}
			negate = false
			out = append(out, w)
		}
	}
	return strings.ReplaceAll(strings.Join(out, " "), " , ", ",")
}

func syntaxError(format string, args ...any) error {
	return fmt.Errorf("--tags: %s (%s)", fmt.Sprintf(format, args...), Syntax)
}

// Tags lists the tags the expression names, each once, in order of appearance.
func (e Expr) Tags() []string {
	var out []string
	for _, and := range e.Or {
		for _, t := range and {
			if !slices.Contains(out, t.Tag) {
				out = append(out, t.Tag)
			}
		}
	}
	return out
}

// Match reports whether a scenario with the given tags (each with its "@") is
// selected, as godog decides it.
func (e Expr) Match(tags []string) bool {
	if len(e.Or) == 0 {
		return true
	}
	for _, and := range e.Or {
		if slices.IndexFunc(and, func(t Term) bool { return slices.Contains(tags, t.Tag) == t.Negate }) < 0 {
			return true
		}
	}
	return false
}
