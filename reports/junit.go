package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/accessctk/accessctk/internal/verdict"
)

// The JUnit XML shape (junit.xsd beside this file): testsuites > testsuite per
// feature > testcase per scenario, classname = the requirement area.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Stamp    string       `xml:"timestamp,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Stamp      string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes junit.xml for CI systems: one testcase per scenario, grouped in
// one testsuite per feature. classname is the area of the scenario's first
// requirement ("SAM-RD"); a failure's message names the rule and what was observed.
// Errored scenarios are <error>, skipped ones <skipped>, and flaky ones a <failure>
// of type "flaky": a flaky scenario is not counted as a pass. The run's notes (e.g.
// that TLS verification was skipped) are in every testsuite, as properties
// accessctk.note.1, .2, ... and as its <system-out>, the part CI pages show.
func WriteJUnit(w io.Writer, r *verdict.Results) error {
	rules := map[string]verdict.RequirementResult{}
	for _, q := range r.Requirements {
		rules[q.ID] = q
	}
	doc := junitSuites{Name: fmt.Sprintf("%s %s: %s", r.Tool, r.Overall, r.Catalogue), Time: seconds(r.DurationMS), Stamp: stamp(r)}
	byFeature := map[string]int{}
	names := caseNames(r.Scenarios)
	for k, s := range r.Scenarios {
		i, ok := byFeature[s.Feature]
		if !ok {
			i = len(doc.Suites)
			byFeature[s.Feature] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: s.Feature, Stamp: stamp(r), Properties: runProperties(r), SystemOut: notesText(r)})
		}
		suite := &doc.Suites[i]
		c := junitCaseOf(r, s, rules)
		c.Name = names[k]
		suite.Tests++
		switch {
		case c.Failure != nil:
			suite.Failures++
		case c.Error != nil:
			suite.Errors++
		case c.Skipped != nil:
			suite.Skipped++
		}
		suite.Cases = append(suite.Cases, c)
	}
	for i := range doc.Suites {
		s := &doc.Suites[i]
		var ms float64
		for _, sc := range r.Scenarios {
			if sc.Feature == s.Name {
				ms += sc.Duration
			}
		}
		s.Time = seconds(ms)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitCaseOf(r *verdict.Results, s verdict.Scenario, rules map[string]verdict.RequirementResult) junitCase {
	c := junitCase{
		Name:      s.Name,
		Classname: classname(s),
		Time:      seconds(s.Duration),
		File:      "features/skylark/" + s.Feature + ".feature",
		Line:      s.Line,
	}
	switch s.Outcome {
	case verdict.Failed, verdict.Flaked:
		msg := failureMessage(r, s, rules)
		typ := "failure"
		if s.Outcome == verdict.Flaked {
			msg = "FLAKY (" + attemptsText(s) + "): " + msg
			typ = "flaky"
		}
		c.Failure = &junitMessage{Message: msg, Type: typ, Text: evidenceText(r, s, rules)}
	case verdict.Errored:
		c.Error = &junitMessage{Message: "the harness could not judge: " + oneLine(s.Message), Type: "harness", Text: evidenceText(r, s, rules)}
	case verdict.Skipped:
		c.Skipped = &junitMessage{Message: oneLine(s.Message)}
	}
	return c
}

// junitMaxExample bounds the Outline row values a testcase name carries: every row
// of the suite's features fits whole (the longest, a batch body, is 130 bytes).
const junitMaxExample = 160

// caseNames gives every scenario a testcase name of its own: CI tools key testcases
// by name and merge those that share one, and an Outline's rows share the Outline's
// name when it names no placeholder. A name that others share gets the row's values
// (an Outline row), then its feature line if two are still alike.
func caseNames(ss []verdict.Scenario) []string {
	names := make([]string, len(ss))
	count := map[string]int{}
	for _, s := range ss {
		count[s.Name]++
	}
	for i, s := range ss {
		names[i] = s.Name
		if count[s.Name] > 1 && s.Example != "" {
			names[i] += " [" + clip(s.Example, junitMaxExample) + "]"
		}
	}
	clear(count)
	for _, n := range names {
		count[n]++
	}
	seen := map[string]bool{}
	for i, s := range ss {
		if count[names[i]] > 1 && s.Line > 0 {
			names[i] += fmt.Sprintf(" (%s.feature:%d)", s.Feature, s.Line)
		}
		base := names[i]
		for n := 2; seen[names[i]]; n++ {
			names[i] = fmt.Sprintf("%s #%d", base, n)
		}
		seen[names[i]] = true
	}
	return names
}

// plainRule is a rule text as one plain sentence without its final period: the
// catalogue's Markdown marks (backticks, bold) mean nothing in a CI tool's message.
func plainRule(rule string) string {
	rule = strings.NewReplacer("**", "", "`", "").Replace(rule)
	return strings.TrimRight(oneLine(rule), ". ")
}

// oneLine is the first line of s, trimmed: message attributes are one line, and the
// whole text is in the testcase's body.
func oneLine(s string) string {
	line, rest, more := strings.Cut(strings.TrimSpace(s), "\n")
	line = strings.TrimSpace(line)
	if more && strings.TrimSpace(rest) != "" {
		line += " (…)"
	}
	return line
}

// classname is the area of the scenario's first requirement, e.g. "SAM-RD".
func classname(s verdict.Scenario) string {
	for _, id := range s.Requirements {
		if i := strings.LastIndex(id, "-"); i > 0 {
			return id[:i]
		}
	}
	return "skylark." + s.Feature
}

// failureMessage is one line: the first broken rule and what was observed.
func failureMessage(r *verdict.Results, s verdict.Scenario, rules map[string]verdict.RequirementResult) string {
	if len(s.Findings) == 0 {
		return oneLine(s.Message)
	}
	f := s.Findings[0]
	q := rules[f.Requirement]
	msg := fmt.Sprintf("%s %s%s: %s. Observed: %s", f.Requirement, f.Level, changeNote(r, f.Requirement), plainRule(q.Rule), oneLine(f.Message))
	if n := len(s.Findings) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more findings)", n)
	}
	return msg
}

