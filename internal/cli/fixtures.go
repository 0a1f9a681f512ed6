package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/reports"
	"github.com/accessctk/accessctk/steps"
)

func newFixturesCommand(st *State) *cobra.Command {
	flags := config.Defaults()
	var configPath string
	cmd := &cobra.Command{
		Use:   "fixtures",
		Short: "Print how many fixtures a run needs and, given a target, which listed ones are usable",
		Long: `Print, for the selection a run would make (--tags, --shard, --readonly,
--allow-destructive), the fewest usable fixtures of each role it needs and how many a
run uses up. Given a target (--target and --fixtures, or --fixtures whose baseURL
names it) it also reads every listed fixture, as a run's preflight does, and says
which are usable now and why the others are not (terminated, suspended, not found,
another tenant's). It changes nothing.

A run makes the same check before its first change and stops with exit code 3 when
too few usable fixtures remain. Fixtures that a scenario changes are given back as
they were (a status change is restored through the API and verified by a read);
only terminations use fixtures up, so one fixtures file lasts many runs.

Exit codes: 0 enough fixtures (or no target given), 2 usage error, 3 too few usable
fixtures, or the target could not be read.`,
		Example: `  # What a full certification needs
  accessctk fixtures --allow-destructive

  # Which of my fixtures are usable tonight, and for how many more runs
  accessctk fixtures --target https://sam.example.com --fixtures fixtures.yaml --allow-destructive`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, _, err := loadSettings(st, cmd.Flags(), configPath, flags)
			if err != nil {
				return usage(err)
			}
			shard, _ := config.ParseShard(s.Shard) // validated by loadSettings
			if s.Shard == "" {
				shard = config.Shard{}
			}
			o := targetOptions(st, s)
			o.SpecPath, o.Tags, o.Shard = s.Spec, s.Tags, shard
			o.Scope = steps.Scope{ReadOnly: s.ReadOnly, AllowDestructive: s.AllowDestructive}
			o.Logger, o.Concurrency = newLogger(st.Stderr, s.Verbose), s.Concurrency
			check, err := runner.CheckFixtures(cmd.Context(), o)
			if err != nil {
				return err
			}
			printFixtureCheck(st.Stdout, check, s)
			if check.Short != nil {
				return &exitStatus{code: runner.ExitNotJudged}
			}
			return nil
		},
	}
	bindTargetFlags(cmd.Flags(), &flags, &configPath)
	bindRunFlags(cmd.Flags(), &flags)
	return cmd
}

func printFixtureCheck(w io.Writer, c *runner.FixtureCheck, s config.Settings) {
	var scope []string
	if s.Tags != "" {
		scope = append(scope, fmt.Sprintf("--tags %q", s.Tags))
	}
	if s.Shard != "" {
		scope = append(scope, "--shard "+s.Shard)
	}
	if s.ReadOnly {
		scope = append(scope, "--readonly")
	}
	if s.AllowDestructive {
		scope = append(scope, "--allow-destructive")
	} else if !s.ReadOnly {
		scope = append(scope, "no --allow-destructive: terminations are not run")
	}
	fmt.Fprintf(w, "Selection: %d scenarios (%s)\n\n", c.Scenarios, strings.Join(scope, ", "))
	fmt.Fprintln(w, "What the selection needs of each fixture role (usable fixtures, read before anything changes):")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  role\tminimum\tused up per run\twhy")
	for _, n := range c.Needs {
		fmt.Fprintf(tw, "  accesses.%s\t%d\t%d\t%s\n", n.Role, n.Minimum, n.Consumed, n.Explain())
	}
	_ = tw.Flush()
	if c.Target == "" {
		fmt.Fprintln(w, "\nGive --target and --fixtures to check which of your fixtures are usable now.")
		return
	}
	fmt.Fprintf(w, "\nTarget: %s\n", c.Target)
	printFixtureReport(w, c.Report)
	for _, n := range c.Notes {
		fmt.Fprintln(w, "Note:", n)
	}
	if c.Short != nil {
		fmt.Fprintf(w, "\nNOT ENOUGH FIXTURES: %v\n", c.Short)
	}
}

// printFixtureReport prints the fixtures' counts by role, the fixtures that are not
// usable or were not given back, and how many runs the rest last.
func printFixtureReport(w io.Writer, r *verdict.FixtureReport) {
	if r == nil {
		return
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  role\tlisted\tusable\tneeded\tused up\tquarantined\tleft")
	for _, role := range r.Roles {
		fmt.Fprintf(tw, "  accesses.%s\t%d\t%d\t%d\t%d\t%d\t%d\n", role.Role, role.Listed, role.Usable, role.Minimum, role.Consumed, role.Quarantined, role.Left)
	}
	_ = tw.Flush()
	for _, group := range []struct {
		title string
		notes []verdict.FixtureNote
	}{{"Not usable (skipped)", r.Unusable}, {"Used up", r.Consumed}, {"Quarantined (not given back as they were)", r.Quarantined}} {
		if len(group.notes) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s:\n", group.title)
		for _, n := range group.notes {
			fmt.Fprintf(w, "  accesses.%s %q: %s\n", n.Role, n.ID, n.Reason)
		}
	}
	fmt.Fprintln(w, reports.RunsLeftSentence(r))
}
