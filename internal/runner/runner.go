// Package runner performs one conformance run: it resolves the target (a vendor URL
// or the embedded reference server), loads the spec and fixtures, checks fixture
// preconditions, runs the godog suite and judges the results.
package runner

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/accessctk/accessctk/features"
	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/reference"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/spec"
	"github.com/accessctk/accessctk/steps"
)

// Exit codes, as DESIGN.md defines them for CI gates. ExitConformant is also the
// code of a PASSED-PARTIAL run: nothing it judged failed, and a gate that needs a
// certification reads the verdict word, not the code.
const (
	ExitConformant    = 0
	ExitNonConformant = 1
	ExitUsage         = 2
	ExitNotJudged     = 3
)

// Error carries the exit code a failure to run maps to.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func usageError(format string, args ...any) error {
	return &Error{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

func notJudged(err error) error { return &Error{Code: ExitNotJudged, Err: err} }

// Options configure one run.
type Options struct {
	// Target is the base URL of the server under test; empty means the embedded
	// reference server.
	Target string
	// FixturesPath names the fixtures file; required with Target. Without Target,
	// the fixtures' baseURL is the target.
	FixturesPath string
	// SpecPath overrides the embedded OpenAPI description.
	SpecPath string
	// Tags is a godog tag expression selecting scenarios (e.g. "@SAM-UP-06").
	Tags  string
	Scope steps.Scope
	// RequestTimeout bounds each HTTP exchange.
	RequestTimeout time.Duration
	// TaskTimeout bounds the wait for each batch task to end; zero means 60 s.
	TaskTimeout time.Duration
	// Faults switches on deliberate deviations of the embedded reference server.
	Faults []string
	// TaskStepDelay is the embedded reference server's pause before each batch task
	// state change (zero: EmbeddedTaskStepDelay; negative: none). The run polls tasks
	// at the same pace.
	TaskStepDelay time.Duration
	// Seed seeds the embedded reference server's data set.
	Seed int64
	// BulkAccesses adds plain accesses to the embedded reference server's primary
	// tenant, to measure what a large tenant costs.
	BulkAccesses int
	// Getenv reads the environment (tokens named by the fixtures).
	Getenv func(string) string
	Logger *slog.Logger
	// Version is the tool version written into the results.
	Version string
	// Shard runs only the scenarios whose id hashes into this shard (see InShard);
	// the zero value runs them all.
	Shard config.Shard
	// RerunFailed runs failed and errored scenarios again, up to this many times; one
	// that then passes is recorded as flaky (see verdict.Flaky).
	RerunFailed int
	// Progress, when set, hears of every scenario as it starts and ends.
	Progress func(Progress)

	// RunTimeout bounds the whole run (zero: DefaultRunTimeout). When it passes, the
	// scenarios running or not yet started end as ERROR and the run is INCOMPLETE
	// at best; it still ends with results.
	RunTimeout time.Duration
	// FullWalks walks the whole tenant at every page size (a nightly depth); by
	// default walks in small pages cover a subset of a large tenant.
	FullWalks bool
	// FullTranscripts keeps every scenario's exchanges in full in the results; by
	// default a scenario that passed without a finding keeps one line per request.
	FullTranscripts bool
	// Concurrency is how many scenarios run at once (zero: config.DefaultConcurrency).
	Concurrency int
	// RPS limits the requests sent to the target per second; zero means no limit.
	RPS float64
	// MaxRetries and MaxRetryWait bound the retries after a 429 (zero: the target
	// client's defaults, 5 retries, 30 s at most per wait).
	MaxRetries   int
	MaxRetryWait time.Duration
	// MaxBodyBytes caps each response body (zero: 8 MiB).
	MaxBodyBytes int64
	// TLS names the CA, client certificate and key for an https target, or turns
	// verification off (then every report says so).
	TLS target.TLSFiles
	// Chaos makes the embedded reference server unreliable (see reference.ChaosModes).
	Chaos reference.Chaos

	// wrapEmbedded, when set, wraps the embedded server's handler: the benchmarks
	// record the requests of a run with it (see export_test.go).
	wrapEmbedded func(http.Handler) http.Handler
	// reachRunTimeout, when set, makes the run time limit pass when it is closed
	// rather than on the clock, so a test can end a run at a known point of it.
	reachRunTimeout <-chan struct{}
}

// Run performs the run and returns its judged results. A returned error carries its
// exit code (usage, or nothing judged); a NON-CONFORMANT verdict is not an error.
func Run(ctx context.Context, o Options) (*verdict.Results, error) {
	o, tlsCfg, err := o.prepare()
	if err != nil {
		return nil, err
	}
	if o.RunTimeout == 0 {
		o.RunTimeout = DefaultRunTimeout
	}
	// ctx is the caller's (an interrupt ends the run with an error); runCtx adds the
	// run time limit, after which the run still ends with results.
	runCtx, stopRun := o.runContext(ctx)
	defer stopRun()
	started := time.Now()
	// The selection and what it needs of the fixtures are known before the target
	// is contacted: a selection that matches nothing costs no request.
	sr := &scenarioRunner{tags: o.Tags, started: started, progress: o.Progress, concurrency: concurrency(o)}
	plan, needs, err := sr.planFixtures(runCtx, o)
	if err != nil {
		return nil, err
	}
	env, err := resolveTarget(runCtx, o, tlsCfg, needs)
	if err != nil {
		return nil, err
	}
	defer env.close()
	suite, err := newSuite(o, env, tlsCfg)
	if err != nil {
		return nil, err
	}
	client := suite.Client
	pf, err := checkFixtures(runCtx, suite, needs, env.tokenSources, fixtureWorkers(o))
	if err != nil {
		return nil, notJudged(err)
	}
	notes := pf.notes

	examples, err := features.ExampleRows(features.Skylark)
	if err != nil {
		return nil, err
	}
	sr.suite, sr.examples = suite, examples
	scenarios, err := sr.run(runCtx, plan, o.RerunFailed)
	if err != nil {
		return nil, err
	}
	if !o.Scope.ReadOnly {
		notes = append(notes, steps.RestoreWitnesses(runCtx, suite)...)
	}
	if n := suite.Walks.Note(); n != "" {
		notes = append(notes, n)
	}
	if pf.record != nil {
		rec := *pf.record
		if o.Shard.Count > 1 {
			// Each shard reads the fixtures: its record must not collide with
			// another shard's when the shards are merged.
			rec.ID += " (shard " + o.Shard.String() + ")"
		}
		scenarios = append([]verdict.Scenario{rec}, scenarios...)
	}
	o.Logger.Debug("scenarios finished", "scenarios", len(scenarios))
	if err := ctx.Err(); err != nil {
		return nil, notJudged(fmt.Errorf("run interrupted: %w", err))
	}

	cat := verdict.Skylark()
	reqs, _ := verdict.Judge(cat, scenarios)
	shardName := ""
	if o.Shard.Count > 1 {
		shardName = o.Shard.String()
	}
	if why := verdict.UnselectedReason(o.Tags, shardName); why != "" {
		inSuite, err := suiteRequirements()
		if err != nil {
			return nil, err
		}
		verdict.Unselected(reqs, inSuite, why)
	}
	explainUnchecked(reqs, len(scenarios))
	overall := verdict.OverallOf(reqs)
	deadline := runCtx.Err() != nil
	if deadline && (overall == verdict.Conformant || overall == verdict.PassedPartial) {
		overall = verdict.Incomplete
	}
	notes = append(notes, transportNotes(o, client.Stats(), deadline)...)
	specDigest, err := SpecDigest(o.SpecPath)
	if err != nil {
		return nil, usageError("%w", err)
	}
	featuresDigest, err := FeaturesDigest()
	if err != nil {
		return nil, err
	}
	res := &verdict.Results{
		SchemaVersion:   verdict.SchemaVersion,
		SpecDigest:      specDigest,
		FeaturesDigest:  featuresDigest,
		Selection:       verdict.Selection{Tags: o.Tags, Shard: o.Shard.String(), RerunFailed: o.RerunFailed},
		Tool:            "accessctk",
		Version:         o.Version,
		Catalogue:       cat.Title,
		Target:          env.describe,
		Started:         started,
		DurationMS:      float64(time.Since(started).Microseconds()) / 1000,
		Overall:         overall,
		Interpretations: cat.Interpretations,
		Requirements:    reqs,
		Scenarios:       scenarios,
		Notes:           notes,
		Fixtures:        fixtureReport(suite, needs),
		Requests:        client.Stats().Exchanges,
		Credentials:     env.credentials(),
	}
	if o.Scope.RawFilter {
		res.Notes = append(res.Notes, "filter expressions were sent in the page's raw (unencoded) form")
	}
	return res, nil
}

// newSuite builds what every scenario of a run against env shares.
func newSuite(o Options, env *environment, tlsCfg *tls.Config) (*steps.Suite, error) {
	specDoc, err := loadSpec(o.SpecPath, env.baseURL)
	if err != nil {
		return nil, err
	}
	client, err := target.New(o.clientConfig(env.baseURL, tlsCfg))
	if err != nil {
		return nil, usageError("target client: %w", err)
	}
	return &steps.Suite{
		Client:            client,
		Spec:              specDoc,
		Fixtures:          env.fixtures,
		Primary:           env.primary,
		Secondary:         env.secondary,
		Pool:              steps.NewFixturePool(idsByRole(env.fixtures)),
		Gate:              &steps.Gate{},
		Catalogue:         verdict.Skylark(),
		CorrelationHeader: target.DefaultCorrelationHeader,
		Scope:             o.Scope,
		FullTranscripts:   o.FullTranscripts,
		FullWalks:         o.FullWalks,
		Walks:             &steps.WalkLog{},
		Snapshots:         &steps.SnapshotCache{},
		TaskTimeout:       o.TaskTimeout,
		PollInterval:      env.pollInterval,
		Logger:            o.Logger,
	}, nil
}

// FixtureCheck is what a selection needs of the fixtures and, when a target was
// given, what its fixtures file offers now.
type FixtureCheck struct {
	// Scenarios counts the scenarios the selection runs (its scope allows).
	Scenarios int
	Needs     []steps.RoleNeed
	// Target names the target whose fixtures were read ("" when none was given);
	// Report is what the reads showed and Notes what the run would note.
	Target string
	Report *verdict.FixtureReport
	Notes  []string
	// Short is the error a run would stop with for lack of fixtures (nil: enough).
	Short error
}

// CheckFixtures plans the selection o makes and, with a target, reads every fixture
// as a run's preflight does. It changes nothing.
func CheckFixtures(ctx context.Context, o Options) (*FixtureCheck, error) {
	o, tlsCfg, err := o.prepare()
	if err != nil {
		return nil, err
	}
	plan, needs, err := (&scenarioRunner{tags: o.Tags}).planFixtures(ctx, o)
	if err != nil {
		return nil, err
	}
	out := &FixtureCheck{Needs: needs}
	for _, p := range plan {
		if o.Scope.Allows(p.tags) {
			out.Scenarios++
		}
	}
	if o.Target == "" {
		return out, nil
	}
	env, err := resolveTarget(ctx, o, tlsCfg, needs)
	if err != nil {
		return nil, err
	}
	defer env.close()
	suite, err := newSuite(o, env, tlsCfg)
	if err != nil {
		return nil, err
	}
	out.Target = env.describe
	pf, err := checkFixtures(ctx, suite, needs, env.tokenSources, fixtureWorkers(o))
	switch {
	case errors.Is(err, ErrTooFewFixtures):
		out.Short = err
	case err != nil:
		return nil, notJudged(err)
	default:
		out.Notes = pf.notes
	}
	out.Report = fixtureReport(suite, needs)
	return out, nil
}

// prepare checks what a run and a fixture check are told before either contacts the
// target: the defaults filled in, the tag selection checked, the fixtures' baseURL as
// the target when there is no --target, and the transport options with their TLS.
func (o Options) prepare() (Options, *tls.Config, error) {
	o = o.withDefaults()
	tags, err := checkSelection(o.Tags)
	if err != nil {
		return o, nil, err
	}
	o.Tags = tags
	if o, err = o.targetFromFixtures(); err != nil {
		return o, nil, err
	}
	tlsCfg, err := o.checkTransport()
	return o, tlsCfg, err
}

// withDefaults fills in the options every entry point defaults alike.
func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 10 * time.Second
	}
	return o
}

