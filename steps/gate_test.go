package steps

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Scenarios of one kind share the gate.
func TestGateLetsOneKindRunTogether(t *testing.T) {
	for _, changes := range []bool{false, true} {
		var g Gate
		done := make(chan struct{})
		go func() {
			g.Enter(changes)
			g.Enter(changes) // would block if the kind did not share
			g.Leave(changes)
			g.Leave(changes)
			close(done)
		}()
		// A second scenario of the running kind that could not enter hangs here, and go
		// test's -timeout shows where: no wall-clock bound to race a loaded machine.
		<-done
	}
}

// The two kinds never overlap, however they arrive.
func TestGateKeepsKindsApart(t *testing.T) {
	var (
		g                 Gate
		readers, changers atomic.Int32
		overlap           atomic.Bool
		wg                sync.WaitGroup
	)
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			changes := i%3 == 0
			mine, theirs := &readers, &changers
			if changes {
				mine, theirs = &changers, &readers
			}
			g.Enter(changes)
			mine.Add(1)
			if theirs.Load() > 0 {
				overlap.Store(true)
			}
			time.Sleep(time.Millisecond)
			if theirs.Load() > 0 {
				overlap.Store(true)
			}
			mine.Add(-1)
			g.Leave(changes)
		}()
	}
	wg.Wait()
	if overlap.Load() {
		t.Error("a changing scenario ran while a reading one did")
	}
}

// A stream of readers does not hold a waiting changer back: after maxOvertaking more
// readers joined, later readers wait, and once the running readers leave the changer
// goes before them.
func TestGateTakesTurns(t *testing.T) {
	var g Gate
	g.Enter(false) // a reader runs
	entered := make(chan struct{})
	go func() {
		g.Enter(true) // a changer comes
		close(entered)
	}()
	waitUntil(t, "the changer waits for the running reader", entered, func() bool { return g.waitingFor(1) == 1 })
	for range maxOvertaking {
		g.Enter(false) // readers may still join, up to the bound
	}
	late := make(chan struct{})
	go func() {
		g.Enter(false) // one reader too many
		close(late)
	}()
	waitUntil(t, "a reader past the bound waits behind the changer", late, func() bool { return g.waitingFor(0) == 1 })
	for range maxOvertaking + 1 {
		g.Leave(false)
	}
	<-entered // the changer enters once the readers left (a hang here is the failure)
	if g.waitingFor(0) != 1 {
		t.Fatal("a later reader entered while the changer runs")
	}
	g.Leave(true)
	<-late // the later reader enters after the changer left
	g.Leave(false)
}

// waitUntil polls cond until it holds (a wait that never comes hangs, and go test's
// -timeout shows where); a closed entered channel meanwhile means the scenario went
// in instead of waiting.
func waitUntil(t *testing.T, what string, entered <-chan struct{}, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-entered:
			t.Fatalf("want: %s; it entered at once", what)
		default:
		}
		runtime.Gosched()
	}
}

func (g *Gate) waitingFor(kind int) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waiting[kind]
}
