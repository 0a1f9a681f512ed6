package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/accessctk/accessctk/internal/verdict"
)

// Text writes the terminal summary. Color adds ANSI colours to verdicts; the caller
// decides (only on a terminal, never with NO_COLOR).
type Text struct {
	Color bool
}

// WriteText writes the terminal summary without colour.
func WriteText(w io.Writer, r *verdict.Results) error { return Text{}.Write(w, r) }

// Write writes the summary: what ran, each judged requirement, every failure with its
// evidence and a command to reproduce it, the changes against a baseline, and the
// verdict last.
func (t Text) Write(w io.Writer, r *verdict.Results) error {
	p := &printer{w: w}
	p.linef("%s %s: %s", r.Tool, r.Version, r.Catalogue)
	p.linef("Target: %s", r.Target)
	if sel := selectionText(r.Selection); sel != "" {
		p.linef("Selection: %s", sel)
	}
	p.linef("Scenarios: %s in %.2fs%s", scenarioCounts(r.Scenarios), r.DurationMS/1000, requestsText(r))
	for _, n := range r.Notes {
		p.linef("Note: %s", n)
	}
	for _, l := range FixtureLines(r) {
		p.linef("%s", l)
	}
	p.linef("")
	p.linef("Requirements:")
	var uncovered []string
	for _, q := range r.Requirements {
		if q.Status == verdict.NotCovered && q.Reason == verdict.NoScenarioReason {
			uncovered = append(uncovered, q.ID)
			continue
		}
		line := fmt.Sprintf("  %-11s %-6s %s", q.ID, q.Level, t.paint(q.Status, fmt.Sprintf("%-5s", q.Status)))
		if note := changeNote(r, q.ID); note != "" {
			line += note
		}
		if q.Reason != "" && q.Status != verdict.Pass {
			line += "  " + q.Reason
		}
		p.linef("%s", strings.TrimRight(line, " "))
	}
	if len(uncovered) > 0 {
		p.linef("  not covered, the suite has no scenario for them (%d): %s", len(uncovered), strings.Join(uncovered, " "))
	}
	t.writeFindings(p, r)
	writeBaseline(p, r)
	p.linef("")
	verdictLine := fmt.Sprintf("Verdict: %s (%s)", t.paintOverall(r.Overall), mustCounts(r.Requirements))
	if note := scopeNote(r.Requirements); note != "" {
		verdictLine += "; " + note
	}
	p.linef("%s", verdictLine)
	return p.err
}

// scopeNote says how many MUST rules the run did not judge, or "": a verdict on
// part of the catalogue must not read as a certification.
func scopeNote(rs []verdict.RequirementResult) string {
	outOfScope, notCovered := verdict.Unjudged(rs)
	var parts []string
	switch outOfScope {
	case 0:
	case 1:
		parts = append(parts, "1 MUST rule was outside this run's scope")
	default:
		parts = append(parts, fmt.Sprintf("%d MUST rules were outside this run's scope", outOfScope))
	}
	switch notCovered {
	case 0:
	case 1:
		parts = append(parts, "1 MUST rule was checked by nothing this run sent")
	default:
		parts = append(parts, fmt.Sprintf("%d MUST rules were checked by nothing this run sent", notCovered))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, " and ") + "; a certification (CONFORMANT) judges every MUST rule"
}

// textMaxFindings bounds the findings the summary shows per requirement.
const textMaxFindings = 3

func (t Text) writeFindings(p *printer, r *verdict.Results) {
	first := true
	var curls []string
	for _, q := range failing(r) {
		if q.Status != verdict.Error {
			curls = append(curls, curlsOf(shownFindings(q, textMaxFindings))...)
		}
	}
	for _, q := range failing(r) {
		if q.Status == verdict.Error {
			continue // an error has a reason, not findings: the requirement line says it
		}
		if first {
			p.linef("")
			p.linef("Findings:")
			if exports := exportLines(r, curls); len(exports) > 0 {
				p.linef("  The reproduce commands read each tenant's token from a shell variable; set them first:")
				for _, e := range exports {
					p.linef("    %s", e)
				}
			}
			first = false
		}
		p.linef("  %s %s %s%s: %s", q.ID, q.Level, t.paint(q.Status, string(q.Status)), changeNote(r, q.ID), q.Rule)
		for i, f := range q.Findings {
			if i == textMaxFindings {
				p.linef("    … and %d more findings (see the report files)", len(q.Findings)-textMaxFindings)
				break
			}
			flaky := ""
			if f.Flaky {
				flaky = " (flaky: not seen again on rerun)"
			}
			p.linef("    - %s%s", f.Message, flaky)
			if ex := f.Exchange; ex != nil {
				p.linef("      request:   %s %s -> %s", ex.Method, ex.URL, statusText(ex))
				p.linef("      reproduce: %s", ex.Curl)
			}
			for _, c := range f.Context {
				p.linef("      around it: %s %s -> %s", c.Method, c.URL, statusText(&c))
			}
		}
	}
}

