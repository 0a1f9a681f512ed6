package fuzz

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/accessctk/accessctk/fuzz/filter"
)

// ErrSnapshot marks a snapshot the harness cannot trust: the unfiltered walk did not
// answer 200, did not end, or repeated accesses. Nothing can be judged against it.
var ErrSnapshot = errors.New("unusable snapshot of the tenant's accesses")

// Snapshot is the tenant's accesses as one unfiltered walk saw them: the data the
// oracle evaluates expressions over and the generators draw values from.
type Snapshot struct {
	accesses []Access // sorted by id
	total    int64
	// values holds each field's distinct usable values, sorted; instants each
	// instant field's distinct instants, sorted, and allInstants their union.
	values      map[string][]string
	texts       []string
	instants    map[string][]instantValue
	allInstants []instantValue
	// unusable names fields some access holds an unparseable instant in: the oracle
	// cannot evaluate them, so the generators leave them out of oracle checks.
	unusable map[string]bool

	mu   sync.Mutex
	memo map[filter.Cond]bitset
}

// instantValue is an instant as the data writes it.
type instantValue struct {
	text string
	t    time.Time
}

// ErrTooLarge marks a tenant with more accesses than a snapshot may hold.
var ErrTooLarge = errors.New("the tenant holds more accesses than the fuzzer's snapshot may")

// TakeSnapshot walks the unfiltered list; a tenant of more than maxAccesses accesses
// (0: no bound) is ErrTooLarge.
func TakeSnapshot(ctx context.Context, q Querier, maxAccesses int) (*Snapshot, *Answer, error) {
	a, err := q.Query(ctx, Query{Unfiltered: true, Items: true, MaxItems: maxAccesses})
	if errors.Is(err, ErrTooLarge) || (err == nil && maxAccesses > 0 && len(a.Items) > maxAccesses) {
		return nil, a, fmt.Errorf("snapshot: %w (more than %d)", ErrTooLarge, maxAccesses)
	}
	if err != nil {
		return nil, a, fmt.Errorf("snapshot: %w", err)
	}
	switch {
	case a.Status != 200:
		return nil, a, fmt.Errorf("%w: the unfiltered list answered %d", ErrSnapshot, a.Status)
	case !a.Complete:
		return nil, a, fmt.Errorf("%w: the unfiltered walk did not reach its last page", ErrSnapshot)
	}
	for _, f := range a.Findings {
		if f.Requirement == "SAM-PG-05" {
			return nil, a, fmt.Errorf("%w: %s", ErrSnapshot, f.Message)
		}
	}
	return NewSnapshot(a.Items, a.Total), a, nil
}

