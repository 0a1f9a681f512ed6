package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/reports"
)

func newReportCommand(st *State) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Work on recorded results: compare with a baseline, merge shards, re-render",
		Long: `Work on results.json files written by earlier runs, without running anything.
Every input is checked against the results schema first (reports/results.schema.json).`,
		Example: `  accessctk report diff last-night/results.json tonight/results.json
  accessctk report merge shard-1/results.json shard-2/results.json --out merged
  accessctk report render accessctk-report/results.json --out html-only --format html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newDiffCommand(st), newMergeCommand(st), newRenderCommand(st))
	return cmd
}

// reportFlags are the output flags the report subcommands share with run.
type reportFlags struct {
	s config.Settings
}

func (r *reportFlags) bind(f *pflag.FlagSet, out string, withBaseline bool) {
	r.s = config.Defaults()
	r.s.Out = out
	f.StringVar(&r.s.Out, "out", r.s.Out, "directory for the report files")
	f.StringSliceVar(&r.s.Formats, "format", r.s.Formats, "report files to write: json, junit, cucumber, html, markdown, all or none (comma-separated)")
	f.BoolVarP(&r.s.Quiet, "quiet", "q", false, "print nothing but errors")
	f.BoolVar(&r.s.JSON, "json", false, "print the results JSON on stdout instead of the summary")
	if withBaseline {
		f.StringVar(&r.s.Baseline, "baseline", "", "results.json of an earlier run to compare with")
		f.StringVar(&r.s.FailOn, "fail-on", config.FailOnNonConformant, "what exits 1: nonconformant (the verdict) or regression (only new failures against --baseline)")
	}
}

func newDiffCommand(st *State) *cobra.Command {
	var rf reportFlags
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "Classify each requirement of NEW against OLD: new failure, fixed, still failing, unchanged",
		Long: `Compare two results.json files requirement by requirement, as 'run --baseline OLD'
does: new failure (FAIL now, not before), fixed (FAIL before, PASS or WARN now),
still failing, unverified (FAIL before, not judged now) or unchanged.

Exit codes: 1 when there is a new failure, 0 otherwise, 2 for unreadable input.
With --out, NEW is also written in every --format with the comparison in it.`,
		Example: `  accessctk report diff last-night/results.json tonight/results.json
  accessctk report diff old.json new.json --out diff-report --format html,markdown
  accessctk report diff old.json new.json --json | jq '.baseline.counts'`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			oldRes, err := reports.ReadResultsFile(args[0])
			if err != nil {
				return usage(err)
			}
			newRes, err := reports.ReadResultsFile(args[1])
			if err != nil {
				return usage(err)
			}
			reports.AttachBaseline(newRes, oldRes, args[0])
			if cmd.Flags().Changed("out") {
				formats, err := reports.ParseFormats(rf.s.Formats)
				if err != nil {
					return usage(fmt.Errorf("--format: %w", err))
				}
				if _, err := reports.WriteAll(rf.s.Out, formats, newRes); err != nil {
					return usage(err)
				}
			}
			switch {
			case rf.s.JSON:
				err = reports.WriteJSON(st.Stdout, newRes)
			case !rf.s.Quiet:
				err = reports.Text{Color: st.colour(st.Stdout)}.WriteComparison(st.Stdout, newRes)
			}
			if err != nil {
				return err
			}
			code := runner.ExitConformant
			if len(reports.NewFailures(newRes)) > 0 {
				code = runner.ExitNonConformant
			}
			return &exitStatus{code: code}
		},
	}
	rf.bind(cmd.Flags(), "", false)
	return cmd
}

func newMergeCommand(st *State) *cobra.Command {
	var rf reportFlags
	cmd := &cobra.Command{
		Use:   "merge RESULTS...",
		Short: "Join the results.json of shards (or of disjoint runs) and judge them as one run",
		Long: `Join the results.json files of the shards of one run ('run --shard i/n', all n of
them) or of runs over disjoint scenarios, judge the joined scenarios again against the
catalogue, write the reports and print the summary, as 'run' does. The inputs must
come from the same catalogue, spec and feature files; a missing or repeated shard and
a scenario present twice are errors.

The joined verdict is judged again: shards that together judged every MUST rule are
CONFORMANT, as the whole run would be; otherwise PASSED-PARTIAL at best.

Exit codes as for 'run': 0 CONFORMANT or PASSED-PARTIAL, 1 NON-CONFORMANT (or, with
--fail-on regression, a new failure against --baseline), 2 bad input, 3 INCOMPLETE.`,
		Example: `  # CI: four jobs ran 'accessctk run --shard i/4 --out shard-i'
  accessctk report merge shard-*/results.json --out accessctk-report

  # ... and compare the whole with last night's
  accessctk report merge shard-*/results.json --baseline nightly/results.json --fail-on regression`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := rf.s.Validate(); err != nil {
				return usage(err)
			}
			out, err := newOutput(st, rf.s)
			if err != nil {
				return usage(err)
			}
			parts := make([]*verdict.Results, len(args))
			for i, path := range args {
				if parts[i], err = reports.ReadResultsFile(path); err != nil {
					return usage(err)
				}
			}
			merged, err := reports.Merge(verdict.Skylark(), parts, args)
			if err != nil {
				return usage(err)
			}
			return out.finish(merged)
		},
	}
	rf.bind(cmd.Flags(), config.DefaultOut, true)
	return cmd
}

func newRenderCommand(st *State) *cobra.Command {
	var rf reportFlags
	cmd := &cobra.Command{
		Use:   "render RESULTS",
		Short: "Write the report files (HTML, JUnit, ...) of a recorded results.json again",
		Long: `Render a results.json into the other formats, unchanged: the verdicts, the findings
and any baseline comparison are the recorded ones.`,
		Example: `  accessctk report render accessctk-report/results.json --out again
  accessctk report render results.json --format html,markdown --out review`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := reports.ReadResultsFile(args[0])
			if err != nil {
				return usage(err)
			}
			formats, err := reports.ParseFormats(rf.s.Formats)
			if err != nil {
				return usage(fmt.Errorf("--format: %w", err))
			}
			paths, err := reports.WriteAll(rf.s.Out, formats, res)
			if err != nil {
				return usage(err)
			}
			if rf.s.JSON {
				return reports.WriteJSON(st.Stdout, res)
			}
			if !rf.s.Quiet {
				for _, p := range paths {
					fmt.Fprintln(st.Stdout, p)
				}
			}
			return nil
		},
	}
	rf.bind(cmd.Flags(), config.DefaultOut, false)
	return cmd
}
