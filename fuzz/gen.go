package fuzz

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/accessctk/accessctk/fuzz/filter"
)

// Gen makes the generators over one snapshot. Each grammar rule has its generator
// (Field, Op, Value, Cond, Conj, Expr), built to produce valid cases rather than to
// filter them: values come from the snapshot's own data so that filters hit, from the
// boundaries around its instants, and from adversarial text. Nested builds AND/OR
// trees up to the configured depth and writes them without parentheses (the grammar
// has none) by distributing AND over OR. Every choice shrinks towards the plainest
// case: an anchor access's own value, the first operator, a single condition.
type Gen struct {
	snap     *Snapshot
	maxDepth int
}

// NewGen returns the generators over s; maxDepth bounds the AND/OR nesting of Nested
// (at least 1).
func NewGen(s *Snapshot, maxDepth int) *Gen {
	return &Gen{snap: s, maxDepth: max(maxDepth, 1)}
}

// ValueMode says where text values come from.
type ValueMode int

const (
	// DataValues draws text from the snapshot (the access the condition is
	// anchored on, any access, another field): SAM-FZ-01's "values seen in the
	// tenant's data".
	DataValues ValueMode = iota
	// AnyValues adds mutations of the data (case, prefix, wildcards, quotes,
	// normalization), the adversarial list and random printable text.
	AnyValues
)

// OracleFields are the fields the oracle can judge over the snapshot: returned by
// the target, with values that parse.
func (g *Gen) OracleFields() []filter.Field {
	var out []filter.Field
	for _, f := range filter.Fields {
		if g.snap.Judgeable(f) {
			out = append(out, f)
		}
	}
	return out
}

// TextFields are the text fields (SAM-FZ-03's literal matching).
func TextFields() []filter.Field {
	var out []filter.Field
	for _, f := range filter.Fields {
		if f.Kind == filter.Text {
			out = append(out, f)
		}
	}
	return out
}

// Field draws one of fields.
func (g *Gen) Field(fields []filter.Field) *rapid.Generator[filter.Field] {
	return rapid.SampledFrom(fields)
}

// Op draws an operator f supports.
func (g *Gen) Op(f filter.Field) *rapid.Generator[filter.Op] { return rapid.SampledFrom(f.Ops) }

// Value draws a value for f.
func (g *Gen) Value(f filter.Field, mode ValueMode) *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string { return g.drawValue(t, f, g.drawAnchor(t), mode) })
}

// Cond draws a valid condition on one of fields.
func (g *Gen) Cond(fields []filter.Field, mode ValueMode) *rapid.Generator[filter.Cond] {
	return rapid.Custom(func(t *rapid.T) filter.Cond { return g.drawCond(t, fields, g.drawAnchor(t), mode) })
}

// Conj draws a conjunction of one to three conditions anchored on one access, so
// that it often matches it.
func (g *Gen) Conj(fields []filter.Field, mode ValueMode) *rapid.Generator[filter.Conj] {
	return rapid.Custom(func(t *rapid.T) filter.Conj { return g.drawConj(t, fields, mode) })
}

// Expr draws a flat expression: one to three conjunctions.
func (g *Gen) Expr(fields []filter.Field, mode ValueMode) *rapid.Generator[filter.Expr] {
	return rapid.Custom(func(t *rapid.T) filter.Expr {
		n := rapid.IntRange(1, 3).Draw(t, "conjunctions")
		e := make(filter.Expr, n)
		for i := range e {
			e[i] = g.drawConj(t, fields, mode)
		}
		return e
	})
}

// Nested draws an AND/OR tree of conditions up to the generator's depth and writes
// it in the grammar (AND distributed over OR).
func (g *Gen) Nested(fields []filter.Field, mode ValueMode) *rapid.Generator[filter.Expr] {
	return rapid.Custom(func(t *rapid.T) filter.Expr { return g.drawNested(t, fields, mode) })
}

// WithUnknown draws an expression like Nested and, when it is a single conjunction,
// sometimes adds a condition on an unknown field to it, or asks for the unknown field
// alone (SAM-FL-04: dropped). Never inside an OR, where the catalogue's reading is
// ambiguous.
func (g *Gen) WithUnknown(fields []filter.Field, mode ValueMode) *rapid.Generator[filter.Expr] {
	return rapid.Custom(func(t *rapid.T) filter.Expr { return g.drawWithUnknown(t, fields, mode) })
}

