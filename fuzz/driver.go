package fuzz

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// Defaults of a run.
const (
	// DefaultChecks is the number of checks per property: enough to find every
	// reference fault of the filter grammar, few enough for every suite run.
	DefaultChecks = 100
	// DefaultMaxDepth is the AND/OR nesting of generated expressions.
	DefaultMaxDepth = 2
	// DefaultTimeLimit bounds the search of a whole run (all properties).
	DefaultTimeLimit = 2 * time.Minute
	// DefaultShrinkTime bounds the shrinking of each counterexample.
	DefaultShrinkTime = 10 * time.Second
	// DefaultMaxSnapshot bounds the accesses a snapshot holds in memory.
	DefaultMaxSnapshot = 50_000
)

// Config describes a run.
type Config struct {
	Querier Querier
	// Properties to check, in order; nil means all three.
	Properties []Property
	// Checks per property; 0 means DefaultChecks.
	Checks int
	// Seed is rapid's seed; 0 draws one at random (the report says which).
	Seed uint64
	// MaxDepth bounds the AND/OR nesting; 0 means DefaultMaxDepth.
	MaxDepth int
	// TimeLimit bounds the search over all properties (shared evenly among those
	// not yet run); ShrinkTime bounds each shrink. 0 means the defaults.
	TimeLimit, ShrinkTime time.Duration
	// MaxSnapshot bounds the tenant's size: the oracle keeps every access in memory,
	// so a larger tenant ends the run with ErrTooLarge. 0 means DefaultMaxSnapshot.
	MaxSnapshot int
	// Raw says the Querier sends expressions unencoded; counterexamples show that form.
	Raw bool
	// ReplayCommand starts the command line a counterexample prints to reproduce
	// itself, e.g. "accessctk fuzz --target URL --fixtures FILE"; the property, seed,
	// check count and depth are appended. Empty means "accessctk fuzz".
	ReplayCommand string
	Logger        *slog.Logger
}

// Report is what a run found.
type Report struct {
	Seed     uint64
	MaxDepth int
	Checks   int // per property, as configured
	Results  []Result
	// Findings are paging rules the walks saw broken (at most 20, deduplicated).
	Findings []Finding
	// Requests counts every request, snapshots included; Wait is the time spent in
	// them and Elapsed the run's wall time.
	Requests int
	Wait     time.Duration
	Elapsed  time.Duration
}

// Result is one property's outcome.
type Result struct {
	Property Property
	// Checks counts the checks that judged the target, up to the first failure (or
	// all of them); Unjudged the checks that compared nothing because a walk they
	// needed broke (its paging finding is in Report.Findings).
	Checks, Unjudged int
	// Snapshot is the number of accesses in the snapshot the property ran on.
	Snapshot int
	// Failure is the shrunk counterexample; nil when every check passed.
	Failure *Counterexample
	// Stopped says why fewer checks than configured judged the target ("" when all
	// did): the time limit, or walks that broke.
	Stopped string
}

// Failed reports whether any property found a counterexample.
func (r *Report) Failed() bool {
	for _, res := range r.Results {
		if res.Failure != nil {
			return true
		}
	}
	return false
}

// TotalChecks sums the checks run over all properties.
func (r *Report) TotalChecks() int {
	n := 0
	for _, res := range r.Results {
		n += res.Checks
	}
	return n
}

// Run checks the properties against the target. An error means the harness could
// not judge (the target unreachable, an unusable snapshot, data that changed under
// the run); the Report holds what was done until then. Counterexamples are not
// errors: they are in the Report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Querier == nil {
		return nil, errors.New("fuzz: Config needs a Querier")
	}
	cfg = withDefaults(cfg)
	rep := &Report{Seed: cfg.Seed, MaxDepth: cfg.MaxDepth, Checks: cfg.Checks}
	start := time.Now()
	defer func() { rep.Elapsed = time.Since(start) }()
	deadline := start.Add(cfg.TimeLimit)
	// Each property runs on a snapshot taken right before it; the walk that checks
	// the data after one property is the snapshot of the next.
	snap, a, err := TakeSnapshot(ctx, cfg.Querier, cfg.MaxSnapshot)
	account(rep, a)
	if err != nil {
		return rep, err
	}
	for i, p := range cfg.Properties {
		share := time.Until(deadline) / time.Duration(len(cfg.Properties)-i)
		res, after, err := runProperty(ctx, cfg, rep, p, snap, time.Now().Add(share))
		rep.Results = append(rep.Results, res)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", p, err)
		}
		snap = after
	}
	return rep, nil
}

