package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"

	"github.com/accessctk/accessctk/features"
	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/spec"
	"github.com/accessctk/accessctk/steps"
)

// Progress tells a caller how the run is going. Events come one at a time, in order
// (with concurrency they come from several goroutines, never at once).
type Progress struct {
	Event ProgressEvent
	// Done and Total count the scenarios of the current attempt.
	Done, Total int
	// Attempt is 1 for the first pass and 2, 3, ... for reruns of failed scenarios.
	Attempt  int
	Feature  string
	Scenario string
	// Line is the scenario's (or its example row's) line in the feature file, set on
	// ScenarioFinished: the rows of an Outline share a name.
	Line int
	// Outcome is set on ScenarioFinished.
	Outcome verdict.Outcome
	Elapsed time.Duration
}

// ProgressEvent says what happened.
type ProgressEvent int

// Progress events.
const (
	ScenarioStarted ProgressEvent = iota + 1
	ScenarioFinished
)

// planned is a scenario the tags select, as a pass that ran nothing saw it.
type planned struct {
	pickleID, id, feature, name string
	// tags and steps are the scenario's, for the fixture plan.
	tags, steps []string
}

// fixtureScenarios lists the scenarios of a plan as the fixture plan reads them.
func fixtureScenarios(plan []planned) []steps.PlannedScenario {
	out := make([]steps.PlannedScenario, len(plan))
	for i, p := range plan {
		out[i] = steps.PlannedScenario{Tags: p.tags, Steps: p.steps}
	}
	return out
}

// scenarioRunner runs godog passes over the embedded features with one suite.
type scenarioRunner struct {
	suite    *steps.Suite
	tags     string
	started  time.Time
	progress func(Progress)
	// concurrency is how many scenarios run at once.
	concurrency int
	// examples describe each Outline row by feature and line (features.ExampleRows).
	examples map[string]map[int]string
}

// pass runs the scenarios keep accepts and returns their records by pickle id, in
// the order they ran. A scenario keep refuses still goes through godog (its Before
// hook skips it at once) but leaves no record.
func (r *scenarioRunner) pass(ctx context.Context, keep func(pickleID string) bool, attempt, total, doneBefore int) (order []string, recs map[string]verdict.Scenario) {
	var mu sync.Mutex
	recs = map[string]verdict.Scenario{}
	done := doneBefore
	emit := func(p Progress) {
		if r.progress != nil {
			p.Attempt, p.Total, p.Elapsed = attempt, total, time.Since(r.started)
			r.progress(p)
		}
	}
	initScenario := func(sc *godog.ScenarioContext) {
		var (
			pickle    *godog.Scenario
			kept      bool
			ran       []verdict.Step
			stepStart time.Time
		)
		steps.ScenarioInitializer(r.suite, func(rec verdict.Scenario) {
			if !kept {
				return
			}
			rec.Steps = withUnrunSteps(ran, pickle)
			if pickle.Location != nil {
				rec.Line = int(pickle.Location.Line)
				rec.Example = r.examples[rec.Feature][rec.Line]
			}
			mu.Lock()
			defer mu.Unlock()
			order = append(order, pickle.Id)
			recs[pickle.Id] = rec
			done++
			emit(Progress{Event: ScenarioFinished, Done: done, Feature: rec.Feature, Scenario: rec.Name, Line: rec.Line, Outcome: rec.Outcome})
		})(sc)
		// Registered after the steps' hooks, so those have started the record.
		sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
			pickle, kept = s, keep(s.Id)
			if !kept {
				return ctx, godog.ErrSkip
			}
			if ctx.Err() != nil {
				// The run time limit passed (or the run was interrupted): nothing more
				// is judged, and the scenario says why.
				return ctx, fmt.Errorf("not started: %w", context.Cause(ctx))
			}
			mu.Lock()
			emit(Progress{Event: ScenarioStarted, Done: done, Feature: featureOf(s.Uri), Scenario: s.Name})
			mu.Unlock()
			return ctx, nil
		})
		sc.StepContext().Before(func(ctx context.Context, _ *godog.Step) (context.Context, error) {
			stepStart = time.Now()
			return ctx, nil
		})
		sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
			if kept {
				ran = append(ran, stepRecord(st, status, err, time.Since(stepStart)))
			}
			return ctx, nil
		})
	}
	godog.TestSuite{
		Name:                "skylark",
		ScenarioInitializer: initScenario,
		Options: &godog.Options{
			Format:         silentFormat,
			Output:         io.Discard,
			FS:             features.FS,
			Paths:          []string{features.Skylark},
			Tags:           r.tags,
			Strict:         true,
			Concurrency:    max(r.concurrency, 1),
			NoColors:       true,
			DefaultContext: ctx,
		},
	}.Run()
	return order, recs
}

