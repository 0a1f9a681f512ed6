package walker

import (
	"sort"
	"strings"
)

// IDSet is a set of access ids. A walk keeps one, so its size is the walk's memory
// beyond one page.
type IDSet struct {
	m map[string]struct{}
}

// NewIDSet returns a set holding ids.
func NewIDSet(ids ...string) *IDSet {
	s := &IDSet{m: make(map[string]struct{}, len(ids))}
	for _, id := range ids {
		s.m[id] = struct{}{}
	}
	return s
}

// Add adds id and reports whether it was new. The set keeps its own copy: an id cut
// from a page's JSON would otherwise keep the whole page alive.
func (s *IDSet) Add(id string) bool {
	if _, ok := s.m[id]; ok {
		return false
	}
	s.m[strings.Clone(id)] = struct{}{}
	return true
}

// Has reports whether id is in the set.
func (s *IDSet) Has(id string) bool {
	_, ok := s.m[id]
	return ok
}

// Len is the number of ids.
func (s *IDSet) Len() int { return len(s.m) }

// Sorted returns the ids in ascending order.
func (s *IDSet) Sorted() []string {
	out := make([]string, 0, len(s.m))
	for id := range s.m {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Minus returns the ids of s that are not in other, sorted.
func (s *IDSet) Minus(other *IDSet) []string {
	var out []string
	for id := range s.m {
		if !other.Has(id) {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Equal reports whether both sets hold the same ids.
func (s *IDSet) Equal(other *IDSet) bool {
	if s.Len() != other.Len() {
		return false
	}
	for id := range s.m {
		if !other.Has(id) {
			return false
		}
	}
	return true
}

// Intersect returns the ids in both sets.
func (s *IDSet) Intersect(other *IDSet) *IDSet {
	out := NewIDSet()
	for id := range s.m {
		if other.Has(id) {
			out.Add(id)
		}
	}
	return out
}

// Union returns the ids in either set.
func (s *IDSet) Union(other *IDSet) *IDSet {
	out := NewIDSet()
	for id := range s.m {
		out.Add(id)
	}
	for id := range other.m {
		out.Add(id)
	}
	return out
}