// planFixtures plans the selection o makes and what it needs of the fixtures.
func (r *scenarioRunner) planFixtures(ctx context.Context, o Options) ([]planned, []steps.RoleNeed, error) {
	plan, err := r.selection(ctx, o.Shard)
	if err != nil {
		return nil, nil, err
	}
	needs, err := steps.PlanFixtures(fixtureScenarios(plan), o.Scope)
	if err != nil {
		return nil, nil, fmt.Errorf("fixture plan: %w", err)
	}
	return plan, needs, nil
}

// explainUnchecked gives the automatic requirements (checked on every response) that
// no response of a run that sent requests was checked against the reason: the
// catalogue-wide "the suite has no scenario" would point at the suite, when the
// OpenAPI document (--spec) documents none of the operations the suite called.
func explainUnchecked(reqs []verdict.RequirementResult, scenarios int) {
	if scenarios == 0 {
		return
	}
	auto := steps.AutomaticRequirements()
	for i := range reqs {
		if reqs[i].Status == verdict.NotCovered && slices.Contains(auto, reqs[i].ID) {
			reqs[i].Reason = "no response this run received could be checked against it: does the OpenAPI document (--spec) describe the operations the suite calls?"
		}
	}
}

// ExitCode maps a verdict to the process exit code.
func ExitCode(r *verdict.Results) int {
	switch r.Overall {
	case verdict.Conformant, verdict.PassedPartial:
		return ExitConformant
	case verdict.NonConformant:
		return ExitNonConformant
	default:
		return ExitNotJudged
	}
}

