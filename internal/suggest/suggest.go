// Package suggest finds the known word a mistyped one was most likely meant to be,
// for the "did you mean" of an error message.
package suggest

import (
	"strings"
	"unicode/utf8"
)

// Closest returns the candidate nearest to word by edit distance (ignoring case), or
// "" when none is near enough to be a plausible typo: at most 2 edits, or a quarter
// of the word's length for long words, and always fewer edits than the word has
// characters. Ties go to the earlier candidate, so callers pass them in a stable
// order.
func Closest(word string, candidates []string) string {
	best, bestDist := "", -1
	limit := max(2, utf8.RuneCountInString(word)/4)
	for _, c := range candidates {
		d := Distance(strings.ToLower(word), strings.ToLower(c))
		if d > limit || d >= utf8.RuneCountInString(word) {
			continue
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// Distance is the Levenshtein distance between a and b, in runes: the fewest
// insertions, deletions and substitutions that turn one into the other.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// DidYouMean returns ` (did you mean "x"?)` for the closest candidate, or "".
func DidYouMean(word string, candidates []string) string {
	if c := Closest(word, candidates); c != "" {
		return ` (did you mean "` + c + `"?)`
	}
	return ""
}
