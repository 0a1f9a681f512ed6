package cli

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/accessctk/accessctk/fuzz"
	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
)

// fuzzOptions are the options only fuzz has; the target's come from
// bindTargetFlags, as run's do.
type fuzzOptions struct {
	properties            []string
	seed                  uint64
	checks, maxDepth      int
	timeLimit, shrinkTime time.Duration
}

func newFuzzCommand(st *State) *cobra.Command {
	var (
		o          fuzzOptions
		flags      = config.Defaults()
		configPath string
	)
	cmd := &cobra.Command{
		Use:   "fuzz",
		Short: "Search the filter grammar for disagreements with the catalogue (SAM-FZ)",
		Long: `Check the SAM-FZ properties of the filter grammar with random expressions (rapid):

  SAM-FZ-01  random valid expressions built from the tenant's data return exactly what
             the oracle returns over a snapshot of the unfiltered list, ids and
             X-Total-Count
  SAM-FZ-02  the set algebra holds: a&b = b&a, a;b = b;a, a&b ⊆ a ⊆ a;b, absorption,
             a&b;a&c (a&(b;c) without parentheses), the createdAt order laws
  SAM-FZ-03  malformed expressions and random values never get a 5xx; a literal
             value on a text field matches only itself

Each property walks the unfiltered list right before it runs (its snapshot) and again
after; a change in between makes the run an error (exit 3). It only reads: safe for
any target. A counterexample is shrunk to a minimal expression and printed readable
and encoded, with the ids that differ and a command that replays it: the same seed
sends the same requests. --checks and --time-limit bound the search, --shrink-time
each shrink.

Without --target the embedded reference server is the target (--fault makes it
deliberately wrong, --data-seed picks its data set), as for 'accessctk run'. The
target's options (--target, --fixtures, TLS, --rps, --timeout, ...) are run's, and
so are their --config keys and ACCESSCTK_* variables; fuzz ignores the settings
only run has (tags, reports, ...), so one config file serves both.

Exit codes: 0 every property held, 1 a counterexample was found (or a paging rule
broke during the walks), 2 usage error, 3 not judged (target unreachable, fixtures
invalid, data changed under the run, or a property that no check could judge).`,
		Example: `  # The embedded reference server, then one of its deliberate faults
  accessctk fuzz
  accessctk fuzz --fault filter-eq-case-insensitive

  # A vendor server, a longer run, deeper expressions
  accessctk fuzz --target https://sam.example.com --fixtures fixtures.yaml --checks 5000 --max-depth 3

  # An https target with a private CA, at most 20 requests a second; or the same from a config file
  accessctk fuzz --target https://sam.example.com --fixtures fixtures.yaml --ca-cert ca.pem --rps 20
  accessctk fuzz --config nightly.yaml

  # Replay a counterexample: the command a failure prints
  accessctk fuzz --target https://sam.example.com --fixtures fixtures.yaml --property SAM-FZ-01 --seed 8812 --checks 1 --max-depth 2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, _, err := loadSettings(st, cmd.Flags(), configPath, flags)
			if err != nil {
				return usage(err)
			}
			return fuzzWith(cmd.Context(), st, s, o)
		},
	}
	f := cmd.Flags()
	bindTargetFlags(f, &flags, &configPath)
	f.IntVar(&o.checks, "checks", fuzz.DefaultChecks, "random checks per property")
	f.Uint64Var(&o.seed, "seed", 0, "the search's seed, rapid's (0: a random one, printed); the same seed sends the same requests")
	f.IntVar(&o.maxDepth, "max-depth", fuzz.DefaultMaxDepth, "AND/OR nesting of generated expressions")
	f.StringSliceVar(&o.properties, "property", nil, "properties to check: SAM-FZ-01, SAM-FZ-02, SAM-FZ-03 (default all)")
	f.DurationVar(&o.timeLimit, "time-limit", fuzz.DefaultTimeLimit, "bound on the whole search; properties share it")
	f.DurationVar(&o.shrinkTime, "shrink-time", fuzz.DefaultShrinkTime, "bound on shrinking each counterexample")
	return cmd
}

func fuzzWith(ctx context.Context, st *State, s config.Settings, o fuzzOptions) error {
	var props []fuzz.Property
	for _, name := range o.properties {
		p, err := fuzz.ParseProperty(strings.TrimSpace(name))
		if err != nil {
			return usage(fmt.Errorf("--property: %w", err))
		}
		props = append(props, p)
	}
	switch {
	case o.checks < 1:
		return usage(fmt.Errorf("--checks %d: want 1 or more", o.checks))
	case o.maxDepth < 1:
		return usage(fmt.Errorf("--max-depth %d: want 1 or more", o.maxDepth))
	case o.timeLimit <= 0 || o.shrinkTime <= 0:
		return usage(fmt.Errorf("--time-limit and --shrink-time must be positive"))
	}
	log := newLogger(st.Stderr, s.Verbose)
	// The embedded server logs every 500 it answers; a fuzz run provokes them on
	// purpose, so its log is shown only with --verbose.
	targetLog := slog.New(slog.DiscardHandler)
	if s.Verbose {
		targetLog = log
	}
	warnInsecure(st, s)
	ro := targetOptions(st, s)
	ro.Logger = targetLog
	tgt, err := runner.ResolveTarget(ctx, ro)
	if err != nil {
		return err
	}
	defer tgt.Close()
	q := &fuzz.ClientQuerier{
		Client: tgt.Client,
		Token:  tgt.Primary.Token, Tenant: tgt.Primary.Name, MaxPageSize: tgt.Fixtures.MaxPageSize, Raw: s.RawFilter,
	}
	fmt.Fprintf(st.Stdout, "target: %s, tenant %s\n", tgt.Describe, tgt.Primary.Name)
	rep, err := fuzz.Run(ctx, fuzz.Config{
		Querier: q, Properties: props, Checks: o.checks, Seed: o.seed, MaxDepth: o.maxDepth,
		TimeLimit: o.timeLimit, ShrinkTime: o.shrinkTime, Raw: s.RawFilter, ReplayCommand: replayCommand(s), Logger: log,
	})
	if rep != nil {
		if werr := rep.WriteText(st.Stdout); werr != nil {
			return werr
		}
	}
	if err != nil {
		return &runner.Error{Code: runner.ExitNotJudged, Err: fmt.Errorf("fuzz: %w", err)}
	}
	return fuzzExit(rep)
}

// fuzzExit maps a finished fuzz run to its exit status, as 'accessctk run' maps its
// verdict: a counterexample, or a MUST paging rule the walks saw broken, is 1; a
// property that judged nothing (no check reached a verdict, or a tenant of no access)
// is 3, never 0.
func fuzzExit(rep *fuzz.Report) error {
	if rep.Failed() || slices.ContainsFunc(rep.Findings, func(f fuzz.Finding) bool { return f.Level == verdict.Must }) {
		return &exitStatus{code: runner.ExitNonConformant}
	}
	for _, res := range rep.Results {
		if res.NotJudged() != "" {
			return &exitStatus{code: runner.ExitNotJudged}
		}
	}
	return nil
}

// replayCommand is the start of the command line a counterexample prints: the same
// target (or embedded server, faults and data set), TLS options and filter form.
func replayCommand(s config.Settings) string {
	parts := []string{"accessctk fuzz"}
	for _, opt := range []struct{ flag, value string }{
		{"--target", s.Target}, {"--fixtures", s.Fixtures},
		{"--ca-cert", s.CACert}, {"--client-cert", s.ClientCert}, {"--client-key", s.ClientKey},
	} {
		if opt.value != "" {
			parts = append(parts, opt.flag+" "+shellWord(opt.value))
		}
	}
	if s.InsecureSkipVerify {
		parts = append(parts, "--insecure-skip-verify")
	}
	for _, f := range s.Faults {
		parts = append(parts, "--fault "+shellWord(f))
	}
	if !s.VendorTarget() && s.DataSeed != config.Defaults().DataSeed {
		parts = append(parts, "--data-seed "+strconv.FormatInt(s.DataSeed, 10))
	}
	if s.RawFilter {
		parts = append(parts, "--raw-filter")
	}
	return strings.Join(parts, " ")
}

// shellWord quotes s for a POSIX shell when it holds anything but safe characters.
func shellWord(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
