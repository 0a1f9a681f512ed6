package fuzz_test

import (
	"context"
	"errors"
	"flag"
	"maps"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accessctk/accessctk/fuzz"
	"github.com/accessctk/accessctk/fuzz/filter"
)

// fakeQuerier answers from a snapshot with the catalogue's semantics, in memory;
// bend changes an answer to give the target a bug.
type fakeQuerier struct {
	snap *fuzz.Snapshot
	bend func(q fuzz.Query, a *fuzz.Answer) (*fuzz.Answer, error)

	mu   sync.Mutex
	sent []string
}

// newFake serves the example accesses, each with a createdAt, which it evaluates
// but never returns (as the catalogue says).
func newFake(bend func(fuzz.Query, *fuzz.Answer) (*fuzz.Answer, error)) *fakeQuerier {
	created := []string{"2024-05-01T12:00:00Z", "2024-05-01T14:00:00+02:00", "2023-01-01T00:00:00Z", "2024-05-01T12:00:00.5Z"}
	var full []fuzz.Access
	for i, a := range exampleSnapshot().Accesses() {
		fields := maps.Clone(a.Fields)
		fields["createdAt"] = created[i%len(created)]
		full = append(full, fuzz.Access{ID: a.ID, Fields: fields})
	}
	return &fakeQuerier{snap: fuzz.NewSnapshot(full, int64(len(full))), bend: bend}
}

func (f *fakeQuerier) Query(_ context.Context, q fuzz.Query) (*fuzz.Answer, error) {
	f.mu.Lock()
	if q.Unfiltered {
		f.sent = append(f.sent, "<unfiltered>")
	} else {
		f.sent = append(f.sent, q.Filter)
	}
	f.mu.Unlock()
	a := &fuzz.Answer{Status: 200, Complete: true, Requests: 1}
	if q.Unfiltered {
		for _, acc := range f.snap.Accesses() {
			fields := maps.Clone(acc.Fields)
			delete(fields, "createdAt")
			a.Items = append(a.Items, fuzz.Access{ID: acc.ID, Fields: fields})
		}
		a.IDs = f.snap.IDs()
	} else if e, err := filter.Parse(q.Filter); err != nil || e.Validate() != nil {
		a.Status = 400
	} else if a.IDs, err = f.snap.Eval(e); err != nil {
		return nil, err
	}
	a.Total = int64(len(a.IDs))
	if f.bend != nil && !q.Unfiltered {
		return f.bend(q, a)
	}
	return a, nil
}

func (f *fakeQuerier) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sent...)
}

// nonASCII500 is a target that fails on any non-ASCII filter text.
func nonASCII500(q fuzz.Query, a *fuzz.Answer) (*fuzz.Answer, error) {
	for _, r := range q.Filter {
		if r > 127 {
			return &fuzz.Answer{Status: 500, Total: -1, Requests: 1}, nil
		}
	}
	return a, nil
}