// environment is the resolved target: where it is, its fixtures and credentials.
type environment struct {
	baseURL   *url.URL
	describe  string
	fixtures  *config.Fixtures
	primary   steps.Tenant
	secondary *steps.Tenant
	// pollInterval is the first wait between polls of a batch task (zero: the
	// poller's default, for a target whose pace is unknown).
	pollInterval time.Duration
	// tokenSources says where each tenant's token came from, for messages.
	tokenSources tokenSources
	close        func()
}

// tokenSources names where each tenant's token came from ("$ACCESSCTK_TOKEN", "the
// file eos.token"), never the token.
type tokenSources struct{ primary, secondary string }

func tokenSourceOf(t config.Tenant) string {
	if t.TokenEnv != "" {
		return "from $" + t.TokenEnv
	}
	return "from the file " + t.TokenFile
}

// targetFromFixtures makes the fixtures' baseURL the target when the fixtures name
// the target and no Target is given.
func (o Options) targetFromFixtures() (Options, error) {
	if o.Target != "" || o.FixturesPath == "" {
		return o, nil
	}
	fx, err := config.LoadFixtures(o.FixturesPath)
	if err != nil {
		return o, notJudged(err)
	}
	if fx.BaseURL == "" {
		return o, usageError("%s has no baseURL and there is no --target: name the server with one of them (the embedded reference server needs neither, nor --fixtures)", o.FixturesPath)
	}
	o.Target = fx.BaseURL
	return o, nil
}

