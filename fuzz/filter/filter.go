// Package filter is the Skylark filter grammar as the catalogue reads it: the
// expression tree, its parser and printer (readable and percent-encoded), and the
// oracle that decides whether an access matches. The harness, the fuzzer and the
// reference server share it so that all three agree on one semantics.
package filter

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Op is a comparison operator of the grammar.
type Op string

// The grammar's operators. Parsing takes the longest match first, so ">=" is never
// read as ">" followed by a value starting with "=".
const (
	Eq Op = "="
	Gt Op = ">"
	Ge Op = ">="
	Lt Op = "<"
	Le Op = "<="
)

// Ops lists every operator, longest first (the order the parser tries them in).
var Ops = []Op{Ge, Le, Gt, Lt, Eq}

// Kind says how a field's values compare.
type Kind int

const (
	// Text values compare exactly and case-sensitively.
	Text Kind = iota
	// Instant values are RFC 3339 date-times compared as instants (offsets honoured).
	Instant
)

// Field describes one filterable field of an access.
type Field struct {
	Name string
	Kind Kind
	Ops  []Op
	// Returned is false for filter-only fields (createdAt), which no response carries.
	Returned bool
	// Optional fields may be absent; an absent value matches no condition.
	Optional bool
}

// Supports reports whether the field accepts op.
func (f Field) Supports(op Op) bool {
	for _, o := range f.Ops {
		if o == op {
			return true
		}
	}
	return false
}

var (
	eqOnly  = []Op{Eq}
	ordered = []Op{Gt, Ge, Lt, Le, Eq}
)

// Fields is the catalogue's table of filterable fields, in its order.
var Fields = []Field{
	{Name: "contractId", Kind: Text, Ops: eqOnly, Returned: true},
	{Name: "productOfferingId", Kind: Text, Ops: eqOnly, Returned: true},
	{Name: "createdBy", Kind: Text, Ops: eqOnly, Returned: true},
	{Name: "name", Kind: Text, Ops: eqOnly, Returned: true},
	{Name: "username", Kind: Text, Ops: eqOnly, Returned: true},
	{Name: "createdAt", Kind: Instant, Ops: ordered, Returned: false},
	{Name: "startDateTime", Kind: Instant, Ops: ordered, Returned: true},
	{Name: "endDateTime", Kind: Instant, Ops: ordered, Returned: true, Optional: true},
}

// LookupField returns the field called name (exact, case-sensitive).
func LookupField(name string) (Field, bool) {
	for _, f := range Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Cond is one condition: field op value.
type Cond struct {
	Field string
	Op    Op
	Value string
}

// Conj is a conjunction of conditions (joined by "&").
type Conj []Cond

// Expr is a disjunction of conjunctions (joined by ";"). The empty Expr is no filter:
// it matches every access.
type Expr []Conj

// ErrSyntax marks an expression the grammar cannot parse.
var ErrSyntax = errors.New("malformed filter expression")

// ErrUnsupported marks a well-formed expression the catalogue's fields refuse: an
// operator a field does not support, or a date that is not RFC 3339.
var ErrUnsupported = errors.New("unsupported filter condition")

// Parse reads an expression in its decoded (readable) form. The empty string is the
// empty Expr. Parse checks syntax only; Validate checks fields, operators and dates.
func Parse(s string) (Expr, error) {
	if s == "" {
		return Expr{}, nil
	}
	var e Expr
	for _, conjText := range strings.Split(s, ";") {
		var c Conj
		for _, condText := range strings.Split(conjText, "&") {
			cond, err := parseCond(condText)
			if err != nil {
				return nil, err
			}
			c = append(c, cond)
		}
		e = append(e, c)
	}
	return e, nil
}

func parseCond(s string) (Cond, error) {
	i := strings.IndexAny(s, "<>=")
	if i < 0 {
		return Cond{}, fmt.Errorf("%w: condition %q has no operator", ErrSyntax, s)
	}
	if i == 0 {
		return Cond{}, fmt.Errorf("%w: condition %q has no field", ErrSyntax, s)
	}
	rest := s[i:]
	for _, op := range Ops {
		if strings.HasPrefix(rest, string(op)) {
			return Cond{Field: s[:i], Op: op, Value: rest[len(op):]}, nil
		}
	}
	// Unreachable: IndexAny found one of the operator characters.
	return Cond{}, fmt.Errorf("%w: condition %q", ErrSyntax, s)
}

// Validate checks every condition on a known field: the operator is one the field
// supports and an instant value parses as RFC 3339. Conditions on unknown fields are
// not errors: the catalogue (SAM-FL-04) says they are dropped.
func (e Expr) Validate() error {
	for _, c := range e {
		for _, cond := range c {
			f, ok := LookupField(cond.Field)
			if !ok {
				continue
			}
			if !f.Supports(cond.Op) {
				return fmt.Errorf("%w: %s does not support %q", ErrUnsupported, f.Name, cond.Op)
			}
			if f.Kind == Instant {
				if _, err := ParseInstant(cond.Value); err != nil {
					return fmt.Errorf("%w: %s value %q: %v", ErrUnsupported, f.Name, cond.Value, err)
				}
			}
		}
	}
	return nil
}

// ParseInstant parses an RFC 3339 date-time (fractional seconds allowed). RFC 3339
// allows "t" and "z" in lower case (section 5.6); Go's layout does not, so they are
// raised first.
func ParseInstant(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, strings.Map(upperTZ, s))
}

func upperTZ(r rune) rune {
	switch r {
	case 't':
		return 'T'
	case 'z':
		return 'Z'
	}
	return r
}

// Known returns e with every condition on an unknown field dropped (SAM-FL-04). A
// conjunction left empty matches everything, so a disjunction containing one is the
// empty Expr. The catalogue only fixes "unknown=x alone" and "a&unknown=x"; inside
// an OR the reading is ambiguous, so the harness never asks a target about that case.
func (e Expr) Known() Expr {
	var out Expr
	for _, c := range e {
		var kept Conj
		for _, cond := range c {
			if _, ok := LookupField(cond.Field); ok {
				kept = append(kept, cond)
			}
		}
		if len(kept) == 0 {
			return Expr{}
		}
		out = append(out, kept)
	}
	return out
}

// String prints the readable (decoded) form, the one the pages show.
func (e Expr) String() string {
	var b strings.Builder
	for i, c := range e {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(c.String())
	}
	return b.String()
}

// String prints the conjunction's readable form.
func (c Conj) String() string {
	var b strings.Builder
	for i, cond := range c {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(cond.String())
	}
	return b.String()
}

// String prints the condition's readable form.
func (c Cond) String() string { return c.Field + string(c.Op) + c.Value }

// Encode percent-encodes s for a query component under RFC 3986: every byte but the
// unreserved ones (ALPHA, DIGIT, "-", ".", "_", "~") becomes %XX. A space is %20, never
// "+", so no server can mistake it; "&", ";", "=" and "+" are always escaped.
func Encode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 3)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// QueryParam is the encoded "filter=..." query component (the catalogue's form).
func (e Expr) QueryParam() string { return "filter=" + Encode(e.String()) }

// RawQueryParam is the page's unencoded form ("filter=contractId=1&productOfferingId=X"),
// which only servers that read the raw query understand (SAM-FL-09). Characters that
// would break the query string itself (space, "#", "%", "+") are still escaped.
func (e Expr) RawQueryParam() string {
	r := strings.NewReplacer("%", "%25", " ", "%20", "#", "%23", "+", "%2B")
	return "filter=" + r.Replace(e.String())
}
