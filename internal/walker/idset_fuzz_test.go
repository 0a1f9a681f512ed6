package walker

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Bounds on one fuzz input's work. An execution must stay well under a millisecond:
// the fuzzer minimizes every new interesting input by running it thousands of times,
// and slow executions made it stall there for most of a minute. 4096 adds still take
// the table through seven growths (64 slots to 8192).
const (
	fuzzMaxOps       = 1000
	fuzzMaxAdds      = 4096
	fuzzMaxIDBytes   = 256 << 10 // bytes of ids added or looked up per input
	fuzzMaxBatch     = 512       // ids one batch op adds
	fuzzMaxRawLength = 64
)

// fuzzInput reads the fuzz bytes as a stream of small numbers; once they run out
// every read is 0, so any input is a valid program.
type fuzzInput struct{ data []byte }

func (in *fuzzInput) done() bool { return len(in.data) == 0 }

func (in *fuzzInput) byte() byte {
	if len(in.data) == 0 {
		return 0
	}
	b := in.data[0]
	in.data = in.data[1:]
	return b
}

func (in *fuzzInput) uint16() int { return int(in.byte())<<8 | int(in.byte()) }

func (in *fuzzInput) bytes(n int) string {
	n = min(n, len(in.data))
	s := string(in.data[:n])
	in.data = in.data[n:]
	return s
}

// fuzzSet is one IDSet under test beside the map it must agree with. added keeps
// the ids in the order they were first added, so later ops can repeat them.
type fuzzSet struct {
	set   *IDSet
	model map[string]bool
	added []string
}

func (f *fuzzSet) add(t *testing.T, id string) {
	t.Helper()
	if got, want := f.set.Add(id), !f.model[id]; got != want {
		t.Fatalf("Add(%s) = %v, want %v (set of %d)", short(id), got, want, len(f.model))
	}
	if !f.model[id] {
		f.model[id] = true
		f.added = append(f.added, id)
	}
	if !f.set.Has(id) {
		t.Fatalf("Has(%s) = false right after Add", short(id))
	}
	if f.set.Len() != len(f.model) {
		t.Fatalf("Len = %d after Add(%s), want %d", f.set.Len(), short(id), len(f.model))
	}
}

func (f *fuzzSet) has(t *testing.T, id string) {
	t.Helper()
	if got := f.set.Has(id); got != f.model[id] {
		t.Fatalf("Has(%s) = %v, want %v (set of %d)", short(id), got, f.model[id], len(f.model))
	}
}

// short names an id in a failure without printing 20 KB of it.
func short(id string) string {
	if len(id) <= 40 {
		return fmt.Sprintf("%q", id)
	}
	return fmt.Sprintf("%q...(%d bytes)", id[:40], len(id))
}

// pickID decodes one id. The kinds favour duplicates and near-misses: the empty id,
// ids that are prefixes of one another, ids that differ only in their last byte,
// lengths around the uvarint boundaries (127/128, 16383/16384), arbitrary bytes
// (NUL, invalid UTF-8), and ids added before (to either set).
func pickID(in *fuzzInput, sets *[2]fuzzSet) string {
	switch k := in.byte(); k % 8 {
	case 0:
		return ""
	case 1:
		return strings.Repeat("a", int(in.byte()%5)) // "", "a", "aa", ...: prefixes
	case 2:
		return fmt.Sprintf("eos_%d", in.byte()%64)
	case 3:
		// Around the lengths where the uvarint length prefix changes width.
		lengths := [...]int{0, 127, 128, 16383, 16384}
		b := in.byte()
		n := max(lengths[int(b)%len(lengths)]+int(b>>4)%5-2, 0)
		fill, last := in.byte(), in.byte()
		if n == 0 {
			return ""
		}
		return strings.Repeat(string(rune(fill%128)), n-1) + string(rune(last%128))
	case 4:
		return in.bytes(int(in.byte()) % fuzzMaxRawLength)
	case 5:
		s := &sets[k>>7]
		if len(s.added) == 0 {
			return ""
		}
		return s.added[in.uint16()%len(s.added)]
	case 6:
		return "id-" + strconv.Itoa(in.uint16())
	default:
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(in.uint16()))
		return string(b[:in.byte()%9]) // little-endian numbers: NULs, shared prefixes
	}
}

