package fuzz

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/accessctk/accessctk/fuzz/filter"
	"github.com/accessctk/accessctk/internal/target"
)

// Property is one SAM-FZ rule; its value is the catalogue ID.
type Property string

// The catalogue's fuzz properties.
const (
	// Oracle (SAM-FZ-01): random valid expressions built from the tenant's data return
	// exactly what the oracle returns over the snapshot, with a matching total.
	Oracle Property = "SAM-FZ-01"
	// Algebra (SAM-FZ-02): commutativity, absorption, a&b ⊆ a ⊆ a;b, distribution
	// written without parentheses, and the createdAt order laws.
	Algebra Property = "SAM-FZ-02"
	// Robustness (SAM-FZ-03): nothing gets a 5xx, and a literal value on a text field
	// matches only itself.
	Robustness Property = "SAM-FZ-03"
)

// Properties lists the properties in catalogue order.
func Properties() []Property { return []Property{Oracle, Algebra, Robustness} }

// ParseProperty reads a property by its ID ("SAM-FZ-01" or "FZ-01").
func ParseProperty(s string) (Property, error) {
	for _, p := range Properties() {
		if s == string(p) || "SAM-"+s == string(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown property %q (known: SAM-FZ-01, SAM-FZ-02, SAM-FZ-03)", s)
}

// Shown is an expression as a counterexample shows it.
type Shown struct {
	// Name says its part in the law ("a", "a&b", "expression").
	Name string
	// Readable is the decoded form the pages show; Encoded the query component sent.
	Readable, Encoded string
}

// Counterexample is a check that failed, as rapid left it after shrinking.
type Counterexample struct {
	Property Property
	// Requirements are the rules it breaks: the property's, and SAM-CM-05 for a 5xx.
	Requirements []string
	// Law says which part of the property broke; Message what was expected and seen.
	Law, Message string
	// Exprs are the expressions involved, the failing one first.
	Exprs []Shown
	// Missing are ids the target should have returned, Unexpected ids it should not.
	Missing, Unexpected []string
	// Exchange is the failing answer's first page (redacted), as evidence.
	Exchange *target.Exchange
	// Size counts the conditions of the generated inputs; Chars is the length of the
	// failing text in characters.
	Size, Chars int
	// Seed is rapid's seed of the original failing check (0 when unknown); Replay a
	// command line that reproduces it.
	Seed   uint64
	Replay string
	// Reproduced says the minimal case failed again when rapid replayed it last.
	Reproduced bool
}

// checker runs one property's checks against the target and remembers the last
// failure, which after rapid's shrinking and final replay is the minimal one.
type checker struct {
	ctx      context.Context
	q        Querier
	snap     *Snapshot
	gen      *Gen
	raw      bool
	deadline time.Time

	checks     int  // checks begun before the first failure
	unjudged   int  // of those, checks whose walks broke, so nothing was compared
	failing    bool // a failure was seen: shrinking runs, bounded by rapid's shrink time
	last       *Counterexample
	lastFailed bool // the most recent check failed
	abort      error

	requests int
	wait     time.Duration
	findings []Finding
	seen     map[string]bool
}

// maxFindings bounds the paging findings a run keeps.
const maxFindings = 20

func (c *checker) property(p Property) func(*rapid.T) {
	law := map[Property]func(*rapid.T){Oracle: c.oracle, Algebra: c.algebra, Robustness: c.robustness}[p]
	return func(t *rapid.T) {
		c.lastFailed = false
		if c.abort != nil || (!c.failing && (c.ctx.Err() != nil || time.Now().After(c.deadline))) {
			// Out of time (or the target is gone): the remaining checks are skipped,
			// which rapid counts as invalid and ends the run on.
			t.SkipNow()
		}
		if !c.failing {
			c.checks++
		}
		law(t)
	}
}

// brokenWalk marks the current check as one that compared nothing: a walk it
// needed did not reach its last page (the walker's paging finding says why). It
// does not count as a check of the property, so a target whose walks always break
// leaves the property unjudged rather than passed.
func (c *checker) brokenWalk() {
	if !c.failing {
		c.unjudged++
	}
}

// ask sends one expression text. A failure to get an answer is the harness's, not
// the target's: the run is aborted and reported as an error.
func (c *checker) ask(t *rapid.T, text string) *Answer {
	a, err := c.q.Query(c.ctx, Query{Filter: text})
	if a != nil {
		c.requests += a.Requests
		c.wait += a.Wait
		for _, f := range a.Findings {
			key := f.Requirement + "\x00" + f.Message
			if !c.seen[key] && len(c.findings) < maxFindings {
				c.seen[key] = true
				c.findings = append(c.findings, f)
			}
		}
	}
	if err != nil {
		if c.abort == nil {
			c.abort = err
		}
		t.SkipNow()
	}
	return a
}

func (c *checker) show(name, text string) Shown {
	return Shown{Name: name, Readable: text, Encoded: FilterParam(text, c.raw)}
}

func (c *checker) fail(t *rapid.T, cx *Counterexample) {
	if len(cx.Requirements) == 0 {
		cx.Requirements = []string{string(cx.Property)}
	}
	if len(cx.Exprs) > 0 {
		cx.Chars = len([]rune(cx.Exprs[0].Readable))
	}
	c.failing, c.last, c.lastFailed = true, cx, true
	t.Fatalf("%s: %s", cx.Law, cx.Message)
}

// serverError fails the check when the answer is a 5xx.
func (c *checker) serverError(t *rapid.T, p Property, a *Answer, size int, shown ...Shown) {
	if a.Status < 500 {
		return
	}
	c.fail(t, &Counterexample{
		Property: p, Requirements: []string{string(p), "SAM-CM-05"}, Law: "no 5xx",
		Message: fmt.Sprintf("expected no 5xx, got %d for %s%s", a.Status, shown[0].Name, excerpt(a.Exchange)),
		Exprs:   shown, Exchange: a.Exchange, Size: size,
	})
}

func excerpt(ex *target.Exchange) string {
	if ex == nil || len(ex.ResponseBody) == 0 {
		return ""
	}
	return ": " + ex.ResponseExcerpt(200)
}

// oracle is SAM-FZ-01: the answer to a random valid expression over returned fields
// equals the oracle's evaluation over the snapshot, ids and X-Total-Count.
func (c *checker) oracle(t *rapid.T) {
	e := c.gen.drawWithUnknown(t, c.gen.OracleFields(), DataValues)
	text := e.String()
	shown := c.show("expression", text)
	a := c.ask(t, text)
	c.serverError(t, Oracle, a, Size(e), shown)
	if a.Status != http.StatusOK {
		c.fail(t, &Counterexample{Property: Oracle, Law: "a valid expression is answered",
			Message: fmt.Sprintf("expected status 200 for a valid expression, got %d%s", a.Status, excerpt(a.Exchange)),
			Exprs:   []Shown{shown}, Exchange: a.Exchange, Size: Size(e)})
	}
	if !a.Complete {
		c.brokenWalk() // a paging finding, nothing to compare
		return
	}
	want := c.eval(t, e)
	missing, unexpected := diff(want, a.IDs)
	if len(missing)+len(unexpected) > 0 {
		c.fail(t, &Counterexample{Property: Oracle, Law: "the target's result equals the oracle's",
			Message: fmt.Sprintf("expected the %d accesses the oracle matches, got %d: %d missing, %d unexpected", len(want), len(a.IDs), len(missing), len(unexpected)),
			Exprs:   []Shown{shown}, Missing: missing, Unexpected: unexpected, Exchange: a.Exchange, Size: Size(e)})
	}
	if a.Total != int64(len(want)) {
		c.fail(t, &Counterexample{Property: Oracle, Law: "X-Total-Count equals the oracle's count",
			Message: fmt.Sprintf("expected X-Total-Count %d, got %d", len(want), a.Total),
			Exprs:   []Shown{shown}, Exchange: a.Exchange, Size: Size(e)})
	}
}

// eval runs the oracle; an error is the harness's (the generators made an
// expression the oracle refuses), so the run aborts.
func (c *checker) eval(t *rapid.T, e filter.Expr) []string {
	want, err := c.snap.Eval(e)
	if err != nil {
		if c.abort == nil {
			c.abort = fmt.Errorf("oracle on %q: %w", e.String(), err)
		}
		t.SkipNow()
	}
	return want
}

// result is one answered expression of an algebra law.
type result struct {
	shown Shown
	a     *Answer
	ids   map[string]bool
}

// answers asks each text and fails on a 5xx or a refused valid expression. ok is
// false when a walk broke (a paging finding): the law cannot be judged.
func (c *checker) answers(t *rapid.T, size int, named ...[2]string) (rs []result, ok bool) {
	ok = true
	for _, n := range named {
		shown := c.show(n[0], n[1])
		a := c.ask(t, n[1])
		c.serverError(t, Algebra, a, size, shown)
		if a.Status != http.StatusOK {
			c.fail(t, &Counterexample{Property: Algebra, Law: "a valid expression is answered",
				Message: fmt.Sprintf("expected status 200 for %s, got %d%s", n[0], a.Status, excerpt(a.Exchange)),
				Exprs:   []Shown{shown}, Exchange: a.Exchange, Size: size})
		}
		ok = ok && a.Complete
		rs = append(rs, result{shown: shown, a: a, ids: setOf(a.IDs)})
	}
	if !ok {
		c.brokenWalk()
	}
	return rs, ok
}

// algebra is SAM-FZ-02: the target's answers to related expressions obey the set
// algebra. It needs no oracle, so it covers createdAt, which no response carries.
func (c *checker) algebra(t *rapid.T) {
	fields := filter.Fields
	conj := func(string) filter.Conj { return c.gen.drawConj(t, fields, DataValues) }
	// The order laws get more draws: they are cheap, and createdAt is seen nowhere else.
	switch rapid.IntRange(0, 8).Draw(t, "law") {
	case 0:
		a, b := conj("a"), conj("b")
		c.equal(t, "a&b = b&a", len(a)+len(b), [2]string{"a&b", a.String() + "&" + b.String()}, [2]string{"b&a", b.String() + "&" + a.String()})
	case 1:
		a := c.gen.drawNested(t, fields, DataValues)
		b := c.gen.drawNested(t, fields, DataValues)
		c.equal(t, "a;b = b;a", Size(a)+Size(b), [2]string{"a;b", a.String() + ";" + b.String()}, [2]string{"b;a", b.String() + ";" + a.String()})
	case 2:
		a, b := conj("a"), conj("b")
		c.chain(t, a, b)
	case 3:
		c.distribution(t, conj("a"), conj("b"), conj("c"))
	case 4:
		a, b := conj("a"), conj("b")
		c.absorption(t, a, b)
	case 5, 6:
		c.complement(t, c.gen.drawInstant(t, createdAt, -1))
	default:
		v := c.gen.drawInstant(t, createdAt, -1)
		c.monotone(t, v, c.gen.drawNearInstant(t, createdAt, v))
	}
}

var createdAt, _ = filter.LookupField("createdAt")

// equal checks that two texts give the same set.
func (c *checker) equal(t *rapid.T, law string, size int, x, y [2]string) {
	rs, ok := c.answers(t, size, x, y)
	if !ok {
		return
	}
	onlyX, onlyY := minus(rs[0].ids, rs[1].ids), minus(rs[1].ids, rs[0].ids)
	if len(onlyX)+len(onlyY) > 0 {
		c.fail(t, &Counterexample{Property: Algebra, Law: law,
			Message: fmt.Sprintf("expected %s and %s to give the same accesses: %d only in %s, %d only in %s", x[0], y[0], len(onlyX), x[0], len(onlyY), y[0]),
			Exprs:   []Shown{rs[0].shown, rs[1].shown}, Missing: onlyX, Unexpected: onlyY, Exchange: rs[1].a.Exchange, Size: size})
	}
}

// chain checks a&b ⊆ a ⊆ a;b.
func (c *checker) chain(t *rapid.T, a, b filter.Conj) {
	size := len(a) + len(b)
	rs, ok := c.answers(t, size, [2]string{"a&b", a.String() + "&" + b.String()}, [2]string{"a", a.String()}, [2]string{"a;b", a.String() + ";" + b.String()})
	if !ok {
		return
	}
	if out := minus(rs[0].ids, rs[1].ids); len(out) > 0 {
		c.fail(t, &Counterexample{Property: Algebra, Law: "a&b ⊆ a",
			Message: fmt.Sprintf("expected every access of a&b in a, %d are not", len(out)),
			Exprs:   []Shown{rs[0].shown, rs[1].shown}, Unexpected: out, Exchange: rs[0].a.Exchange, Size: size})
	}
	if out := minus(rs[1].ids, rs[2].ids); len(out) > 0 {
		c.fail(t, &Counterexample{Property: Algebra, Law: "a ⊆ a;b",
			Message: fmt.Sprintf("expected every access of a in a;b, %d are not", len(out)),
			Exprs:   []Shown{rs[2].shown, rs[1].shown}, Missing: out, Exchange: rs[2].a.Exchange, Size: size})
	}
}

// distribution checks that a&b;a&c, the grammar's way of writing a&(b;c), is the
// union of a&b and a&c and the intersection of a with b;c.
func (c *checker) distribution(t *rapid.T, a, b, cc filter.Conj) {
	size := len(a) + len(b) + len(cc)
	ab, ac := a.String()+"&"+b.String(), a.String()+"&"+cc.String()
	rs, ok := c.answers(t, size, [2]string{"a&b;a&c", ab + ";" + ac}, [2]string{"a&b", ab}, [2]string{"a&c", ac},
		[2]string{"a", a.String()}, [2]string{"b;c", b.String() + ";" + cc.String()})
	if !ok {
		return
	}
	got := rs[0].ids
	union := unionOf(rs[1].ids, rs[2].ids)
	if missing, extra := minus(union, got), minus(got, union); len(missing)+len(extra) > 0 {
		c.fail(t, &Counterexample{Property: Algebra, Law: "a&b;a&c = (a&b) ∪ (a&c)",
			Message: fmt.Sprintf("expected a&b;a&c to be the union of a&b and a&c: %d missing, %d unexpected", len(missing), len(extra)),
			Exprs:   []Shown{rs[0].shown, rs[1].shown, rs[2].shown}, Missing: missing, Unexpected: extra, Exchange: rs[0].a.Exchange, Size: size})
	}
	inter := intersectOf(rs[3].ids, rs[4].ids)
	if missing, extra := minus(inter, got), minus(got, inter); len(missing)+len(extra) > 0 {
		c.fail(t, &Counterexample{Property: Algebra, Law: "a&b;a&c = a ∩ (b;c)",
			Message: fmt.Sprintf("expected a&b;a&c to be the accesses of a that are in b;c: %d missing, %d unexpected", len(missing), len(extra)),
			Exprs:   []Shown{rs[0].shown, rs[3].shown, rs[4].shown}, Missing: missing, Unexpected: extra, Exchange: rs[0].a.Exchange, Size: size})
	}
}

// absorption checks a;a&b = a and a&a;a&b (a&(a;b)) = a.
func (c *checker) absorption(t *rapid.T, a, b filter.Conj) {
	size := len(a) + len(b)
	as, bs := a.String(), b.String()
	rs, ok := c.answers(t, size, [2]string{"a", as}, [2]string{"a;a&b", as + ";" + as + "&" + bs}, [2]string{"a&a;a&b", as + "&" + as + ";" + as + "&" + bs})
	if !ok {
		return
	}
	for _, r := range rs[1:] {
		if missing, extra := minus(rs[0].ids, r.ids), minus(r.ids, rs[0].ids); len(missing)+len(extra) > 0 {
			c.fail(t, &Counterexample{Property: Algebra, Law: r.shown.Name + " = a",
				Message: fmt.Sprintf("expected %s to give the accesses of a: %d missing, %d unexpected", r.shown.Name, len(missing), len(extra)),
				Exprs:   []Shown{r.shown, rs[0].shown}, Missing: missing, Unexpected: extra, Exchange: r.a.Exchange, Size: size})
		}
	}
}

// complement checks SAM-FL-05's first law: createdAt<v and createdAt>=v are disjoint
// and together give every access of the snapshot.
func (c *checker) complement(t *rapid.T, v string) {
	rs, ok := c.answers(t, 2, [2]string{"createdAt<v", "createdAt<" + v}, [2]string{"createdAt>=v", "createdAt>=" + v})
	if !ok {
		return
	}
	if both := intersectOf(rs[0].ids, rs[1].ids); len(both) > 0 {
		c.fail(t, &Counterexample{Property: Algebra, Law: "createdAt<v and createdAt>=v are disjoint",
			Message: fmt.Sprintf("expected no access in both, %d are", len(both)),
			Exprs:   []Shown{rs[0].shown, rs[1].shown}, Unexpected: sortedSet(both), Exchange: rs[1].a.Exchange, Size: 2})
	}
	all := setOf(c.snap.IDs())
	either := unionOf(rs[0].ids, rs[1].ids)
	if missing, extra := minus(all, either), minus(either, all); len(missing)+len(extra) > 0 {
		c.fail(t, &Counterexample{Property: Algebra, Law: "createdAt<v and createdAt>=v give every access",
			Message: fmt.Sprintf("expected together the %d accesses of the unfiltered list: %d missing, %d unexpected", len(all), len(missing), len(extra)),
			Exprs:   []Shown{rs[0].shown, rs[1].shown}, Missing: missing, Unexpected: extra, Exchange: rs[1].a.Exchange, Size: 2})
	}
}

// monotone checks SAM-FL-05's second law: v1 <= v2 implies createdAt>=v2 lies
// within createdAt>=v1. The same instant written in two offsets is <= both ways, so
// then each set lies within the other.
func (c *checker) monotone(t *rapid.T, x, y string) {
	tx, errX := filter.ParseInstant(x)
	ty, errY := filter.ParseInstant(y)
	if errX != nil || errY != nil {
		panic(fmt.Sprintf("generated instants %q, %q do not parse", x, y))
	}
	if ty.Before(tx) {
		x, y = y, x
	}
	rs, ok := c.answers(t, 2, [2]string{"createdAt>=v2", "createdAt>=" + y}, [2]string{"createdAt>=v1", "createdAt>=" + x})
	if !ok {
		return
	}
	if out := minus(rs[0].ids, rs[1].ids); len(out) > 0 {
		c.fail(t, &Counterexample{Property: Algebra, Law: "v1 <= v2 implies createdAt>=v2 ⊆ createdAt>=v1",
			Message: fmt.Sprintf("expected every access of createdAt>=v2 in createdAt>=v1 (v1 = %s <= v2 = %s), %d are not", x, y, len(out)),
			Exprs:   []Shown{rs[0].shown, rs[1].shown}, Unexpected: out, Exchange: rs[0].a.Exchange, Size: 2})
	}
	if out := minus(rs[1].ids, rs[0].ids); tx.Equal(ty) && len(out) > 0 {
		c.fail(t, &Counterexample{Property: Algebra, Law: "the same instant in two offsets gives the same createdAt>=v",
			Message: fmt.Sprintf("expected createdAt>=v1 and createdAt>=v2 to be equal (v1 = %s and v2 = %s are one instant), %d are only in createdAt>=v1", x, y, len(out)),
			Exprs:   []Shown{rs[1].shown, rs[0].shown}, Unexpected: out, Exchange: rs[1].a.Exchange, Size: 2})
	}
}

// robustness is SAM-FZ-03: malformed expressions and random values never get a
// 5xx, and a literal value on a text field matches exactly the accesses whose field
// is that value.
func (c *checker) robustness(t *rapid.T) {
	// The literal law is drawn most: it is the one with a meaning to get wrong.
	switch rapid.IntRange(0, 4).Draw(t, "law") {
	case 0, 1, 2:
		c.literal(t)
	case 3:
		text := c.gen.drawMalformed(t)
		shown := c.show("malformed expression", text)
		a := c.ask(t, text)
		c.serverError(t, Robustness, a, slots(text), shown)
	default:
		f := rapid.SampledFrom(filter.Fields).Draw(t, "field")
		op := rapid.SampledFrom(f.Ops).Draw(t, "op")
		v := rapid.OneOf(anyText(), c.gen.Adversarial()).Draw(t, "value")
		text := filter.Cond{Field: f.Name, Op: op, Value: v}.String()
		a := c.ask(t, text)
		c.serverError(t, Robustness, a, 1, c.show("expression", text))
	}
}

func (c *checker) literal(t *rapid.T) {
	f := rapid.SampledFrom(TextFields()).Draw(t, "text field")
	v := c.gen.drawText(t, f, c.gen.drawAnchor(t), AnyValues)
	e := filter.Expr{{{Field: f.Name, Op: filter.Eq, Value: v}}}
	shown := c.show("expression", e.String())
	a := c.ask(t, e.String())
	c.serverError(t, Robustness, a, 1, shown)
	if a.Status != http.StatusOK {
		if longValue(v) {
			return // a server may refuse a URL this long
		}
		c.fail(t, &Counterexample{Property: Robustness, Law: "a literal value is data",
			Message: fmt.Sprintf("expected status 200 for an = condition on %s, got %d%s", f.Name, a.Status, excerpt(a.Exchange)),
			Exprs:   []Shown{shown}, Exchange: a.Exchange, Size: 1})
	}
	if !a.Complete {
		return
	}
	want := c.eval(t, e)
	missing, unexpected := diff(want, a.IDs)
	if len(missing)+len(unexpected) > 0 {
		c.fail(t, &Counterexample{Property: Robustness, Law: "a literal value matches only itself",
			Message: fmt.Sprintf("expected the %d accesses whose %s is exactly %q, got %d: %d missing, %d unexpected", len(want), f.Name, v, len(a.IDs), len(missing), len(unexpected)),
			Exprs:   []Shown{shown}, Missing: missing, Unexpected: unexpected, Exchange: a.Exchange, Size: 1})
	}
}

// slots counts the conditions a text holds, parsed or not: its "&"/";" separated parts.
func slots(text string) int {
	return strings.Count(text, "&") + strings.Count(text, ";") + 1
}

// Set helpers over ids.

func setOf(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// minus returns the sorted ids of a that are not in b.
func minus(a, b map[string]bool) []string {
	var out []string
	for id := range a {
		if !b[id] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func unionOf(a, b map[string]bool) map[string]bool {
	out := make(map[string]bool, len(a)+len(b))
	for id := range a {
		out[id] = true
	}
	for id := range b {
		out[id] = true
	}
	return out
}

func intersectOf(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for id := range a {
		if b[id] {
			out[id] = true
		}
	}
	return out
}

// diff returns the ids of want missing from got and those of got not in want.
func diff(want, got []string) (missing, unexpected []string) {
	w, g := setOf(want), setOf(got)
	return minus(w, g), minus(g, w)
}