func writeBaseline(p *printer, r *verdict.Results) {
	b := r.Baseline
	if b == nil {
		return
	}
	p.linef("")
	p.linef("Against the baseline %s (%s):", b.Source, b.BaselineOverall)
	for _, ch := range verdict.Changes() {
		if ch == verdict.Unchanged {
			p.linef("  %-14s %d", changeLabel(ch)+":", b.Counts[ch])
			continue
		}
		ids := changed(b, ch)
		p.linef("  %-14s %d %s", changeLabel(ch)+":", len(ids), strings.Join(ids, " "))
	}
}

// ANSI colours.
const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

func (t Text) paint(s verdict.Status, text string) string {
	if !t.Color {
		return text
	}
	switch s {
	case verdict.Pass:
		return green + text + reset
	case verdict.Fail, verdict.Error:
		return red + text + reset
	case verdict.Warn, verdict.Flaky:
		return yellow + text + reset
	}
	return text
}

func (t Text) paintOverall(o verdict.Overall) string {
	if !t.Color {
		return string(o)
	}
	c := yellow
	switch o {
	case verdict.Conformant:
		c = green
	case verdict.PassedPartial:
		c = cyan
	case verdict.NonConformant:
		c = red
	}
	return bold + c + string(o) + reset
}

func statusText(ex *verdict.Exchange) string {
	if ex.Error != "" {
		return "error: " + ex.Error
	}
	return fmt.Sprint(ex.Status)
}

func scenarioCounts(ss []verdict.Scenario) string {
	c := outcomeCounts(ss)
	return fmt.Sprintf("%d (%d passed, %d failed, %d errored, %d flaky, %d skipped)",
		len(ss), c[verdict.Passed], c[verdict.Failed], c[verdict.Errored], c[verdict.Flaked], c[verdict.Skipped])
}

func mustCounts(rs []verdict.RequirementResult) string {
	c, should := counts(rs)
	s := fmt.Sprintf("MUST: %d pass, %d fail, %d error, %d skip, %d not covered", c[verdict.Pass], c[verdict.Fail], c[verdict.Error], c[verdict.Skip], c[verdict.NotCovered])
	if c[verdict.Flaky] > 0 {
		s += fmt.Sprintf(", %d flaky", c[verdict.Flaky])
	}
	s += fmt.Sprintf("; SHOULD: %d pass, %d warn", should[verdict.Pass], should[verdict.Warn])
	if should[verdict.Flaky] > 0 {
		s += fmt.Sprintf(", %d flaky", should[verdict.Flaky])
	}
	return s
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) linef(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
}

// WriteComparison writes what changed against the baseline: each requirement whose
// class is not "unchanged" with its verdict before and now, then the counts.
func (t Text) WriteComparison(w io.Writer, r *verdict.Results) error {
	p := &printer{w: w}
	b := r.Baseline
	if b == nil {
		p.linef("no baseline to compare with")
		return p.err
	}
	p.linef("Baseline: %s (%s, %s)", b.Source, b.BaselineOverall, b.BaselineStarted.UTC().Format("2006-01-02 15:04 UTC"))
	p.linef("Now:      %s (%s, %s)", r.Target, t.paintOverall(r.Overall), r.Started.UTC().Format("2006-01-02 15:04 UTC"))
	for _, n := range r.Notes {
		p.linef("Note: %s", n)
	}
	for _, ch := range verdict.Changes() {
		if ch == verdict.Unchanged {
			continue
		}
		for _, c := range b.Requirements {
			if c.Change == ch {
				before := string(c.Before)
				if before == "" {
					before = "(absent)"
				}
				p.linef("  %-14s %-11s %s -> %s", changeLabel(ch), c.ID, before, t.paint(c.After, string(c.After)))
			}
		}
	}
	p.linef("")
	var parts []string
	for _, ch := range verdict.Changes() {
		parts = append(parts, fmt.Sprintf("%d %s", b.Counts[ch], changeLabel(ch)))
	}
	p.linef("Changes: %s", strings.Join(parts, ", "))
	return p.err
}