// NewSnapshot builds a snapshot from accesses (ids unique) and the walk's
// X-Total-Count.
func NewSnapshot(accesses []Access, total int64) *Snapshot {
	s := &Snapshot{
		accesses: slices.Clone(accesses),
		total:    total,
		values:   map[string][]string{},
		instants: map[string][]instantValue{},
		unusable: map[string]bool{},
		memo:     map[filter.Cond]bitset{},
	}
	sort.Slice(s.accesses, func(i, j int) bool { return s.accesses[i].ID < s.accesses[j].ID })
	texts := map[string]bool{}
	seenInstant := map[string]bool{}
	for _, f := range filter.Fields {
		if !f.Returned {
			continue
		}
		set := map[string]bool{}
		for _, a := range s.accesses {
			v, ok := a.Fields[f.Name]
			if !ok {
				continue
			}
			if f.Kind == filter.Instant {
				t, err := filter.ParseInstant(v)
				if err != nil {
					s.unusable[f.Name] = true
					continue
				}
				if !set[v] {
					s.instants[f.Name] = append(s.instants[f.Name], instantValue{v, t})
				}
				if !seenInstant[v] {
					seenInstant[v] = true
					s.allInstants = append(s.allInstants, instantValue{v, t})
				}
			}
			// A value holding "&" or ";" cannot be written in the grammar.
			if !strings.ContainsAny(v, "&;") {
				set[v] = true
			}
		}
		s.values[f.Name] = sortedKeys(set)
		if f.Kind == filter.Text {
			for v := range set {
				texts[v] = true
			}
		}
	}
	s.texts = sortedKeys(texts)
	byInstant := func(a, b instantValue) int {
		if c := a.t.Compare(b.t); c != 0 {
			return c
		}
		return strings.Compare(a.text, b.text)
	}
	for f := range s.instants {
		slices.SortFunc(s.instants[f], byInstant)
	}
	slices.SortFunc(s.allInstants, byInstant)
	return s
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Len is the number of accesses.
func (s *Snapshot) Len() int { return len(s.accesses) }

// Total is the unfiltered walk's X-Total-Count (-1 when it had none).
func (s *Snapshot) Total() int64 { return s.total }

// Accesses returns the accesses, sorted by id. The slice must not be modified.
func (s *Snapshot) Accesses() []Access { return s.accesses }

// IDs returns every id, sorted.
func (s *Snapshot) IDs() []string {
	out := make([]string, len(s.accesses))
	for i, a := range s.accesses {
		out[i] = a.ID
	}
	return out
}

// Values returns the distinct values of a returned field that an expression can
// carry, sorted.
func (s *Snapshot) Values(field string) []string { return s.values[field] }

// Judgeable reports whether the oracle can evaluate conditions on field: it is
// returned, and every value the data holds for it parses.
func (s *Snapshot) Judgeable(f filter.Field) bool { return f.Returned && !s.unusable[f.Name] }

// Same reports whether other holds the same accesses with the same fields; when not,
// it says how they differ.
func (s *Snapshot) Same(other *Snapshot) (bool, string) {
	if len(s.accesses) != len(other.accesses) {
		return false, fmt.Sprintf("%d accesses before, %d after", len(s.accesses), len(other.accesses))
	}
	for i, a := range s.accesses {
		b := other.accesses[i]
		if a.ID != b.ID {
			return false, fmt.Sprintf("access %s before, %s after at the same place", a.ID, b.ID)
		}
		if len(a.Fields) != len(b.Fields) {
			return false, fmt.Sprintf("access %s changed its fields", a.ID)
		}
		for k, v := range a.Fields {
			if w, ok := b.Fields[k]; !ok || w != v {
				return false, fmt.Sprintf("access %s changed %s from %q to %q", a.ID, k, v, w)
			}
		}
	}
	return true, ""
}

// Eval is the oracle over the snapshot: the sorted ids of the accesses e matches.
// Each distinct condition is evaluated once per snapshot with filter.Match and
// remembered; an expression combines them as the grammar does (dropping conditions
// on unknown fields first, SAM-FL-04), which is Match's own reading.
func (s *Snapshot) Eval(e filter.Expr) ([]string, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	known := e.Known()
	n := len(s.accesses)
	if len(known) == 0 {
		return s.IDs(), nil
	}
	acc := newBitset(n)
	for _, conj := range known {
		cur := newBitset(n)
		cur.fill(n)
		for _, c := range conj {
			m, err := s.condSet(c)
			if err != nil {
				return nil, err
			}
			cur.and(m)
		}
		acc.or(cur)
	}
	out := make([]string, 0, acc.count())
	for i := range n {
		if acc.has(i) {
			out = append(out, s.accesses[i].ID)
		}
	}
	return out, nil
}

// memoLimit bounds the remembered conditions; random instants make many distinct ones.
const memoLimit = 50_000

func (s *Snapshot) condSet(c filter.Cond) (bitset, error) {
	s.mu.Lock()
	m, ok := s.memo[c]
	s.mu.Unlock()
	if ok {
		return m, nil
	}
	one := filter.Expr{{c}}
	m = newBitset(len(s.accesses))
	for i, a := range s.accesses {
		ok, err := one.Match(a.Record())
		if err != nil {
			return nil, fmt.Errorf("oracle on access %s: %w", a.ID, err)
		}
		if ok {
			m.set(i)
		}
	}
	s.mu.Lock()
	if len(s.memo) >= memoLimit {
		clear(s.memo)
	}
	s.memo[c] = m
	s.mu.Unlock()
	return m, nil
}

// bitset is a set of access positions in a snapshot.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }

func (b bitset) fill(n int) {
	for i := range b {
		b[i] = ^uint64(0)
	}
	if r := n % 64; r != 0 {
		b[len(b)-1] = 1<<r - 1
	}
}

func (b bitset) and(o bitset) {
	for i := range b {
		b[i] &= o[i]
	}
}

func (b bitset) or(o bitset) {
	for i := range b {
		b[i] |= o[i]
	}
}

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}
