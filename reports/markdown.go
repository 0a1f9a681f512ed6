package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/accessctk/accessctk/internal/verdict"
)

// Limits that keep summary.md short enough for a PR comment or a CI step summary.
const (
	mdMaxRequirements = 20
	mdMaxFindings     = 2
	mdMaxMessage      = 300
	// mdMaxDetailLines bounds the lines shown under a multi-line message (a fuzz
	// counterexample's expressions, ids and replay command).
	mdMaxDetailLines = 8
	// mdMaxCurls is how many failures get their reproduction in the summary.
	mdMaxCurls = 3
)

// WriteMarkdown writes summary.md: the verdict, the counts, what changed against a
// baseline, and the failing, erroring and flaky requirements with their first
// findings, ready for a CI step summary or a pull-request comment.
func WriteMarkdown(w io.Writer, r *verdict.Results) error {
	p := &printer{w: w}
	p.linef("## accessctk: %s", r.Overall)
	if note := scopeNote(r.Requirements); note != "" {
		p.linef("")
		p.linef("**%s.**", mdText(capitalize(note)))
	}
	p.linef("")
	oc := outcomeCounts(r.Scenarios)
	p.linef("%s against %s · %d scenarios (%d passed, %d failed, %d errored, %d flaky, %d skipped) in %.1fs%s · accessctk %s",
		mdText(r.Catalogue), mdCode(r.Target), len(r.Scenarios), oc[verdict.Passed], oc[verdict.Failed], oc[verdict.Errored],
		oc[verdict.Flaked], oc[verdict.Skipped], r.DurationMS/1000, requestsText(r), mdText(r.Version))
	if r.Selection.Shard != "" || len(r.Selection.Shards) > 0 || r.Selection.Tags != "" {
		p.linef("")
		p.linef("Selection: %s", mdText(selectionText(r.Selection)))
	}
	p.linef("")
	must, should := counts(r.Requirements)
	p.linef("| | PASS | FAIL | ERROR | FLAKY | SKIP | NOT COVERED | WARN |")
	p.linef("|---|---:|---:|---:|---:|---:|---:|---:|")
	p.linef("| MUST | %d | %d | %d | %d | %d | %d | |", must[verdict.Pass], must[verdict.Fail], must[verdict.Error], must[verdict.Flaky], must[verdict.Skip], must[verdict.NotCovered])
	p.linef("| SHOULD | %d | | %d | %d | %d | %d | %d |", should[verdict.Pass], should[verdict.Error], should[verdict.Flaky], should[verdict.Skip], should[verdict.NotCovered], should[verdict.Warn])
	if b := r.Baseline; b != nil {
		p.linef("")
		p.linef("### Against the baseline")
		p.linef("")
		p.linef("Baseline %s (%s, %s).", mdCode(b.Source), b.BaselineOverall, b.BaselineStarted.UTC().Format("2006-01-02 15:04 UTC"))
		p.linef("")
		for _, ch := range verdict.Changes() {
			if ch == verdict.Unchanged {
				continue
			}
			ids := changed(b, ch)
			line := fmt.Sprintf("- **%s** (%d)", changeLabel(ch), len(ids))
			if len(ids) > 0 {
				line += ": " + mdText(strings.Join(ids, ", "))
			}
			p.linef("%s", line)
		}
	}
	writeMarkdownFindings(p, r)
	writeMarkdownReproductions(p, r)
	for _, n := range r.Notes {
		p.linef("")
		p.linef("> Note: %s", mdText(n))
	}
	for _, l := range FixtureLines(r) {
		p.linef("")
		p.linef("> %s", mdText(l))
	}
	p.linef("")
	p.linef("The full report, with every finding's rule, exchange and reproduction, is `report.html` beside this file (and `results.json` for machines).")
	return p.err
}

