package runner

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/steps"
)

// DefaultRunTimeout bounds a whole run when Options.RunTimeout is zero.
const DefaultRunTimeout = 10 * time.Minute

// InsecureNote is the note every report of a run made with
// --insecure-skip-verify carries.
const InsecureNote = "WARNING: TLS certificate verification was OFF (--insecure-skip-verify): " +
	"this run cannot show that it talked to the real target, and anyone on the path could have answered instead"

// runDeadline is the cause of the run context's end when the run time limit passes;
// request errors and scenario messages quote it.
type runDeadline struct{ limit time.Duration }

func (e *runDeadline) Error() string {
	return fmt.Sprintf("the run time limit (%s, --run-timeout) was reached", e.limit)
}

// runContext is ctx bounded by the run time limit. Cancelled by reachRunTimeout (a
// test's), it ends as the clock would end it, with the same cause, but Canceled
// rather than DeadlineExceeded: a request in flight then reads "request canceled".
func (o Options) runContext(ctx context.Context) (context.Context, context.CancelFunc) {
	runCtx, stop := context.WithTimeoutCause(ctx, o.RunTimeout, &runDeadline{o.RunTimeout})
	if o.reachRunTimeout == nil {
		return runCtx, stop
	}
	reached, cancel := context.WithCancelCause(runCtx)
	go func() {
		select {
		case <-o.reachRunTimeout:
			cancel(&runDeadline{o.RunTimeout})
		case <-reached.Done():
		}
	}()
	return reached, func() { cancel(nil); stop() }
}

// checkTransport validates the options that shape the connection to the target and
// loads the TLS files; a problem is a usage error.
func (o Options) checkTransport() (*tls.Config, error) {
	switch {
	case o.RunTimeout < 0:
		return nil, usageError("--run-timeout %s: want a positive duration", o.RunTimeout)
	case o.Concurrency < 0:
		return nil, usageError("--concurrency %d: want 1 or more", o.Concurrency)
	case o.RPS < 0:
		return nil, usageError("--rps %g: want a positive number, or 0 for no limit", o.RPS)
	case o.Chaos.Mode != "" && o.Target != "":
		return nil, usageError("--chaos applies only to the embedded reference server, not to --target")
	}
	if o.TLS.IsZero() {
		return nil, nil
	}
	if u, err := url.Parse(o.Target); o.Target == "" || err != nil || u.Scheme != "https" {
		return nil, usageError("--ca-cert, --client-cert, --client-key and --insecure-skip-verify apply only to an https --target")
	}
	cfg, err := target.LoadTLS(o.TLS)
	if err != nil {
		return nil, usageError("TLS: %w", err)
	}
	return cfg, nil
}

// clientConfig is the target client's configuration for this run.
func (o Options) clientConfig(base *url.URL, tlsCfg *tls.Config) target.Config {
	return target.Config{
		BaseURL:      base,
		Timeout:      o.RequestTimeout,
		MaxBodyBytes: o.MaxBodyBytes,
		UserAgent:    "accessctk/" + o.Version,
		TLS:          tlsCfg,
		MaxRetries:   o.MaxRetries,
		MaxRetryWait: o.MaxRetryWait,
		RPS:          o.RPS,
	}
}

// transportNotes says, for the report, what the run did to cope with the target:
// waits after 429, the rate limit, giving up on an unreachable target, TLS without
// verification, the run deadline.
func transportNotes(o Options, st target.Stats, deadline bool) []string {
	var notes []string
	if o.TLS.InsecureSkipVerify {
		notes = append(notes, InsecureNote)
	}
	if st.RateLimited > 0 {
		n := fmt.Sprintf("the target answered 429 (rate limited) %d times: %d requests were sent again after waiting %s in all (Retry-After honoured, each wait at most %s)",
			st.RateLimited, st.Retries, st.RetryWait.Round(time.Millisecond), orDefault(o.MaxRetryWait, target.DefaultMaxRetryWait))
		if st.GaveUp > 0 {
			n += fmt.Sprintf("; %d requests were still refused after the last retry and their scenarios are ERROR", st.GaveUp)
		}
		notes = append(notes, n)
	}
	if o.RPS > 0 {
		notes = append(notes, fmt.Sprintf("requests were limited to %g per second (--rps): waiting for the limit took %s in all", o.RPS, st.LimiterWait.Round(time.Millisecond)))
	}
	if st.Unreachable != "" {
		notes = append(notes, fmt.Sprintf("the target became unreachable during the run: the harness %s; %d later requests were not sent and their scenarios are ERROR, not judged",
			st.Unreachable, st.NotSent))
	}
	if deadline {
		notes = append(notes, fmt.Sprintf("%s: the scenarios still running or not started then are ERROR, and the verdict cannot be CONFORMANT",
			(&runDeadline{o.RunTimeout}).Error()))
	}
	return notes
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// fixtureReadUnjudgeable reports whether a fixture read failed in a way that says
// nothing about the fixture (the connection broke, the body was over the cap, the
// target kept rate limiting): the fixture is then unverified, and the scenario that
// uses it checks it again. An unreachable target or a timeout stops the run instead:
// every other read would wait the same way.
func fixtureReadUnjudgeable(err error) bool {
	if errors.Is(err, target.ErrUnreachable) || errors.Is(err, target.ErrTimeout) {
		return false
	}
	return errors.Is(err, target.ErrConnection) || errors.Is(err, target.ErrBodyTooLarge) || errors.Is(err, target.ErrRateLimited)
}

// fixtureRead is the outcome of reading one fixture.
type fixtureRead struct {
	read steps.FixtureRead
	err  error
}

// readFixtures reads the fixtures, up to workers at once (the run's concurrency: a
// slow target makes many sequential reads long), and returns the outcomes in the
// order of checks. The first error that stops the check (see fixtureReadUnjudgeable)
// cancels the reads not yet made and is returned.
func readFixtures(ctx context.Context, s *steps.Suite, checks []fixtureCheck, workers int) ([]fixtureRead, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]fixtureRead, len(checks))
	var (
		wg   sync.WaitGroup
		once sync.Once
		stop error
	)
	next := make(chan int)
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c := checks[i]
				read, err := steps.PreflightRead(ctx, s, c.tenant, c.id)
				out[i] = fixtureRead{read, err}
				if err != nil && !fixtureReadUnjudgeable(err) {
					once.Do(func() { stop = err; cancel() })
				}
			}
		}()
	}
feed:
	for i := range checks {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if stop != nil {
		return nil, stop
	}
	if ctx.Err() != nil {
		// The caller's context ended between reads: not every fixture was read.
		return nil, fmt.Errorf("interrupted: %w", context.Cause(ctx))
	}
	return out, nil
}