func withDefaults(cfg Config) Config {
	if cfg.Properties == nil {
		cfg.Properties = Properties()
	}
	if cfg.Checks <= 0 {
		cfg.Checks = DefaultChecks
	}
	if cfg.Seed == 0 {
		cfg.Seed = randomSeed()
	}
	if cfg.MaxDepth <= 0 {
		cfg.MaxDepth = DefaultMaxDepth
	}
	if cfg.TimeLimit <= 0 {
		cfg.TimeLimit = DefaultTimeLimit
	}
	if cfg.ShrinkTime <= 0 {
		cfg.ShrinkTime = DefaultShrinkTime
	}
	if cfg.MaxSnapshot <= 0 {
		cfg.MaxSnapshot = DefaultMaxSnapshot
	}
	if cfg.ReplayCommand == "" {
		cfg.ReplayCommand = "accessctk fuzz"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}

func randomSeed() uint64 {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:])
		// Small enough to type; never 0, which rapid reads as "pick one".
		if s := binary.LittleEndian.Uint64(b[:]) % 1_000_000_000; s != 0 {
			return s
		}
	}
}

// runProperty runs rapid on one property over snap and walks the list again after,
// which must show the same data (else the oracle's snapshot no longer held): that
// walk is returned as the next property's snapshot.
func runProperty(ctx context.Context, cfg Config, rep *Report, p Property, snap *Snapshot, deadline time.Time) (Result, *Snapshot, error) {
	res := Result{Property: p, Snapshot: snap.Len()}
	c := &checker{ctx: ctx, q: cfg.Querier, snap: snap, gen: NewGen(snap, cfg.MaxDepth), raw: cfg.Raw, deadline: deadline, seen: map[string]bool{}}
	tb, err := checkInChunks(cfg, c, p)
	rep.Requests += c.requests
	rep.Wait += c.wait
	for _, f := range c.findings {
		if len(rep.Findings) < maxFindings {
			rep.Findings = append(rep.Findings, f)
		}
	}
	res.Checks, res.Unjudged = c.checks-c.unjudged, c.unjudged
	switch {
	case err != nil:
		return res, nil, err
	case c.abort != nil:
		return res, nil, c.abort
	case c.last == nil && tb.panicked() != "":
		return res, nil, fmt.Errorf("the fuzzer itself failed: %s", tb.panicked())
	}
	after, a, err := TakeSnapshot(ctx, cfg.Querier, cfg.MaxSnapshot)
	account(rep, a)
	if err != nil {
		return res, nil, fmt.Errorf("after the checks: %w", err)
	}
	if same, how := snap.Same(after); !same {
		return res, nil, fmt.Errorf("the tenant's data changed while the property ran (%s): its checks cannot be judged", how)
	}
	if cx := c.last; cx != nil {
		cx.Seed = tb.seed()
		cx.Reproduced = c.lastFailed
		if cx.Seed != 0 {
			cx.Replay = fmt.Sprintf("%s --property %s --seed %d --checks 1 --max-depth %d", cfg.ReplayCommand, p, cx.Seed, cfg.MaxDepth)
		}
		res.Failure = cx
	} else {
		var why []string
		if c.checks < cfg.Checks {
			why = append(why, fmt.Sprintf("the time limit ended the search after %d of %d checks", c.checks, cfg.Checks))
		}
		if c.unjudged > 0 {
			why = append(why, fmt.Sprintf("%d of %d checks compared nothing: a walk broke (see the paging findings)", c.unjudged, c.checks))
		}
		res.Stopped = strings.Join(why, "; ")
	}
	return res, after, nil
}

// chunkChecks is how many checks one rapid.Check runs. rapid has no deadline outside
// go test: once the time is up, each remaining check is skipped, which rapid counts
// as invalid and tolerates ten times over; in chunks, at most ten chunks' worth of
// skips (fast) follow the deadline, and the next chunk is not started.
const chunkChecks = 100

// checkInChunks runs rapid on the property, chunk after chunk, until every check has
// run, a counterexample was found and shrunk, or the time is up. The first chunk
// uses the run's seed, so a run of up to chunkChecks checks is plain rapid with that
// seed; later chunks derive theirs from it. It returns the last chunk's TB.
func checkInChunks(cfg Config, c *checker, p Property) (*rapidTB, error) {
	var tb *rapidTB
	for chunk := uint64(0); c.checks < cfg.Checks; chunk++ {
		want := c.checks + min(chunkChecks, cfg.Checks-c.checks)
		tb = &rapidTB{name: "accessctk-fuzz-" + string(p) + "-" + strconv.FormatUint(randomSeed(), 36), log: cfg.Logger}
		seed := cfg.Seed + chunk*0x9E3779B97F4A7C15
		if seed == 0 {
			seed = 1
		}
		err := withRapid(rapidSettings{checks: want - c.checks, seed: seed, shrinkTime: cfg.ShrinkTime}, func() {
			rapid.Check(tb, c.property(p))
		})
		if err != nil || c.last != nil || c.abort != nil || c.checks < want || tb.panicked() != "" {
			return tb, err
		}
	}
	return tb, nil
}

