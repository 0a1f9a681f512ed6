package steps

import (
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
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("changes=%v: a second scenario of the running kind could not enter", changes)
		}
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
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the changer did not enter after the readers left")
	}
	select {
	case <-late:
		t.Fatal("a later reader entered while the changer runs")
	case <-time.After(20 * time.Millisecond):
	}
	g.Leave(true)
	select {
	case <-late:
	case <-time.After(5 * time.Second):
		t.Fatal("the later reader did not enter after the changer left")
	}
	g.Leave(false)
}

// waitUntil polls cond for up to 5 s; a closed entered channel meanwhile means the
// scenario went in instead of waiting.
func waitUntil(t *testing.T, what string, entered <-chan struct{}, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		select {
		case <-entered:
			t.Fatalf("want: %s; it entered at once", what)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("want: %s; it did not", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func (g *Gate) waitingFor(kind int) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waiting[kind]
}