func TestFakeConformantTargetPasses(t *testing.T) {
	rep, err := fuzz.Run(context.Background(), fuzz.Config{Querier: newFake(nil), Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() || rep.TotalChecks() != 3*fuzz.DefaultChecks {
		t.Fatalf("failed %v after %d checks, want a pass of %d", rep.Failed(), rep.TotalChecks(), 3*fuzz.DefaultChecks)
	}
}

// The same seed sends the same requests in the same order, shrinking included.
func TestSameSeedSameRequests(t *testing.T) {
	for _, bend := range []func(fuzz.Query, *fuzz.Answer) (*fuzz.Answer, error){nil, nonASCII500} {
		var runs [2][]string
		for i := range runs {
			q := newFake(bend)
			if _, err := fuzz.Run(context.Background(), fuzz.Config{Querier: q, Seed: 42, Checks: 50}); err != nil {
				t.Fatal(err)
			}
			runs[i] = q.requests()
		}
		if !reflect.DeepEqual(runs[0], runs[1]) {
			t.Fatalf("two runs with seed 42 sent different requests (%d and %d)", len(runs[0]), len(runs[1]))
		}
		if len(runs[0]) < 100 {
			t.Fatalf("only %d requests", len(runs[0]))
		}
	}
}

// A counterexample names the seed that replays it: a run of one check with that seed
// shrinks to the same minimal case.
func TestReplayReproducesTheMinimalCase(t *testing.T) {
	rep, err := fuzz.Run(context.Background(), fuzz.Config{Querier: newFake(nonASCII500), Seed: 3, Properties: []fuzz.Property{fuzz.Robustness}})
	if err != nil {
		t.Fatal(err)
	}
	cx := rep.Results[0].Failure
	if cx == nil {
		t.Fatal("the 500 on non-ASCII text was not found")
	}
	if cx.Seed == 0 || !strings.Contains(cx.Replay, "--seed ") || !cx.Reproduced {
		t.Fatalf("counterexample without a usable replay: seed %d, replay %q, reproduced %v", cx.Seed, cx.Replay, cx.Reproduced)
	}
	if !reflect.DeepEqual(cx.Requirements, []string{"SAM-FZ-03", "SAM-CM-05"}) {
		t.Fatalf("requirements %v, want SAM-FZ-03 and SAM-CM-05", cx.Requirements)
	}
	again, err := fuzz.Run(context.Background(), fuzz.Config{Querier: newFake(nonASCII500), Seed: cx.Seed, Checks: 1, Properties: []fuzz.Property{fuzz.Robustness}})
	if err != nil {
		t.Fatal(err)
	}
	re := again.Results[0].Failure
	if re == nil || !reflect.DeepEqual(re.Exprs, cx.Exprs) {
		t.Fatalf("replay with seed %d gave %+v, want the minimal case %+v", cx.Seed, re, cx.Exprs)
	}
	if again.Results[0].Checks != 1 {
		t.Fatalf("replay ran %d checks before failing, want 1", again.Results[0].Checks)
	}
	if cx.Size > 1 || cx.Chars > len("productOfferingId=")+1 {
		t.Errorf("minimal case %q is longer than one condition with one non-ASCII character", cx.Exprs[0].Readable)
	}
}

func TestTimeLimitStopsTheSearch(t *testing.T) {
	slow := func(_ fuzz.Query, a *fuzz.Answer) (*fuzz.Answer, error) {
		time.Sleep(2 * time.Millisecond)
		return a, nil
	}
	start := time.Now()
	rep, err := fuzz.Run(context.Background(), fuzz.Config{Querier: newFake(slow), Seed: 1, Checks: 100_000, TimeLimit: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("a run limited to 150ms took %s", d)
	}
	for _, res := range rep.Results {
		if res.Failure != nil || res.Stopped == "" || res.Checks == 0 {
			t.Fatalf("%s: failure %v, stopped %q after %d checks; want a pass stopped by the time limit", res.Property, res.Failure, res.Stopped, res.Checks)
		}
	}
}

// A change of the data under the run makes its verdict unjudgeable: an error.
func TestChangedDataIsAnError(t *testing.T) {
	q := &changingQuerier{fakeQuerier: newFake(nil)}
	_, err := fuzz.Run(context.Background(), fuzz.Config{Querier: q, Seed: 1, Checks: 5, Properties: []fuzz.Property{fuzz.Oracle}})
	if err == nil || !strings.Contains(err.Error(), "changed") {
		t.Fatalf("err = %v, want the data change named", err)
	}
}

type changingQuerier struct {
	*fakeQuerier
	walks int
}

func (c *changingQuerier) Query(ctx context.Context, q fuzz.Query) (*fuzz.Answer, error) {
	a, err := c.fakeQuerier.Query(ctx, q)
	if q.Unfiltered {
		c.walks++
		if c.walks > 1 {
			a.Items = a.Items[1:]
			a.IDs = a.IDs[1:]
		}
	}
	return a, err
}

// A target that cannot be reached is the harness's problem: an error, not a failure.
func TestUnreachableTargetIsAnErrorNotAFailure(t *testing.T) {
	gone := errors.New("connection refused")
	down := func(fuzz.Query, *fuzz.Answer) (*fuzz.Answer, error) { return &fuzz.Answer{Requests: 1}, gone }
	rep, err := fuzz.Run(context.Background(), fuzz.Config{Querier: newFake(down), Seed: 1})
	if !errors.Is(err, gone) {
		t.Fatalf("err = %v, want the transport error", err)
	}
	if rep.Failed() {
		t.Fatal("an unreachable target was reported as a counterexample")
	}
}

// rapid's settings live in its flag variables; a run leaves them as it found them.
func TestRapidFlagsAreRestored(t *testing.T) {
	before := map[string]string{}
	flag.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Name, "rapid.") {
			before[f.Name] = f.Value.String()
		}
	})
	if len(before) == 0 {
		t.Fatal("rapid registered no flags")
	}
	if _, err := fuzz.Run(context.Background(), fuzz.Config{Querier: newFake(nonASCII500), Seed: 9, Checks: 20}); err != nil {
		t.Fatal(err)
	}
	flag.VisitAll(func(f *flag.Flag) {
		if v, ok := before[f.Name]; ok && f.Value.String() != v {
			t.Errorf("flag %s is %q after the run, was %q", f.Name, f.Value.String(), v)
		}
	})
}

