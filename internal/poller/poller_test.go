package poller_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accessctk/accessctk/internal/poller"
)

// clock is a fake clock: Sleep advances it at once, so that waits of seconds cost
// nothing and are exactly measurable.
type clock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 31, 23, 59, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *clock) waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// answer is one scripted reply of the task endpoint.
type answer struct {
	status     int
	state      string // "" sends no state
	retryAfter func(now time.Time) string
	body       string // replaces the generated body when set
}

// script serves the answers in order, repeating the last one, and counts polls.
type script struct {
	mu      sync.Mutex
	answers []answer
	polls   int
	clock   *clock
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	a := s.answers[min(s.polls, len(s.answers)-1)]
	s.polls++
	s.mu.Unlock()
	if a.retryAfter != nil {
		w.Header().Set("Retry-After", a.retryAfter(s.clock.Now()))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	body := a.body
	if body == "" {
		body = `{"id":"job-1"}`
		if a.state != "" {
			body = fmt.Sprintf(`{"id":"job-1","state":%q}`, a.state)
		}
	}
	_, _ = io.WriteString(w, body)
}

func (s *script) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls
}

func ok(state string) answer { return answer{status: http.StatusOK, state: state} }

// serve starts an httptest server with the script and returns a Fetch that GETs it.
func serve(t *testing.T, c *clock, answers ...answer) (*script, poller.Fetch) {
	t.Helper()
	s := &script{answers: answers, clock: c}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	fetch := func(ctx context.Context) (poller.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/eos/access/batch/job-1", nil)
		if err != nil {
			return poller.Response{}, err
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			return poller.Response{}, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return poller.Response{}, err
		}
		return poller.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
	}
	return s, fetch
}

func fake(c *clock, p poller.Poller) poller.Poller {
	p.Now, p.Sleep = c.Now, c.Sleep
	return p
}

func submitted(c *clock, state string) poller.Observation {
	return poller.Observation{At: c.Now(), Status: http.StatusAccepted, State: state}
}

func states(r *poller.Result) []string {
	var out []string
	for _, o := range r.Observations {
		out = append(out, o.State)
	}
	return out
}

func TestPollFollowsATaskToItsEndWithBackoff(t *testing.T) {
	c := newClock()
	s, fetch := serve(t, c, ok("ACKNOWLEDGED"), ok("IN_PROGRESS"), ok("IN_PROGRESS"), ok("DONE"))
	p := fake(c, poller.Poller{Interval: 100 * time.Millisecond, Multiplier: 2, MaxInterval: 300 * time.Millisecond})
	res, err := p.Poll(context.Background(), submitted(c, "ACKNOWLEDGED"), fetch)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != poller.Finished || res.State != "DONE" {
		t.Fatalf("outcome %s, state %s: %s", res.Outcome, res.State, res.Problem)
	}
	want := "ACKNOWLEDGED ACKNOWLEDGED IN_PROGRESS IN_PROGRESS DONE DONE"
	if got := strings.Join(states(res), " "); got != want {
		t.Errorf("states %q, want %q", got, want)
	}
	if !res.Observations[0].Submission || !res.Observations[5].Confirmation || res.Observations[4].Confirmation {
		t.Errorf("submission/confirmation marks wrong: %+v", res.Observations)
	}
	// Backoff 100, 200, then capped at 300ms; the confirmation follows after the
	// first interval.
	wantWaits := []time.Duration{100, 200, 300, 100}
	got := c.waits()
	if len(got) != len(wantWaits) {
		t.Fatalf("waits %v, want %v ms", got, wantWaits)
	}
	for i, w := range wantWaits {
		if got[i] != w*time.Millisecond {
			t.Errorf("wait %d: %v, want %vms", i, got[i], w)
		}
	}
	if s.count() != 5 || res.Waited != 700*time.Millisecond {
		t.Errorf("polls %d, waited %v", s.count(), res.Waited)
	}
	if res.TerminalAt.Sub(res.Start) != 600*time.Millisecond {
		t.Errorf("terminal after %v", res.TerminalAt.Sub(res.Start))
	}
	if !strings.Contains(string(res.Last.Body), `"DONE"`) {
		t.Errorf("last body %s", res.Last.Body)
	}
}

