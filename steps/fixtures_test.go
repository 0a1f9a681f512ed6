package steps

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestTakeGivesBackAndWaits(t *testing.T) {
	p := NewFixturePool(map[string][]string{RolePPU: {"a", "b", "c"}})
	ctx := context.Background()
	two, err := p.Take(ctx, RolePPU, 2)
	if err != nil || !slices.Equal(two, []string{"a", "b"}) {
		t.Fatalf("Take 2 = %v, %v", two, err)
	}
	// Two are out and one is free: a scenario that needs two waits for them.
	got := make(chan []string)
	go func() {
		ids, err := p.Take(ctx, RolePPU, 2)
		if err != nil {
			t.Error(err)
		}
		got <- ids
	}()
	select {
	case ids := <-got:
		t.Fatalf("Take returned %v while only one fixture was free", ids)
	case <-time.After(20 * time.Millisecond):
	}
	p.GiveBack(RolePPU, "a", true)
	if ids := <-got; !slices.Equal(ids, []string{"c", "a"}) {
		t.Fatalf("the waiting Take got %v, want [c a]", ids)
	}
	usage, _, _, _ := p.Usage()
	if usage[0].Restored != 1 || usage[0].Left != 3 {
		t.Errorf("usage %+v", usage[0])
	}
}

func TestTakeFailsAtOnceWhenNothingCanComeBack(t *testing.T) {
	p := NewFixturePool(map[string][]string{RolePPU: {"a", "b", "c"}})
	ctx := context.Background()
	ids, err := p.Take(ctx, RolePPU, 2)
	if err != nil {
		t.Fatal(err)
	}
	p.Consume(RolePPU, ids[0], "terminated")
	p.Quarantine(RolePPU, ids[1], "restore failed")
	_, err = p.Take(ctx, RolePPU, 2)
	if err == nil {
		t.Fatal("Take of 2 with 1 left succeeded")
	}
	for _, want := range []string{"needs 2 accesses.ppu", "1 remain of the 3 listed", "1 consumed", "1 quarantined (first b: restore failed)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	_, _, consumed, quarantined := p.Usage()
	if len(consumed) != 1 || consumed[0].ID != "a" || len(quarantined) != 1 || quarantined[0].Reason != "restore failed" {
		t.Errorf("consumed %v, quarantined %v", consumed, quarantined)
	}
}

func TestTakeEndsWithTheContext(t *testing.T) {
	p := NewFixturePool(map[string][]string{RolePPU: {"a"}})
	if _, err := p.Take(context.Background(), RolePPU, 1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Take(ctx, RolePPU, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("Take after cancel: %v", err)
	}
}

func TestUnusableFixturesAreNeverHandedOut(t *testing.T) {
	p := NewFixturePool(map[string][]string{RolePPU: {"a", "b"}, RoleNonPPU: {"n1", "n2"}})
	p.SetUnusable(RolePPU, "a", "status TERMINATED")
	p.SetUnusable(RoleNonPPU, "n1", "not found")
	ids, err := p.Take(context.Background(), RolePPU, 1)
	if err != nil || ids[0] != "b" {
		t.Fatalf("Take = %v, %v", ids, err)
	}
	if w := p.Witnesses(RoleNonPPU); !slices.Equal(w, []string{"n2"}) {
		t.Errorf("witnesses %v", w)
	}
	usage, unusable, _, _ := p.Usage()
	if usage[0].Listed != 2 || usage[0].Usable != 1 || len(unusable) != 2 {
		t.Errorf("usage %+v, unusable %v", usage[0], unusable)
	}
}

// Scenarios that each take what they need in one call never deadlock, and no
// fixture is ever held by two of them, whatever they need and however many run.
func TestPoolNeverDeadlocksNorSharesAFixture(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		size := rapid.IntRange(1, 6).Draw(t, "pool")
		ids := make([]string, size)
		for i := range ids {
			ids[i] = string(rune('a' + i))
		}
		p := NewFixturePool(map[string][]string{RolePPU: ids})
		needs := rapid.SliceOfN(rapid.IntRange(1, size), 1, 12).Draw(t, "needs")
		consumes := rapid.SliceOfN(rapid.Bool(), len(needs), len(needs)).Draw(t, "consumes")
		var (
			mu   sync.Mutex
			held = map[string]bool{}
			wg   sync.WaitGroup
		)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for i, n := range needs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := p.Take(ctx, RolePPU, n)
				if err != nil {
					if errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("scenario %d waited for good: deadlock", i)
					}
					return
				}
				mu.Lock()
				for _, id := range got {
					if held[id] {
						t.Errorf("fixture %s handed to two scenarios", id)
					}
					held[id] = true
				}
				mu.Unlock()
				time.Sleep(time.Millisecond)
				mu.Lock()
				for _, id := range got {
					delete(held, id)
				}
				mu.Unlock()
				for _, id := range got {
					if consumes[i] {
						p.Consume(RolePPU, id, "terminated")
					} else {
						p.GiveBack(RolePPU, id, false)
					}
				}
			}()
		}
		wg.Wait()
	})
}