func resolveTarget(ctx context.Context, o Options, tlsCfg *tls.Config, needs []steps.RoleNeed) (*environment, error) {
	if o.Target == "" {
		return startEmbedded(ctx, o, needs)
	}
	if len(o.Faults) > 0 {
		return nil, usageError("--fault applies only to the embedded reference server, not to --target")
	}
	base, err := url.Parse(o.Target)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, usageError("--target %q is not an absolute http(s) URL", o.Target)
	}
	// Reachability first: an unreachable target is the one thing worth saying.
	probe, err := target.New(o.clientConfig(base, tlsCfg))
	if err != nil {
		return nil, usageError("target client: %w", err)
	}
	if err := probe.Probe(ctx); err != nil {
		return nil, notJudged(err)
	}
	if o.FixturesPath == "" {
		return nil, usageError("--target needs --fixtures: a file naming the tenants, token sources and disposable accesses (see README)")
	}
	fx, err := config.LoadFixtures(o.FixturesPath)
	if err != nil {
		return nil, notJudged(err)
	}
	getenv := o.Getenv
	if getenv == nil {
		return nil, usageError("no environment reader configured")
	}
	taken := map[string]bool{}
	primary, err := tenantFrom(fx, "primary", fx.Tenants.Primary, getenv, taken)
	if err != nil {
		return nil, usageError("%w", err)
	}
	env := &environment{baseURL: base, describe: base.Redacted(), fixtures: fx, primary: primary, close: func() {}}
	env.tokenSources.primary = tokenSourceOf(fx.Tenants.Primary)
	if s := fx.Tenants.Secondary; s != nil {
		sec, err := tenantFrom(fx, "secondary", *s, getenv, taken)
		if err != nil {
			return nil, usageError("%w", err)
		}
		env.secondary = &sec
		env.tokenSources.secondary = tokenSourceOf(*s)
	}
	return env, nil
}

