package suggest_test

import (
	"testing"

	"github.com/accessctk/accessctk/internal/suggest"
)

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"acceses", "accesses", 1},
		{"kitten", "sitting", 3}, {"SAM-UP-6", "SAM-UP-06", 1}, {"flaw", "lawn", 2}, {"é", "e", 1},
	} {
		if got := suggest.Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	keys := []string{"baseURL", "tenants", "accesses", "maxPageSize"}
	for word, want := range map[string]string{
		"acceses":     "accesses",
		"tenant":      "tenants",
		"BaseUrl":     "baseURL", // case is not an edit
		"maxpagesize": "maxPageSize",
		"tokens":      "",         // 3 edits from tenants: not a typo
		"xy":          "",         // every candidate is further than the word is long
		"accessesss":  "accesses", // long words allow more edits
	} {
		if got := suggest.Closest(word, keys); got != want {
			t.Errorf("Closest(%q) = %q, want %q", word, got, want)
		}
	}
	if got := suggest.Closest("@SAM-UP-6", []string{"@SAM-UP-01", "@SAM-UP-06", "@SAM-UP-16"}); got != "@SAM-UP-06" {
		t.Errorf("requirement tag: %q", got)
	}
	if got := suggest.DidYouMean("acceses", keys); got != ` (did you mean "accesses"?)` {
		t.Errorf("DidYouMean: %q", got)
	}
	if got := suggest.DidYouMean("zzz", keys); got != "" {
		t.Errorf("DidYouMean without a candidate: %q", got)
	}
}
