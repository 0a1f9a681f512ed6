package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/reports"
)

// output is what a command does with judged results: compare them with a baseline,
// write the report files, print the summary or the JSON, and choose the exit code.
type output struct {
	st           *State
	dir          string
	formats      []reports.Format
	baseline     *verdict.Results
	baselinePath string
	failOn       string
	quiet, json  bool
}

// newOutput checks everything about the output before a run starts: the formats, the
// baseline file and the report directory, so a mistake costs no run.
func newOutput(st *State, s config.Settings) (*output, error) {
	formats, err := reports.ParseFormats(s.Formats)
	if err != nil {
		return nil, fmt.Errorf("--format: %w", err)
	}
	o := &output{st: st, dir: s.Out, formats: formats, baselinePath: s.Baseline, failOn: s.FailOn, quiet: s.Quiet, json: s.JSON}
	if s.Baseline != "" {
		if o.baseline, err = reports.ReadResultsFile(s.Baseline); err != nil {
			return nil, fmt.Errorf("--baseline: %w", err)
		}
	}
	if len(formats) > 0 {
		if s.Out == "" {
			return nil, fmt.Errorf("--out is empty: name a directory for the reports, or use --format none")
		}
		if err := ensureDir(s.Out); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func (o *output) finish(res *verdict.Results) error {
	if o.baseline != nil {
		reports.AttachBaseline(res, o.baseline, o.baselinePath)
	}
	werr := o.writeFiles(res, !o.quiet)
	var perr error
	switch {
	case o.json:
		perr = reports.WriteJSON(o.st.Stdout, res)
	case !o.quiet:
		perr = reports.Text{Color: o.st.colour(o.st.Stdout)}.Write(o.st.Stdout, res)
	}
	if werr != nil {
		return usage(werr)
	}
	if perr != nil {
		return fmt.Errorf("print results: %w", perr)
	}
	return &exitStatus{code: o.exitCode(res)}
}

// writeFiles writes the report files and, when tell, says where.
func (o *output) writeFiles(res *verdict.Results, tell bool) error {
	paths, err := reports.WriteAll(o.dir, o.formats, res)
	if tell && len(paths) > 0 {
		names := make([]string, len(paths))
		for i, p := range paths {
			names[i] = filepath.Base(p)
		}
		fmt.Fprintf(o.st.Stderr, "Reports in %s: %s\n", o.dir, strings.Join(names, ", "))
	}
	return err
}

func (o *output) exitCode(res *verdict.Results) int {
	if o.failOn == config.FailOnRegression {
		if len(reports.NewFailures(res)) > 0 {
			return runner.ExitNonConformant
		}
		return runner.ExitConformant
	}
	return runner.ExitCode(res)
}
