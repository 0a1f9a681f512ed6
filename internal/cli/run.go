package cli

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/reports"
)

func newRunCommand(st *State) *cobra.Command {
	var (
		o       runner.Options
		verbose bool
	)
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the conformance suite and print the verdict",
		Long: `Run the conformance suite against a target and print a per-requirement summary
ending in the verdict.

Exit codes: 0 CONFORMANT, 1 NON-CONFORMANT, 2 usage or configuration error,
3 nothing judged (target unreachable, fixtures invalid) or INCOMPLETE.

Tokens never come from flags: the fixtures file names an environment variable
(tokenEnv) or a file (tokenFile) for each tenant.`,
		Example: `  # Certify the embedded reference server (no set-up needed)
  accessctk run

  # Certify your server; the fixtures name tenants, token sources and disposable accesses
  export ACCESSCTK_TOKEN=...      # as named by tokenEnv in the fixtures file
  accessctk run --target https://sam.example.com --fixtures fixtures.yaml

  # Production-safe: only read-only scenarios
  accessctk run --target https://sam.example.com --fixtures fixtures.yaml --readonly

  # One rule only
  accessctk run --tags @SAM-RD-03`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Getenv = st.Getenv
			o.Version = Version
			o.Logger = newLogger(st.Stderr, verbose)
			if o.Target == "" {
				o.Target = st.Getenv("ACCESSCTK_TARGET")
			}
			if o.FixturesPath == "" {
				o.FixturesPath = st.Getenv("ACCESSCTK_FIXTURES")
			}
			if o.Target == "" {
				// The embedded server's data is its own: nothing a vendor owns is at risk.
				o.Scope.AllowDestructive = true
			}
			res, err := runner.Run(cmd.Context(), o)
			if err != nil {
				return err
			}
			if err := reports.WriteText(st.Stdout, res); err != nil {
				return err
			}
			return &exitStatus{code: runner.ExitCode(res)}
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Target, "target", "", "base URL of the server under test (env ACCESSCTK_TARGET); empty runs the embedded reference server")
	f.StringVar(&o.FixturesPath, "fixtures", "", "fixtures file naming tenants, token sources and disposable accesses (env ACCESSCTK_FIXTURES)")
	f.StringVar(&o.SpecPath, "spec", "", "OpenAPI document to validate responses against (default: the embedded Skylark description)")
	f.StringVar(&o.Tags, "tags", "", "godog tag expression selecting scenarios, e.g. '@SAM-UP-06' or '@readonly && ~@SAM-CM-01'")
	f.BoolVar(&o.Scope.ReadOnly, "readonly", false, "run only @readonly scenarios (safe against production)")
	f.BoolVar(&o.Scope.AllowDestructive, "allow-destructive", false, "allow @destructive scenarios, which terminate fixture accesses for good")
	f.BoolVar(&o.Scope.RawFilter, "raw-filter", false, "send filter expressions unencoded, as the page's example shows")
	f.DurationVar(&o.RequestTimeout, "timeout", 10*time.Second, "time limit for each HTTP exchange")
	f.DurationVar(&o.TaskTimeout, "task-timeout", 60*time.Second, "time limit for each batch task to reach DONE, FAILED or REJECTED")
	f.StringSliceVar(&o.Faults, "fault", nil, "embedded reference server only: switch on a deliberate fault (see 'accessctk serve --list-faults')")
	f.Int64Var(&o.Seed, "seed", 1, "embedded reference server only: seed of its data set")
	f.BoolVarP(&verbose, "verbose", "v", false, "log debug detail to stderr")
	return cmd
}
