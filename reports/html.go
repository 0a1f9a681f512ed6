package reports

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/accessctk/accessctk/internal/verdict"
)

//go:embed report.html.tmpl
var htmlTemplateText string

// htmlMaxFindings bounds the findings shown per requirement; results.json has all.
const htmlMaxFindings = 20

// htmlTemplate is parsed once; a parse failure is a build defect that tests catch.
var htmlTemplate = template.Must(template.New("report.html").Funcs(template.FuncMap{"ruleHTML": ruleHTML}).Parse(htmlTemplateText))

type htmlView struct {
	R            *verdict.Results
	Must, Should map[string]int
	Outcomes     map[string]int
	Changed      map[string]int
	Started      string
	Duration     string
	Selection    string
	ScopeNote    string
	// Fixtures describes what the run did with the fixtures file (see FixtureLines).
	Fixtures      []string
	Areas         []string
	Statuses      []verdict.Status
	Changes       []verdict.Change
	Rows          []htmlRow
	Failing       []htmlRow
	ChangeSummary []htmlChange
	Config        []htmlKV
	// Exports set the variables the shown curl commands read tokens from.
	Exports []string
}

type htmlRow struct {
	verdict.RequirementResult
	StatusClass string
	Change      verdict.Change
	ChangeText  string
	Detailed    bool
	Shown       []verdict.Finding
	More        int
}

type htmlChange struct {
	Change verdict.Change
	Label  string
	Count  int
	// IDs are listed for every change but "unchanged", which is most of them.
	IDs []string
}

type htmlKV struct{ Key, Value string }

// Time formats a time for the report.
func (htmlView) Time(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// WriteHTML writes report.html: one self-contained file (inline CSS and script, a
// Content-Security-Policy that forbids any network load): the verdict, then every
// failure, error and warning with its rule text, expected vs observed, the redacted
// exchange and a curl command, then the run, the requirement table with filters by
// area, verdict and baseline change, and the scenarios. html/template escapes
// everything the results hold; the rule texts' Markdown is rendered by ruleHTML.
func WriteHTML(w io.Writer, r *verdict.Results) error {
	must, should := counts(r.Requirements)
	v := htmlView{
		R: r, Must: byName(must), Should: byName(should), Outcomes: byName(outcomeCounts(r.Scenarios)),
		Started:   htmlView{}.Time(r.Started),
		Duration:  (time.Duration(r.DurationMS * float64(time.Millisecond))).Round(time.Millisecond).String(),
		Selection: selectionText(r.Selection),
		ScopeNote: capitalize(scopeNote(r.Requirements)),
		Fixtures:  FixtureLines(r),
		Statuses:  verdict.Statuses(),
		Changes:   verdict.Changes(),
	}
	detailed := map[string]bool{}
	var curls []string
	for _, q := range failing(r) {
		detailed[q.ID] = true
		row := rowOf(r, q, true)
		v.Failing = append(v.Failing, row)
		curls = append(curls, curlsOf(row.Shown)...)
	}
	v.Exports = exportLines(r, curls)
	for _, q := range r.Requirements {
		if !slices.Contains(v.Areas, q.Area) {
			v.Areas = append(v.Areas, q.Area)
		}
		v.Rows = append(v.Rows, rowOf(r, q, detailed[q.ID]))
	}
	if b := r.Baseline; b != nil {
		v.Changed = byName(b.Counts)
		for _, ch := range verdict.Changes() {
			ids := changed(b, ch)
			c := htmlChange{Change: ch, Label: changeLabel(ch), Count: len(ids), IDs: ids}
			if ch == verdict.Unchanged {
				c.IDs = nil
			}
			v.ChangeSummary = append(v.ChangeSummary, c)
		}
	}
	keys := make([]string, 0, len(r.Config))
	for k := range r.Config {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v.Config = append(v.Config, htmlKV{k, r.Config[k]})
	}
	if err := htmlTemplate.Execute(w, v); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	return nil
}

func rowOf(r *verdict.Results, q verdict.RequirementResult, detailed bool) htmlRow {
	row := htmlRow{RequirementResult: q, StatusClass: strings.ReplaceAll(string(q.Status), " ", "-"), Detailed: detailed}
	if c, ok := r.Baseline.ChangeOf(q.ID); ok {
		row.Change = c.Change
		row.ChangeText = changeLabel(c.Change)
		if c.Before != "" && c.Before != c.After {
			row.ChangeText += fmt.Sprintf(", was %s", c.Before)
		}
	}
	row.Shown = q.Findings
	if len(row.Shown) > htmlMaxFindings {
		row.More = len(row.Shown) - htmlMaxFindings
		row.Shown = row.Shown[:htmlMaxFindings]
	}
	return row
}

// byName re-keys counts by plain strings, which templates can index.
func byName[K ~string](m map[K]int) map[string]int {
	out := map[string]int{}
	for k, n := range m {
		out[string(k)] = n
	}
	return out
}
