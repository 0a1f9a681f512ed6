// Package poller follows an asynchronous Skylark batch task to its end: it polls
// until the task is DONE, FAILED or REJECTED, backs off between polls, honours
// Retry-After, bounds the wait by a per-task timeout, and keeps every state it saw
// with its time, so that a report can show how the task got where it ended (or did
// not). It judges only the task's progress (SAM-BT-02); what the final task says is
// the caller's business. It never talks HTTP itself: the caller's Fetch does, so every
// poll goes through the caller's client and transcript.
package poller

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/internal/target"
)

// Task states, as the wire defines them.
const (
	Acknowledged = "ACKNOWLEDGED"
	InProgress   = "IN_PROGRESS"
	Done         = "DONE"
	Failed       = "FAILED"
	Rejected     = "REJECTED"
)

// rank orders the states: a task only ever moves to a higher rank, and the three
// terminal states share the top one (a terminal state never changes at all).
func rank(state string) (int, bool) {
	switch state {
	case Acknowledged:
		return 0, true
	case InProgress:
		return 1, true
	case Done, Failed, Rejected:
		return 2, true
	}
	return 0, false
}

// Known reports whether state is one of the five task states.
func Known(state string) bool {
	_, ok := rank(state)
	return ok
}

// Terminal reports whether state ends a task.
func Terminal(state string) bool { return state == Done || state == Failed || state == Rejected }

// Defaults for the zero fields of Poller.
const (
	DefaultTimeout     = 60 * time.Second
	DefaultInterval    = 25 * time.Millisecond
	DefaultMaxInterval = 2 * time.Second
	DefaultMultiplier  = 2.0
	DefaultConfirm     = 1
)

// maxRetryAfter caps a Retry-After value so that an absurd one cannot overflow a
// duration; the task timeout bounds the actual wait anyway.
const maxRetryAfter = 24 * time.Hour

// Response is one answer to a poll.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Fetch performs one poll (GET the task). An error means the harness could not get
// an answer at all (network, timeout); it ends polling.
type Fetch func(ctx context.Context) (Response, error)

// Observation is one answer seen while following a task.
type Observation struct {
	// At is when the answer arrived.
	At time.Time
	// Status is the HTTP status of the answer.
	Status int
	// State is the task state the answer carried ("" when it carried none).
	State string
	// Submission marks the answer to the batch submission itself.
	Submission bool
	// Confirmation marks a poll made after a terminal state, to see it stay.
	Confirmation bool
	// RetryAfter is the answer's Retry-After header, verbatim ("" when absent).
	RetryAfter string
	// Wait is how long the poller waited after this answer before the next poll.
	Wait time.Duration
}

// Outcome says how following a task ended.
type Outcome int

// Outcomes of Poll. Only Finished means the task kept SAM-BT-02.
const (
	// Interrupted: the harness could not follow the task to its end (Poll returned
	// an error); nothing was judged. It is the zero value, so that a Result no
	// verdict was written into never reads as Finished.
	Interrupted Outcome = iota
	// Finished: the task reached a terminal state, which stayed.
	Finished
	// TimedOut: no terminal state within the timeout.
	TimedOut
	// Regressed: the state moved backwards, or a terminal state changed.
	Regressed
	// Unexpected: a poll answered something that is not a task in a known state
	// (a status other than 200 or 429, no state, an unknown state).
	Unexpected
)