func TestPollHonoursRetryAfter(t *testing.T) {
	t.Run("seconds on 429", func(t *testing.T) {
		c := newClock()
		s, fetch := serve(t, c,
			answer{status: http.StatusTooManyRequests, retryAfter: func(time.Time) string { return "3" }, body: `{"code":"TOO_MANY"}`},
			ok("DONE"))
		res, err := fake(c, poller.Poller{Confirm: -1}).Poll(context.Background(), submitted(c, "ACKNOWLEDGED"), fetch)
		if err != nil || res.Outcome != poller.Finished {
			t.Fatalf("err %v, outcome %s %s", err, res.Outcome, res.Problem)
		}
		if w := c.waits(); len(w) != 1 || w[0] != 3*time.Second {
			t.Errorf("waits %v, want [3s]", w)
		}
		if s.count() != 2 || res.Observations[1].Status != 429 || res.Observations[1].RetryAfter != "3" || res.Observations[1].State != "" {
			t.Errorf("observations %+v", res.Observations)
		}
	})
	t.Run("HTTP date on the task answer", func(t *testing.T) {
		c := newClock()
		date := func(now time.Time) string { return now.Add(5 * time.Second).Format(http.TimeFormat) }
		_, fetch := serve(t, c, answer{status: http.StatusOK, state: "IN_PROGRESS", retryAfter: date}, ok("DONE"))
		res, err := fake(c, poller.Poller{Confirm: -1}).Poll(context.Background(), submitted(c, "ACKNOWLEDGED"), fetch)
		if err != nil || res.Outcome != poller.Finished {
			t.Fatalf("err %v, outcome %s %s", err, res.Outcome, res.Problem)
		}
		if w := c.waits(); len(w) != 1 || w[0] != 5*time.Second {
			t.Errorf("waits %v, want [5s]", w)
		}
	})
	t.Run("never past the timeout", func(t *testing.T) {
		c := newClock()
		s, fetch := serve(t, c, answer{status: http.StatusTooManyRequests, retryAfter: func(time.Time) string { return "120" }})
		res, err := fake(c, poller.Poller{Timeout: 10 * time.Second}).Poll(context.Background(), submitted(c, "ACKNOWLEDGED"), fetch)
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != poller.TimedOut || res.Waited != 10*time.Second || s.count() != 2 {
			t.Errorf("outcome %s after %v and %d polls, want timed out after 10s and 2 polls", res.Outcome, res.Waited, s.count())
		}
	})
}

func TestPollTimesOutOnAStuckTask(t *testing.T) {
	c := newClock()
	_, fetch := serve(t, c, ok("IN_PROGRESS"))
	res, err := fake(c, poller.Poller{Timeout: 5 * time.Second}).Poll(context.Background(), submitted(c, "ACKNOWLEDGED"), fetch)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != poller.TimedOut || res.State != "IN_PROGRESS" || res.Waited != 5*time.Second {
		t.Fatalf("outcome %s, state %s, waited %v", res.Outcome, res.State, res.Waited)
	}
	if !strings.Contains(res.Problem, "5s") {
		t.Errorf("problem %q does not name the timeout", res.Problem)
	}
	last := res.Observations[len(res.Observations)-1]
	if !last.At.Equal(res.Start.Add(5 * time.Second)) {
		t.Errorf("last poll at +%v, want exactly at the deadline", last.At.Sub(res.Start))
	}
}

func TestPollCatchesStatesMovingBackwards(t *testing.T) {
	for _, tc := range []struct {
		name      string
		submitted string
		answers   []answer
		problem   string
	}{
		{"done then in progress", "ACKNOWLEDGED", []answer{ok("DONE"), ok("IN_PROGRESS")}, "IN_PROGRESS after DONE"},
		{"in progress then acknowledged", "ACKNOWLEDGED", []answer{ok("IN_PROGRESS"), ok("ACKNOWLEDGED")}, "ACKNOWLEDGED after IN_PROGRESS"},
		{"submission ahead of the first poll", "IN_PROGRESS", []answer{ok("ACKNOWLEDGED")}, "ACKNOWLEDGED after IN_PROGRESS"},
		{"terminal state changes", "ACKNOWLEDGED", []answer{ok("DONE"), ok("FAILED")}, "FAILED after DONE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			_, fetch := serve(t, c, tc.answers...)
			res, err := fake(c, poller.Poller{}).Poll(context.Background(), submitted(c, tc.submitted), fetch)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != poller.Regressed || !strings.Contains(res.Problem, tc.problem) {
				t.Fatalf("outcome %s, problem %q; want regressed, %q", res.Outcome, res.Problem, tc.problem)
			}
		})
	}
}

func TestPollStopsOnAnswersThatAreNotATask(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answer  answer
		problem string
	}{
		{"not found", answer{status: http.StatusNotFound, body: `{"code":"NOT_FOUND","reason":"Not Found"}`}, "answered 404"},
		{"server error", answer{status: http.StatusInternalServerError, body: `{}`}, "answered 500"},
		{"no state", answer{status: http.StatusOK, body: `{"id":"job-1"}`}, "no state"},
		{"unknown state", ok("RUNNING"), `"RUNNING" is not one of`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			_, fetch := serve(t, c, tc.answer)
			res, err := fake(c, poller.Poller{}).Poll(context.Background(), submitted(c, "ACKNOWLEDGED"), fetch)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != poller.Unexpected || !strings.Contains(res.Problem, tc.problem) {
				t.Fatalf("outcome %s, problem %q; want unexpected, %q", res.Outcome, res.Problem, tc.problem)
			}
		})
	}
}

