package spec

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"io"
	"net/http"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/accessctk/accessctk/internal/bounded"
)

// memo remembers the results of CheckResponse. A check is a pure function of the
// operation, the status, the response's Content-Type and documented headers, and the
// body: nothing else of the exchange is read (not the request's query, not the
// correlation id or Date). A suite meets the same answer many times (every filter
// scenario walks the same unfiltered list first), and validating a page of hundreds
// of accesses costs milliseconds where hashing it costs microseconds.
//
// Entries are keyed by a SHA-256 of everything the check reads, so a remembered
// result is only ever returned for exactly the input it was computed from. The map is
// emptied when it reaches its bound, which keeps memory flat on long walks (whose
// pages are all different anyway).
type memo struct {
	results *bounded.Map[memoKey, Result]
	// items holds the findings of single items of array bodies (see itemByItem).
	items *bounded.Map[itemMemoKey, []Finding]
}

// memoEntries bounds the memo: results are small (the findings only), and a run of
// the whole suite sees some two thousand distinct answers.
const memoEntries = 4096

type memoKey struct {
	op     *openapi3.Operation
	status int
	digest [sha256.Size]byte
}

// itemEntries bounds the item memo: a tenant of the embedded server has some 550
// accesses, each met in a few states.
const itemEntries = 16384

type itemMemoKey struct {
	items  *openapi3.SchemaRef
	digest [sha256.Size]byte
}

func newMemo() *memo {
	return &memo{
		results: bounded.New[memoKey, Result](memoEntries),
		items:   bounded.New[itemMemoKey, []Finding](itemEntries),
	}
}

// itemKey digests one item of an array body with the body's Content-Type.
func itemKey(items *openapi3.SchemaRef, contentType, item string) itemMemoKey {
	h := sha256.New()
	writePart(h, []byte(contentType))
	writeLen(h, len(item))
	io.WriteString(h, item)
	k := itemMemoKey{items: items}
	h.Sum(k.digest[:0])
	return k
}

// get and put copy the findings, so no caller shares a remembered slice.
func (m *memo) get(k memoKey) (Result, bool) {
	r, ok := m.results.Get(k)
	r.Findings = slices.Clone(r.Findings)
	return r, ok
}

func (m *memo) put(k memoKey, r Result) {
	r.Findings = slices.Clone(r.Findings)
	m.results.Put(k, r)
}

// key digests what a check of this response reads: every value of Content-Type and
// of each header the documented response names (in sorted order, absent ones
// included as absent), and the body. Each part is length-prefixed, so no two
// different inputs share a serialization.
func key(op *openapi3.Operation, status int, response *openapi3.Response, header http.Header, body []byte) memoKey {
	h := sha256.New()
	names := make([]string, 0, len(response.Headers)+1)
	names = append(names, "Content-Type")
	for name := range response.Headers {
		names = append(names, name)
	}
	slices.Sort(names[1:])
	for _, name := range names {
		writePart(h, []byte(name))
		values := header.Values(name)
		writeLen(h, len(values))
		for _, v := range values {
			writePart(h, []byte(v))
		}
	}
	writePart(h, body)
	k := memoKey{op: op, status: status}
	h.Sum(k.digest[:0])
	return k
}

func writeLen(h hash.Hash, n int) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
}

func writePart(h hash.Hash, p []byte) {
	writeLen(h, len(p))
	h.Write(p)
}
