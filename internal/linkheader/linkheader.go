// Package linkheader parses the HTTP Link header (RFC 8288) strictly: a value that
// breaks the grammar is an error, never dropped or repaired. The harness judges the
// server that sent the header, so a lenient parser would hide exactly the defects it
// is meant to find.
//
// The grammar, from RFC 8288 section 3 with the list and quoting rules of RFC 9110:
//
//	Link       = #link-value
//	link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param )
//	link-param = token BWS [ "=" BWS ( token / quoted-string ) ]
//
// Beyond the grammar, a link-value must carry exactly one rel parameter whose value
// is one or more relation types separated by single-or-more spaces (RFC 8288 section
// 3.3), and title, title*, type and media appear at most once. Empty list elements
// ("a, , b") are accepted, as RFC 9110 section 5.6.1 requires of recipients.
package linkheader

import (
	"fmt"
	"net/url"
	"strings"
)

// Link is one link-value.
type Link struct {
	// Target is the URI-Reference between "<" and ">", exactly as sent.
	Target string
	// Rels are the relation types of the rel parameter in order. Registered types
	// are lowercased (RFC 8288 compares them case-insensitively); extension types
	// (URIs) are kept as sent.
	Rels []string
	// Params are every parameter in order, rel included.
	Params []Param
}

// Param is one link-param.
type Param struct {
	// Name is lowercased: parameter names are case-insensitive.
	Name string
	// Value is the token, or the quoted-string with its quotes removed and its
	// quoted-pairs resolved. Empty when HasValue is false.
	Value    string
	HasValue bool
	// Quoted says the value was sent as a quoted-string.
	Quoted bool
}

// Param returns the value of the first parameter called name (case-insensitive).
func (l Link) Param(name string) (string, bool) {
	name = strings.ToLower(name)
	for _, p := range l.Params {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// HasRel reports whether rel is one of the link's relation types (case-insensitive).
func (l Link) HasRel(rel string) bool {
	for _, r := range l.Rels {
		if strings.EqualFold(r, rel) {
			return true
		}
	}
	return false
}

// Resolve returns the link's target resolved against base, the URL of the response
// that carried the header (RFC 8288 section 3.2).
func (l Link) Resolve(base *url.URL) (*url.URL, error) {
	ref, err := url.Parse(l.Target)
	if err != nil {
		return nil, fmt.Errorf("link target %q: %w", l.Target, err)
	}
	if base == nil {
		return ref, nil
	}
	return base.ResolveReference(ref), nil
}

// String prints the link in a canonical form that Parse reads back unchanged.
func (l Link) String() string {
	var b strings.Builder
	b.WriteByte('<')
	b.WriteString(l.Target)
	b.WriteByte('>')
	for _, p := range l.Params {
		b.WriteString("; ")
		b.WriteString(p.Name)
		if !p.HasValue {
			continue
		}
		b.WriteByte('=')
		if p.Quoted || !isToken(p.Value) {
			writeQuoted(&b, p.Value)
		} else {
			b.WriteString(p.Value)
		}
	}
	return b.String()
}

func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}

// Links is a parsed Link header.
type Links []Link

// Rel returns the links that carry relation type rel, in order.
func (ls Links) Rel(rel string) []Link {
	var out []Link
	for _, l := range ls {
		if l.HasRel(rel) {
			out = append(out, l)
		}
	}
	return out
}

// String prints the links as one field value.
func (ls Links) String() string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.String()
	}
	return strings.Join(parts, ", ")
}

// SyntaxError is a Link field value that breaks RFC 8288.
type SyntaxError struct {
	// Line is the index of the field line among those passed to Parse.
	Line int
	// Offset is the byte offset of the problem within that line.
	Offset int
	Msg    string
	// Value is the field line (for messages; never holds a secret: it is a header
	// the server sent).
	Value string
}

func (e *SyntaxError) Error() string {
	v := e.Value
	if len(v) > 200 {
		v = v[:200] + "…"
	}
	return fmt.Sprintf("malformed Link header (RFC 8288) at byte %d: %s in %q", e.Offset, e.Msg, v)
}