// evidenceText is the failure body: every finding with its rule, the redacted
// exchange and a curl command.
func evidenceText(r *verdict.Results, s verdict.Scenario, rules map[string]verdict.RequirementResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Scenario: %s (%s)\n", s.Name, s.ID)
	if s.Message != "" {
		fmt.Fprintf(&b, "%s\n", s.Message)
	}
	if exports := exportLines(r, curlsOf(s.Findings)); len(exports) > 0 {
		fmt.Fprintf(&b, "\nThe reproduce commands read each tenant's token from a shell variable; set them first:\n%s\n", strings.Join(exports, "\n"))
	}
	for _, f := range s.Findings {
		q := rules[f.Requirement]
		fmt.Fprintf(&b, "\n%s %s%s: %s\n  observed: %s\n", f.Requirement, f.Level, changeNote(r, f.Requirement), q.Rule, f.Message)
		if ex := f.Exchange; ex != nil {
			fmt.Fprintf(&b, "\n%s\n  reproduce:\n%s\n", ex.Transcript, ex.Curl)
		}
		for _, c := range f.Context {
			fmt.Fprintf(&b, "\n  around it:\n%s\n  reproduce:\n%s\n", c.Transcript, c.Curl)
		}
	}
	return b.String()
}

func attemptsText(s verdict.Scenario) string {
	var parts []string
	for i, a := range s.Attempts {
		parts = append(parts, fmt.Sprintf("attempt %d %s", i+1, a.Outcome))
	}
	return strings.Join(parts, ", ")
}

// runProperties describe the run: the verdict and, with a baseline, what changed.
func runProperties(r *verdict.Results) []junitProperty {
	ps := []junitProperty{
		{Name: "accessctk.verdict", Value: string(r.Overall)},
		{Name: "accessctk.version", Value: r.Version},
		{Name: "accessctk.catalogue", Value: r.Catalogue},
		{Name: "accessctk.target", Value: r.Target},
	}
	if r.Selection.Shard != "" {
		ps = append(ps, junitProperty{Name: "accessctk.shard", Value: r.Selection.Shard})
	}
	// Numbered rather than repeated: readers that keep properties in a map would
	// otherwise keep only the last note.
	for i, n := range r.Notes {
		ps = append(ps, junitProperty{Name: fmt.Sprintf("accessctk.note.%d", i+1), Value: n})
	}
	if b := r.Baseline; b != nil {
		ps = append(ps, junitProperty{Name: "accessctk.baseline", Value: b.Source})
		for _, ch := range verdict.Changes() {
			var ids []string
			for _, c := range b.Requirements {
				if c.Change == ch {
					ids = append(ids, c.ID)
				}
			}
			if ch != verdict.Unchanged {
				ps = append(ps, junitProperty{Name: "accessctk.baseline." + string(ch), Value: strings.Join(ids, " ")})
			}
		}
	}
	return ps
}

// notesText is the run's notes, one "Note: " line each.
func notesText(r *verdict.Results) string {
	var b strings.Builder
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "Note: %s\n", n)
	}
	return b.String()
}

func seconds(ms float64) string { return fmt.Sprintf("%.3f", ms/1000) }

func stamp(r *verdict.Results) string { return r.Started.UTC().Format("2006-01-02T15:04:05") }
