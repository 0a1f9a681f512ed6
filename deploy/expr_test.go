package deploy

// A small evaluator of GitHub Actions expressions, enough for the recipes' own
// ${{ ... }} and if: conditions: context references (inputs.x, steps.id.outputs.y,
// matrix.x, env.X, github.x, runner.x, secrets.X, vars.X), string, number and boolean
// literals, ==, !=, !, &&, || and parentheses, and the status functions always(),
// success(), failure() and cancelled(). Anything else is an error, so a recipe that
// starts using more of the language fails the test instead of being run wrongly.

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// exprCtx is what an expression can see.
type exprCtx struct {
	contexts map[string]any // "inputs", "env", "steps", ... each a map[string]any
	failed   bool           // a previous step (or needed job) failed
}

func (c *exprCtx) lookup(path []string) (any, error) {
	root, ok := c.contexts[path[0]]
	if !ok {
		return nil, fmt.Errorf("unknown context %q", path[0])
	}
	cur := root
	for _, key := range path[1:] {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, nil
		}
		cur = m[key]
	}
	return cur, nil
}

type exprParser struct {
	toks []string
	pos  int
	ctx  *exprCtx
}

func tokenize(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case strings.HasPrefix(s[i:], "==") || strings.HasPrefix(s[i:], "!=") ||
			strings.HasPrefix(s[i:], "&&") || strings.HasPrefix(s[i:], "||"):
			toks = append(toks, s[i:i+2])
			i += 2
		case c == '!' || c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case c == '\'':
			j := i + 1
			var b strings.Builder
			for {
				if j >= len(s) {
					return nil, fmt.Errorf("unterminated string in %q", s)
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			toks = append(toks, "'"+b.String())
			i = j + 1
		case c == '_' || c == '-' || c == '.' || c == '*' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'):
			j := i
			for j < len(s) {
				d := s[j]
				if d == '_' || d == '-' || d == '.' || (d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || (d >= '0' && d <= '9') {
					j++
					continue
				}
				break
			}
			if j == i {
				return nil, fmt.Errorf("unexpected %q in %q", c, s)
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			return nil, fmt.Errorf("unsupported character %q in expression %q", c, s)
		}
	}
	return toks, nil
}

func (p *exprParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *exprParser) next() string {
	t := p.peek()
	p.pos++
	return t
}

func (p *exprParser) or() (any, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek() == "||" {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		if !truthy(l) {
			l = r
		}
	}
	return l, nil
}

func (p *exprParser) and() (any, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.peek() == "&&" {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		if truthy(l) {
			l = r
		}
	}
	return l, nil
}

func (p *exprParser) unary() (any, error) {
	if p.peek() == "!" {
		p.next()
		v, err := p.unary()
		if err != nil {
			return nil, err
		}
		return !truthy(v), nil
	}
	l, err := p.primary()
	if err != nil {
		return nil, err
	}
	if op := p.peek(); op == "==" || op == "!=" {
		p.next()
		r, err := p.primary()
		if err != nil {
			return nil, err
		}
		eq := strings.EqualFold(str(l), str(r))
		return eq == (op == "=="), nil
	}
	return l, nil
}

func (p *exprParser) primary() (any, error) {
	t := p.next()
	switch {
	case t == "":
		return nil, fmt.Errorf("unexpected end of expression")
	case t == "(":
		v, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.next() != ")" {
			return nil, fmt.Errorf("missing )")
		}
		return v, nil
	case strings.HasPrefix(t, "'"):
		return t[1:], nil
	case t == "true" || t == "false":
		return t == "true", nil
	case t == "null":
		return nil, nil
	case t[0] >= '0' && t[0] <= '9':
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	if p.peek() == "(" {
		p.next()
		if p.next() != ")" {
			return nil, fmt.Errorf("function %s: arguments are not supported", t)
		}
		switch t {
		case "always":
			return true, nil
		case "success":
			return !p.ctx.failed, nil
		case "failure":
			return p.ctx.failed, nil
		case "cancelled":
			return false, nil
		}
		return nil, fmt.Errorf("unsupported function %s()", t)
	}
	return p.ctx.lookup(strings.Split(t, "."))
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	case int:
		return x != 0
	}
	return true
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	}
	return fmt.Sprint(v)
}

func evalExpr(ctx *exprCtx, s string) (any, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	p := &exprParser{toks: toks, ctx: ctx}
	v, err := p.or()
	if err != nil {
		return nil, fmt.Errorf("%q: %w", s, err)
	}
	if p.pos != len(toks) {
		return nil, fmt.Errorf("%q: unexpected %q", s, p.peek())
	}
	return v, nil
}

// interpolate replaces every ${{ expr }} in s by its value.
func interpolate(ctx *exprCtx, s string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${{")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return "", fmt.Errorf("unterminated ${{ in %q", s)
		}
		v, err := evalExpr(ctx, s[i+3:i+j])
		if err != nil {
			return "", err
		}
		b.WriteString(s[:i])
		b.WriteString(str(v))
		s = s[i+j+2:]
	}
}

// condition evaluates an if: as GitHub does: without a status function it means
// success() && (cond).
func condition(ctx *exprCtx, cond string) (bool, error) {
	cond = strings.TrimSpace(cond)
	if cond == "" {
		return !ctx.failed, nil
	}
	if strings.HasPrefix(cond, "${{") && strings.HasSuffix(cond, "}}") {
		cond = strings.TrimSpace(cond[3 : len(cond)-2])
	}
	v, err := evalExpr(ctx, cond)
	if err != nil {
		return false, err
	}
	hasStatus := false
	for _, f := range []string{"always()", "success()", "failure()", "cancelled()"} {
		hasStatus = hasStatus || strings.Contains(cond, f)
	}
	if !hasStatus {
		return !ctx.failed && truthy(v), nil
	}
	return truthy(v), nil
}

func TestExpressionEvaluator(t *testing.T) {
	ctx := &exprCtx{contexts: map[string]any{
		"inputs": map[string]any{"bin": "", "upload": "true", "accept-baseline": true},
		"steps":  map[string]any{"run": map[string]any{"outputs": map[string]any{"exit-code": "1"}}},
	}}
	for _, c := range []struct {
		cond   string
		failed bool
		want   bool
	}{
		{"inputs.bin == ''", false, true},
		{"inputs.bin == ''", true, false},
		{"always() && inputs.upload == 'true'", true, true},
		{"always() && inputs.upload == 'false'", false, false},
		{"success() || inputs.accept-baseline", true, true},
		{"success() || inputs.missing", true, false},
		{"steps.run.outputs.exit-code != '0'", false, true},
		{"!(inputs.bin != '')", false, true},
		{"", true, false},
		{"failure()", true, true},
	} {
		ctx.failed = c.failed
		got, err := condition(ctx, c.cond)
		if err != nil || got != c.want {
			t.Errorf("condition(%q, failed=%v) = %v, %v; want %v", c.cond, c.failed, got, err, c.want)
		}
	}
	s, err := interpolate(ctx, "x-${{ steps.run.outputs.exit-code }}/${{ inputs.upload }}")
	if err != nil || s != "x-1/true" {
		t.Errorf("interpolate = %q, %v", s, err)
	}
	for _, bad := range []string{"nosuch.x", "contains(inputs.bin, 'a')", "inputs.bin =="} {
		if _, err := evalExpr(ctx, bad); err == nil {
			t.Errorf("evalExpr(%q) accepted an expression the evaluator does not support", bad)
		}
	}
}
