// Package reports renders judged results for people and machines: the terminal
// summary, and (later) JUnit XML, Cucumber JSON, results JSON, HTML and Markdown,
// all from the one result model of package verdict.
package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/accessctk/accessctk/internal/verdict"
)

// WriteText writes the terminal summary: what ran, each judged requirement, every
// failure with its evidence and a command to reproduce it, and the verdict last.
func WriteText(w io.Writer, r *verdict.Results) error {
	p := &printer{w: w}
	p.linef("%s %s: %s", r.Tool, r.Version, r.Catalogue)
	p.linef("Target: %s", r.Target)
	p.linef("Scenarios: %s in %.2fs", scenarioCounts(r.Scenarios), r.DurationMS/1000)
	for _, n := range r.Notes {
		p.linef("Note: %s", n)
	}
	p.linef("")
	p.linef("Requirements:")
	var uncovered []string
	for _, q := range r.Requirements {
		if q.Status == verdict.NotCovered {
			uncovered = append(uncovered, q.ID)
			continue
		}
		line := fmt.Sprintf("  %-11s %-6s %s", q.ID, q.Level, q.Status)
		if q.Reason != "" && q.Status != verdict.Pass {
			line += "  " + q.Reason
		}
		p.linef("%s", line)
	}
	if len(uncovered) > 0 {
		p.linef("  not covered by any scenario yet (%d): %s", len(uncovered), strings.Join(uncovered, " "))
	}
	writeFindings(p, r)
	p.linef("")
	p.linef("Verdict: %s (%s)", r.Overall, mustCounts(r.Requirements))
	return p.err
}

func writeFindings(p *printer, r *verdict.Results) {
	first := true
	for _, q := range r.Requirements {
		if q.Status != verdict.Fail && q.Status != verdict.Warn {
			continue
		}
		if first {
			p.linef("")
			p.linef("Findings:")
			first = false
		}
		p.linef("  %s %s %s: %s", q.ID, q.Level, q.Status, q.Rule)
		for i, f := range q.Findings {
			if i == 3 {
				p.linef("    … and %d more findings (see the report files)", len(q.Findings)-3)
				break
			}
			p.linef("    - %s", f.Message)
			if ex := f.Exchange; ex != nil {
				p.linef("      request:   %s %s -> %s", ex.Method, ex.URL, statusText(ex))
				p.linef("      reproduce: %s", ex.Curl)
			}
		}
	}
}

func statusText(ex *verdict.Exchange) string {
	if ex.Error != "" {
		return "error: " + ex.Error
	}
	return fmt.Sprint(ex.Status)
}

func scenarioCounts(ss []verdict.Scenario) string {
	c := map[verdict.Outcome]int{}
	for _, s := range ss {
		c[s.Outcome]++
	}
	return fmt.Sprintf("%d (%d passed, %d failed, %d errored, %d skipped)",
		len(ss), c[verdict.Passed], c[verdict.Failed], c[verdict.Errored], c[verdict.Skipped])
}

func mustCounts(rs []verdict.RequirementResult) string {
	c := map[verdict.Status]int{}
	should := map[verdict.Status]int{}
	for _, r := range rs {
		if r.Level == verdict.Must {
			c[r.Status]++
		} else {
			should[r.Status]++
		}
	}
	return fmt.Sprintf("MUST: %d pass, %d fail, %d error, %d skip, %d not covered; SHOULD: %d pass, %d warn",
		c[verdict.Pass], c[verdict.Fail], c[verdict.Error], c[verdict.Skip], c[verdict.NotCovered],
		should[verdict.Pass], should[verdict.Warn])
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