func account(rep *Report, a *Answer) {
	if a != nil {
		rep.Requests += a.Requests
		rep.Wait += a.Wait
	}
}

// rapidMu serializes runs: rapid keeps its settings (its command-line flags) in
// package variables, so two runs at once would change each other's.
var rapidMu sync.Mutex

type rapidSettings struct {
	checks     int
	seed       uint64
	shrinkTime time.Duration
}

// withRapid runs fn with rapid's settings set through a private FlagSet bound to
// rapid's own flag variables (never the CLI's flags), and restores them afterwards.
// Fail files are neither written nor read: a counterexample is replayed by its seed.
func withRapid(s rapidSettings, fn func()) error {
	rapidMu.Lock()
	defer rapidMu.Unlock()
	// rapid calls testing.Short, which needs the testing flags registered and the
	// process's flag set parsed; outside a test binary nothing else uses that set.
	testing.Init()
	if !flag.Parsed() {
		if err := flag.CommandLine.Parse(nil); err != nil {
			return fmt.Errorf("fuzz: preparing rapid: %w", err)
		}
	}
	fs := flag.NewFlagSet("rapid", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	old := map[string]string{}
	flag.CommandLine.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Name, "rapid.") {
			fs.Var(f.Value, f.Name, f.Usage)
			old[f.Name] = f.Value.String()
		}
	})
	if fs.Lookup("rapid.checks") == nil || fs.Lookup("rapid.nofailfile") == nil {
		return errors.New("fuzz: rapid registered none of the flags this driver sets; its version changed")
	}
	defer func() {
		for name, v := range old {
			_ = fs.Set(name, v)
		}
	}()
	checks := s.checks
	if testing.Short() {
		checks *= 5 // rapid runs a fifth of its checks under -short; the count is ours
	}
	args := []string{
		"-rapid.checks=" + strconv.Itoa(checks),
		"-rapid.seed=" + strconv.FormatUint(s.seed, 10),
		"-rapid.shrinktime=" + s.shrinkTime.String(),
		"-rapid.nofailfile=true", "-rapid.failfile=",
		"-rapid.v=false", "-rapid.log=false", "-rapid.debug=false", "-rapid.debugvis=false",
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("fuzz: setting rapid's flags: %w", err)
	}
	fn()
	return nil
}

// rapidTB is the testing.TB rapid reports to when it runs inside the binary. Its
// name carries a random suffix so that rapid's automatic replay of fail files under
// testdata/rapid/<name>/ never finds one.
type rapidTB struct {
	name string
	log  *slog.Logger

	mu     sync.Mutex
	failed bool
	errs   []string
}

func (tb *rapidTB) Helper()      {}
func (tb *rapidTB) Name() string { return tb.name }
func (tb *rapidTB) Logf(format string, args ...any) {
	tb.log.Debug("rapid", "msg", fmt.Sprintf(format, args...))
}
func (tb *rapidTB) Log(args ...any) { tb.log.Debug("rapid", "msg", fmt.Sprint(args...)) }
func (tb *rapidTB) Skipf(format string, args ...any) {
	tb.Logf(format, args...)
}
func (tb *rapidTB) Skip(args ...any) { tb.Log(args...) }
func (tb *rapidTB) SkipNow()         {}
func (tb *rapidTB) Errorf(format string, args ...any) {
	tb.record(fmt.Sprintf(format, args...))
}
func (tb *rapidTB) Error(args ...any) { tb.record(fmt.Sprint(args...)) }
func (tb *rapidTB) Fatalf(format string, args ...any) {
	tb.record(fmt.Sprintf(format, args...))
}
func (tb *rapidTB) Fatal(args ...any) { tb.record(fmt.Sprint(args...)) }

// FailNow is a no-op: rapid calls it last, after its report, to stop a test.
func (tb *rapidTB) FailNow() {}
func (tb *rapidTB) Fail() {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.failed = true
}
func (tb *rapidTB) Failed() bool {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return tb.failed
}

func (tb *rapidTB) record(msg string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.failed = true
	tb.errs = append(tb.errs, msg)
	tb.log.Debug("rapid", "error", msg)
}

var seedPattern = regexp.MustCompile(`-rapid\.seed=(\d+)`)

// seed is the seed rapid named for reproducing its failure, 0 when none.
func (tb *rapidTB) seed() uint64 {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, e := range tb.errs {
		if m := seedPattern.FindStringSubmatch(e); m != nil {
			n, err := strconv.ParseUint(m[1], 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return 0
}

// panicked returns rapid's report of a panic in the property, "" when none.
func (tb *rapidTB) panicked() string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, e := range tb.errs {
		if strings.HasPrefix(e, "[rapid] panic") || strings.HasPrefix(e, "[rapid] flaky") {
			return e
		}
	}
	return ""
}
