package target

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// readBody reads the whole body (or limit bytes of it) whatever Content-Length
// claims, in one allocation when the claim is true.
func TestReadBody(t *testing.T) {
	body := strings.Repeat("0123456789", 300)
	for _, c := range []struct {
		name          string
		contentLength int64
		limit         int64
		want          string
	}{
		{"declared", int64(len(body)), 1 << 20, body},
		{"chunked", -1, 1 << 20, body},
		{"claims more", int64(len(body)) * 10, 1 << 20, body},
		{"claims less", 10, 1 << 20, body},
		{"over the limit", int64(len(body)), 1001, body[:1001]},
		{"over the limit, chunked", -1, 1001, body[:1001]},
		{"empty", 0, 1 << 20, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(body[:len(c.want)]), iotest.OneByteReader(strings.NewReader(body[:len(c.want)]))} {
				if c.limit < int64(len(body)) {
					r = strings.NewReader(body) // more than the limit is on offer
				}
				resp := &http.Response{ContentLength: c.contentLength, Body: io.NopCloser(r)}
				got, err := readBody(resp, c.limit)
				if err != nil || !bytes.Equal(got, []byte(c.want)) {
					t.Fatalf("read %d bytes (err %v), want %d", len(got), err, len(c.want))
				}
			}
		})
	}
	// Sized once: the buffer is the declared length and the byte that finds the end.
	resp := &http.Response{ContentLength: int64(len(body)), Body: io.NopCloser(strings.NewReader(body))}
	if got, _ := readBody(resp, 1<<20); cap(got) != len(body)+1 {
		t.Errorf("a body of declared length %d was read into a buffer of %d", len(body), cap(got))
	}
}

// A read error mid-body is returned with what was read.
func TestReadBodyError(t *testing.T) {
	resp := &http.Response{ContentLength: 100, Body: io.NopCloser(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(io.ErrUnexpectedEOF)))}
	got, err := readBody(resp, 1<<20)
	if err != io.ErrUnexpectedEOF || string(got) != "abc" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// redactBody never writes to its input, whether it hides something or not.
func TestRedactBodyLeavesItsInputAlone(t *testing.T) {
	for _, body := range []string{
		`[{"id":"a1","name":"plain"}]`,
		`{"password":"hunter2hunter2"}`,
		`{"note":"the token tok-0123456789abcdef leaked"}`,
	} {
		in := []byte(body)
		out := redactBody(in, secretForms([]string{"tok-0123456789abcdef"}), placeholderStyle)
		if string(in) != body {
			t.Errorf("redactBody changed its input %q to %q", body, in)
		}
		if strings.Contains(string(out), "hunter2") || strings.Contains(string(out), "tok-0123456789abcdef") {
			t.Errorf("redactBody(%q) = %q keeps a secret", body, out)
		}
	}
}

// findPasswordNaive is findPassword as it was before it skipped ahead with
// IndexByte: every byte tried as a start.
func findPasswordNaive(b []byte, from int) (int, int) {
	for i := from; i < len(b); i++ {
		if b[i] != 'p' && b[i] != 'P' {
			continue
		}
		j, ok := i+1, true
		for _, want := range passwordWord[1:] {
			if j >= len(b) {
				return -1, -1
			}
			r, size := utf8.DecodeRune(b[j:])
			if !foldEq(r, want) {
				ok = false
				break
			}
			j += size
		}
		if ok {
			return i, j
		}
	}
	return -1, -1
}

func FuzzFindPassword(f *testing.F) {
	for _, s := range []string{"", "password", "xxPASSWORDyy", "paſſword", "pPpPassword", "ppppppp", "Pp", "{\"Password\":1,\"pass\":2}", "p\xffassword"} {
		f.Add([]byte(s), 0)
	}
	f.Fuzz(func(t *testing.T, b []byte, from int) {
		if from < 0 || from > len(b) {
			from = 0
		}
		gs, ge := findPassword(b, from)
		ws, we := findPasswordNaive(b, from)
		if gs != ws || ge != we {
			t.Fatalf("findPassword(%q, %d) = %d, %d; the byte-by-byte scan finds %d, %d", b, from, gs, ge, ws, we)
		}
	})
}
