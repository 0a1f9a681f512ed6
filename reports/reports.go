// Package reports renders judged results for people and machines, all from the one
// result model of package verdict: the terminal summary, results.json (the versioned
// machine record and baseline, schema in results.schema.json), junit.xml, cucumber.json,
// a self-contained report.html and summary.md. It also holds what works on recorded
// results: reading them back, comparing a run with a baseline, and merging shards.
package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/accessctk/accessctk/internal/verdict"
)

// Writer renders results in one format.
type Writer interface {
	Write(w io.Writer, r *verdict.Results) error
}

// WriterFunc adapts a function to Writer.
type WriterFunc func(io.Writer, *verdict.Results) error

// Write calls f.
func (f WriterFunc) Write(w io.Writer, r *verdict.Results) error { return f(w, r) }

// Format is one report file a run can write.
type Format struct {
	// Name is what --format accepts.
	Name string
	// File is the file's name in the report directory.
	File   string
	Writer Writer
}

// Formats lists every file format, in the order they are written.
func Formats() []Format {
	return []Format{
		{Name: "json", File: "results.json", Writer: WriterFunc(WriteJSON)},
		{Name: "junit", File: "junit.xml", Writer: WriterFunc(WriteJUnit)},
		{Name: "cucumber", File: "cucumber.json", Writer: WriterFunc(WriteCucumber)},
		{Name: "html", File: "report.html", Writer: WriterFunc(WriteHTML)},
		{Name: "markdown", File: "summary.md", Writer: WriterFunc(WriteMarkdown)},
	}
}

// ErrUnknownFormat marks a --format name that is not a format.
var ErrUnknownFormat = errors.New("unknown report format")

// ParseFormats resolves --format values: format names or file names, "all" for every
// format, "none" for no file. Order and repeats do not matter.
func ParseFormats(names []string) ([]Format, error) {
	want := map[string]bool{}
	for _, n := range names {
		for _, part := range strings.Split(n, ",") {
			if part = strings.ToLower(strings.TrimSpace(part)); part != "" {
				want[part] = true
			}
		}
	}
	if want["none"] {
		if len(want) > 1 {
			return nil, fmt.Errorf("%w: \"none\" cannot be combined with other formats", ErrUnknownFormat)
		}
		return nil, nil
	}
	all := Formats()
	var out []Format
	for _, f := range all {
		if want["all"] || want[f.Name] || want[f.File] || (f.Name == "markdown" && want["md"]) {
			out = append(out, f)
		}
		delete(want, f.Name)
		delete(want, f.File)
	}
	delete(want, "all")
	delete(want, "md")
	if len(want) > 0 {
		var bad []string
		for n := range want {
			bad = append(bad, n)
		}
		slices.Sort(bad)
		var names []string
		for _, f := range all {
			names = append(names, f.Name)
		}
		return nil, fmt.Errorf("%w %s: want %s, all or none", ErrUnknownFormat, strings.Join(bad, ", "), strings.Join(names, ", "))
	}
	return out, nil
}

// WriteAll writes each format into dir (created if needed) and returns the paths
// written. Each file is written whole or not at all, so a reader never sees half a
// report.
func WriteAll(dir string, formats []Format, r *verdict.Results) ([]string, error) {
	if len(formats) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report directory: %w", err)
	}
	var paths []string
	for _, f := range formats {
		var buf bytes.Buffer
		if err := f.Writer.Write(&buf, r); err != nil {
			return paths, fmt.Errorf("render %s: %w", f.File, err)
		}
		path := filepath.Join(dir, f.File)
		if err := writeFileAtomic(path, buf.Bytes()); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// failing lists the requirements a report details: FAIL, ERROR, FLAKY, then WARN,
// each group in catalogue order.
func failing(r *verdict.Results) []verdict.RequirementResult {
	var out []verdict.RequirementResult
	for _, st := range []verdict.Status{verdict.Fail, verdict.Error, verdict.Flaky, verdict.Warn} {
		for _, q := range r.Requirements {
			if q.Status == st {
				out = append(out, q)
			}
		}
	}
	return out
}

// changeNote returns " (new failure)" and the like for a requirement when the
// results carry a baseline comparison and the change is worth saying.
func changeNote(r *verdict.Results, id string) string {
	c, ok := r.Baseline.ChangeOf(id)
	if !ok || c.Change == verdict.Unchanged {
		return ""
	}
	return " (" + changeLabel(c.Change) + ")"
}

func changeLabel(c verdict.Change) string { return strings.ReplaceAll(string(c), "-", " ") }

// counts tallies requirement verdicts by level.
func counts(rs []verdict.RequirementResult) (must, should map[verdict.Status]int) {
	must, should = map[verdict.Status]int{}, map[verdict.Status]int{}
	for _, r := range rs {
		if r.Level == verdict.Must {
			must[r.Status]++
		} else {
			should[r.Status]++
		}
	}
	return must, should
}

func outcomeCounts(ss []verdict.Scenario) map[verdict.Outcome]int {
	c := map[verdict.Outcome]int{}
	for _, s := range ss {
		c[s.Outcome]++
	}
	return c
}

// exportLines are the shell lines that set the variables the given curl commands
// read their tokens from, one per tenant, in the order of r.Credentials: what a
// reader runs once before pasting the commands. A variable no line can set (the
// embedded reference server's tokens lived only in its run) gets a comment saying so.
func exportLines(r *verdict.Results, curls []string) []string {
	var out []string
	for _, c := range r.Credentials {
		ref := "${" + c.Variable + "}"
		if !slices.ContainsFunc(curls, func(s string) bool { return strings.Contains(s, ref) }) {
			continue
		}
		line := c.Setup
		if line == "" {
			line = fmt.Sprintf("# %s: the token of tenant %s lived only in that run (the embedded reference server); run against 'accessctk serve' to reproduce", c.Variable, c.Tenant)
		}
		out = append(out, line)
	}
	return out
}

// shownFindings are the findings a report details for a requirement: the first max.
func shownFindings(q verdict.RequirementResult, max int) []verdict.Finding {
	if len(q.Findings) > max {
		return q.Findings[:max]
	}
	return q.Findings
}

// curlsOf lists the curl commands of findings, their context's included.
func curlsOf(fs []verdict.Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Exchange != nil && f.Exchange.Curl != "" {
			out = append(out, f.Exchange.Curl)
		}
		for _, c := range f.Context {
			if c.Curl != "" {
				out = append(out, c.Curl)
			}
		}
	}
	return out
}
