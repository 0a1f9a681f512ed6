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
// that long expressions stay within SQLite's expression depth.
func compileFilter(e filter.Expr) (string, []any, error) {
	known := e.Known()
	if len(known) == 0 {
		return "1", nil, nil
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
			col, _ := column(c.Field)
			f, _ := filter.LookupField(c.Field)
			if f.Kind == filter.Text {
				terms[j] = col + " = ?"
				args = append(args, c.Value)
				continue
			}
			t, err := filter.ParseInstant(c.Value)
			if err != nil {
				return "", nil, fmt.Errorf("%w: %s value %q", filter.ErrUnsupported, c.Field, c.Value)
			}
			terms[j] = col + " " + string(c.Op) + " ?"
			args = append(args, instantKey(t))
		}
		disj[i] = balanced(terms, " AND ")
	}
	return balanced(disj, " OR "), args, nil
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