// writeMarkdownReproductions gives the curl commands of the first failures (the
// first finding of each of the first mdMaxCurls requirements that have one), after
// the lines that set the tokens they read.
func writeMarkdownReproductions(p *printer, r *verdict.Results) {
	var shown []verdict.Finding
	var ids []string
	for _, q := range failing(r) {
		if len(shown) == mdMaxCurls {
			break
		}
		for _, f := range q.Findings {
			if f.Exchange != nil && f.Exchange.Curl != "" {
				shown, ids = append(shown, f), append(ids, q.ID)
				break
			}
		}
	}
	if len(shown) == 0 {
		return
	}
	p.linef("")
	p.linef("### Reproduce the first failures")
	if exports := exportLines(r, curlsOf(shown)); len(exports) > 0 {
		p.linef("")
		p.linef("Set each tenant's token once (the commands read it from a shell variable):")
		p.linef("")
		mdBlock(p, strings.Join(exports, "\n"))
	}
	for i, f := range shown {
		p.linef("")
		p.linef("**%s**: %s", ids[i], mdText(clip(firstLine(f.Message), mdMaxMessage)))
		p.linef("")
		mdBlock(p, f.Exchange.Curl)
	}
}

// mdBlock writes text as a fenced sh block, the fence longer than any backtick run
// in it.
func mdBlock(p *printer, text string) {
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	p.linef("%ssh", fence)
	p.linef("%s", text)
	p.linef("%s", fence)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

func writeMarkdownFindings(p *printer, r *verdict.Results) {
	list := failing(r)
	if len(list) == 0 {
		return
	}
	p.linef("")
	p.linef("### Requirements to look at")
	p.linef("")
	for i, q := range list {
		if i == mdMaxRequirements {
			p.linef("- … and %d more (see report.html)", len(list)-i)
			break
		}
		note := ""
		if n := changeNote(r, q.ID); n != "" {
			note = " " + mdText(n)
		}
		p.linef("- **%s** %s **%s**%s: %s", q.ID, q.Level, q.Status, note, ruleMarkdown(q.Rule))
		if q.Reason != "" {
			p.linef("  - %s", mdText(clip(q.Reason, mdMaxMessage)))
		}
		for j, f := range q.Findings {
			if j == mdMaxFindings {
				p.linef("  - … and %d more findings", len(q.Findings)-j)
				break
			}
			// A multi-line message (a fuzz counterexample) keeps its lines: joined into
			// one, its expressions, ids and replay command ran together.
			lines := strings.Split(strings.TrimSpace(f.Message), "\n")
			line := "  - " + mdText(clip(lines[0], mdMaxMessage))
			if f.Flaky {
				line += " _(flaky: not seen again on rerun)_"
			}
			if ex := f.Exchange; ex != nil {
				line += " · " + mdCode(fmt.Sprintf("%s %s → %s", ex.Method, ex.URL, statusText(ex)))
			}
			switch n := len(f.Context); n {
			case 0:
			case 1:
				line += " (and the exchange around it in report.html)"
			default:
				line += fmt.Sprintf(" (and %d exchanges around it in report.html)", n)
			}
			p.linef("%s", line)
			for k, detail := range lines[1:] {
				if k == mdMaxDetailLines {
					p.linef("    - … (%d more lines in report.html)", len(lines)-1-k)
					break
				}
				if detail = strings.TrimSpace(detail); detail != "" {
					p.linef("    - %s", mdText(clip(detail, mdMaxMessage)))
				}
			}
		}
	}
}

func changed(b *verdict.Comparison, ch verdict.Change) []string {
	var ids []string
	for _, c := range b.Requirements {
		if c.Change == ch {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

func selectionText(s verdict.Selection) string {
	var parts []string
	if s.Tags != "" {
		parts = append(parts, "tags "+s.Tags)
	}
	if s.Shard != "" {
		parts = append(parts, "shard "+s.Shard)
	}
	if len(s.Shards) > 0 {
		parts = append(parts, "merged shards "+strings.Join(s.Shards, ", "))
	}
	if s.RerunFailed > 0 {
		parts = append(parts, fmt.Sprintf("failed scenarios rerun up to %d times", s.RerunFailed))
	}
	return strings.Join(parts, "; ")
}

// capitalize upper-cases the first letter of an ASCII sentence.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// mdText escapes what Markdown (and the HTML GitHub allows in it) would interpret,
// and keeps the text on one line.
func mdText(s string) string {
	return mdEscape(strings.Join(strings.Fields(s), " "))
}

// mdEscape is mdText for a piece of a line: its spaces are kept as they are.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '#', '~', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode renders s as inline code, with a fence longer than any backtick run in it.
func mdCode(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	return fence + " " + s + " " + fence
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
