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
	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
)

type fuzzOptions struct {
	target, fixtures      string
	faults, properties    []string
	dataSeed              int64
	seed                  uint64
	checks, maxDepth      int
	timeLimit, shrinkTime time.Duration
	timeout               time.Duration
	raw, verbose          bool
}

func newFuzzCommand(st *State) *cobra.Command {
	var o fuzzOptions
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
deliberately wrong, --data-seed picks its data set), as for 'accessctk run'.

Exit codes: 0 every property held, 1 a counterexample was found (or a paging rule
broke during the walks), 2 usage error, 3 not judged (target unreachable, fixtures
invalid, data changed under the run, or a property that no check could judge).`,
		Example: `  # The embedded reference server, then one of its deliberate faults
  accessctk fuzz
  accessctk fuzz --fault filter-eq-case-insensitive

  # A vendor server, a longer run, deeper expressions
  accessctk fuzz --target https://sam.example.com --fixtures fixtures.yaml --checks 5000 --max-depth 3

  # Replay a counterexample: the command a failure prints
  accessctk fuzz --target https://sam.example.com --fixtures fixtures.yaml --property SAM-FZ-01 --seed 8812 --checks 1 --max-depth 2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return fuzzWith(cmd.Context(), st, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.target, "target", "", "base URL of the server under test (env ACCESSCTK_TARGET); empty fuzzes the embedded reference server")
	f.StringVar(&o.fixtures, "fixtures", "", "fixtures file naming the tenants and their token sources (env ACCESSCTK_FIXTURES)")
	f.StringSliceVar(&o.faults, "fault", nil, "embedded reference server only: switch on a deliberate fault (see 'accessctk serve --list-faults')")
	f.Int64Var(&o.dataSeed, "data-seed", 1, "embedded reference server only: seed of its data set")
	f.IntVar(&o.checks, "checks", fuzz.DefaultChecks, "random checks per property")
	f.Uint64Var(&o.seed, "seed", 0, "rapid's seed (0: a random one, printed); the same seed sends the same requests")
	f.IntVar(&o.maxDepth, "max-depth", fuzz.DefaultMaxDepth, "AND/OR nesting of generated expressions")
	f.StringSliceVar(&o.properties, "property", nil, "properties to check: SAM-FZ-01, SAM-FZ-02, SAM-FZ-03 (default all)")
	f.DurationVar(&o.timeLimit, "time-limit", fuzz.DefaultTimeLimit, "bound on the whole search; properties share it")
	f.DurationVar(&o.shrinkTime, "shrink-time", fuzz.DefaultShrinkTime, "bound on shrinking each counterexample")
	f.DurationVar(&o.timeout, "timeout", 10*time.Second, "time limit for each HTTP exchange")
	f.BoolVar(&o.raw, "raw-filter", false, "send filter expressions unencoded, as the page's example shows")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "log debug detail (rapid's draws included) to stderr")
	return cmd
}

func fuzzWith(ctx context.Context, st *State, o fuzzOptions) error {
	if o.target == "" {
		o.target = st.Getenv("ACCESSCTK_TARGET")
	}
	if o.fixtures == "" {
		o.fixtures = st.Getenv("ACCESSCTK_FIXTURES")
	}
	var props []fuzz.Property
	for _, s := range o.properties {
		p, err := fuzz.ParseProperty(strings.TrimSpace(s))
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
	log := newLogger(st.Stderr, o.verbose)
	// The embedded server logs every 500 it answers; a fuzz run provokes them on
	// purpose, so its log is shown only with --verbose.
	targetLog := slog.New(slog.DiscardHandler)
	if o.verbose {
		targetLog = log
	}
	tgt, err := runner.ResolveTarget(ctx, runner.Options{
		Target: o.target, FixturesPath: o.fixtures, Faults: o.faults, Seed: o.dataSeed,
		RequestTimeout: o.timeout, Getenv: st.Getenv, Version: Version, Logger: targetLog,
	})
	if err != nil {
		return err
	}
	defer tgt.Close()
	q := &fuzz.ClientQuerier{
		Client: tgt.Client,
		Token:  tgt.Primary.Token, Tenant: tgt.Primary.Name, MaxPageSize: tgt.Fixtures.MaxPageSize, Raw: o.raw,
	}
	fmt.Fprintf(st.Stdout, "target: %s, tenant %s\n", tgt.Describe, tgt.Primary.Name)
	rep, err := fuzz.Run(ctx, fuzz.Config{
		Querier: q, Properties: props, Checks: o.checks, Seed: o.seed, MaxDepth: o.maxDepth,
		TimeLimit: o.timeLimit, ShrinkTime: o.shrinkTime, Raw: o.raw, ReplayCommand: replayCommand(o), Logger: log,
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
// target (or embedded server, faults and data set) and filter form.
func replayCommand(o fuzzOptions) string {
	parts := []string{"accessctk fuzz"}
	if o.target != "" {
		parts = append(parts, "--target "+shellWord(o.target), "--fixtures "+shellWord(o.fixtures))
	}
	for _, f := range o.faults {
		parts = append(parts, "--fault "+shellWord(f))
	}
	if o.target == "" && o.dataSeed != 1 {
		parts = append(parts, "--data-seed "+strconv.FormatInt(o.dataSeed, 10))
	}
	if o.raw {
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
