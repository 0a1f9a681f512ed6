package filter

import (
	"fmt"
	"time"
)

// Record gives an access's value for a field; present is false when the access has
// no such value (absent or null), which matches no condition (the catalogue's NULL
// reading of a missing endDateTime).
type Record func(field string) (value string, present bool)

// MapRecord adapts a map of field values; a missing key is an absent value.
func MapRecord(m map[string]string) Record {
	return func(field string) (string, bool) {
		v, ok := m[field]
		return v, ok
	}
}

// Match is the oracle: whether the access r satisfies e under the catalogue's
// semantics. Conditions on unknown fields are dropped first (SAM-FL-04). It fails on
// an expression Validate rejects, or on a record whose instant does not parse.
func (e Expr) Match(r Record) (bool, error) {
	if err := e.Validate(); err != nil {
		return false, err
	}
	known := e.Known()
	if len(known) == 0 {
		return true, nil
	}
	for _, c := range known {
		ok, err := c.match(r)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

func (c Conj) match(r Record) (bool, error) {
	for _, cond := range c {
		ok, err := cond.match(r)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (c Cond) match(r Record) (bool, error) {
	f, _ := LookupField(c.Field)
	got, present := r(c.Field)
	if !present {
		return false, nil
	}
	if f.Kind == Text {
		return got == c.Value, nil
	}
	want, err := ParseInstant(c.Value)
	if err != nil {
		return false, fmt.Errorf("%w: %s value %q: %v", ErrUnsupported, c.Field, c.Value, err)
	}
	have, err := ParseInstant(got)
	if err != nil {
		return false, fmt.Errorf("record's %s %q is not RFC 3339: %w", c.Field, got, err)
	}
	return compare(have, c.Op, want), nil
}

func compare(have time.Time, op Op, want time.Time) bool {
	switch op {
	case Eq:
		return have.Equal(want)
	case Gt:
		return have.After(want)
	case Ge:
		return !have.Before(want)
	case Lt:
		return have.Before(want)
	case Le:
		return !have.After(want)
	}
	return false
}