func TestPollReturnsHarnessErrors(t *testing.T) {
	c := newClock()
	boom := errors.New("connection refused")
	calls := 0
	fetch := func(context.Context) (poller.Response, error) {
		calls++
		if calls == 2 {
			return poller.Response{}, boom
		}
		return poller.Response{Status: http.StatusOK, Body: []byte(`{"state":"IN_PROGRESS"}`)}, nil
	}
	res, err := fake(c, poller.Poller{}).Poll(context.Background(), poller.Observation{}, fetch)
	if !errors.Is(err, boom) || res == nil || len(res.Observations) != 1 {
		t.Fatalf("err %v, result %+v", err, res)
	}
	// The Result so far must not read as a task that kept SAM-BT-02: nothing was
	// judged, even when a terminal state had been seen before the error.
	if res.Outcome == poller.Finished {
		t.Errorf("outcome %s after a harness error, want anything but finished", res.Outcome)
	}
	calls = 0
	doneThenGone := func(context.Context) (poller.Response, error) {
		calls++
		if calls == 2 {
			return poller.Response{}, boom
		}
		return poller.Response{Status: http.StatusOK, Body: []byte(`{"state":"DONE"}`)}, nil
	}
	res, err = fake(c, poller.Poller{}).Poll(context.Background(), poller.Observation{}, doneThenGone)
	if !errors.Is(err, boom) || res == nil || res.Outcome == poller.Finished {
		t.Fatalf("err %v, outcome %v; want the error and an outcome other than finished (the confirmation never came)", err, res.Outcome)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = fake(c, poller.Poller{}).Poll(ctx, poller.Observation{}, func(context.Context) (poller.Response, error) {
		return poller.Response{Status: http.StatusOK, Body: []byte(`{"state":"IN_PROGRESS"}`)}, nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want the context's", err)
	}
}

// With the real clock and the defaults but for short waits, against a server that
// finishes after a few polls.
func TestPollWithTheRealClock(t *testing.T) {
	s, fetch := serve(t, nil, ok("IN_PROGRESS"), ok("IN_PROGRESS"), ok("DONE"))
	start := time.Now()
	res, err := poller.Poller{Interval: time.Millisecond, MaxInterval: 5 * time.Millisecond}.Poll(context.Background(), poller.Observation{}, fetch)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != poller.Finished || s.count() != 4 || res.Start.Before(start) {
		t.Fatalf("outcome %s after %d polls: %s", res.Outcome, s.count(), res.History())
	}
}

func TestHistoryShowsEveryAnswer(t *testing.T) {
	c := newClock()
	_, fetch := serve(t, c, answer{status: 429, retryAfter: func(time.Time) string { return "1" }}, ok("DONE"))
	res, err := fake(c, poller.Poller{}).Poll(context.Background(), submitted(c, "ACKNOWLEDGED"), fetch)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"  23:59:00.000Z  +0.000s  202  ACKNOWLEDGED  (submission)",
		"  23:59:00.000Z  +0.000s  429  (no state)  Retry-After: 1  then waited 1s",
		"  23:59:01.000Z  +1.000s  200  DONE  then waited 25ms",
		"  23:59:01.025Z  +1.025s  200  DONE  (confirmation)",
	}, "\n")
	if got := res.History(); got != want {
		t.Errorf("history:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{" 7 ", 7 * time.Second, true},
		{"99999999999999999999", 24 * time.Hour, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"Thu, 01 Jan 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Thursday, 01-Jan-26 12:00:30 GMT", 30 * time.Second, true}, // RFC 850, still allowed
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
	} {
		got, ok := poller.ParseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestStates(t *testing.T) {
	for _, s := range []string{"ACKNOWLEDGED", "IN_PROGRESS", "DONE", "FAILED", "REJECTED"} {
		if !poller.Known(s) {
			t.Errorf("%s not known", s)
		}
	}
	if poller.Known("done") || poller.Known("") || poller.Terminal("IN_PROGRESS") || !poller.Terminal("REJECTED") {
		t.Error("state predicates wrong")
	}
	if poller.TimedOut.String() != "timed out" || poller.Outcome(9).String() != "Outcome(9)" {
		t.Error("Outcome.String")
	}
}

// A terminal state first seen by the poll at the deadline ends the wait finished:
// the task did end within its time, and no confirmation fits in it.
func TestPollTerminalAtTheDeadlineIsFinished(t *testing.T) {
	c := newClock()
	s, fetch := serve(t, c, ok("IN_PROGRESS"), ok("DONE"))
	res, err := fake(c, poller.Poller{Timeout: time.Second, Interval: time.Second}).Poll(context.Background(), submitted(c, "ACKNOWLEDGED"), fetch)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != poller.Finished || res.State != "DONE" || s.count() != 2 || res.Waited != time.Second {
		t.Fatalf("outcome %s, state %s after %d polls and %v: %s", res.Outcome, res.State, s.count(), res.Waited, res.History())
	}
}
