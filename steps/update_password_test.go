package steps

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// Each shape gives its stated byte and character counts, with characters of the
// stated widths, and two draws differ: the passwords are random, not fixed.
func TestRandomPasswordShapes(t *testing.T) {
	for _, tc := range []struct {
		shape        string
		bytes, chars int
	}{
		{"72 × ASCII", 72, 72},
		{"24 × 3-byte", 72, 24},
		{"71 × ASCII + 1 × 2-byte", 73, 72},
		{"17 × 4-byte + 1 × 3-byte + 2 × ASCII", 73, 20},
		{"18 × 4-byte", 72, 18},
	} {
		a, err := randomPassword(tc.shape, tc.bytes, tc.chars)
		if err != nil {
			t.Fatalf("%s: %v", tc.shape, err)
		}
		b, err := randomPassword(tc.shape, tc.bytes, tc.chars)
		if err != nil {
			t.Fatalf("%s: %v", tc.shape, err)
		}
		if a == b {
			t.Errorf("%s: two draws gave the same password", tc.shape)
		}
		if len(a) != tc.bytes || utf8.RuneCountInString(a) != tc.chars || !utf8.ValidString(a) {
			t.Errorf("%s: got %d bytes, %d characters", tc.shape, len(a), utf8.RuneCountInString(a))
		}
		terms, _ := parseShape(tc.shape)
		rest := a
		for _, term := range terms {
			for range term.count {
				r, size := utf8.DecodeRuneInString(rest)
				if size != term.width || strings.ContainsRune("xé€😀", r) {
					t.Fatalf("%s: character %q has %d bytes (want %d) or is a redaction placeholder", tc.shape, r, size, term.width)
				}
				rest = rest[size:]
			}
		}
	}
}

// A row whose counts do not match its shape is the harness's mistake, and says so.
func TestRandomPasswordRejectsMiscountedRow(t *testing.T) {
	if _, err := randomPassword("24 × 3-byte", 73, 24); err == nil || !strings.Contains(err.Error(), "72 bytes") {
		t.Fatalf("err = %v, want the actual count named", err)
	}
	for _, bad := range []string{"24 × 5-byte", "x × ASCII", "24 ASCII"} {
		if _, err := parseShape(bad); err == nil {
			t.Errorf("parseShape(%q) accepted a malformed shape", bad)
		}
	}
}

// The step pattern and the parser read the same language.
func TestShapePatternMatchesParser(t *testing.T) {
	re := regexp.MustCompile(`^` + shapePattern + `$`)
	for _, s := range []string{"72 × ASCII", "16 × 4-byte + 2 × 3-byte + 2 × ASCII"} {
		if !re.MatchString(s) {
			t.Errorf("pattern does not match %q", s)
		}
		if _, err := parseShape(s); err != nil {
			t.Errorf("parseShape(%q): %v", s, err)
		}
	}
	for _, s := range []string{"72 × ASCII + ", "72 × 1-byte", "72 ASCII"} {
		if re.MatchString(s) {
			t.Errorf("pattern matches malformed %q", s)
		}
	}
}

// The description of a password names its size only.
func TestDescribePassword(t *testing.T) {
	p := strings.Repeat("a", 71) + "é"
	got := describePassword(p)
	if got != "a password of 73 bytes (72 characters)" || strings.Contains(got, "aaaa") {
		t.Fatalf("describePassword = %q", got)
	}
}