// Adversarial draws a printable text value: the adversarial list, a mutation of a
// data value, or random printable text; never "&" or ";".
func (g *Gen) Adversarial() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string { return g.drawAdversarial(t, g.drawAnchor(t), filter.Fields[0]) })
}

// Malformed draws an expression text the grammar or the fields refuse, or that
// stretches them: dangling and doubled separators, missing parts, unknown and
// unsupported operators, malformed dates, control characters, very many conditions.
func (g *Gen) Malformed() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string { return g.drawMalformed(t) })
}

// Instant draws an instant value near the data (see drawInstant).
func (g *Gen) Instant(f filter.Field) *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string { return g.drawInstant(t, f, g.drawAnchor(t)) })
}

// drawAnchor picks the access a condition's values come from; -1 for an empty tenant.
func (g *Gen) drawAnchor(t *rapid.T) int {
	if g.snap.Len() == 0 {
		return -1
	}
	return rapid.IntRange(0, g.snap.Len()-1).Draw(t, "anchor")
}

// anchored returns the anchor's value of field, if it has one the grammar can carry.
func (g *Gen) anchored(anchor int, field string) (string, bool) {
	if anchor < 0 {
		return "", false
	}
	v, ok := g.snap.accesses[anchor].Fields[field]
	if !ok || strings.ContainsAny(v, "&;") {
		return "", false
	}
	return v, true
}

func (g *Gen) drawCond(t *rapid.T, fields []filter.Field, anchor int, mode ValueMode) filter.Cond {
	f := rapid.SampledFrom(fields).Draw(t, "field")
	op := rapid.SampledFrom(f.Ops).Draw(t, "op")
	return filter.Cond{Field: f.Name, Op: op, Value: g.drawValue(t, f, anchor, mode)}
}

func (g *Gen) drawConj(t *rapid.T, fields []filter.Field, mode ValueMode) filter.Conj {
	anchor := g.drawAnchor(t)
	cond := rapid.Custom(func(t *rapid.T) filter.Cond { return g.drawCond(t, fields, anchor, mode) })
	return rapid.SliceOfN(cond, 1, 3).Draw(t, "conditions")
}

func (g *Gen) drawValue(t *rapid.T, f filter.Field, anchor int, mode ValueMode) string {
	if f.Kind == filter.Instant {
		return g.drawInstant(t, f, anchor)
	}
	return g.drawText(t, f, anchor, mode)
}

// node is an AND/OR tree before it is written in the grammar.
type node struct {
	cond filter.Cond
	and  bool
	kids []node
}

// leafBudget bounds a tree's conditions: with at most nine, the written form has at
// most 27 conjunctions of 3 and stays a few KiB long.
func (g *Gen) leafBudget() int {
	b := 1
	for range g.maxDepth {
		b *= 3
		if b >= 9 {
			return 9
		}
	}
	return b
}

func (g *Gen) drawNested(t *rapid.T, fields []filter.Field, mode ValueMode) filter.Expr {
	return g.drawNode(t, fields, mode, g.maxDepth, g.leafBudget(), g.drawAnchor(t)).dnf()
}

// drawNode draws a tree of at most depth levels of AND/OR and budget conditions.
// Children are a slice, so shrinking can delete them one by one down to a single
// child, which is the child itself: the tree collapses towards one condition.
func (g *Gen) drawNode(t *rapid.T, fields []filter.Field, mode ValueMode, depth, budget, anchor int) node {
	if depth == 0 || budget < 2 {
		return node{cond: g.drawCond(t, fields, anchor, mode)}
	}
	kind := rapid.IntRange(0, 2).Draw(t, "node") // leaf, AND, OR
	if kind == 0 {
		return node{cond: g.drawCond(t, fields, anchor, mode)}
	}
	width := min(3, budget)
	and := kind == 1
	child := rapid.Custom(func(t *rapid.T) node {
		a := anchor
		if !and {
			// Each side of an OR hits its own access.
			a = g.drawAnchor(t)
		}
		return g.drawNode(t, fields, mode, depth-1, budget/width, a)
	})
	return node{and: and, kids: rapid.SliceOfN(child, 1, width).Draw(t, "children")}
}

