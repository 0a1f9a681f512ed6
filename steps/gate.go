package steps

import "sync"

// Gate keeps scenarios that change data apart from scenarios that read it when a run
// executes several scenarios at once. Scenarios of one kind run together; the two
// kinds never overlap. A reading scenario compares walks of the whole tenant with
// each other and with a snapshot it took first: a change landing in between (a
// terminate moving an endDateTime, a batch applying) would fail a rule the target
// keeps. A changing scenario touches only the fixtures the pool gave it (and reads
// witnesses a conformant target never changes), so changing scenarios do not disturb
// each other, and reading scenarios change nothing.
//
// The kinds take turns: once a scenario of one kind waits, at most maxOvertaking more
// of the running kind join, and then the waiting kind goes next, so neither can hold
// the other back for good. Safe for concurrent use; the zero value is ready.
type Gate struct {
	mu   sync.Mutex
	cond *sync.Cond
	// active is the kind of the running scenarios (0 reads, 1 changes), running
	// their number; waiting counts the scenarios waiting by kind.
	active, running int
	waiting         [2]int
	// turn is the kind that goes next when both want to.
	turn int
	// overtaken counts the scenarios that joined the running kind while the other
	// kind waited.
	overtaken int
	// changers counts the scenarios of the changing kind that ever entered: data read
	// while it stays the same is still the data (see Generation).
	changers int
}

// Generation counts the scenarios that change data so far. Scenarios that read run
// only while none that changes does, so two readers that see the same generation
// see the same data.
func (g *Gate) Generation() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.changers
}

// maxOvertaking bounds how many scenarios of the running kind may still join it while
// the other kind waits. Joining keeps both cores busy (scenarios of one kind come in
// runs: a feature's worth); the bound keeps the waiting kind from waiting for good.
const maxOvertaking = 8

// Enter blocks until a scenario of the given kind may run. Every Enter needs a
// matching Leave.
func (g *Gate) Enter(changes bool) {
	k, other := kinds(changes)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cond == nil {
		g.cond = sync.NewCond(&g.mu)
	}
	g.waiting[k]++
	for {
		if g.running == 0 && (g.waiting[other] == 0 || g.turn == k) {
			g.overtaken = 0
			break
		}
		if g.running > 0 && g.active == k {
			if g.waiting[other] == 0 {
				break
			}
			if g.overtaken < maxOvertaking {
				g.overtaken++
				break
			}
		}
		if g.running > 0 && g.active == other {
			// Next in line once the running kind drains.
			g.turn = k
		}
		g.cond.Wait()
	}
	g.waiting[k]--
	g.active = k
	g.running++
	if changes {
		g.changers++
	}
}

// Leave ends a scenario that entered with the same kind.
func (g *Gate) Leave(changes bool) {
	_, other := kinds(changes)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.running--
	if g.running == 0 {
		g.turn = other
	}
	if g.cond != nil {
		g.cond.Broadcast()
	}
}

func kinds(changes bool) (k, other int) {
	if changes {
		return 1, 0
	}
	return 0, 1
}