// tenantFrom reads the token of the tenant in role (primary, secondary) from where
// the fixtures keep it; an error names the fixtures file's line that says where. The
// token carries the shell variable its curl reproductions read (see shellVariable)
// with the line that sets that variable from the same place.
func tenantFrom(fx *config.Fixtures, role string, t config.Tenant, getenv func(string) string, taken map[string]bool) (steps.Tenant, error) {
	path := "tenants." + role
	name := shellVariable(t, role, taken)
	if t.TokenEnv != "" {
		v := getenv(t.TokenEnv)
		if v == "" {
			return steps.Tenant{}, fx.At(path+".tokenEnv", "environment variable %s is not set: it must hold tenant %s's bearer token", t.TokenEnv, t.Name)
		}
		tok := target.EnvToken(t.TokenEnv, v).ForShell(name, target.ExportFromEnv(name, t.TokenEnv, t.Name))
		return steps.Tenant{Name: t.Name, Token: tok}, nil
	}
	tok, err := target.TokenFromFile(t.TokenFile)
	if err != nil {
		return steps.Tenant{}, fx.At(path+".tokenFile", "tenant %s's token: %v", t.Name, err)
	}
	abs, err := filepath.Abs(t.TokenFile)
	if err != nil {
		return steps.Tenant{}, fmt.Errorf("tenant %q: token file: %w", t.Name, err)
	}
	return steps.Tenant{Name: t.Name, Token: tok.ForShell(name, target.ExportFromFile(name, abs))}, nil
}

var shellName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// shellVariable names the shell variable a tenant's curl reproductions read its
// token from, one per tenant: the fixtures' tokenEnv when a shell can write it,
// otherwise ACCESSCTK_TOKEN_<TENANT> (ACCESSCTK_TOKEN_<ROLE> when the tenant's name
// does not make one, or another tenant has it). A token file has no variable of its
// own, and reusing ACCESSCTK_TOKEN for it would send whatever that holds.
func shellVariable(t config.Tenant, role string, taken map[string]bool) string {
	name := t.TokenEnv
	if !shellName.MatchString(name) {
		name = "ACCESSCTK_TOKEN_" + strings.ToUpper(t.Name)
		if !shellName.MatchString(name) || taken[name] {
			name = "ACCESSCTK_TOKEN_" + strings.ToUpper(role)
		}
	}
	taken[name] = true
	return name
}

// credentials lists how the run's reproductions find each tenant's token.
func (e *environment) credentials() []verdict.Credential {
	var out []verdict.Credential
	for _, t := range []*steps.Tenant{&e.primary, e.secondary} {
		if t != nil && t.Token.ShellVar() != "" {
			out = append(out, verdict.Credential{Tenant: t.Name, Variable: t.Token.ShellVar(), Setup: t.Token.ShellSetup()})
		}
	}
	return out
}

// EmbeddedTaskStepDelay is the embedded reference server's pause before each batch
// task state change in a run: the pace the kill matrix and the conformance test prove
// the suite at. The server's own default (20 ms, for `accessctk serve`, where people
// watch the states) made each batch scenario wait some 100 ms, a third of a run.
const EmbeddedTaskStepDelay = 2 * time.Millisecond

