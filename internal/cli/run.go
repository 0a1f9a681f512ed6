package cli

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/reference"
	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/steps"
)

func newRunCommand(st *State) *cobra.Command {
	flags := config.Defaults()
	var configPath string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the conformance suite, write the reports and print the verdict",
		Long: `Run the conformance suite against a target, write the reports into --out and print a
per-requirement summary ending in the verdict.

Settings come in layers, each overriding the one before: defaults, the --config YAML
file (or ACCESSCTK_CONFIG), ACCESSCTK_* environment variables (ACCESSCTK_TARGET,
ACCESSCTK_FIXTURES, ACCESSCTK_TAGS, ACCESSCTK_FORMAT, ACCESSCTK_FAIL_ON, ... one per
flag), then flags. The file's keys are the flags' names in camelCase (target,
fixtures, tags, readonly, allowDestructive, timeout, taskTimeout, out, format,
dataSeed, baseline, failOn, rerunFailed, shard, quiet, json, verbose, ...); a mistake
in it is reported with its line and key. Options that contradict each other
(--readonly with --allow-destructive; --data-seed, --fault or --chaos with a
server of yours) are usage errors.

Without --target, the fixtures' baseURL is the target; without both, the embedded
reference server is.

--tags selects scenarios: '&&' is AND, ',' is OR, '~' before a tag is NOT, no
parentheses (',' binds loosest). Cucumber's '@readonly and not @SAM-CM-01' is
'@readonly && ~@SAM-CM-01' here. It is checked before anything is sent.

Tokens never come from flags or the config file: the fixtures file names an
environment variable (tokenEnv) or a file (tokenFile) for each tenant.

Reports (--format, default all): results.json (the machine record and baseline,
schema in reports/results.schema.json), junit.xml, cucumber.json, report.html (one
self-contained file) and summary.md (for a CI step summary or a PR comment).

--rerun-failed N runs failed or errored scenarios again, up to N times. A scenario
that then passes is FLAKY: its first attempt's findings stay in the reports, and the
requirements they name are FLAKY, never PASS. A FLAKY MUST makes the run INCOMPLETE.

--shard i/n runs the scenarios whose id hashes to shard i of n, so CI can spread a
run over n jobs; 'accessctk report merge' joins their results.json.

Exit codes: 0 CONFORMANT or PASSED-PARTIAL, 1 NON-CONFORMANT, 2 usage or
configuration error, 3 nothing judged (target unreachable, fixtures invalid) or
INCOMPLETE. Only a run that judged every MUST rule is CONFORMANT: --readonly, no
--allow-destructive, --tags, --shard or a --spec that documents none of the
operations leave rules unjudged, and such a run that found nothing wrong is
PASSED-PARTIAL (exit 0). A gate that needs a certification checks the word. With
--fail-on regression: 1 only when a requirement fails that did not fail in the
--baseline run, else 0.`,
		Example: `  # Certify the embedded reference server (no set-up needed)
  accessctk run

  # Certify your server; the fixtures name tenants, token sources and disposable accesses
  export ACCESSCTK_TOKEN=...      # as named by tokenEnv in the fixtures file
  accessctk run --target https://sam.example.com --fixtures fixtures.yaml

  # Production-safe: only read-only scenarios
  accessctk run --target https://sam.example.com --fixtures fixtures.yaml --readonly

  # One rule only, only the HTML report
  accessctk run --tags @SAM-RD-03 --format html

  # Nightly: compare with last night, fail only on new failures, rerun flakes twice
  accessctk run --config nightly.yaml --baseline last/results.json --fail-on regression --rerun-failed 2

  # CI: job 2 of 4, quiet, results JSON on stdout
  accessctk run --shard 2/4 --out shard-2 --quiet --json > shard-2.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, configPath, err := loadSettings(st, cmd.Flags(), configPath, flags)
			if err != nil {
				return usage(err)
			}
			return runWith(cmd, st, s, configPath)
		},
	}
	bindTargetFlags(cmd.Flags(), &flags, &configPath)
	bindRunFlags(cmd.Flags(), &flags)
	return cmd
}

// bindTargetFlags binds the options of every command that talks to a target (run
// and fuzz): which server, how to reach it, and the embedded reference server's data
// and faults. One binding, so both commands take the same flags with the same
// meaning, the same --config keys and the same ACCESSCTK_* variables.
func bindTargetFlags(f *pflag.FlagSet, s *config.Settings, configPath *string) {
	f.StringVar(configPath, "config", "", "YAML file of settings (env ACCESSCTK_CONFIG); flags and ACCESSCTK_* variables override it")
	f.StringVar(&s.Target, "target", s.Target, "base URL of the server under test (env ACCESSCTK_TARGET); without it and --fixtures, the embedded reference server")
	f.StringVar(&s.Fixtures, "fixtures", s.Fixtures, "fixtures file naming tenants, token sources and disposable accesses (env ACCESSCTK_FIXTURES); without --target its baseURL is the target")
	f.DurationVar(&s.Timeout, "timeout", s.Timeout, "time limit for each HTTP exchange")
	f.Float64Var(&s.RPS, "rps", s.RPS, "at most this many requests per second to the target, retries included (0: no limit)")
	f.StringVar(&s.CACert, "ca-cert", s.CACert, "PEM file of CA certificates to trust for an https target, besides the system's")
	f.StringVar(&s.ClientCert, "client-cert", s.ClientCert, "PEM client certificate for a target that requires mutual TLS (with --client-key)")
	f.StringVar(&s.ClientKey, "client-key", s.ClientKey, "PEM key of --client-cert")
	f.BoolVar(&s.InsecureSkipVerify, "insecure-skip-verify", s.InsecureSkipVerify, "accept any TLS certificate from the target (every report then carries a warning)")
	f.BoolVar(&s.RawFilter, "raw-filter", s.RawFilter, "send filter expressions unencoded, as the page's example shows")
	f.StringSliceVar(&s.Faults, "fault", s.Faults, "embedded reference server only: switch on a deliberate fault (see 'accessctk serve --list-faults')")
	f.Int64Var(&s.DataSeed, "data-seed", s.DataSeed, "embedded reference server only: seed of its data set")
	f.IntVar(&s.BulkAccesses, "bulk-accesses", s.BulkAccesses, "embedded reference server only: add this many plain accesses to its primary tenant (about 530 without), to see what a large tenant costs")
	f.BoolVarP(&s.Verbose, "verbose", "v", s.Verbose, "log debug detail to stderr")
}

// bindRenamedFlag binds a flag's old name to the same variable, hidden; loadSettings
// reads it as the new one and says it is deprecated.
func bindRenamedFlag(f *pflag.FlagSet, old, to string) {
	f.AddFlag(&pflag.Flag{Name: old, Usage: "deprecated: use --" + to, Value: f.Lookup(to).Value, DefValue: f.Lookup(to).DefValue, Hidden: true,
		Annotations: map[string][]string{renamedTo: {to}}})
}

// renamedTo annotates a deprecated flag with its new name.
const renamedTo = "accessctk-renamed-to"

func bindRunFlags(f *pflag.FlagSet, s *config.Settings) {
	f.StringVar(&s.Spec, "spec", s.Spec, "OpenAPI document to validate responses against (default: the embedded Skylark description)")
	f.StringVar(&s.Tags, "tags", s.Tags, "scenarios to run, by tag: '&&' is AND, ',' is OR, '~' is NOT, no parentheses, e.g. '@SAM-UP-06', '@SAM-RD-01,@SAM-RD-02' or '@readonly && ~@SAM-CM-01'; checked before the run starts")
	f.BoolVar(&s.ReadOnly, "readonly", s.ReadOnly, "run only @readonly scenarios (safe against production; not with --allow-destructive)")
	f.BoolVar(&s.AllowDestructive, "allow-destructive", s.AllowDestructive, "allow @destructive scenarios, which terminate fixture accesses for good")
	f.DurationVar(&s.TaskTimeout, "task-timeout", s.TaskTimeout, "time limit for each batch task to reach DONE, FAILED or REJECTED")
	bindRenamedFlag(f, "seed", "data-seed")
	f.StringVar(&s.Out, "out", s.Out, "directory for the report files")
	f.StringSliceVar(&s.Formats, "format", s.Formats, "report files to write: json, junit, cucumber, html, markdown, all or none (comma-separated)")
	f.StringVar(&s.Baseline, "baseline", s.Baseline, "results.json of an earlier run: classify each requirement as new failure, fixed, still failing or unchanged")
	f.StringVar(&s.FailOn, "fail-on", s.FailOn, "what exits 1: nonconformant (the verdict) or regression (only new failures against --baseline)")
	f.IntVar(&s.RerunFailed, "rerun-failed", s.RerunFailed, "run failed scenarios again up to N times; one that then passes is reported FLAKY")
	f.StringVar(&s.Shard, "shard", s.Shard, "run only shard i of n of the scenarios (i/n, e.g. 2/4), chosen by a stable hash of each scenario id")
	f.BoolVarP(&s.Quiet, "quiet", "q", s.Quiet, "print no progress and no summary (reports are still written; errors still go to stderr)")
	f.BoolVar(&s.JSON, "json", s.JSON, "print the results JSON on stdout instead of the summary")
	f.StringVar(&s.Transcripts, "transcripts", s.Transcripts, "which scenarios keep their full HTTP exchanges (headers, bodies, curl) in results.json: failed (every scenario that failed, errored, flaked or warned; a passing one keeps one line per request) or all")
	f.BoolVar(&s.FullWalks, "full-walks", s.FullWalks, "walk the whole tenant at every page size (a nightly depth); by default walks in pages of 1 and 7 over a tenant of more than 64 accesses cover a few dozen chosen from its data")
	f.DurationVar(&s.RunTimeout, "run-timeout", s.RunTimeout, "time limit for the whole run; when it passes, what did not finish is ERROR and the verdict INCOMPLETE")
	f.IntVar(&s.Concurrency, "concurrency", s.Concurrency, "scenarios run at once; scenarios that change data never overlap those that read it, and 1 runs them one after another (fixtures are read with as many requests at once)")
	f.StringVar(&s.Chaos, "chaos", s.Chaos, "embedded reference server only: make it unreliable (slow, reset, garbage, huge, hang, ratelimit, redirect-loop)")
}

// loadSettings layers the settings: defaults, the config file (--config, else
// ACCESSCTK_CONFIG), the environment, then the flags the user set. It prints what is
// deprecated to stderr and refuses settings that contradict each other. It returns
// the config file's path too, for the report.
func loadSettings(st *State, fs *pflag.FlagSet, configPath string, flags config.Settings) (config.Settings, string, error) {
	if configPath == "" {
		configPath = st.Getenv(config.EnvPrefix + "CONFIG")
	}
	l := config.NewLayers()
	if configPath != "" {
		if err := l.File(configPath); err != nil {
			return l.Settings, configPath, fmt.Errorf("config %w", err)
		}
	}
	if err := l.Env(st.Getenv); err != nil {
		return l.Settings, configPath, err
	}
	changed, err := changedFlags(st, fs)
	if err != nil {
		return l.Settings, configPath, err
	}
	l.Flags(flags, changed)
	for _, note := range l.Notes {
		warn(st, note)
	}
	return l.Settings, configPath, l.Check()
}

func warn(st *State, note string) { fmt.Fprintf(st.Stderr, "accessctk: warning: %s\n", note) }

// changedFlags reports which flags the user set, counting a deprecated name (see
// bindRenamedFlag) as the flag it was renamed to, and warns that it is deprecated.
func changedFlags(st *State, fs *pflag.FlagSet) (func(string) bool, error) {
	set := map[string]bool{}
	var err error
	fs.Visit(func(f *pflag.Flag) {
		to, renamed := f.Annotations[renamedTo]
		if !renamed {
			set[f.Name] = true
			return
		}
		if fs.Changed(to[0]) {
			err = fmt.Errorf("--%s is the deprecated name of --%s: give only --%s", f.Name, to[0], to[0])
		}
		warn(st, fmt.Sprintf("--%s is deprecated: use --%s", f.Name, to[0]))
		set[to[0]] = true
	})
	return func(name string) bool { return set[name] }, err
}

func runWith(cmd *cobra.Command, st *State, s config.Settings, configPath string) error {
	out, err := newOutput(st, s)
	if err != nil {
		return usage(err)
	}
	shard, _ := config.ParseShard(s.Shard) // validated by loadSettings
	if s.Shard == "" {
		shard = config.Shard{}
	}
	o := targetOptions(st, s)
	o.SpecPath, o.Tags = s.Spec, s.Tags
	o.Scope = steps.Scope{ReadOnly: s.ReadOnly, AllowDestructive: s.AllowDestructive, RawFilter: s.RawFilter}
	o.TaskTimeout, o.Logger = s.TaskTimeout, newLogger(st.Stderr, s.Verbose)
	o.Shard, o.RerunFailed, o.FullTranscripts = shard, s.RerunFailed, s.Transcripts == config.TranscriptsAll
	o.FullWalks = s.FullWalks
	o.RunTimeout, o.Concurrency = s.RunTimeout, s.Concurrency
	o.Chaos = reference.Chaos{Mode: reference.ChaosMode(s.Chaos)}
	warnInsecure(st, s)
	if !s.VendorTarget() {
		// The embedded server's data is its own: nothing a vendor owns is at risk.
		o.Scope.AllowDestructive = true
	}
	var p *progress
	if !s.Quiet {
		p = newProgress(st.Stderr, st.terminal(st.Stderr))
		o.Progress = p.event
	}
	started := time.Now()
	res, err := runner.Run(cmd.Context(), o)
	if p != nil {
		p.done()
	}
	var coded *runner.Error
	if errors.As(err, &coded) && coded.Code == runner.ExitNotJudged && cmd.Context().Err() == nil {
		// Nothing was judged, but a CI gate still gets its report files saying why;
		// the one line of the error is all a person needs to read.
		nj := runner.NotJudgedResults(o, err, started)
		nj.Config = s.Redact().Map()
		if werr := out.writeFiles(nj, false); werr != nil {
			fmt.Fprintf(st.Stderr, "accessctk: %v\n", werr)
		}
		return err
	}
	if err != nil {
		return err
	}
	res.Config = s.Redact().Map()
	if configPath != "" {
		res.Config["config"] = configPath
	}
	return out.finish(res)
}

// targetOptions are the runner options bindTargetFlags sets.
func targetOptions(st *State, s config.Settings) runner.Options {
	return runner.Options{
		Target: s.Target, FixturesPath: s.Fixtures, Faults: s.Faults, Seed: s.DataSeed, BulkAccesses: s.BulkAccesses,
		RequestTimeout: s.Timeout, RPS: s.RPS, Getenv: st.Getenv, Version: Version,
		TLS: target.TLSFiles{CACert: s.CACert, ClientCert: s.ClientCert, ClientKey: s.ClientKey, InsecureSkipVerify: s.InsecureSkipVerify},
	}
}

func warnInsecure(st *State, s config.Settings) {
	if s.InsecureSkipVerify {
		fmt.Fprintln(st.Stderr, "accessctk: WARNING: --insecure-skip-verify: the target's TLS certificate is NOT verified; the run cannot show it talked to the real target")
	}
}

// ensureDir fails early, before a long run, when the report directory cannot be made.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report directory: %w", err)
	}
	return nil
}