// dnf writes the tree in the grammar: OR concatenates, AND distributes.
func (n node) dnf() filter.Expr {
	if n.kids == nil {
		return filter.Expr{{n.cond}}
	}
	if !n.and {
		var out filter.Expr
		for _, k := range n.kids {
			out = append(out, k.dnf()...)
		}
		return out
	}
	out := filter.Expr{{}}
	for _, k := range n.kids {
		var next filter.Expr
		for _, left := range out {
			for _, right := range k.dnf() {
				c := make(filter.Conj, 0, len(left)+len(right))
				next = append(next, append(append(c, left...), right...))
			}
		}
		out = next
	}
	return out
}

// unknownFields are names no catalogue field has and no resource property either,
// so that a server's extensions cannot make them known.
var unknownFields = []string{"colour", "unknownField", "x_filter", "zz9"}

func (g *Gen) drawWithUnknown(t *rapid.T, fields []filter.Field, mode ValueMode) filter.Expr {
	e := g.drawNested(t, fields, mode)
	if len(e) != 1 {
		return e
	}
	kind := rapid.IntRange(0, 4).Draw(t, "unknown") // mostly none
	if kind < 3 {
		return e
	}
	u := filter.Cond{
		Field: rapid.SampledFrom(unknownFields).Draw(t, "unknown field"),
		Op:    rapid.SampledFrom(filter.Ops).Draw(t, "unknown op"),
		Value: rapid.SampledFrom(adversarialTexts).Draw(t, "unknown value"),
	}
	if u.Op == filter.Gt || u.Op == filter.Lt {
		// "colour>" and "=x" would read back as "colour>=" and "x": longest match first.
		u.Value = strings.TrimLeft(u.Value, "=")
	}
	if kind == 3 {
		return filter.Expr{{u}}
	}
	at := rapid.IntRange(0, len(e[0])).Draw(t, "unknown at")
	c := append(append(append(filter.Conj{}, e[0][:at]...), u), e[0][at:]...)
	return filter.Expr{c}
}

// drawText draws a text value for f.
func (g *Gen) drawText(t *rapid.T, f filter.Field, anchor int, mode ValueMode) string {
	if mode == AnyValues {
		return g.drawNearText(t, f, anchor)
	}
	switch k := rapid.IntRange(0, 5).Draw(t, "text from"); {
	case k <= 2: // the anchor's own value: a hit
		if v, ok := g.anchored(anchor, f.Name); ok {
			return v
		}
		return g.drawPooled(t, g.snap.values[f.Name], f)
	case k <= 4:
		return g.drawPooled(t, g.snap.values[f.Name], f)
	default: // another field's value
		return g.drawPooled(t, g.snap.texts, f)
	}
}

// drawNearText draws the values a literal is tested with: mostly near misses of the
// data (a lenient server matches them to the data value), some data values exactly
// (another data value may extend them), some adversarial text.
func (g *Gen) drawNearText(t *rapid.T, f filter.Field, anchor int) string {
	base, ok := g.anchored(anchor, f.Name)
	if !ok {
		base = g.drawPooled(t, g.snap.values[f.Name], f)
	}
	switch k := rapid.IntRange(0, 9).Draw(t, "literal from"); {
	case k <= 1:
		return base
	case k == 2:
		return g.drawPooled(t, g.snap.values[f.Name], f)
	case k <= 7:
		return mutate(t, base)
	default:
		return g.drawAdversarial(t, anchor, f)
	}
}

// drawPooled picks from pool, or adversarial text when the pool is empty.
func (g *Gen) drawPooled(t *rapid.T, pool []string, f filter.Field) string {
	if len(pool) == 0 {
		return rapid.SampledFrom(adversarialTexts).Draw(t, "adversarial")
	}
	return rapid.SampledFrom(pool).Draw(t, "data value")
}