// startEmbedded starts the reference server on a free loopback port with fresh random
// tokens that live only in this process. Its fixtures file names no more fixtures of
// each role than the selection needs, so that every embedded run proves the
// minimum a vendor is told to prepare is enough (the server seeds more).
func startEmbedded(ctx context.Context, o Options, needs []steps.RoleNeed) (*environment, error) {
	tokens := map[string]string{}
	primaryName, secondaryName := reference.DefaultTenants()
	for _, t := range []string{primaryName, secondaryName} {
		tokens[t] = "ref-" + randomHex(24)
	}
	delay := o.TaskStepDelay
	if delay == 0 {
		delay = EmbeddedTaskStepDelay
	}
	srv, err := reference.New(ctx, reference.Options{Seed: o.Seed, BulkAccesses: o.BulkAccesses, Tokens: tokens, Faults: o.Faults, TaskStepDelay: delay, Chaos: o.Chaos, Logger: o.Logger})
	if err != nil {
		return nil, usageError("reference server: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = srv.Close()
		return nil, notJudged(fmt.Errorf("reference server: listen on loopback: %w", err))
	}
	handler := srv.Handler()
	if o.wrapEmbedded != nil {
		handler = o.wrapEmbedded(handler)
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	base := &url.URL{Scheme: "http", Host: ln.Addr().String()}
	fx := srv.Fixtures(base.String())
	trimFixtures(fx, needs)
	taken := map[string]bool{}
	env := &environment{
		baseURL:   base,
		describe:  "embedded reference server at " + base.String(),
		fixtures:  fx,
		primary:   embeddedTenant(primaryName, "primary", tokens, taken),
		secondary: ptr(embeddedTenant(secondaryName, "secondary", tokens, taken)),
		// Polling at the server's own pace sees the same states a 25 ms poll sees of
		// a server ten times slower, without waiting for them.
		pollInterval: max(delay, time.Millisecond),
		tokenSources: tokenSources{primary: "made up by the embedded server", secondary: "made up by the embedded server"},
		close: func() {
			// The run is over: nothing in flight is waited for. Shutdown would wait
			// for connections the client opened and never used (a concurrent run
			// races its dials), up to its deadline: 2 s added to one run in three
			// at --concurrency 4.
			_ = hs.Close()
			_ = srv.Close()
		},
	}
	if len(o.Faults) > 0 {
		env.describe += fmt.Sprintf(" with faults %v", o.Faults)
	}
	if o.Chaos.Mode != "" {
		env.describe += fmt.Sprintf(" with chaos %q", o.Chaos.Mode)
	}
	return env, nil
}

// embeddedTenant is a tenant of the embedded server. Its token lives only in the
// run, so its variable has no line that sets it; it still has its own, so that no
// command for one tenant names the other's.
func embeddedTenant(name, role string, tokens map[string]string, taken map[string]bool) steps.Tenant {
	v := shellVariable(config.Tenant{Name: name}, role, taken)
	return steps.Tenant{Name: name, Token: target.NewToken(tokens[name]).ForShell(v, "")}
}

func ptr[T any](v T) *T { return &v }

func loadSpec(path string, base *url.URL) (*spec.Spec, error) {
	var (
		s   *spec.Spec
		err error
	)
	if path == "" {
		s, err = spec.Load(spec.DefaultDocument(), base.String())
	} else {
		s, err = spec.LoadFile(path, base.String())
	}
	if err != nil {
		return nil, usageError("%w", err)
	}
	return s, nil
}

// idsByRole is each fixture role's ids.
func idsByRole(fx *config.Fixtures) map[string][]string {
	out := map[string][]string{}
	for role, ids := range fx.Accesses.ByRole() {
		out[role] = *ids
	}
	return out
}

// trimFixtures cuts each role's list to the selection's minimum.
func trimFixtures(fx *config.Fixtures, needs []steps.RoleNeed) {
	lists := fx.Accesses.ByRole()
	for _, n := range needs {
		if l := lists[n.Role]; len(*l) > n.Minimum {
			*l = (*l)[:n.Minimum]
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// concurrency is how many scenarios run at once.
func concurrency(o Options) int {
	if o.Concurrency <= 0 {
		return config.DefaultConcurrency
	}
	return o.Concurrency
}

// fixtureWorkers is how many fixtures are read at once before the run: the run's
// concurrency against a vendor's target, and at least four against the embedded
// server, whose reads cost nobody anything (its 415 fixtures read one by one were a
// third of a run's start-up).
func fixtureWorkers(o Options) int {
	n := concurrency(o)
	if o.Target == "" {
		n = max(n, 4)
	}
	return n
}

// NotJudgedResults is the record of a run that stopped before judging anything (the
// target unreachable or not this API, too few usable fixtures, an interrupted
// preflight): every requirement is ERROR with the reason, the verdict INCOMPLETE. A CI
// gate then still gets its report files, saying what could not be judged and why.
func NotJudgedResults(o Options, cause error, started time.Time) *verdict.Results {
	cat := verdict.Skylark()
	reason := "not judged: " + strings.SplitN(cause.Error(), "\n", 2)[0]
	reqs := make([]verdict.RequirementResult, 0, len(cat.Requirements))
	for _, r := range cat.Requirements {
		reqs = append(reqs, verdict.RequirementResult{Requirement: r, Status: verdict.Error, Reason: reason})
	}
	target := o.Target
	if target == "" {
		target = "embedded reference server"
	}
	return &verdict.Results{
		SchemaVersion:   verdict.SchemaVersion,
		Selection:       verdict.Selection{Tags: o.Tags, Shard: o.Shard.String(), RerunFailed: o.RerunFailed},
		Tool:            "accessctk",
		Version:         o.Version,
		Catalogue:       cat.Title,
		Target:          target,
		Started:         started,
		DurationMS:      float64(time.Since(started).Microseconds()) / 1000,
		Overall:         verdict.Incomplete,
		Interpretations: cat.Interpretations,
		Requirements:    reqs,
		Scenarios:       []verdict.Scenario{},
		Notes:           []string{"nothing was judged: " + cause.Error()},
	}
}