// Parse parses the Link header from its field lines (http.Header["Link"]): several
// lines form one list, as if joined by commas. No line, or only empty ones, gives
// no links and no error; whether links are required is the caller's business.
func Parse(lines ...string) (Links, error) {
	var out Links
	for i, line := range lines {
		p := &parser{s: line, line: i}
		links, err := p.list()
		if err != nil {
			return nil, err
		}
		out = append(out, links...)
	}
	return out, nil
}

type parser struct {
	s    string
	pos  int
	line int
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Line: p.line, Offset: p.pos, Msg: fmt.Sprintf(format, args...), Value: p.s}
}

func (p *parser) eof() bool { return p.pos >= len(p.s) }

func (p *parser) ows() {
	for !p.eof() && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

// list reads #link-value, tolerating empty elements.
func (p *parser) list() ([]Link, error) {
	var out []Link
	p.ows()
	for !p.eof() {
		if p.s[p.pos] == ',' {
			p.pos++
			p.ows()
			continue
		}
		l, err := p.linkValue()
		if err != nil {
			return nil, err
		}
		out = append(out, l)
		p.ows()
		if p.eof() {
			break
		}
		if p.s[p.pos] != ',' {
			return nil, p.errorf("expected \",\" or \";\" after a link, found %q", p.s[p.pos])
		}
		p.pos++
		p.ows()
	}
	return out, nil
}

func (p *parser) linkValue() (Link, error) {
	var l Link
	if p.s[p.pos] != '<' {
		return l, p.errorf("a link must start with \"<\", found %q", p.s[p.pos])
	}
	p.pos++
	start := p.pos
	for !p.eof() && p.s[p.pos] != '>' {
		p.pos++
	}
	if p.eof() {
		p.pos = start - 1
		return l, p.errorf("unterminated \"<\"")
	}
	l.Target = p.s[start:p.pos]
	if off, msg := checkURIReference(l.Target); msg != "" {
		p.pos = start + off
		return l, p.errorf("the link target is not a URI-Reference: %s", msg)
	}
	p.pos++ // '>'
	for {
		save := p.pos
		p.ows()
		if p.eof() || p.s[p.pos] != ';' {
			p.pos = save
			break
		}
		p.pos++
		p.ows()
		param, err := p.param()
		if err != nil {
			return l, err
		}
		l.Params = append(l.Params, param)
	}
	if err := p.checkParams(&l); err != nil {
		return l, err
	}
	return l, nil
}

func (p *parser) param() (Param, error) {
	var prm Param
	start := p.pos
	for !p.eof() && isTchar(p.s[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		if p.eof() {
			return prm, p.errorf("a parameter name is missing after \";\"")
		}
		return prm, p.errorf("a parameter name must be a token, found %q", p.s[p.pos])
	}
	prm.Name = strings.ToLower(p.s[start:p.pos])
	save := p.pos
	p.ows()
	if p.eof() || p.s[p.pos] != '=' {
		p.pos = save
		return prm, nil
	}
	p.pos++
	p.ows()
	prm.HasValue = true
	if p.eof() {
		return prm, p.errorf("parameter %q has \"=\" but no value", prm.Name)
	}
	if p.s[p.pos] == '"' {
		v, err := p.quoted()
		if err != nil {
			return prm, err
		}
		prm.Value, prm.Quoted = v, true
		return prm, nil
	}
	start = p.pos
	for !p.eof() && isTchar(p.s[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		return prm, p.errorf("the value of parameter %q must be a token or a quoted-string, found %q", prm.Name, p.s[p.pos])
	}
	prm.Value = p.s[start:p.pos]
	return prm, nil
}

// quoted reads a quoted-string starting at the opening quote.
func (p *parser) quoted() (string, error) {
	open := p.pos
	p.pos++
	var b strings.Builder
	for !p.eof() {
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\\':
			p.pos++
			if p.eof() {
				p.pos = open
				return "", p.errorf("unterminated quoted-string")
			}
			if q := p.s[p.pos]; !(q == '\t' || q == ' ' || isVchar(q) || q >= 0x80) {
				return "", p.errorf("invalid quoted-pair \"\\\\%c\"", q)
			}
			b.WriteByte(p.s[p.pos])
		case c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E) || c >= 0x80:
			b.WriteByte(c)
		default:
			return "", p.errorf("control character %q in a quoted-string", c)
		}
		p.pos++
	}
	p.pos = open
	return "", p.errorf("unterminated quoted-string")
}

// once are the parameters RFC 8288 says MUST NOT appear more than once.
var once = []string{"rel", "title", "title*", "type", "media"}

func (p *parser) checkParams(l *Link) error {
	for _, name := range once {
		n := 0
		for _, prm := range l.Params {
			if prm.Name == name {
				n++
			}
		}
		if n > 1 {
			return p.errorf("parameter %q appears %d times in one link (RFC 8288 allows it once)", name, n)
		}
	}
	rel, ok := l.Param("rel")
	if !ok {
		return p.errorf("link <%s> has no rel parameter (RFC 8288 section 3.3: it MUST be present)", l.Target)
	}
	if rel == "" || rel[0] == ' ' || rel[len(rel)-1] == ' ' {
		return p.errorf("link <%s>: rel %q is not a space-separated list of relation types", l.Target, rel)
	}
	for _, typ := range strings.Split(rel, " ") {
		if typ == "" {
			continue // several spaces between two types (1*SP)
		}
		norm, ok := relationType(typ)
		if !ok {
			return p.errorf("link <%s>: %q is not a relation type (a registered name or an absolute URI)", l.Target, typ)
		}
		l.Rels = append(l.Rels, norm)
	}
	return nil
}

// relationType checks reg-rel-type (letters first, then letters, digits, "." and
// "-"; compared case-insensitively, so lowercased) or ext-rel-type (an absolute URI).
func relationType(s string) (string, bool) {
	if isRegRelType(s) {
		return strings.ToLower(s), true
	}
	if off, msg := checkURIReference(s); off >= 0 && msg != "" {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() {
		return "", false
	}
	return s, true
}

func isRegRelType(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// checkURIReference checks the characters of an RFC 3986 URI-reference: only
// unreserved, reserved and well-formed percent-encodings, at most one "#", and a
// result net/url can parse. It returns the offset and reason of the first problem,
// or -1 and "".
func checkURIReference(s string) (int, string) {
	hashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return i, "\"%\" is not followed by two hex digits"
			}
			i += 2
		case c == '#':
			hashes++
			if hashes > 1 {
				return i, "a second \"#\""
			}
		case isUnreserved(c) || strings.IndexByte(":/?[]@!$&'()*+,;=", c) >= 0:
		default:
			return i, fmt.Sprintf("character %q is not allowed in a URI", c)
		}
	}
	if i := misplacedBracket(s); i >= 0 {
		return i, "\"[\" and \"]\" are allowed only around an IP literal host"
	}
	if _, err := url.Parse(s); err != nil {
		return 0, err.Error()
	}
	return -1, ""
}

// misplacedBracket returns the offset of a "[" or "]" outside the authority, or -1.
func misplacedBracket(s string) int {
	authStart, authEnd := -1, -1
	if i := strings.Index(s, "//"); i >= 0 && !strings.ContainsAny(s[:i], "/?#") && (i == 0 || strings.HasSuffix(s[:i], ":")) {
		authStart = i + 2
		authEnd = len(s)
		if j := strings.IndexAny(s[authStart:], "/?#"); j >= 0 {
			authEnd = authStart + j
		}
	}
	for i := 0; i < len(s); i++ {
		if (s[i] == '[' || s[i] == ']') && (i < authStart || i >= authEnd) {
			return i
		}
	}
	return -1
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
func isVchar(c byte) bool { return c >= 0x21 && c <= 0x7E }

func isUnreserved(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

// isTchar is RFC 9110's tchar.
func isTchar(c byte) bool {
	return isAlpha(c) || isDigit(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return true
}
