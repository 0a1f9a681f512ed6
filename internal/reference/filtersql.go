package reference

import (
	"fmt"
	"strings"

	"github.com/accessctk/accessctk/fuzz/filter"
)

// maxConditions bounds a compiled filter (SQLite allows 32766 bound parameters).
const maxConditions = 10000

// column is the SQL column a filter field compares: the text itself, or an
// instant's integer key.
func column(field string) (string, bool) {
	switch field {
	case "contractId":
		return "contract_id", true
	case "productOfferingId":
		return "product_offering_id", true
	case "createdBy":
		return "created_by", true
	case "name":
		return "name", true
	case "username":
		return "username", true
	case "createdAt":
		return "created_at_ns", true
	case "startDateTime":
		return "start_ns", true
	case "endDateTime":
		return "end_ns", true
	}
	return "", false
}

// compileFilter turns a validated expression into a SQL condition with its
// arguments. Values are always bound parameters, never SQL text: text "=" is "=" under
// BINARY collation (exact, case-sensitive, no wildcard), instants compare as integer
// keys, and a NULL endDateTime makes its condition NULL, which no WHERE accepts.
// Conditions on unknown fields are dropped first (SAM-FL-04). The tree is balanced so
// that long expressions stay within SQLite's expression depth. faulty says which
// deliberate faults are on; each deviation sits where its rule is applied.
func compileFilter(e filter.Expr, faulty func(string) bool) (string, []any, error) {
	if faulty(faultFilterOrBindsTighter) && len(e) > 1 {
		return compileOrFirst(e)
	}
	known := e.Known()
	if faulty(faultFilterUnknownMatchesNone) {
		known = e
	}
	known, err := fuzzExpr(known, faulty) // the fuzz area's faults (faults_fuzz.go)
	if err != nil {
		return "", nil, err
	}
	if len(known) == 0 {
		return "1", nil, nil
	}
	andOp, orOp := " AND ", " OR "
	if faulty(faultFilterAmpersandOr) {
		andOp = " OR "
	}
	if faulty(faultFilterSemicolonAnd) {
		orOp = " AND "
	}
	n := 0
	var args []any
	disj := make([]string, len(known))
	for i, conj := range known {
		terms := make([]string, len(conj))
		for j, c := range conj {
			n++
			if n > maxConditions {
				return "", nil, fmt.Errorf("%w: more than %d conditions", filter.ErrUnsupported, maxConditions)
			}
			term, arg, err := compileCond(c, faulty)
			if err != nil {
				return "", nil, err
			}
			terms[j] = term
			if arg != nil {
				args = append(args, arg)
			}
		}
		disj[i] = balanced(terms, andOp)
	}
	return balanced(disj, orOp), args, nil
}

// compileCond compiles one condition; arg is nil when the term binds nothing.
func compileCond(c filter.Cond, faulty func(string) bool) (string, any, error) {
	col, ok := column(c.Field)
	if !ok {
		// Only the unknown-field fault keeps such a condition: it matches nothing.
		return "0", nil, nil
	}
	f, _ := filter.LookupField(c.Field)
	if f.Kind == filter.Text {
		if term, ok := fuzzTextTerm(col, faulty); ok { // the fuzz area's (faults_fuzz.go)
			return term, c.Value, nil
		}
		switch {
		case faulty(faultFilterEqLike):
			return col + " LIKE ?", c.Value, nil
		case faulty(faultFilterEqCaseInsensitive):
			return col + " = ? COLLATE NOCASE", c.Value, nil
		}
		return col + " = ?", c.Value, nil
	}
	t, err := filter.ParseInstant(c.Value)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %s value %q", filter.ErrUnsupported, c.Field, c.Value)
	}
	op := string(c.Op)
	if faulty(faultFilterGeAsGt) {
		op = strings.TrimSuffix(op, "=")
		if op == "" {
			op = "="
		}
	}
	switch {
	case c.Field == "createdAt" && faulty(faultFilterCreatedAtAsText):
		return "created_at " + op + " ?", c.Value, nil
	case c.Field != "createdAt" && faulty(faultFilterDatesAsText):
		text := map[string]string{"startDateTime": "start_date_time", "endDateTime": "end_date_time"}[c.Field]
		return text + " " + op + " ?", c.Value, nil
	case c.Field == "endDateTime" && faulty(faultFilterMissingEndMatches):
		return "coalesce(" + col + ", 0) " + op + " ?", instantKey(t), nil
	}
	return col + " " + op + " ?", instantKey(t), nil
}

// compileOrFirst is the precedence fault: the expression is re-read with "&"
// splitting first, so a&b;c becomes a AND (b OR c).
func compileOrFirst(e filter.Expr) (string, []any, error) {
	none := func(string) bool { return false }
	var terms []string
	var args []any
	for _, part := range strings.Split(e.String(), "&") {
		sub, err := filter.Parse(part)
		if err != nil {
			return "", nil, err
		}
		where, subArgs, err := compileFilter(sub, none)
		if err != nil {
			return "", nil, err
		}
		terms = append(terms, where)
		args = append(args, subArgs...)
	}
	return balanced(terms, " AND "), args, nil
}

// balanced joins terms with op as a balanced, fully parenthesized tree.
func balanced(terms []string, op string) string {
	if len(terms) == 1 {
		return "(" + terms[0] + ")"
	}
	mid := len(terms) / 2
	var b strings.Builder
	b.WriteByte('(')
	b.WriteString(balanced(terms[:mid], op))
	b.WriteString(op)
	b.WriteString(balanced(terms[mid:], op))
	b.WriteByte(')')
	return b.String()
}