func TestPlanFixtures(t *testing.T) {
	scenarios := []PlannedScenario{
		{Tags: []string{"@mutating"}, Steps: []string{"3 disposable PPU accesses", "a non-PPU access of the tenant"}},
		{Tags: []string{"@mutating"}, Steps: []string{"a disposable PPU access"}},
		{Tags: []string{"@mutating", "@destructive", "@terminates"}, Steps: []string{"a disposable PPU access"}},
		{Tags: []string{"@mutating", "@destructive", "@terminates"}, Steps: []string{"2 disposable PPU accesses"}},
		{Tags: []string{"@mutating", "@destructive"}, Steps: []string{"a disposable PPU access"}},
		{Tags: []string{"@mutating"}, Steps: []string{"the terminated access"}},
		{Tags: []string{"@readonly"}, Steps: []string{"an existing access of the tenant"}},
	}
	needs, err := PlanFixtures(scenarios, Scope{AllowDestructive: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]RoleNeed{
		// 3 used up by @terminates scenarios, and 3 more held at once by the largest
		// scenario that gives them back.
		RolePPU:        {Role: RolePPU, Minimum: 6, Consumed: 3, Scenarios: 5},
		RoleNonPPU:     {Role: RoleNonPPU, Minimum: 1, Scenarios: 1},
		RoleTerminated: {Role: RoleTerminated, Minimum: 1, Scenarios: 1},
		RoleSecondary:  {Role: RoleSecondary},
	}
	for _, n := range needs {
		if n != want[n.Role] {
			t.Errorf("%s: got %+v, want %+v", n.Role, n, want[n.Role])
		}
	}
	// Without --allow-destructive nothing is used up; --readonly needs nothing.
	needs, _ = PlanFixtures(scenarios, Scope{})
	if needs[0].Consumed != 0 || needs[0].Minimum != 3 {
		t.Errorf("without destructive: %+v", needs[0])
	}
	needs, _ = PlanFixtures(scenarios, Scope{ReadOnly: true})
	for _, n := range needs {
		if n.Minimum != 0 {
			t.Errorf("readonly needs %+v", n)
		}
	}
}

func TestRunsLeft(t *testing.T) {
	needs := []RoleNeed{{Role: RolePPU, Minimum: 7, Consumed: 4}, {Role: RoleNonPPU, Minimum: 1}}
	for left, want := range map[int]int{6: 0, 7: 1, 10: 1, 11: 2, 15: 3} {
		if got := RunsLeft(needs, map[string]int{RolePPU: left, RoleNonPPU: 1}); got != want {
			t.Errorf("%d left: %d runs, want %d", left, got, want)
		}
	}
	if got := RunsLeft([]RoleNeed{{Role: RolePPU, Minimum: 3}}, map[string]int{RolePPU: 3}); got != -1 {
		t.Errorf("a selection that uses nothing up: %d, want -1", got)
	}
}

func TestFieldsChanged(t *testing.T) {
	before := []byte(`{"id":"a","@type":"RealizingResource","status":"ACTIVE","endDateTime":null,"lastModified":"1"}`)
	for after, want := range map[string]string{
		`{"id":"a","@type":"RealizingResource","status":"ACTIVE","lastModified":"2"}`:       "",
		`{"id":"a","@type":"RealizingResource","status":"SUSPENDED"}`:                       "status",
		`{"id":"a","@type":"Other","status":"ACTIVE","endDateTime":"2026-12-31T23:59:00Z"}`: "@type endDateTime",
		`{"id":"a","@type":"RealizingResource","status":"ACTIVE","username":"x"}`:           "username",
	} {
		if got := strings.Join(fieldsChanged(before, []byte(after)), " "); got != want {
			t.Errorf("%s: changed %q, want %q", after, got, want)
		}
	}
}

// Every step the fixture plan knows is a step of the library, and every step of the
// library that names a fixture in its text is in the plan.
func TestFixtureUsesMatchTheSteps(t *testing.T) {
	defs := stepDefinitions(newWorld(&Suite{}))
	patterns := map[string]bool{}
	for _, d := range defs {
		patterns[d.pattern] = true
	}
	for p := range fixtureUses {
		if !patterns[p] {
			t.Errorf("fixtureUses names %q, which is not a step pattern", p)
		}
	}
	takesFixture := regexp.MustCompile(`disposable|non-PPU access|terminated access|access of the other tenant`)
	for _, d := range defs {
		if takesFixture.MatchString(d.pattern) && !strings.Contains(d.pattern, "submit") && !strings.Contains(d.pattern, "batch") {
			if _, ok := fixtureUses[d.pattern]; !ok {
				t.Errorf("step %q seems to use a fixture but the fixture plan does not know it", d.pattern)
			}
		}
	}
}
