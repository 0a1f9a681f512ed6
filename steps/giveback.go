package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/internal/target"
)

// heldFixture is a fixture a scenario checked out of the pool.
type heldFixture struct {
	role  string
	id    string
	owner Tenant
	// before is the fixture's state when the scenario took it, for a fixture the
	// preflight could not read.
	before []byte
}

// checkOut takes n fixtures of an exclusive role for the scenario. A scenario takes
// everything it needs in one step, so that it never waits for fixtures while holding
// some (see FixturePool.Take).
func (w *World) checkOut(ctx context.Context, role string, n int) ([]string, error) {
	if len(w.held) > 0 {
		return nil, &HarnessError{Err: fmt.Errorf("the scenario takes fixtures twice; a scenario must take every fixture it needs in one step")}
	}
	ids, err := w.suite.Pool.Take(ctx, role, n)
	if err != nil {
		return nil, &HarnessError{Err: err}
	}
	for _, id := range ids {
		w.held = append(w.held, heldFixture{role: role, id: id, owner: w.suite.Primary})
	}
	return ids, nil
}

// noteSnapshot keeps a held fixture's state as the scenario first read it.
func (w *World) noteSnapshot(id string, body []byte) {
	for i := range w.held {
		if w.held[i].id == id && w.held[i].before == nil {
			w.held[i].before = body
		}
	}
}

// restoreTimeout bounds each request of giving a fixture back. It runs after the
// scenario, even when the run's own time is up: a fixture left suspended would be
// lost to every later run of the same fixtures file.
const restoreTimeout = 15 * time.Second

// giveBackFixtures returns every fixture the scenario holds to the pool: as it was,
// after restoring a status change, or not at all. Nothing here is a finding: the
// rules that govern status changes are judged by their own scenarios, and a fixture
// the harness cannot restore is the harness's loss (quarantined, named in the
// report), never a failure of some other rule.
func (w *World) giveBackFixtures(ctx context.Context, ended error) {
	if len(w.held) == 0 {
		return
	}
	cause := ""
	var harness *HarnessError
	if errors.As(ended, &harness) {
		cause = " (the scenario ended unjudged: " + harness.Error() + ")"
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
	defer cancel()
	unfinished := ""
	if w.changing {
		unfinished = w.awaitAcceptedTasks(ctx)
	}
	for _, f := range w.held {
		if !w.changing {
			// The scenario only read: there is nothing to verify.
			w.suite.Pool.GiveBack(f.role, f.id, false)
			continue
		}
		if unfinished != "" {
			w.suite.Pool.Quarantine(f.role, f.id, unfinished+cause)
			continue
		}
		w.giveBack(ctx, f)
	}
	w.held = nil
}

// acceptedTask is a batch task a target accepted.
type acceptedTask struct {
	id     string
	tenant Tenant
}

// noteAcceptedTask remembers a batch submission the target answered with 2xx.
func (w *World) noteAcceptedTask(r target.Request, resp *target.Response) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.Path, "/access/batchUpdate") || resp.Status < 200 || resp.Status > 299 {
		return
	}
	t := w.suite.Primary
	if s := w.suite.Secondary; s != nil && strings.HasPrefix(r.Path, "/"+url.PathEscape(s.Name)+"/") {
		t = *s
	}
	w.accepted = append(w.accepted, acceptedTask{id: gjson.GetBytes(resp.Body, "id").String(), tenant: t})
}

// awaitAcceptedTasks follows every batch task the scenario's requests had accepted
// and not seen end, until each ends or the time to give fixtures back runs out. It
// returns why the fixtures cannot go back ("" when every task ended): a task that
// may still run could change a fixture under the next scenario.
func (w *World) awaitAcceptedTasks(ctx context.Context) string {
	for _, task := range w.accepted {
		if task.id == w.batch.taskID && w.batch.result != nil {
			if terminalTaskState(w.batch.result.State) {
				continue
			}
			// The scenario followed it already, as long as the task timeout allows.
			return fmt.Sprintf("the batch task %s naming it had not ended when the scenario did, so it may still change it", task.id)
		}
		if task.id == "" {
			return "a batch naming it was accepted without a task id to follow, so it may still change it"
		}
		if !w.taskEnds(ctx, task) {
			return fmt.Sprintf("the batch task %s naming it had not ended when the scenario did, so it may still change it", task.id)
		}
	}
	return ""
}