// FuzzIDSet runs a program of Add and Has calls on two sets decoded from the input
// and checks every answer, Len after every Add, and at the end Sorted and the set
// algebra, against map[string]bool models.
func FuzzIDSet(f *testing.F) {
	// Op bytes: low two bits are the op (0 add, 1 has, 2 batch add, 3 has of a
	// known id), bit 7 the set.
	f.Add([]byte{})
	f.Add([]byte{0, 0, 1, 0, 0, 0, 0, 0}) // add "" twice, then has ""
	f.Add([]byte{1, 0, 0x81, 1, 3, 0, 1, 1, 3, 1, 1, 2, 1, 1, 1, 1, 3, 0, 1, 3})
	// Lengths 127, 128, 16383 and 16384, where the length prefix changes width, then
	// an id that differs from one of them only in its last byte.
	f.Add([]byte{0, 3, 0x24, 'x', 'y', 0, 3, 0x20, 'x', 'y', 0, 3, 0x21, 'x', 'y', 0, 3, 0x22, 'x', 'y', 1, 3, 0x22, 'x', 'z', 1, 3, 0x21, 'x', 'y'})
	// Batches of 512 through 64, 128, ..., 4096 slots, overlapping, in both sets.
	f.Add([]byte{2, 1, 0xff, 0, 0, 2, 1, 0xff, 1, 0, 0x82, 1, 0xff, 0, 0x80, 2, 1, 0xff, 2, 0, 2, 1, 0xff, 4, 0, 2, 1, 0xff, 6, 0,
		3, 0, 5, 1, 6, 0, 200, 0x81, 6, 3, 0, 0x83, 1, 0})
	// Raw bytes with NULs and invalid UTF-8, then repeats of them through a growth.
	f.Add([]byte{0, 4, 5, 0, 0xff, 0xfe, 0, 1, 0, 4, 4, 0, 0xff, 0xfe, 0, 2, 0x40, 0, 0, 9, 3, 0, 0, 1, 7, 0, 0, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzInput{data: data}
		sets := [2]fuzzSet{{set: NewIDSet(), model: map[string]bool{}}, {set: NewIDSet(), model: map[string]bool{}}}
		adds, idBytes := 0, 0
	program:
		for ops := 0; ops < fuzzMaxOps && !in.done(); ops++ {
			op := in.byte()
			s := &sets[op>>7]
			switch op % 4 {
			case 0:
				id := pickID(in, &sets)
				if adds, idBytes = adds+1, idBytes+len(id); adds > fuzzMaxAdds || idBytes > fuzzMaxIDBytes {
					break program
				}
				s.add(t, id)
			case 1:
				id := pickID(in, &sets)
				if idBytes += len(id); idBytes > fuzzMaxIDBytes {
					break program
				}
				s.has(t, id)
			case 2:
				// Distinct-looking ids, consecutive numbers from a base: adds enough
				// to grow the table, and overlaps with earlier batches and with the
				// ids of kind 6 ("id-%d").
				n, base := 1+in.uint16()%fuzzMaxBatch, in.uint16()
				if adds += n; adds > fuzzMaxAdds {
					break program
				}
				for i := range n {
					s.add(t, "id-"+strconv.Itoa(base+i))
				}
			case 3:
				if len(s.added) > 0 {
					s.has(t, s.added[in.uint16()%len(s.added)])
				}
			}
		}
		for i := range sets {
			checkWhole(t, &sets[i])
		}
		checkAlgebra(t, &sets[0], &sets[1])
	})
}

// checkWhole checks that every added id is still found and Sorted is the model's.
func checkWhole(t *testing.T, f *fuzzSet) {
	t.Helper()
	for _, id := range f.added {
		if !f.set.Has(id) {
			t.Fatalf("Has(%s) = false at the end", short(id))
		}
	}
	want := slices.Clone(f.added)
	sort.Strings(want)
	if got := f.set.Sorted(); !slices.Equal(got, want) {
		t.Fatalf("Sorted has %d ids, the model %d, or they differ", len(got), len(want))
	}
}

func checkAlgebra(t *testing.T, a, b *fuzzSet) {
	t.Helper()
	var minus, both, either []string
	for _, id := range a.added {
		if b.model[id] {
			both = append(both, id)
		} else {
			minus = append(minus, id)
		}
	}
	either = append(slices.Clone(a.added), b.added...)
	for _, s := range [][]string{minus, both, either} {
		sort.Strings(s)
	}
	either = slices.Compact(either)
	if got := a.set.Minus(b.set); !slices.Equal(got, minus) {
		t.Fatalf("Minus: %d ids, want %d", len(got), len(minus))
	}
	if got := a.set.Intersect(b.set).Sorted(); !slices.Equal(got, both) {
		t.Fatalf("Intersect: %d ids, want %d", len(got), len(both))
	}
	if got := a.set.Union(b.set).Sorted(); !slices.Equal(got, either) {
		t.Fatalf("Union: %d ids, want %d", len(got), len(either))
	}
	if got, want := a.set.Equal(b.set), len(minus) == 0 && len(both) == len(b.added); got != want {
		t.Fatalf("Equal = %v, want %v", got, want)
	}
}
