package reports

import (
	"html/template"
	"strings"
)

// ruleHTML renders the Markdown the rule catalogue's texts use, `code` and
// **bold**, as HTML. Every piece of text is escaped before it is wrapped, so a text
// (read back from a results.json that anyone may have written) can never inject
// markup; a marker without its closing twin stays as it is. The subset is small
// enough that a Markdown library, with its raw-HTML passthrough to switch off, would
// be more to audit than this.
func ruleHTML(s string) template.HTML {
	var b strings.Builder
	renderInline(&b, s, true)
	return template.HTML(b.String()) // only escaped text and fixed tags
}

func renderInline(b *strings.Builder, s string, boldAllowed bool) {
	for s != "" {
		i := strings.IndexAny(s, "`*")
		if i < 0 {
			b.WriteString(template.HTMLEscapeString(s))
			return
		}
		b.WriteString(template.HTMLEscapeString(s[:i]))
		s = s[i:]
		switch {
		case s[0] == '`':
			if end := strings.IndexByte(s[1:], '`'); end > 0 {
				b.WriteString("<code>" + template.HTMLEscapeString(s[1:1+end]) + "</code>")
				s = s[end+2:]
				continue
			}
		case boldAllowed && strings.HasPrefix(s, "**"):
			if end := strings.Index(s[2:], "**"); end > 0 {
				b.WriteString("<strong>")
				renderInline(b, s[2:2+end], false)
				b.WriteString("</strong>")
				s = s[end+4:]
				continue
			}
		}
		// A lone marker is text.
		b.WriteString(template.HTMLEscapeString(s[:1]))
		s = s[1:]
	}
}