// plan lists the scenarios the tags select, without running any: godog hands every
// selected scenario to the Before hook, which records its id and skips it.
func (r *scenarioRunner) plan(ctx context.Context) []planned {
	var (
		mu  sync.Mutex
		out []planned
	)
	// No step is registered: the Before hook records the scenario and skips it, so
	// godog never looks for its steps. Registering the library's ~150 steps for every
	// scenario was half of a run's start-up.
	initScenario := func(sc *godog.ScenarioContext) {
		sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
			id, feature := steps.ScenarioRef(s)
			p := planned{pickleID: s.Id, id: id, feature: feature, name: s.Name}
			for _, t := range s.Tags {
				p.tags = append(p.tags, t.Name)
			}
			for _, st := range s.Steps {
				p.steps = append(p.steps, st.Text)
			}
			mu.Lock()
			out = append(out, p)
			mu.Unlock()
			return ctx, godog.ErrSkip
		})
	}
	godog.TestSuite{
		Name:                "skylark-plan",
		ScenarioInitializer: initScenario,
		Options: &godog.Options{
			Format: silentFormat, Output: io.Discard, FS: features.FS, Paths: []string{features.Skylark},
			Tags: r.tags, Strict: true, Concurrency: 1, NoColors: true, DefaultContext: ctx,
		},
	}.Run()
	return out
}

// suiteRequirements lists the requirements the whole suite has scenarios for (their
// requirement tags, those of Outline examples included) and the automatic checks'.
// It reads the features with the Gherkin parser: a godog pass over the whole suite
// took ~30 ms, as long as the start-up of a one-scenario run.
func suiteRequirements() (map[string]bool, error) {
	out := map[string]bool{}
	for _, id := range steps.AutomaticRequirements() {
		out[id] = true
	}
	pickles, err := features.Pickles(features.Skylark)
	if err != nil {
		return nil, fmt.Errorf("read the suite's requirement tags: %w", err)
	}
	for _, pk := range pickles {
		for _, t := range pk.Tags {
			if verdict.IsRequirementTag(t.Name) {
				out[strings.TrimPrefix(t.Name, "@")] = true
			}
		}
	}
	return out, nil
}

// selection plans the scenarios the tags and the shard select, in the features'
// order. It sends nothing.
func (r *scenarioRunner) selection(ctx context.Context, shard config.Shard) ([]planned, error) {
	plan := r.plan(ctx)
	if len(plan) == 0 {
		return nil, usageError("no scenario matched the selection (tags %q)", r.tags)
	}
	var out []planned
	for _, p := range plan {
		if InShard(p.id, shard) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, usageError("shard %s selects none of the %d scenarios the selection matches: use fewer shards", shard, len(plan))
	}
	return out, nil
}

// run runs the planned scenarios and reruns what failed or erred up to reruns times.
// It returns the records in the plan's order (the features' order).
func (r *scenarioRunner) run(ctx context.Context, plan []planned, reruns int) ([]verdict.Scenario, error) {
	// The scenarios that judge the rules the harness relies on to give fixtures
	// back run first: a server that breaks them is judged by them, before broken
	// restores use up the fixtures every other scenario needs.
	first, rest := map[string]bool{}, map[string]bool{}
	for _, p := range plan {
		if steps.RunsFirst(p.tags) {
			first[p.pickleID] = true
		} else {
			rest[p.pickleID] = true
		}
	}
	var order []string
	recs := map[string]verdict.Scenario{}
	for _, keep := range []map[string]bool{first, rest} {
		if len(keep) == 0 {
			continue
		}
		o, rs := r.pass(ctx, func(id string) bool { return keep[id] }, 1, len(plan), len(order))
		order = append(order, o...)
		maps.Copy(recs, rs)
	}
	for attempt := 2; attempt <= reruns+1 && ctx.Err() == nil; attempt++ {
		again := map[string]bool{}
		for id, rec := range recs {
			if rerunnable(rec.Outcome) {
				again[id] = true
			}
		}
		if len(again) == 0 {
			break
		}
		r.suite.Logger.Info("rerunning failed scenarios", "attempt", attempt, "scenarios", len(again))
		_, rerun := r.pass(ctx, func(id string) bool { return again[id] }, attempt, len(again), 0)
		for id, rec := range rerun {
			recs[id] = settle(recs[id], rec)
		}
	}
	// Scenarios that ran at once finish in any order; the records keep the plan's,
	// so reports of the same run compare line by line whatever the concurrency.
	rank := make(map[string]int, len(plan))
	for i, p := range plan {
		rank[p.pickleID] = i
	}
	slices.SortStableFunc(order, func(a, b string) int { return rank[a] - rank[b] })
	out := make([]verdict.Scenario, 0, len(order))
	for _, id := range order {
		out = append(out, recs[id])
	}
	return out, nil
}

