package runner_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accessctk/accessctk/internal/reference"
	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/steps"
)

// judged is what a run decided: the overall verdict and every requirement's status.
func judged(res *verdict.Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", res.Overall)
	for _, r := range res.Requirements {
		fmt.Fprintf(&b, " %s=%s", r.ID, r.Status)
	}
	return b.String()
}

// blamed is what a run held against the target: the overall verdict and the
// requirements it failed or warned about.
func blamed(res *verdict.Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", res.Overall)
	for _, r := range res.Requirements {
		if r.Status == verdict.Fail || r.Status == verdict.Warn {
			fmt.Fprintf(&b, " %s=%s", r.ID, r.Status)
		}
	}
	return b.String()
}

func runAt(t *testing.T, concurrency int, faults ...string) *verdict.Results {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := runner.Run(ctx, runner.Options{
		Scope: steps.Scope{AllowDestructive: true}, Faults: faults, Seed: 1,
		TaskStepDelay: 2 * time.Millisecond, TaskTimeout: taskTimeout(faults...),
		Getenv: func(string) string { return "" }, Concurrency: concurrency,
	})
	if err != nil {
		t.Fatalf("run at concurrency %d with faults %v: %v", concurrency, faults, err)
	}
	return res
}

// TestConcurrencyDeterminism runs the conformant suite and every fault's run at
// concurrency 1 and, ACCESSCTK_DETERMINISM times each, at the concurrencies
// ACCESSCTK_DETERMINISM_LEVELS lists (default "2 4"). The conformant runs must judge
// every requirement the same. A fault's runs must reach the same verdict and fail and
// warn about the same requirements; which other requirements they could judge (PASS)
// or not (ERROR) may differ, and is logged: a server that breaks reads (the
// read-wrong-id fault answers with another access) shows each scenario a different
// state depending on which fixture it drew, and under concurrency scenarios draw
// fixtures in another order. Concurrency must never add or hide a failure. It takes
// minutes, so it only runs when asked.
func TestConcurrencyDeterminism(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ACCESSCTK_DETERMINISM"))
	if n <= 0 {
		t.Skip("set ACCESSCTK_DETERMINISM=N to compare N runs at concurrency 2 and 4 with one at concurrency 1")
	}
	var levels []int
	for _, f := range strings.Fields(os.Getenv("ACCESSCTK_DETERMINISM_LEVELS")) {
		c, err := strconv.Atoi(f)
		if err != nil || c < 1 {
			t.Fatalf("ACCESSCTK_DETERMINISM_LEVELS: %q is not a concurrency", f)
		}
		levels = append(levels, c)
	}
	if len(levels) == 0 {
		levels = []int{2, 4}
	}
	cases := [][]string{nil}
	for _, f := range reference.Faults() {
		cases = append(cases, []string{f.Name})
	}
	var (
		mu    sync.Mutex
		diffs []string
	)
	for _, faults := range cases {
		name := "conformant"
		if faults != nil {
			name = faults[0]
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			compare := judged
			if faults != nil {
				compare = blamed
			}
			first := runAt(t, 1, faults...)
			want := compare(first)
			for _, c := range levels {
				for i := range n {
					res := runAt(t, c, faults...)
					if judged(res) != judged(first) {
						t.Logf("concurrency %d run %d judged other requirements than concurrency 1 could (PASS or ERROR):\n got %s\nwant %s", c, i+1, judged(res), judged(first))
					}
					if got := compare(res); got != want {
						mu.Lock()
						diffs = append(diffs, fmt.Sprintf("%s: concurrency %d run %d judged\n  %s\nconcurrency 1 judged\n  %s", name, c, i+1, got, want))
						mu.Unlock()
						t.Errorf("concurrency %d run %d differs from concurrency 1:\n got %s\nwant %s", c, i+1, got, want)
					}
				}
			}
		})
	}
	t.Cleanup(func() {
		slices.Sort(diffs)
		t.Logf("%d cases, %d differing runs", len(cases), len(diffs))
	})
}