// adversarialTexts are values that trip servers which treat values as syntax:
// quotes, LIKE/GLOB/regex metacharacters, SQL, escapes, the grammar's own operator
// characters, percent-encoding that decodes twice, whitespace, case and Unicode
// normalization pairs, and the empty value.
var adversarialTexts = []string{
	"", " ", "'", `"`, "''", `\`, `\\`, "%", "%%", "_", "__", "*", "?", ".", ".*", "^", "$", "^.*$",
	"[a-z]", "[^a]", "(a|b)", "a+", "{1,2}", "|", "' OR '1'='1", `" OR ""="`, "1 OR 1=1", "x'--",
	"/* */", "NULL", "null", "%' --", `\%`, `\_`, "%_%", "=", "<", ">", ">=", "<=", "<>", "==", "a=b",
	"+", "a+b", "#", "?x=y", "/", "%20", "%26", "%3B", "%2", "café", "cafe\u0301", "e\u0301",
	"\u0301", "ß", "SS", "İ", "ı", "東京", "🙂", "\u200b", "\ufeff", "Ω", "\u2126", "\t", "a\nb",
}

// drawAdversarial draws an adversarial printable value: from the list, a mutation
// of the anchor's (or another) data value, a very long value, or random text.
func (g *Gen) drawAdversarial(t *rapid.T, anchor int, f filter.Field) string {
	switch k := rapid.IntRange(0, 4).Draw(t, "adversarial from"); k {
	case 0:
		return rapid.SampledFrom(adversarialTexts).Draw(t, "adversarial")
	case 1, 2:
		base, ok := g.anchored(anchor, f.Name)
		if !ok {
			base = g.drawPooled(t, g.snap.values[f.Name], f)
		}
		return mutate(t, base)
	case 3:
		return printableText().Draw(t, "random text")
	default:
		unit := rapid.SampledFrom([]string{"a", "é", "%", "_", "東", "a\u0301", "' OR '1'='1"}).Draw(t, "long unit")
		return strings.Repeat(unit, rapid.IntRange(100, 1200).Draw(t, "long repeat"))
	}
}

// printableText is random text of letters, marks, numbers, punctuation, symbols and
// spaces, with "&" and ";" mapped away (the grammar cannot carry them).
func printableText() *rapid.Generator[string] {
	r := rapid.Map(rapid.RuneFrom([]rune("%_*\\'\"."), unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs), noSeparator)
	return rapid.StringOfN(r, 0, 40, -1)
}

// anyText is random text of any runes, control characters included.
func anyText() *rapid.Generator[string] {
	return rapid.StringOfN(rapid.Map(rapid.Rune(), noSeparator), 0, 60, -1)
}

func noSeparator(r rune) rune {
	if r == '&' || r == ';' {
		return '+'
	}
	return r
}

// mutate changes a data value the ways a lenient server confuses with it: case,
// prefix, extension, a LIKE or GLOB wildcard in place of some characters, quotes,
// whitespace, another Unicode normalization form.
func mutate(t *rapid.T, v string) string {
	rs := []rune(v)
	cut := func(label string) int {
		if len(rs) == 0 {
			return 0
		}
		return rapid.IntRange(0, len(rs)-1).Draw(t, label)
	}
	switch rapid.IntRange(0, 9).Draw(t, "mutation") {
	case 0:
		return swapCase(v)
	case 1: // a proper prefix
		return string(rs[:cut("prefix length")])
	case 2:
		return v + rapid.SampledFrom([]string{"x", "0", " ", "%", "_"}).Draw(t, "extension")
	case 3: // one character as the single-character wildcard
		if len(rs) == 0 {
			return "_"
		}
		i := cut("wildcard at")
		return string(rs[:i]) + "_" + string(rs[i+1:])
	case 4: // the tail as the any-string wildcard
		return string(rs[:cut("wildcard from")]) + rapid.SampledFrom([]string{"%", "*", ".*"}).Draw(t, "wildcard")
	case 5:
		return "'" + v + "'"
	case 6:
		return rapid.SampledFrom([]string{" ", "\t"}).Draw(t, "space") + v
	case 7:
		return renormalize(v)
	case 8: // the head as the any-string wildcard
		i := cut("wildcard to")
		w := rapid.SampledFrom([]string{"%", "*"}).Draw(t, "wildcard")
		if len(rs) == 0 {
			return w
		}
		return w + string(rs[i+1:])
	default:
		return strings.ToUpper(v)
	}
}

// swapCase flips the case of every letter ("Alpha" → "aLPHA").
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsUpper(r):
			return unicode.ToLower(r)
		case unicode.IsLower(r):
			return unicode.ToUpper(r)
		}
		return r
	}, s)
}

// renormalize writes a precomposed "é" decomposed and a decomposed one composed; a
// value with neither gets a combining acute accent.
func renormalize(s string) string {
	switch {
	case strings.Contains(s, "é"):
		return strings.ReplaceAll(s, "é", "e\u0301")
	case strings.Contains(s, "e\u0301"):
		return strings.ReplaceAll(s, "e\u0301", "é")
	}
	return s + "\u0301"
}

// Instants: offsets in minutes a value may be written in, and fixed instants around
// calendar boundaries.
var (
	offsets         = []int{0, 120, -300, 330, 60, -720, 840, -30}
	specialInstants = []string{
		"2024-05-01T12:00:00Z", "2023-12-31T23:59:59Z", "2024-01-01T00:00:00Z",
		"2024-02-29T12:00:00Z", "1970-01-01T00:00:00Z", "2099-12-31T23:59:59.999999999Z",
	}
	randomFrom = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	randomTo   = time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)
)

// drawInstant draws an RFC 3339 value: an instant of the data exactly as written,
// the same instant one second either side or written in another offset (or with a
// zero fraction), a random instant, or a calendar boundary.
func (g *Gen) drawInstant(t *rapid.T, f filter.Field, anchor int) string {
	base, ok := g.instantBase(t, f, anchor)
	switch k := rapid.IntRange(0, 6).Draw(t, "instant from"); {
	case k <= 1 && ok:
		return base.text
	case k == 2:
		if pool := g.instantPool(f); len(pool) > 0 {
			return rapid.SampledFrom(pool).Draw(t, "data instant").text
		}
	case k == 3 && ok:
		d := rapid.SampledFrom([]time.Duration{-time.Second, time.Second}).Draw(t, "shift")
		return formatLike(base.t.Add(d), base.text)
	case k == 4 && ok:
		return formatInstant(t, base.t)
	case k == 5:
		secs := rapid.Int64Range(0, int64(randomTo.Sub(randomFrom)/time.Second)).Draw(t, "random instant")
		return formatInstant(t, randomFrom.Add(time.Duration(secs)*time.Second))
	}
	return rapid.SampledFrom(specialInstants).Draw(t, "special instant")
}

func (g *Gen) instantPool(f filter.Field) []instantValue {
	if pool := g.snap.instants[f.Name]; len(pool) > 0 {
		return pool
	}
	return g.snap.allInstants
}

// instantBase is the instant boundaries are drawn around: the anchor's own value of
// f, else one from the data (any instant field's, for createdAt, which no response
// carries).
func (g *Gen) instantBase(t *rapid.T, f filter.Field, anchor int) (instantValue, bool) {
	if v, ok := g.anchored(anchor, f.Name); ok {
		if ts, err := filter.ParseInstant(v); err == nil {
			return instantValue{v, ts}, true
		}
	}
	pool := g.instantPool(f)
	if len(pool) == 0 {
		return instantValue{}, false
	}
	return rapid.SampledFrom(pool).Draw(t, "base instant"), true
}

// drawNearInstant draws a second instant for an order law on v: any instant, the same
// instant written in another offset, or one a few hours either side in another
// offset, where comparing the texts and comparing the instants disagree.
func (g *Gen) drawNearInstant(t *rapid.T, f filter.Field, v string) string {
	tv, err := filter.ParseInstant(v)
	kind := rapid.IntRange(0, 3).Draw(t, "near")
	switch {
	case err != nil || kind == 0:
		return g.drawInstant(t, f, -1)
	case kind <= 2:
		return formatInstant(t, tv)
	}
	secs := rapid.Int64Range(-4*3600, 4*3600).Draw(t, "hours apart")
	return formatInstant(t, tv.Add(time.Duration(secs)*time.Second))
}

// formatInstant writes ts in a drawn offset, with no fraction, a millisecond one or
// all nanoseconds, and "Z" or "+00:00" for UTC.
func formatInstant(t *rapid.T, ts time.Time) string {
	off := rapid.SampledFrom(offsets).Draw(t, "offset")
	frac := rapid.SampledFrom([]string{"", ".000", ".999999999"}).Draw(t, "fraction")
	zone := "Z07:00"
	if off == 0 && rapid.Bool().Draw(t, "numeric UTC") {
		zone = "-07:00"
	}
	return ts.In(time.FixedZone("", off*60)).Format("2006-01-02T15:04:05" + frac + zone)
}

// formatLike writes ts in the offset and fraction style of the value like.
func formatLike(ts time.Time, like string) string {
	orig, err := filter.ParseInstant(like)
	if err != nil {
		return ts.UTC().Format(time.RFC3339Nano)
	}
	frac := ""
	if i := strings.IndexByte(like, '.'); i >= 0 {
		frac = ".999999999"
	}
	zone := "Z07:00"
	if strings.HasSuffix(like, "+00:00") {
		zone = "-07:00"
	}
	return ts.In(orig.Location()).Format("2006-01-02T15:04:05" + frac + zone)
}

// drawMalformed draws a text the grammar or the fields refuse or strain.
func (g *Gen) drawMalformed(t *rapid.T) string {
	valid := func() string {
		return g.drawCond(t, filter.Fields, g.drawAnchor(t), DataValues).String()
	}
	field := func() string { return rapid.SampledFrom(filter.Fields).Draw(t, "field").Name }
	switch rapid.IntRange(0, 9).Draw(t, "malformed") {
	case 0: // a dangling separator
		c := valid()
		return rapid.SampledFrom([]string{c + "&", "&" + c, c + ";", ";" + c}).Draw(t, "dangling")
	case 1: // a condition without operator
		return field() + rapid.SampledFrom([]string{"", "x", " ", "!x", "~x"}).Draw(t, "no operator")
	case 2: // a condition without field
		return string(rapid.SampledFrom(filter.Ops).Draw(t, "op")) + printableText().Draw(t, "value")
	case 3: // an operator the grammar does not know
		op := rapid.SampledFrom([]string{"==", "!=", "=~", "<>", "=>", "=<", "≠", " = ", "=!", "<<", ">>="}).Draw(t, "unknown op")
		return field() + op + printableText().Draw(t, "value")
	case 4: // an operator the field does not support
		f := rapid.SampledFrom(TextFields()).Draw(t, "text field")
		return f.Name + string(rapid.SampledFrom([]filter.Op{filter.Gt, filter.Ge, filter.Lt, filter.Le}).Draw(t, "order op")) + printableText().Draw(t, "value")
	case 5: // a malformed date
		f := rapid.SampledFrom([]string{"createdAt", "startDateTime", "endDateTime"}).Draw(t, "instant field")
		return f + string(rapid.SampledFrom(filter.Ops).Draw(t, "op")) + rapid.SampledFrom(badDates).Draw(t, "bad date")
	case 6: // empty conditions and doubled separators
		// Never the empty text: that is no filter at all, not a malformed one.
		sep := rapid.SampledFrom([]string{"&&", ";;", "&;", ";&", "&", ";"}).Draw(t, "separators")
		if rapid.Bool().Draw(t, "alone") {
			return sep
		}
		return valid() + sep + valid()
	case 7: // anything at all, separators included
		return rapid.StringOfN(rapid.Rune(), 0, 80, -1).Draw(t, "junk")
	case 8: // very many conditions
		c := valid()
		n := rapid.IntRange(50, 200).Draw(t, "repeat")
		return strings.TrimSuffix(strings.Repeat(c+rapid.SampledFrom([]string{"&", ";"}).Draw(t, "joined by"), n), "&")
	default: // a valid condition with a random value of any runes
		f := rapid.SampledFrom(filter.Fields).Draw(t, "field")
		return f.Name + string(rapid.SampledFrom(f.Ops).Draw(t, "op")) + anyText().Draw(t, "any value")
	}
}

// badDates are instants RFC 3339 refuses, or that a lenient parser reads wrongly.
var badDates = []string{
	"", "2024-05-01", "2024-05-01T12:00:00", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z",
	"2024-05-01T25:00:00Z", "2024-05-01 12:00:00Z", "2024-05-01t12:00:00z", "2024-05-01T12:00:00+2:00",
	"2024-05-01T12:00:00 02:00", "now", "1714564800", "-1", "9999-99-99T99:99:99Z", "2024-05-01T12:00:00.Z",
	"+002024-05-01T12:00:00Z", "2024-W18", "05/01/2024", "2024-05-01T12:00:00Z;", "∞",
}

// Size is the number of conditions in e.
func Size(e filter.Expr) int {
	n := 0
	for _, c := range e {
		n += len(c)
	}
	return n
}

// longValue reports whether a value is long enough that a server may refuse the
// URL carrying it (414, or 400) without breaking a rule.
func longValue(v string) bool { return len(v) > 256 || utf8.RuneCountInString(v) > 256 }