// InShard reports whether the scenario with the given id belongs to the shard. The
// assignment is a hash of the id, so it is stable across runs of one suite and the
// shards of n partition the scenarios.
func InShard(scenarioID string, s config.Shard) bool {
	if s.IsZero() {
		return true
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(scenarioID))
	return h.Sum64()%uint64(s.Count) == uint64(s.Index-1)
}

// settle folds a rerun of a scenario into its record. The record keeps the first
// attempt's findings and exchanges (the evidence); a rerun that passes makes the
// scenario flaky, anything else leaves the first verdict standing: a rerun that errs
// or is skipped disproves nothing.
func settle(first, again verdict.Scenario) verdict.Scenario {
	if len(first.Attempts) == 0 {
		first.Attempts = []verdict.Attempt{attemptOf(first)}
	}
	first.Attempts = append(first.Attempts, attemptOf(again))
	if again.Outcome == verdict.Passed {
		first.Message = fmt.Sprintf("%s on attempt 1, passed on attempt %d: %s", first.Outcome, len(first.Attempts), first.Message)
		first.Outcome = verdict.Flaked
		first.Findings = append([]verdict.Finding(nil), first.Findings...)
		for i := range first.Findings {
			first.Findings[i].Flaky = true
		}
	}
	return first
}

func attemptOf(s verdict.Scenario) verdict.Attempt {
	return verdict.Attempt{Outcome: s.Outcome, Message: s.Message, Started: s.Started, DurationMS: s.Duration}
}

func rerunnable(o verdict.Outcome) bool { return o == verdict.Failed || o == verdict.Errored }

// withUnrunSteps completes the steps that ran with the scenario's remaining steps,
// which godog reports only after the scenario's record is closed.
func withUnrunSteps(ran []verdict.Step, pickle *godog.Scenario) []verdict.Step {
	out := append([]verdict.Step(nil), ran...)
	for i := len(ran); i < len(pickle.Steps); i++ {
		st := pickle.Steps[i]
		out = append(out, verdict.Step{Keyword: keywordOf(st), Text: st.Text, Status: "skipped"})
	}
	return out
}

func stepRecord(st *godog.Step, status godog.StepResultStatus, err error, d time.Duration) verdict.Step {
	rec := verdict.Step{Keyword: keywordOf(st), Text: st.Text, Status: status.String(), DurationMS: float64(d.Microseconds()) / 1000}
	if err != nil && status == godog.StepFailed {
		rec.Error = err.Error()
	}
	return rec
}

// keywordOf names a pickle step by its kind; the feature's own "And"/"But" are not
// kept in pickles.
func keywordOf(st *godog.Step) string {
	switch string(st.Type) {
	case "Context":
		return "Given "
	case "Action":
		return "When "
	case "Outcome":
		return "Then "
	default:
		return "* "
	}
}

func featureOf(uri string) string {
	return path.Base(uri[:len(uri)-len(path.Ext(uri))])
}

// SpecDigest returns "sha256:<hex>" of the OpenAPI document a run uses: the file at
// specPath, or the embedded one.
func SpecDigest(specPath string) (string, error) {
	data := spec.DefaultDocument()
	if specPath != "" {
		var err error
		if data, err = os.ReadFile(specPath); err != nil {
			return "", fmt.Errorf("spec digest: %w", err)
		}
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// FeaturesDigest returns "sha256:<hex>" over the embedded feature files: each file's
// path and contents, in path order.
func FeaturesDigest() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(features.FS, features.Skylark, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(features.FS, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("features digest: %w", err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
