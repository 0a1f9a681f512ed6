package reports

import (
	"html/template"
	"strings"
)

// The rule catalogue's texts use two marks of Markdown: `code` and **bold** (which
// may hold code). ruleHTML and ruleMarkdown render them for report.html and
// summary.md from one parse; everything else is text, escaped for its format, so a
// text (read back from a results.json anyone may have written) can never inject
// markup. A mark without its closing twin is text. The subset is small enough that a
// Markdown library, with its raw-HTML passthrough to switch off, would be more to
// audit than this.

// span is a run of rule text: plain, code, or bold (holding spans of its own).
type span struct {
	text string
	code bool
	bold []span
}

// parseRule splits a rule text into spans.
func parseRule(s string, boldAllowed bool) []span {
	var out []span
	plain := func(t string) {
		if t == "" {
			return
		}
		if n := len(out); n > 0 && !out[n-1].code && out[n-1].bold == nil {
			out[n-1].text += t
			return
		}
		out = append(out, span{text: t})
	}
	for s != "" {
		i := strings.IndexAny(s, "`*")
		if i < 0 {
			plain(s)
			break
		}
		plain(s[:i])
		s = s[i:]
		switch {
		case s[0] == '`':
			if end := strings.IndexByte(s[1:], '`'); end > 0 {
				out = append(out, span{text: s[1 : 1+end], code: true})
				s = s[end+2:]
				continue
			}
		case boldAllowed && strings.HasPrefix(s, "**"):
			if end := strings.Index(s[2:], "**"); end > 0 {
				out = append(out, span{bold: parseRule(s[2:2+end], false)})
				s = s[end+4:]
				continue
			}
		}
		plain(s[:1])
		s = s[1:]
	}
	return out
}

// ruleHTML renders a rule text's marks as HTML, every piece of text escaped.
func ruleHTML(s string) template.HTML {
	var b strings.Builder
	writeHTMLSpans(&b, parseRule(s, true))
	return template.HTML(b.String()) // only escaped text and fixed tags
}

func writeHTMLSpans(b *strings.Builder, spans []span) {
	for _, sp := range spans {
		switch {
		case sp.code:
			b.WriteString("<code>" + template.HTMLEscapeString(sp.text) + "</code>")
		case sp.bold != nil:
			b.WriteString("<strong>")
			writeHTMLSpans(b, sp.bold)
			b.WriteString("</strong>")
		default:
			b.WriteString(template.HTMLEscapeString(sp.text))
		}
	}
}

// ruleMarkdown renders a rule text's marks as Markdown on one line: code spans and
// bold kept, every other character that Markdown would read escaped (mdEscape).
func ruleMarkdown(s string) string {
	var b strings.Builder
	writeMarkdownSpans(&b, parseRule(strings.Join(strings.Fields(s), " "), true))
	return b.String()
}

func writeMarkdownSpans(b *strings.Builder, spans []span) {
	for _, sp := range spans {
		switch {
		case sp.code:
			b.WriteString(mdCode(sp.text))
		case sp.bold != nil:
			b.WriteString("**")
			writeMarkdownSpans(b, sp.bold)
			b.WriteString("**")
		default:
			b.WriteString(mdEscape(sp.text))
		}
	}
}
