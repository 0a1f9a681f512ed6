package walker

import (
	"encoding/binary"
	"hash/maphash"
	"sort"
)

// IDSet is a set of access ids. A walk keeps one, so its size is the walk's memory
// beyond one page.
//
// The ids are stored back to back in one byte arena (each after its length as a
// uvarint), indexed by an open-addressing hash table of 8-byte slots that hold an
// id's arena offset and a tag of its hash. A million ids of 14 bytes take some
// 25-40 MiB, where a map[string]struct{} took 71 MiB (a string header, a heap copy
// and the map's own overhead per id). The set holds its own copies: an id cut from a
// page's JSON does not keep the page alive.
type IDSet struct {
	seed  maphash.Seed
	arena []byte
	// slots is empty or a power of two long; a slot is 0 when free, else
	// tag<<offsetBits | (offset+1).
	slots []uint64
	n     int
}

const (
	offsetBits = 40 // ids may fill a terabyte of arena
	offsetMask = 1<<offsetBits - 1
)

// NewIDSet returns a set holding ids.
func NewIDSet(ids ...string) *IDSet {
	s := &IDSet{seed: maphash.MakeSeed()}
	for _, id := range ids {
		s.Add(id)
	}
	return s
}

// Add adds id and reports whether it was new.
func (s *IDSet) Add(id string) bool {
	if len(s.slots) == 0 || 4*(s.n+1) > 3*len(s.slots) {
		s.grow()
	}
	h := maphash.String(s.seed, id)
	i, found := s.find(id, h)
	if found {
		return false
	}
	off := len(s.arena)
	s.arena = binary.AppendUvarint(s.arena, uint64(len(id)))
	s.arena = append(s.arena, id...)
	s.slots[i] = tag(h)<<offsetBits | uint64(off+1)
	s.n++
	return true
}

// Has reports whether id is in the set.
func (s *IDSet) Has(id string) bool {
	if s.n == 0 {
		return false
	}
	_, found := s.find(id, maphash.String(s.seed, id))
	return found
}

// find returns the slot holding id, or the free slot where it belongs.
func (s *IDSet) find(id string, h uint64) (int, bool) {
	mask := len(s.slots) - 1
	t := tag(h)
	for i := int(h) & mask; ; i = (i + 1) & mask {
		v := s.slots[i]
		if v == 0 {
			return i, false
		}
		if v>>offsetBits == t && string(s.entry(int(v&offsetMask)-1)) == id {
			return i, true
		}
	}
}

// tag is the hash's top bits, compared before the arena is read.
func tag(h uint64) uint64 { return h >> offsetBits }

// entry returns the bytes of the id stored at arena offset off (not a copy).
func (s *IDSet) entry(off int) []byte {
	n, w := binary.Uvarint(s.arena[off:])
	start := off + w
	return s.arena[start : start+int(n)]
}

func (s *IDSet) grow() {
	size := max(2*len(s.slots), 64)
	old := s.slots
	s.slots = make([]uint64, size)
	mask := size - 1
	for _, v := range old {
		if v == 0 {
			continue
		}
		i := int(maphash.Bytes(s.seed, s.entry(int(v&offsetMask)-1))) & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = v
	}
}

// each calls f with every id, in the order they were added.
func (s *IDSet) each(f func(id string)) {
	for off := 0; off < len(s.arena); {
		n, w := binary.Uvarint(s.arena[off:])
		start := off + w
		f(string(s.arena[start : start+int(n)]))
		off = start + int(n)
	}
}

// Len is the number of ids.
func (s *IDSet) Len() int { return s.n }

// Sorted returns the ids in ascending order.
func (s *IDSet) Sorted() []string {
	out := make([]string, 0, s.n)
	s.each(func(id string) { out = append(out, id) })
	sort.Strings(out)
	return out
}

// Minus returns the ids of s that are not in other, sorted.
func (s *IDSet) Minus(other *IDSet) []string {
	var out []string
	s.each(func(id string) {
		if !other.Has(id) {
			out = append(out, id)
		}
	})
	sort.Strings(out)
	return out
}

// Equal reports whether both sets hold the same ids.
func (s *IDSet) Equal(other *IDSet) bool {
	if s.Len() != other.Len() {
		return false
	}
	equal := true
	s.each(func(id string) { equal = equal && other.Has(id) })
	return equal
}

// Intersect returns the ids in both sets.
func (s *IDSet) Intersect(other *IDSet) *IDSet {
	out := NewIDSet()
	s.each(func(id string) {
		if other.Has(id) {
			out.Add(id)
		}
	})
	return out
}

// Union returns the ids in either set.
func (s *IDSet) Union(other *IDSet) *IDSet {
	out := NewIDSet()
	s.each(func(id string) { out.Add(id) })
	other.each(func(id string) { out.Add(id) })
	return out
}
