package steps

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// shapePattern is the step-text form of a password shape: terms joined by " + ",
// each "N × ASCII" or "N × K-byte" (K = 2, 3 or 4), e.g. "71 × ASCII + 1 × 2-byte".
const shapePattern = `(\d+ × (?:ASCII|[234]-byte)(?: \+ \d+ × (?:ASCII|[234]-byte))*)`

// Characters each UTF-8 width is drawn from. Passwords are random so that nothing
// the harness sends is a fixed string a redaction test could miss; each class leaves
// out the rune the transcript's same-shape placeholders use ('x', 'é', '€', '😀'), so
// a placeholder never equals the password it hides.
var shapeAlphabets = map[int][]rune{
	1: runeRange('A', 'Z', 'a', 'w', 'y', 'z', '0', '9'),
	2: runeRange('À', 'Ö', 'Ø', 'è', 'ê', 'ö', 'ø', 'ÿ'),
	3: runeRange('₠', '₫', '₭', '₿'),
	4: runeRange('😁', '🙏'),
}

// runeRange lists the runes of inclusive ranges given as pairs.
func runeRange(bounds ...rune) []rune {
	var out []rune
	for i := 0; i+1 < len(bounds); i += 2 {
		for r := bounds[i]; r <= bounds[i+1]; r++ {
			out = append(out, r)
		}
	}
	return out
}

// shapeTerm is one "N × class" term of a password shape.
type shapeTerm struct {
	count int
	width int // UTF-8 bytes per character
}

// parseShape reads a shape written as shapePattern describes.
func parseShape(s string) ([]shapeTerm, error) {
	var terms []shapeTerm
	for _, part := range strings.Split(s, " + ") {
		n, class, ok := strings.Cut(part, " × ")
		if !ok {
			return nil, fmt.Errorf("password shape %q: term %q is not \"N × class\"", s, part)
		}
		count, err := strconv.Atoi(n)
		if err != nil || count < 0 {
			return nil, fmt.Errorf("password shape %q: %q is not a count", s, n)
		}
		width := 0
		switch class {
		case "ASCII":
			width = 1
		case "2-byte", "3-byte", "4-byte":
			width = int(class[0] - '0')
		default:
			return nil, fmt.Errorf("password shape %q: unknown class %q (ASCII, 2-byte, 3-byte, 4-byte)", s, class)
		}
		terms = append(terms, shapeTerm{count: count, width: width})
	}
	return terms, nil
}

// randomPassword draws a password of the shape from crypto/rand and checks it has
// the byte and character counts the scenario states, so an Examples row that
// miscounts is a harness error, never a verdict on the target.
func randomPassword(shape string, wantBytes, wantChars int) (string, error) {
	terms, err := parseShape(shape)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, t := range terms {
		alphabet := shapeAlphabets[t.width]
		for range t.count {
			i, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
			if err != nil {
				return "", fmt.Errorf("random password: %w", err)
			}
			b.WriteRune(alphabet[i.Int64()])
		}
	}
	p := b.String()
	if len(p) != wantBytes || utf8.RuneCountInString(p) != wantChars {
		return "", fmt.Errorf("password shape %q gives %d bytes and %d characters, but the scenario says %d bytes and %d characters",
			shape, len(p), utf8.RuneCountInString(p), wantBytes, wantChars)
	}
	return p, nil
}

// randomLetters is a random password of n ASCII letters and digits.
func randomLetters(n int) (string, error) {
	return randomPassword(strconv.Itoa(n)+" × ASCII", n, n)
}

// describePassword names a password by its size only: failure messages and reports
// say how long it was, never what it was.
func describePassword(p string) string {
	return fmt.Sprintf("a password of %d bytes (%d characters)", len(p), utf8.RuneCountInString(p))
}
