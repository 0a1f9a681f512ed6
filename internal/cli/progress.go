package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/accessctk/accessctk/internal/runner"
)

// progressWidth keeps the updating line shorter than a terminal line, so the
// carriage return always rewrites it whole.
const progressWidth = 79

// progress shows a run on stderr: on a terminal one line that updates in place,
// otherwise one plain line per finished scenario (for CI logs), which names its
// feature: scenarios run concurrently, so lines of two features interleave.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	drawn bool
}

func newProgress(w io.Writer, tty bool) *progress { return &progress{w: w, tty: tty} }

func (p *progress) event(e runner.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pass := ""
	if e.Attempt > 1 {
		pass = fmt.Sprintf("rerun %d ", e.Attempt-1)
	}
	elapsed := e.Elapsed.Round(100 * time.Millisecond)
	if p.tty {
		done := e.Done
		if e.Event == runner.ScenarioStarted {
			done++
		}
		line := fmt.Sprintf("%s[%d/%d %s] %s: %s", pass, done, e.Total, elapsed, e.Feature, e.Scenario)
		fmt.Fprintf(p.w, "\r\x1b[K%s", clipRunes(line, progressWidth))
		p.drawn = true
		return
	}
	if e.Event == runner.ScenarioStarted {
		return
	}
	where := e.Feature
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.Feature, e.Line)
	}
	fmt.Fprintf(p.w, "%s[%d/%d %s] %s: %s: %s\n", pass, e.Done, e.Total, elapsed, where, e.Scenario, e.Outcome)
}

// done clears the updating line, so the summary starts on a clean line.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}
