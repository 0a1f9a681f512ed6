package target

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// pwStyle says how a password value is hidden.
type pwStyle int

const (
	// placeholderStyle replaces each rune by a fixed rune of the same UTF-8 length
	// ('x', 'é', '€', '😀'): the recorded body keeps the byte length and rune count
	// the target saw, so a curl built from it reproduces the 72-byte boundary cases.
	placeholderStyle pwStyle = iota
	// annotateStyle replaces the value by "[redacted: N bytes, M chars]": the
	// readable transcript. Applied to a placeholder, it reports the original shape.
	annotateStyle
)

// redactBody is the one redaction of a body. It hides every password value (see
// pwStyle) and then replaces every occurrence of a secret form (see secretForms) by
// "[redacted]". The input is never modified; the result is the input itself when
// there is nothing to hide (an exchange's record then shares the response's bytes,
// which nothing modifies once read), else a new slice; nil for an empty body.
//
// A body that parses as JSON is rewritten in place, byte for byte except for the
// hidden values: every string under a key containing "password" (any case, any
// depth, inside arrays and nested objects) is hidden; numbers, booleans and null stay,
// as they are test inputs, not secrets. Any other text, and text inside JSON strings
// that mentions a password (an error message echoing the request), is scanned
// loosely: a value after "password" and ':' or '=' is hidden, quoted at any escape
// level or unquoted.
func redactBody(body []byte, secrets []string, style pwStyle) []byte {
	if len(body) == 0 {
		return nil
	}
	if !mayHidePassword(body) {
		return scrub(body, secrets)
	}
	return scrub(hidePasswords(body, style), secrets)
}

// mayHidePassword reports whether hidePasswords could change body. Every value it
// hides follows an occurrence of "password" (case-folded) in the raw text, or sits
// under a JSON key that decodes to one; of JSON's escapes only \uXXXX can spell a
// letter, so a body with neither "password" nor a "\u" comes out as it went in. Most
// answers (list pages, reads) are such bodies, and this scan is several times
// cheaper than the JSON scan.
func mayHidePassword(body []byte) bool {
	return bytes.Contains(body, []byte(`\u`)) || indexPassword(body, 0) >= 0
}

// hidePasswords hides every password value of body in the given style (see
// redactBody).
func hidePasswords(body []byte, style pwStyle) []byte {
	var out []byte
	if edits, ok := scanJSON(body, style); ok {
		out = applyEdits(body, edits)
	} else {
		out = applyEdits(body, looseEdits(body, 0, style))
	}
	return out
}

// edit replaces in[start:end] by repl.
type edit struct {
	start, end int
	repl       []byte
}

func applyEdits(in []byte, edits []edit) []byte {
	out := make([]byte, 0, len(in))
	last := 0
	for _, e := range edits {
		out = append(out, in[last:e.start]...)
		out = append(out, e.repl...)
		last = e.end
	}
	return append(out, in[last:]...)
}