// taskEnds polls a task until it is in a terminal state, within the task timeout.
func (w *World) taskEnds(ctx context.Context, task acceptedTask) bool {
	if t := w.suite.TaskTimeout; t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	wait := max(w.suite.PollInterval, 5*time.Millisecond)
	path := "/" + url.PathEscape(task.tenant.Name) + "/access/batch/" + url.PathEscape(task.id)
	for {
		resp, err := doIdempotent(ctx, w.suite.Client, target.Request{Method: http.MethodGet, Path: path, Token: task.tenant.Token})
		if err == nil && resp.Status == http.StatusOK && terminalTaskState(gjson.GetBytes(resp.Body, "state").String()) {
			return true
		}
		if err != nil && !errors.Is(err, target.ErrConnection) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

func terminalTaskState(s string) bool { return s == "DONE" || s == "FAILED" || s == "REJECTED" }

func (w *World) giveBack(ctx context.Context, f heldFixture) {
	pool := w.suite.Pool
	baseline := pool.Baseline(f.id)
	if baseline == nil {
		baseline = f.before
	}
	switch outcome, reason := settle(ctx, w.suite.Client, f, baseline); outcome {
	case settledAsItWas:
		pool.GiveBack(f.role, f.id, false)
	case settledRestored:
		pool.GiveBack(f.role, f.id, true)
	case settledUsedUp:
		pool.Consume(f.role, f.id, reason)
	default:
		pool.Quarantine(f.role, f.id, reason)
	}
}

// settlement is how a fixture came out of a scenario (or a run).
type settlement int

const (
	settledAsItWas settlement = iota
	settledRestored
	settledUsedUp
	settledLost
)

// settle reads a fixture back and compares it with its state before: as it was; a
// status changed and set back through the API (verified by a read); terminated; or
// lost, with the reason.
func settle(ctx context.Context, c *target.Client, f heldFixture, baseline []byte) (settlement, string) {
	if baseline == nil {
		return settledLost, "its state before the scenario was never read, so a restore cannot be verified"
	}
	now, err := readBack(ctx, c, f)
	if err != nil {
		return settledLost, err.Error()
	}
	changed := fieldsChanged(baseline, now)
	if len(changed) == 0 {
		return settledAsItWas, ""
	}
	was, is := gjson.GetBytes(baseline, "status").String(), gjson.GetBytes(now, "status").String()
	if f.role == RolePPU && (is == "TERMINATED" || is == "PENDING_TERMINATE") {
		return settledUsedUp, "status " + is + " after the scenario"
	}
	if len(changed) > 1 || changed[0] != "status" || !restorableStatus(was) {
		return settledLost, fmt.Sprintf("%s differ from before and cannot be restored through the API", strings.Join(changed, ", "))
	}
	if err := restoreStatus(ctx, c, f, was); err != nil {
		return settledLost, fmt.Sprintf("status %s; restoring %s failed: %v", is, was, err)
	}
	again, err := readBack(ctx, c, f)
	if err != nil {
		return settledLost, "restored to " + was + ", but " + err.Error()
	}
	if changed := fieldsChanged(baseline, again); len(changed) > 0 {
		return settledLost, fmt.Sprintf("restored to %s, but a read then shows %s still differing from before", was, strings.Join(changed, ", "))
	}
	return settledRestored, ""
}

// RestoreWitnesses checks, after the run, the fixtures scenarios only read (a
// conformant server never changes them) and sets back a status a server changed
// anyway, so that the next run finds them usable. It returns a note for each one it
// restored or could not.
func RestoreWitnesses(ctx context.Context, s *Suite) []string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
	defer cancel()
	var notes []string
	for _, role := range FixtureRoles() {
		if role.Exclusive || (role.Secondary && s.Secondary == nil) {
			continue
		}
		owner := s.Primary
		if role.Secondary {
			owner = *s.Secondary
		}
		for _, id := range s.Pool.Witnesses(role.Name) {
			baseline := s.Pool.Baseline(id)
			if baseline == nil {
				continue
			}
			switch outcome, reason := settle(ctx, s.Client, heldFixture{role: role.Name, id: id, owner: owner}, baseline); outcome {
			case settledRestored:
				notes = append(notes, fmt.Sprintf("fixture accesses.%s %q had been changed during the run (a conformant server leaves it alone); its status was set back", role.Name, id))
			case settledAsItWas:
			default:
				notes = append(notes, fmt.Sprintf("fixture accesses.%s %q was changed during the run and is not as it was: %s", role.Name, id, reason))
			}
		}
	}
	return notes
}

// restorableStatus reports whether a PATCH can set a fixture back to this status.
func restorableStatus(s string) bool {
	return s == "ACTIVE" || s == "SUSPENDED" || s == "TERMINATED"
}

// restoreAttempts bounds the tries of each read-back or restore request on a broken
// connection: both are idempotent, and a fixture lost to one reset connection would
// be lost to every later scenario.
const restoreAttempts = 3

// doIdempotent sends an idempotent request, again on a broken connection.
func doIdempotent(ctx context.Context, c *target.Client, r target.Request) (*target.Response, error) {
	var err error
	for range restoreAttempts {
		var resp *target.Response
		resp, err = c.Do(ctx, r)
		if err == nil || !errors.Is(err, target.ErrConnection) {
			return resp, err
		}
	}
	return nil, err
}

// readBack reads a held fixture as its owner, outside the scenario's record.
func readBack(ctx context.Context, c *target.Client, f heldFixture) ([]byte, error) {
	resp, err := doIdempotent(ctx, c, target.Request{Method: http.MethodGet, Path: accessPath(f.owner, f.id), Token: f.owner.Token})
	if err != nil {
		return nil, fmt.Errorf("reading it back failed: %w", err)
	}
	if resp.Status != http.StatusOK || !gjson.ValidBytes(resp.Body) {
		return nil, fmt.Errorf("reading it back gave status %d%s", resp.Status, bodyExcerpt(resp.ResponseBody))
	}
	if got := gjson.GetBytes(resp.Body, "id").String(); got != f.id {
		return nil, fmt.Errorf("reading it back answered with another id (%q)", got)
	}
	return resp.Body, nil
}

func restoreStatus(ctx context.Context, c *target.Client, f heldFixture, status string) error {
	resp, err := doIdempotent(ctx, c, target.Request{
		Method: http.MethodPatch, Path: accessPath(f.owner, f.id), Token: f.owner.Token,
		Header: http.Header{"Content-Type": {mergePatch}}, Body: []byte(`{"status":"` + status + `"}`),
	})
	if err != nil {
		return err
	}
	if resp.Status != http.StatusOK {
		return fmt.Errorf("the PATCH was answered %d%s", resp.Status, bodyExcerpt(resp.ResponseBody))
	}
	return nil
}