func TestCounterexampleShowsEverything(t *testing.T) {
	unexpected := func(q fuzz.Query, a *fuzz.Answer) (*fuzz.Answer, error) {
		if strings.HasPrefix(q.Filter, "contractId=C100") && !strings.Contains(q.Filter, ";") {
			a.IDs = append(a.IDs, "eos_2")
			a.Total++
		}
		return a, nil
	}
	rep, err := fuzz.Run(context.Background(), fuzz.Config{Querier: newFake(unexpected), Seed: 1, Properties: []fuzz.Property{fuzz.Oracle}, ReplayCommand: "accessctk fuzz --target http://x"})
	if err != nil {
		t.Fatal(err)
	}
	cx := rep.Results[0].Failure
	if cx == nil {
		t.Fatal("an extra access was not found")
	}
	text := cx.String()
	for _, want := range []string{"contractId=C100", "filter=contractId%3DC100", "unexpected (1): eos_2", "seed: ", "replay: accessctk fuzz --target http://x --property SAM-FZ-01 --seed "} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	if cx.Size != 1 {
		t.Errorf("minimal case has %d conditions, want 1:\n%s", cx.Size, text)
	}
}

// A tenant larger than the snapshot bound is refused before any check, over HTTP
// (the walk stops early) and in memory alike.
func TestTooLargeTenantIsRefused(t *testing.T) {
	for name, q := range map[string]fuzz.Querier{"reference": startReference(t).q, "fake": newFake(nil)} {
		rep, err := fuzz.Run(context.Background(), fuzz.Config{Querier: q, Seed: 1, MaxSnapshot: 3})
		if !errors.Is(err, fuzz.ErrTooLarge) {
			t.Fatalf("%s: err = %v, want ErrTooLarge", name, err)
		}
		if len(rep.Results) != 0 {
			t.Fatalf("%s: %d properties ran", name, len(rep.Results))
		}
	}
}

func TestFilterParam(t *testing.T) {
	text := "name=a b&x=€\t#+%;"
	if got, want := fuzz.FilterParam(text, false), "filter=name%3Da%20b%26x%3D%E2%82%AC%09%23%2B%25%3B"; got != want {
		t.Errorf("encoded: %s, want %s", got, want)
	}
	if got, want := fuzz.FilterParam(text, true), "filter=name=a%20b&x=%E2%82%AC%09%23%2B%25;"; got != want {
		t.Errorf("raw: %s, want %s", got, want)
	}
}

// A check whose walk broke (a 200 answer the walker could not follow to its last
// page) compared nothing: it is no check of the property, only its paging finding
// is. A target whose every filtered walk breaks leaves SAM-FZ-01 and -02 unjudged,
// not passed; SAM-FZ-03's no-5xx part was still put to the test by every answer.
func TestBrokenWalksAreNotCountedAsChecks(t *testing.T) {
	broken := func(_ fuzz.Query, a *fuzz.Answer) (*fuzz.Answer, error) {
		a.Complete = false
		a.Findings = []fuzz.Finding{{Requirement: "SAM-PG-03", Message: "page 1 has no Link header"}}
		return a, nil
	}
	rep, err := fuzz.Run(context.Background(), fuzz.Config{Querier: newFake(broken), Seed: 1, Checks: 20})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() {
		t.Fatal("a target whose walks break was reported as a counterexample")
	}
	for _, res := range rep.Results {
		switch res.Property {
		case fuzz.Robustness:
			if res.Checks != 20 {
				t.Errorf("%s: %d checks, want 20 (a 5xx can be seen on any answer)", res.Property, res.Checks)
			}
		default:
			if res.Checks != 0 || !strings.Contains(res.Stopped, "20") {
				t.Errorf("%s: %d checks, stopped %q; want 0 checks and the 20 unjudged ones named", res.Property, res.Checks, res.Stopped)
			}
		}
	}
	if len(rep.Findings) == 0 {
		t.Error("the paging finding of the broken walks was dropped")
	}
}

// The text report says PASS only for a property that was put to the test: one that
// ran no judged check, or compared the target with the oracle over a tenant of no
// access (every expression matches nothing on either side), is NOT JUDGED.
func TestReportDoesNotPassUnjudgedProperties(t *testing.T) {
	rep := &fuzz.Report{Seed: 1, MaxDepth: 2, Checks: 20, Results: []fuzz.Result{
		{Property: fuzz.Oracle, Unjudged: 20, Snapshot: 4, Stopped: "20 of 20 checks compared nothing: a walk broke (see the paging findings)"},
		{Property: fuzz.Algebra, Checks: 20},
		{Property: fuzz.Robustness, Checks: 20},
	}}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{"SAM-FZ-01 NOT JUDGED (", "a walk broke", "SAM-FZ-02 NOT JUDGED (", "lists no access", "SAM-FZ-03 PASS (20 checks on 0 accesses)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	for _, res := range rep.Results {
		if got, want := res.NotJudged() == "", res.Property == fuzz.Robustness; got != want {
			t.Errorf("%s: NotJudged() = %q", res.Property, res.NotJudged())
		}
	}
}