func (o Outcome) String() string {
	switch o {
	case Interrupted:
		return "interrupted"
	case Finished:
		return "finished"
	case TimedOut:
		return "timed out"
	case Regressed:
		return "regressed"
	case Unexpected:
		return "unexpected answer"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Result is the story of one task.
type Result struct {
	Outcome Outcome
	// State is the last state seen ("" when none was).
	State string
	// Problem says what went wrong when Outcome is not Finished.
	Problem string
	// Observations are every answer seen, submission first, in order.
	Observations []Observation
	// Start is when the wait began (the submission's time when given).
	Start time.Time
	// Waited is the time from Start to the last answer.
	Waited time.Duration
	// Last is the last answer to a poll (the final task when Finished).
	Last Response
	// TerminalAt is when the terminal state was first seen (zero when never).
	TerminalAt time.Time
}

// History renders the observations one per line, each with its time (UTC) and its
// offset from Start: what a report shows of a task's progress.
func (r *Result) History() string {
	var b strings.Builder
	for i, o := range r.Observations {
		if i > 0 {
			b.WriteByte('\n')
		}
		state := o.State
		if state == "" {
			state = "(no state)"
		}
		fmt.Fprintf(&b, "  %s  +%.3fs  %d  %s", o.At.UTC().Format("15:04:05.000Z"), o.At.Sub(r.Start).Seconds(), o.Status, state)
		switch {
		case o.Submission:
			b.WriteString("  (submission)")
		case o.Confirmation:
			b.WriteString("  (confirmation)")
		}
		if o.RetryAfter != "" {
			fmt.Fprintf(&b, "  Retry-After: %s", o.RetryAfter)
		}
		if o.Wait > 0 {
			fmt.Fprintf(&b, "  then waited %s", o.Wait.Round(time.Millisecond))
		}
	}
	return b.String()
}

// Poller follows tasks. The zero value uses the defaults; it holds no state between
// calls and is safe for concurrent use.
type Poller struct {
	// Timeout bounds the wait for a terminal state, counted from the submission.
	Timeout time.Duration
	// Interval is the first wait between polls; each later one grows by Multiplier
	// up to MaxInterval. A Retry-After on the answer replaces the wait. The poll
	// that confirms a terminal state follows after Interval.
	Interval    time.Duration
	MaxInterval time.Duration
	Multiplier  float64
	// Confirm is how many polls follow the first terminal state to check that it
	// stays (default 1; negative for none).
	Confirm int
	// Now and Sleep are the clock (default: real time); tests replace them.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

func (p Poller) withDefaults() Poller {
	if p.Timeout <= 0 {
		p.Timeout = DefaultTimeout
	}
	if p.Interval <= 0 {
		p.Interval = DefaultInterval
	}
	if p.MaxInterval < p.Interval {
		p.MaxInterval = max(DefaultMaxInterval, p.Interval)
	}
	if p.Multiplier < 1 {
		p.Multiplier = DefaultMultiplier
	}
	switch {
	case p.Confirm == 0:
		p.Confirm = DefaultConfirm
	case p.Confirm < 0:
		p.Confirm = 0
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	return p
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Poll follows one task until it ends. submitted is the answer to the submission
// (its At starts the timeout; a zero At starts it now); its state, when known, counts
// as the first state seen. The task's verdict is in the Result; an error means the
// harness could not finish judging (fetch failed, ctx ended: the run's overall
// deadline) and comes with the Result so far.
func (p Poller) Poll(ctx context.Context, submitted Observation, fetch Fetch) (*Result, error) {
	p = p.withDefaults()
	res := &Result{Start: submitted.At}
	if res.Start.IsZero() {
		res.Start = p.Now()
	}
	deadline := res.Start.Add(p.Timeout)
	t := tracker{res: res}
	if submitted.Status != 0 || submitted.State != "" {
		submitted.Submission = true
		submitted.At = res.Start
		res.Observations = append(res.Observations, submitted)
		if Known(submitted.State) {
			t.see(submitted.State)
		}
	}
	interval := p.Interval
	confirmations := 0
	for {
		r, err := fetch(ctx)
		now := p.Now()
		if err != nil {
			res.Waited = now.Sub(res.Start)
			return res, fmt.Errorf("poll task: %w", err)
		}
		res.Last = r
		res.Waited = now.Sub(res.Start)
		obs := Observation{At: now, Status: r.Status, RetryAfter: r.Header.Get("Retry-After"), Confirmation: !res.TerminalAt.IsZero()}
		switch r.Status {
		case http.StatusTooManyRequests:
		case http.StatusOK:
			obs.State = gjson.GetBytes(r.Body, "state").String()
		default:
			res.Observations = append(res.Observations, obs)
			return t.stop(Unexpected, fmt.Sprintf("polling the task answered %d, not 200 (or 429)", r.Status)), nil
		}
		res.Observations = append(res.Observations, obs)
		if r.Status == http.StatusOK {
			if stop, done := t.judge(obs, now); done {
				return stop, nil
			}
			if !res.TerminalAt.IsZero() && obs.Confirmation {
				confirmations++
			}
		}
		if !res.TerminalAt.IsZero() && confirmations >= p.Confirm {
			res.Outcome = Finished
			return res, nil
		}
		if !now.Before(deadline) {
			if !res.TerminalAt.IsZero() {
				// Terminal, not yet confirmed: time is up, and the task did end.
				res.Outcome = Finished
				return res, nil
			}
			return t.stop(TimedOut, fmt.Sprintf("no terminal state within %s", p.Timeout)), nil
		}
		wait := interval
		switch d, ok := ParseRetryAfter(obs.RetryAfter, now); {
		case ok:
			wait = d
		case !res.TerminalAt.IsZero():
			// A terminal state is confirmed after the shortest wait: its backoff
			// served the wait for the end, not the check that it stays.
			wait = p.Interval
		default:
			interval = min(time.Duration(float64(interval)*p.Multiplier), p.MaxInterval)
		}
		// The last poll happens at the deadline at the latest, even when Retry-After
		// asks for longer: the task gets its full time, and no more.
		wait = min(wait, deadline.Sub(now))
		res.Observations[len(res.Observations)-1].Wait = wait
		if err := p.Sleep(ctx, wait); err != nil {
			return res, fmt.Errorf("waiting for task: %w", err)
		}
	}
}

// tracker applies the ordering rule to the states seen.
type tracker struct {
	res     *Result
	top     int
	seen    bool
	topSeen string
}

func (t *tracker) see(state string) {
	r, _ := rank(state)
	if !t.seen || r > t.top {
		t.top, t.topSeen = r, state
	}
	t.seen = true
	t.res.State = state
}

// judge checks one state against those before it; done means polling stops.
func (t *tracker) judge(obs Observation, now time.Time) (*Result, bool) {
	switch {
	case obs.State == "":
		return t.stop(Unexpected, "the task answer carries no state"), true
	case !Known(obs.State):
		t.res.State = obs.State
		return t.stop(Unexpected, fmt.Sprintf("the task state %q is not one of ACKNOWLEDGED, IN_PROGRESS, DONE, FAILED, REJECTED", obs.State)), true
	}
	r, _ := rank(obs.State)
	switch {
	case t.seen && r < t.top:
		prev := t.topSeen
		t.see(obs.State)
		return t.stop(Regressed, fmt.Sprintf("the task state moved backwards: %s after %s", obs.State, prev)), true
	case t.seen && Terminal(t.topSeen) && obs.State != t.topSeen:
		prev := t.topSeen
		t.see(obs.State)
		return t.stop(Regressed, fmt.Sprintf("the terminal state changed: %s after %s", obs.State, prev)), true
	}
	t.see(obs.State)
	if Terminal(obs.State) && t.res.TerminalAt.IsZero() {
		t.res.TerminalAt = now
	}
	return nil, false
}

func (t *tracker) stop(o Outcome, problem string) *Result {
	t.res.Outcome, t.res.Problem = o, problem
	return t.res
}

// ParseRetryAfter reads a Retry-After value (RFC 9110: delay seconds or an HTTP
// date) as a wait from now. A date in the past is no wait; an invalid value is
// reported as not ok.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	d, ok := target.ParseRetryAfter(v, now)
	return min(d, maxRetryAfter), ok
}