// hide renders a password value (its decoded UTF-8 bytes) in the given style.
// Invalid UTF-8 bytes count as one byte and one char each.
func hide(v []byte, style pwStyle) []byte {
	if style == annotateStyle {
		n := utf8.RuneCount(v)
		return fmt.Appendf(nil, "[redacted: %d %s, %d %s]", len(v), plural(len(v), "byte"), n, plural(n, "char"))
	}
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); {
		_, size := utf8.DecodeRune(v[i:])
		switch size {
		case 2:
			out = append(out, "é"...)
		case 3:
			out = append(out, "€"...)
		case 4:
			out = append(out, "😀"...)
		default:
			out = append(out, 'x')
		}
		i += size
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// maxJSONDepth bounds nesting; a deeper body is handled by the loose scan, which
// needs no recursion.
const maxJSONDepth = 1000

// jsonScanner validates JSON (RFC 8259, duplicate keys allowed) and collects the
// edits that hide password values, leaving every other byte as it was, so the
// transcript shows the body as sent: key order, duplicates, spacing, escapes.
type jsonScanner struct {
	in    []byte
	pos   int
	style pwStyle
	edits []edit
}

func scanJSON(in []byte, style pwStyle) ([]edit, bool) {
	s := &jsonScanner{in: in, style: style}
	if !s.value(false, 0) {
		return nil, false
	}
	s.ws()
	return s.edits, s.pos == len(s.in)
}

func (s *jsonScanner) ws() {
	for s.pos < len(s.in) {
		switch s.in[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *jsonScanner) peek() byte {
	if s.pos < len(s.in) {
		return s.in[s.pos]
	}
	return 0
}

// value scans one value; secret means it sits under a password key.
func (s *jsonScanner) value(secret bool, depth int) bool {
	if depth > maxJSONDepth {
		return false
	}
	s.ws()
	switch c := s.peek(); {
	case c == '{':
		return s.object(secret, depth)
	case c == '[':
		return s.array(secret, depth)
	case c == '"':
		start := s.pos
		if !s.str() {
			return false
		}
		s.stringValue(start+1, s.pos-1, secret)
		return true
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	}
	return false
}

// stringValue records the edits for the string whose raw content is in[start:end].
func (s *jsonScanner) stringValue(start, end int, secret bool) {
	if secret {
		s.edits = append(s.edits, edit{start, end, hide(decodeJSONString(s.in[start:end]), s.style)})
		return
	}
	s.edits = append(s.edits, looseEdits(s.in[start:end], start, s.style)...)
}

func (s *jsonScanner) object(secret bool, depth int) bool {
	s.pos++ // '{'
	s.ws()
	if s.peek() == '}' {
		s.pos++
		return true
	}
	for {
		s.ws()
		if s.peek() != '"' {
			return false
		}
		start := s.pos
		if !s.str() {
			return false
		}
		raw := s.in[start+1 : s.pos-1]
		if !secret {
			s.edits = append(s.edits, looseEdits(raw, start+1, s.style)...)
		}
		isSecret := secret || indexPassword(decodeJSONString(raw), 0) >= 0
		s.ws()
		if s.peek() != ':' {
			return false
		}
		s.pos++
		if !s.value(isSecret, depth+1) {
			return false
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return true
		default:
			return false
		}
	}
}

func (s *jsonScanner) array(secret bool, depth int) bool {
	s.pos++ // '['
	s.ws()
	if s.peek() == ']' {
		s.pos++
		return true
	}
	for {
		if !s.value(secret, depth+1) {
			return false
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return true
		default:
			return false
		}
	}
}

// str scans a string starting at its opening quote and leaves pos after the closing one.
func (s *jsonScanner) str() bool {
	s.pos++ // opening quote
	for s.pos < len(s.in) {
		c := s.in[s.pos]
		switch {
		case c == '"':
			s.pos++
			return true
		case c == '\\':
			if s.pos+1 >= len(s.in) {
				return false
			}
			switch s.in[s.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos += 2
			case 'u':
				if s.pos+6 > len(s.in) || !isHex4(s.in[s.pos+2:s.pos+6]) {
					return false
				}
				s.pos += 6
			default:
				return false
			}
		case c < 0x20:
			return false
		default:
			s.pos++
		}
	}
	return false
}

func (s *jsonScanner) literal(word string) bool {
	if !bytes.HasPrefix(s.in[s.pos:], []byte(word)) {
		return false
	}
	s.pos += len(word)
	return true
}

func (s *jsonScanner) number() bool {
	digits := func() int {
		n := 0
		for s.pos < len(s.in) && s.in[s.pos] >= '0' && s.in[s.pos] <= '9' {
			s.pos++
			n++
		}
		return n
	}
	if s.peek() == '-' {
		s.pos++
	}
	switch c := s.peek(); {
	case c == '0':
		s.pos++
	case c >= '1' && c <= '9':
		digits()
	default:
		return false
	}
	if s.peek() == '.' {
		s.pos++
		if digits() == 0 {
			return false
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.pos++
		if c := s.peek(); c == '+' || c == '-' {
			s.pos++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func hexVal(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		default:
			r |= rune(c-'A') + 10
		}
	}
	return r
}

// decodeJSONString decodes the raw content of a JSON string into the UTF-8 bytes a
// server sees: escapes resolved, surrogate pairs joined, a lone surrogate as U+FFFD
// (as encoding/json does). Raw bytes, valid UTF-8 or not, are kept as they are.
func decodeJSONString(raw []byte) []byte {
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' || i+1 >= len(raw) {
			out = append(out, c)
			i++
			continue
		}
		switch e := raw[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if i+6 > len(raw) || !isHex4(raw[i+2:i+6]) {
				out = append(out, c)
				i++
				continue
			}
			r := hexVal(raw[i+2 : i+6])
			i += 6
			if utf16.IsSurrogate(r) && i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' && isHex4(raw[i+2:i+6]) {
				if r2 := hexVal(raw[i+2 : i+6]); r >= 0xD800 && r < 0xDC00 && r2 >= 0xDC00 && r2 < 0xE000 {
					r = utf16.DecodeRune(r, r2)
					i += 6
				}
			}
			out = utf8.AppendRune(out, r) // a lone surrogate becomes U+FFFD
			continue
		default:
			out = append(out, c)
			i++
			continue
		}
		i += 2
	}
	return out
}

const passwordWord = "password"

// indexPassword returns the byte offset of the first occurrence of "password" in b
// at or after from, compared under Unicode simple case folding (so "PassWord" and
// "paſſword" count), or -1.
func indexPassword(b []byte, from int) int {
	s, _ := findPassword(b, from)
	return s
}

// findPassword is indexPassword that also returns the end offset of the match.
func findPassword(b []byte, from int) (int, int) {
	for i := from; i < len(b); i++ {
		// "p" has no other case fold: the first letter is a byte, found by the
		// vectorised IndexByte (every response body is scanned).
		if i = nextP(b, i); i < 0 {
			return -1, -1
		}
		j := i + 1
		ok := true
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

// nextP is the offset of the first 'p' or 'P' in b at or after from, or -1.
func nextP(b []byte, from int) int {
	rest := b[from:]
	lower := bytes.IndexByte(rest, 'p')
	upperIn := rest
	if lower >= 0 {
		upperIn = rest[:lower]
	}
	if upper := bytes.IndexByte(upperIn, 'P'); upper >= 0 {
		return from + upper
	}
	if lower >= 0 {
		return from + lower
	}
	return -1
}

func foldEq(r, want rune) bool {
	if r == want {
		return true
	}
	for f := unicode.SimpleFold(want); f != want; f = unicode.SimpleFold(f) {
		if f == r {
			return true
		}
	}
	return false
}

// looseEdits finds password values in text that is not (or is inside) JSON and
// returns the edits hiding them, offset by base. Every occurrence of "password" is
// considered on its own, so a value that swallows the next key cannot shield it;
// overlapping regions are merged.
//
// Accepted shapes: password, an optional closing quote (", ', or \" at any escape
// level), optional space, ':' or '=', optional space, then either a quoted value
// (up to its matching closing quote at the same escape level, or to the end) or an
// unquoted run up to a delimiter. Unquoted null, true and false are kept.
func looseEdits(b []byte, base int, style pwStyle) []edit {
	var regions [][2]int
	for from := 0; ; {
		s, e := findPassword(b, from)
		if s < 0 {
			break
		}
		from = e
		if start, end, ok := looseValue(b, e); ok && end > start {
			regions = append(regions, [2]int{start, end})
		}
	}
	if len(regions) == 0 {
		return nil
	}
	slices.SortFunc(regions, func(a, b [2]int) int { return a[0] - b[0] })
	merged := regions[:1]
	for _, r := range regions[1:] {
		last := &merged[len(merged)-1]
		if r[0] <= last[1] {
			last[1] = max(last[1], r[1])
			continue
		}
		merged = append(merged, r)
	}
	edits := make([]edit, len(merged))
	for i, r := range merged {
		edits[i] = edit{base + r[0], base + r[1], hide(b[r[0]:r[1]], style)}
	}
	return edits
}

// maxEscapeLevel bounds how deeply a quote may be escaped (2^level - 1 backslashes).
const maxEscapeLevel = 16

// looseValue finds the value after a "password" that ends at j.
func looseValue(b []byte, j int) (start, end int, ok bool) {
	// The key's closing quote, possibly escaped.
	if k := skipBackslashes(b, j); k < len(b) && (b[k] == '"' || b[k] == '\'') {
		j = k + 1
	} else if k > j {
		return 0, 0, false
	}
	j = skipSpace(b, j)
	if j >= len(b) || (b[j] != ':' && b[j] != '=') {
		return 0, 0, false
	}
	j = skipSpace(b, j+1)
	if k := skipBackslashes(b, j); k < len(b) && (b[k] == '"' || b[k] == '\'') {
		return quotedValue(b, k, escapeLevel(k-j))
	}
	k := unquotedEnd(b, j)
	switch string(b[j:k]) {
	case "null", "true", "false":
		return 0, 0, false
	}
	return j, k, true
}

// escapeLevel turns a run of r backslashes before a quote into the nesting level of
// the string it delimits: 0 for ", 1 for \", 2 for \\\", and so on (r = 2^level - 1).
func escapeLevel(r int) int {
	level := 0
	for level < maxEscapeLevel && (1<<(level+1))-1 <= r {
		level++
	}
	return level
}

// quotedValue returns the content of the string opened by the quote at q, at the
// given escape level: up to the first quote of the same kind preceded by a run of
// backslashes that closes at that level (run mod 2^(level+1) == 2^level-1), or to
// the end of b if it never closes. The closing quote's own backslashes stay outside
// the region, so hiding the region never unbalances an escape.
func quotedValue(b []byte, q int, level int) (start, end int, ok bool) {
	quote := b[q]
	start = q + 1
	mod, want := 1<<(level+1), (1<<level)-1
	for p := start; p < len(b); p++ {
		if b[p] != quote {
			continue
		}
		run := 0
		for p-run-1 >= start && b[p-run-1] == '\\' {
			run++
		}
		if run%mod == want {
			return start, p - want, true
		}
	}
	return start, len(b), true
}

// unquotedEnd returns the end of an unquoted value starting at j. A backslash and
// the byte after it are taken together, so the region never splits an escape; the
// value stops before an escaped quote (the end of an enclosing string).
func unquotedEnd(b []byte, j int) int {
	for j < len(b) {
		switch c := b[j]; c {
		case ' ', '\t', '\r', '\n', ',', ';', '&', '}', ']', ')', '"', '\'', '<':
			return j
		case '\\':
			if j+1 < len(b) && (b[j+1] == '"' || b[j+1] == '\'') {
				return j
			}
			j += 2
		default:
			j++
		}
	}
	return len(b)
}

func skipBackslashes(b []byte, j int) int {
	for j < len(b) && b[j] == '\\' {
		j++
	}
	return j
}

func skipSpace(b []byte, j int) int {
	for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r' || b[j] == '\n') {
		j++
	}
	return j
}

// secretForms lists the spellings of each secret value that may show up in recorded
// text: raw, JSON-escaped (with and without HTML escaping, with "/" as "\/"), and
// percent-encoded for queries and paths. Longest first, so a longer spelling is
// replaced before a shorter one inside it.
func secretForms(values []string) []string {
	seen := map[string]bool{}
	var forms []string
	add := func(f string) {
		if f != "" && !seen[f] {
			seen[f] = true
			forms = append(forms, f)
		}
	}
	for _, v := range values {
		if v == "" {
			continue
		}
		add(v)
		if j, err := json.Marshal(v); err == nil {
			add(string(j[1 : len(j)-1]))
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if enc.Encode(v) == nil {
			plain := strings.TrimSuffix(buf.String(), "\n")
			plain = plain[1 : len(plain)-1]
			add(plain)
			add(strings.ReplaceAll(plain, "/", `\/`))
		}
		add(url.QueryEscape(v))
		add(url.PathEscape(v))
	}
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	return forms
}

// scrub replaces every occurrence of a secret form by "[redacted]". A replacement
// can form a new occurrence with its neighbours (or contain one, for a tiny secret),
// so it repeats, and falls back to deleting occurrences, which always ends because
// each deletion shortens the text.
func scrub(b []byte, forms []string) []byte {
	repl := []byte(redacted)
	for _, f := range forms {
		if strings.Contains(redacted, f) {
			repl = nil
			break
		}
	}
	for pass := 0; ; pass++ {
		found := false
		for _, f := range forms {
			if bytes.Contains(b, []byte(f)) {
				found = true
				b = bytes.ReplaceAll(b, []byte(f), repl)
			}
		}
		if !found {
			return b
		}
		if pass >= 4 {
			repl = nil
		}
	}
}

func scrubString(s string, forms []string) string {
	if len(forms) == 0 {
		return s
	}
	return string(scrub([]byte(s), forms))
}

// redactHeader returns a copy of h fit for the record: credentials hidden, secret
// forms scrubbed from every name and value.
func redactHeader(h http.Header, forms []string) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		vals := make([]string, len(vs))
		for i, v := range vs {
			switch http.CanonicalHeaderKey(k) {
			case "Authorization":
				vals[i] = "Bearer " + redacted
			case "Proxy-Authorization", "Cookie", "Set-Cookie":
				vals[i] = redacted
			default:
				vals[i] = scrubString(v, forms)
			}
		}
		out[scrubString(k, forms)] = vals
	}
	return out
}

// redactURL renders u for the record: no user info, sensitive query parameters
// hidden, secret forms scrubbed.
func redactURL(u *url.URL, forms []string) string {
	c := *u
	c.User = nil
	c.Fragment, c.RawFragment = "", ""
	c.RawQuery = redactQuery(c.RawQuery)
	return scrubString(c.String(), forms)
}

// redactQuery hides the values of parameters named token or access_token, or whose
// name contains "password", keeping the rest of the raw query as it was.
func redactQuery(raw string) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		name, _, hasValue := strings.Cut(p, "=")
		if !hasValue {
			continue
		}
		dn, err := url.QueryUnescape(name)
		if err != nil {
			dn = name
		}
		if sensitiveParam(dn) {
			parts[i] = name + "=" + redacted
		}
	}
	return strings.Join(parts, "&")
}

func sensitiveParam(name string) bool {
	return strings.EqualFold(name, "token") || strings.EqualFold(name, "access_token") ||
		indexPassword([]byte(name), 0) >= 0
}
