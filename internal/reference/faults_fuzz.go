package reference

import (
	"errors"

	"github.com/accessctk/accessctk/fuzz/filter"
)

// Faults the filter fuzzer (SAM-FZ) is there to find. The filter area's own faults
// (faults_filter.go: precedence, >= as >, dates as text, LIKE, case) are found by it
// too; these are the deviations that only random or adversarial expressions reach:
// a value that is a prefix of others, non-ASCII text, long ORs, two conditions on
// one field.
const (
	faultFuzzEqPrefix       = "filter-eq-prefix"
	faultFuzzNonASCII500    = "filter-non-ascii-500"
	faultFuzzOrCapped       = "filter-or-capped"
	faultFuzzSameFieldLater = "filter-same-field-last-wins"
)

// orCap is how many conjunctions of an OR the or-capped fault keeps.
const orCap = 3

func fuzzFaults() []Fault {
	return []Fault{
		{Name: faultFuzzEqPrefix, Requirement: "SAM-FZ-03", Summary: "text \"=\" matches every value that starts with the given one"},
		{Name: faultFuzzNonASCII500, Requirement: "SAM-FZ-03", Summary: "a filter value holding non-ASCII text is answered 500"},
		{Name: faultFuzzOrCapped, Requirement: "SAM-FZ-01", Summary: "an OR keeps only its first three conjunctions; the rest are dropped silently"},
		{Name: faultFuzzSameFieldLater, Requirement: "SAM-FZ-02", Summary: "in a conjunction, a later condition on a field replaces an earlier one on the same field (conditions kept in a map by field)"},
	}
}

// errNonASCII is the non-ASCII fault's internal error: not filter.ErrUnsupported,
// so the list handler answers 500.
var errNonASCII = errors.New("filter value with non-ASCII text: the index cannot compare it")

// fuzzExpr applies the fuzz faults that deviate on the whole expression (the known
// conditions only); an error answers 500.
func fuzzExpr(e filter.Expr, faulty func(string) bool) (filter.Expr, error) {
	if faulty(faultFuzzNonASCII500) {
		for _, c := range e {
			for _, cond := range c {
				for i := 0; i < len(cond.Value); i++ {
					if cond.Value[i] >= 0x80 {
						return nil, errNonASCII
					}
				}
			}
		}
	}
	if faulty(faultFuzzOrCapped) && len(e) > orCap {
		e = e[:orCap]
	}
	if faulty(faultFuzzSameFieldLater) {
		out := make(filter.Expr, len(e))
		for i, c := range e {
			out[i] = lastPerField(c)
		}
		e = out
	}
	return e, nil
}

// lastPerField keeps, for each field, only its last condition in c, in place.
func lastPerField(c filter.Conj) filter.Conj {
	last := map[string]int{}
	for i, cond := range c {
		last[cond.Field] = i
	}
	var out filter.Conj
	for i, cond := range c {
		if last[cond.Field] == i {
			out = append(out, cond)
		}
	}
	return out
}

// fuzzTextTerm is the SQL term of a text "=" under the prefix fault (ok false when
// the fault is off): instr(col, v) = 1 holds when col starts with v.
func fuzzTextTerm(col string, faulty func(string) bool) (string, bool) {
	if faulty(faultFuzzEqPrefix) {
		return "instr(" + col + ", ?) = 1", true
	}
	return "", false
}
