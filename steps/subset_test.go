package steps

import (
	"fmt"
	"testing"

	"github.com/tidwall/gjson"
)

func snapshotOf(t *testing.T, counts map[string]int) *snapshot {
	t.Helper()
	s := newSnapshot()
	i := 0
	for value, n := range counts {
		for range n {
			i++
			item := fmt.Sprintf(`{"id":"a%d","contractId":%q,"createdBy":"job-%d"}`, i, value, i)
			if err := s.add(gjson.Parse(item)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s
}

// A small-page walk of a large tenant covers a subset chosen from its data: the
// largest that spans three pages, stays under the bound, leaves the last page of a
// multi-access page short, and is a plain value.
func TestPagingSubset(t *testing.T) {
	s := snapshotOf(t, map[string]int{"A": 20, "B": 14, "C": 70, "x&y": 30, "D": 2})
	for n, want := range map[int]string{1: "contractId=A", 7: "contractId=A", 10: ""} {
		got, ok := s.pagingSubset(n)
		if got != want || ok != (want != "") {
			t.Errorf("pages of %d: %q %v, want %q", n, got, ok, want)
		}
	}
	small := snapshotOf(t, map[string]int{"A": 20, "B": 40})
	if got, ok := small.pagingSubset(1); ok {
		t.Errorf("a tenant of 60 accesses is walked whole, got subset %q", got)
	}
}
