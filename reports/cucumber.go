package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/accessctk/accessctk/internal/verdict"
)

// The Cucumber JSON shape, as cucumber's json formatter writes it and report tools
// (cucumber-html-reporter, Jenkins and Azure plugins) read it.
type cukeFeature struct {
	URI         string        `json:"uri"`
	ID          string        `json:"id"`
	Keyword     string        `json:"keyword"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Line        int           `json:"line"`
	Tags        []cukeTag     `json:"tags"`
	Elements    []cukeElement `json:"elements"`
}

type cukeTag struct {
	Name string `json:"name"`
	Line int    `json:"line"`
}

type cukeElement struct {
	ID          string     `json:"id"`
	Keyword     string     `json:"keyword"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Line        int        `json:"line"`
	Type        string     `json:"type"`
	Tags        []cukeTag  `json:"tags"`
	Steps       []cukeStep `json:"steps"`
}

type cukeStep struct {
	Keyword string     `json:"keyword"`
	Name    string     `json:"name"`
	Line    int        `json:"line"`
	Match   cukeMatch  `json:"match"`
	Result  cukeResult `json:"result"`
	Output  []string   `json:"output,omitempty"`
}

type cukeMatch struct {
	Location string `json:"location"`
}

type cukeResult struct {
	Status   string `json:"status"`
	Duration int64  `json:"duration"`
	Error    string `json:"error_message,omitempty"`
}

// WriteCucumber writes cucumber.json from the result model (not godog's formatter,
// which does not support concurrent scenarios). A flaky scenario keeps its failed
// first attempt's steps and carries the tag @flaky; the failing step's output holds
// the findings with their redacted exchanges and curl commands. Step lines are not
// recorded by the harness and are given as the scenario's line. The run's notes (e.g.
// that TLS verification was skipped) are every feature's description, one "Note: "
// line each: the format has no place for the run as a whole, and report tools show a
// feature's description.
func WriteCucumber(w io.Writer, r *verdict.Results) error {
	features := []cukeFeature{}
	index := map[string]int{}
	for _, s := range r.Scenarios {
		i, ok := index[s.Feature]
		if !ok {
			i = len(features)
			index[s.Feature] = i
			features = append(features, cukeFeature{
				URI: "features/skylark/" + s.Feature + ".feature", ID: slug(s.Feature), Keyword: "Feature",
				Name: s.Feature, Description: strings.TrimSuffix(notesText(r), "\n"), Line: 1, Tags: []cukeTag{}, Elements: []cukeElement{},
			})
		}
		features[i].Elements = append(features[i].Elements, cukeElementOf(r, s))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(features)
}

func cukeElementOf(r *verdict.Results, s verdict.Scenario) cukeElement {
	e := cukeElement{
		ID: slug(s.Feature) + ";" + slug(s.Name) + ";" + slug(s.ID), Keyword: "Scenario", Name: s.Name,
		Line: s.Line, Type: "scenario", Tags: []cukeTag{}, Steps: []cukeStep{},
	}
	for _, t := range s.Tags {
		e.Tags = append(e.Tags, cukeTag{Name: t, Line: max(s.Line-1, 0)})
	}
	switch s.Outcome {
	case verdict.Flaked:
		e.Tags = append(e.Tags, cukeTag{Name: "@flaky", Line: max(s.Line-1, 0)})
		e.Description = "FLAKY: " + s.Message
	case verdict.Errored:
		e.Description = "ERROR (the harness could not judge): " + s.Message
	case verdict.Skipped:
		e.Description = "SKIPPED: " + s.Message
	}
	failedAt := -1
	for i, st := range s.Steps {
		if st.Status == "failed" && failedAt < 0 {
			failedAt = i
		}
		e.Steps = append(e.Steps, cukeStep{
			Keyword: st.Keyword, Name: st.Text, Line: s.Line,
			Match:  cukeMatch{Location: "steps"},
			Result: cukeResult{Status: st.Status, Duration: int64(st.DurationMS * 1e6), Error: st.Error},
		})
	}
	if failedAt >= 0 && len(s.Findings) > 0 {
		rules := map[string]verdict.RequirementResult{}
		for _, q := range r.Requirements {
			rules[q.ID] = q
		}
		for _, f := range s.Findings {
			out := fmt.Sprintf("%s %s%s: %s\nobserved: %s", f.Requirement, f.Level, changeNote(r, f.Requirement), rules[f.Requirement].Rule, f.Message)
			if ex := f.Exchange; ex != nil {
				out += "\n\n" + ex.Transcript + "\nreproduce:\n" + ex.Curl
			}
			e.Steps[failedAt].Output = append(e.Steps[failedAt].Output, out)
		}
	}
	return e
}

// slug lowercases and joins words with "-", as cucumber ids do.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
