package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/internal/poller"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/verdict"
)

// Placeholders a batch body in a feature may hold. Feature files name no real id and
// no fixed password; the reports show the password redacted.
const (
	batchAccessIDToken   = "ACCESS-ID"
	batchPasswordToken   = `"RANDOM-PASSWORD"`
	batchPassword73Token = `"RANDOM-PASSWORD-73-BYTES"`
	batchContentType     = "application/json"
)

// batchSteps are the steps of the batch area (features/skylark/batch*.feature).
func batchSteps(w *World) []stepDef {
	op := `"(update|terminate)"`
	body := `'(\{[^']*\})'`
	status := `"(ACTIVE|SUSPENDED|TERMINATED)"`
	return []stepDef{
		{`^(\d+) disposable PPU access(?:es)?$`, w.disposablePPUAccesses},
		{`^a non-PPU access of the tenant$`, w.aNonPPUAccess},
		{`^an access id that does not exist$`, w.anUnknownAccessID},
		{`^an access of the other tenant$`, w.anAccessOfTheOtherTenant},
		{`^I submit a batch ` + op + ` of those accesses with operation body ` + body + `$`, w.iSubmitABatch},
		{`^I submit a batch ` + op + ` of those accesses with operation body ` + body + ` and content type (none|"[^"]+")$`, w.iSubmitABatchAs},
		{`^the other tenant submits a batch ` + op + ` of those accesses with operation body ` + body + `$`, w.theOtherTenantSubmitsABatch},
		{`^I submit the batch body '([^']*)'$`, w.iSubmitTheBatchBody},
		{`^I read a batch task that does not exist$`, w.iReadAnUnknownTask},
		{`^the batch is accepted as a task$`, w.theBatchIsAcceptedAsATask},
		{`^the task reaches a terminal state$`, w.theTaskReachesATerminalState},
		{`^the task is DONE with every access of the batch updated$`, w.theTaskUpdatesEveryAccess},
		{`^the task updates the batch's own PPU accesses and fails every other item with its own error$`, w.theTaskJudgesEachItem},
		{`^the task's result SHOULD name the access of every item error$`, w.itemErrorsShouldNameTheirAccess},
		{`^every PPU access of the batch now has status ` + status + `$`, w.everyPPUAccessHasStatus},
		{`^every PPU access of the batch ends at the end of the current billing period$`, w.everyPPUAccessEndsWithThePeriod},
		{`^every other access of the batch is unchanged$`, w.everyOtherAccessIsUnchanged},
		{`^the other tenant cannot read the batch task$`, w.theOtherTenantCannotReadTheTask},
		{`^the batch is rejected, at submission or as a task that ends FAILED or REJECTED$`, w.theBatchIsRejected},
		{`^the batch is rejected without effect, or processed with every PPU access of the batch now at status ` + status + `$`, w.rejectedOrProcessed},
	}
}

// batchState is the batch area's per-scenario state, kept in World.batch.
type batchState struct {
	items []batchItem
	// submitter is the tenant the batch was sent as.
	submitter Tenant
	// sentAt is when the submission left; answeredAt when its answer came.
	sentAt, answeredAt time.Time
	submission         *target.Response
	submitExchange     *target.Exchange
	taskID             string
	taskState          string
	result             *poller.Result
	lastPoll           *target.Exchange
	timeout            time.Duration
}

// batchItem is one id of the batch and what the harness knows of it.
type batchItem struct {
	id string
	// owner is the tenant the access belongs to; known is false for an id that
	// exists nowhere.
	owner Tenant
	known bool
	ppu   bool
	// before is the access as read before the batch.
	before []byte
}

// succeeds reports whether the item must succeed in a batch sent as submitter: a PPU
// access of the submitter's own tenant.
func (it batchItem) succeeds(submitter string) bool {
	return it.known && it.ppu && it.owner.Name == submitter
}

// rules names the requirements an item that must fail breaks when it does not.
func (it batchItem) rules(submitter string) []string {
	switch {
	case !it.known:
		return []string{"SAM-BT-08"}
	case it.owner.Name != submitter:
		return []string{"SAM-BT-08", "SAM-CM-06"}
	case !it.ppu:
		return []string{"SAM-BT-07"}
	}
	return nil
}

func (it batchItem) describe(submitter string) string {
	switch {
	case !it.known:
		return "an id that does not exist"
	case it.owner.Name != submitter:
		return fmt.Sprintf("an access of tenant %q", it.owner.Name)
	case !it.ppu:
		return "a non-PPU access"
	}
	return "a PPU access"
}

// batchTenantPath is /{tenant}/access/{elems...} for any tenant.
func batchTenantPath(t Tenant, elems ...string) string {
	p := "/" + url.PathEscape(t.Name) + "/access"
	for _, e := range elems {
		p += "/" + url.PathEscape(e)
	}
	return p
}

// batchReadAs reads one access as tenant t.
func (w *World) batchReadAs(ctx context.Context, t Tenant, id string) (*target.Response, error) {
	return w.send(ctx, target.Request{Method: http.MethodGet, Path: batchTenantPath(t, id), Token: t.Token})
}

// batchSnapshot reads an access as its owner before the batch; a fixture that cannot be
// read, or is not in the status its role promises, is a setup error.
func (w *World) batchSnapshot(ctx context.Context, it *batchItem, wantStatus string) error {
	resp, err := w.batchReadAs(ctx, it.owner, it.id)
	if err != nil {
		return err
	}
	if resp.Status != http.StatusOK {
		return &HarnessError{Err: fmt.Errorf("fixture precondition: reading access %q of tenant %q gave status %d, want 200", it.id, it.owner.Name, resp.Status)}
	}
	w.noteSnapshot(it.id, resp.Body)
	if got := gjson.GetBytes(resp.Body, "status").String(); wantStatus != "" && got != wantStatus {
		return &HarnessError{Err: fmt.Errorf("fixture precondition: access %q has status %q, want %q", it.id, got, wantStatus)}
	}
	it.before = resp.Body
	return nil
}

func (w *World) disposablePPUAccesses(ctx context.Context, n int) error {
	if n < 1 {
		return &HarnessError{Err: fmt.Errorf("a batch needs at least one access, the step asks for %d", n)}
	}
	ids, err := w.checkOut(ctx, RolePPU, n)
	if err != nil {
		return err
	}
	for _, id := range ids {
		it := batchItem{id: id, owner: w.suite.Primary, known: true, ppu: true}
		if err := w.batchSnapshot(ctx, &it, "ACTIVE"); err != nil {
			return err
		}
		w.batch.items = append(w.batch.items, it)
	}
	return nil
}

// batchWitness picks a fixture of a role that a conformant server never changes. It is
// read, not checked out: several scenarios may share it, each comparing it with its
// own snapshot.
func (w *World) batchWitness(role string) (string, bool) {
	ids := w.suite.Pool.Witnesses(role)
	if len(ids) == 0 {
		return "", false
	}
	return ids[len(ids)-1], true
}

func (w *World) aNonPPUAccess(ctx context.Context) error {
	id, ok := w.batchWitness(RoleNonPPU)
	if !ok {
		return skipf("the fixtures list no non-PPU access (accesses.nonPpu), so SAM-BT-07 cannot be checked")
	}
	it := batchItem{id: id, owner: w.suite.Primary, known: true}
	if err := w.batchSnapshot(ctx, &it, ""); err != nil {
		return err
	}
	w.batch.items = append(w.batch.items, it)
	return nil
}

func (w *World) anUnknownAccessID() error {
	w.batch.items = append(w.batch.items, batchItem{id: "accessctk-missing-" + randomHex(8)})
	return nil
}

func (w *World) anAccessOfTheOtherTenant(ctx context.Context) error {
	if w.suite.Secondary == nil {
		return skipf("the fixtures name no second tenant, so the cross-tenant batch checks (SAM-BT-08, SAM-CM-06) are not run")
	}
	id, ok := w.batchWitness(RoleSecondary)
	if !ok {
		return skipf("the fixtures list no access of the second tenant (accesses.secondary), so the cross-tenant batch checks are not run")
	}
	it := batchItem{id: id, owner: *w.suite.Secondary, known: true}
	if err := w.batchSnapshot(ctx, &it, ""); err != nil {
		return err
	}
	w.batch.items = append(w.batch.items, it)
	return nil
}

// fillBatchPlaceholders puts the access id and fresh random passwords into a body written
// in a feature.
func fillBatchPlaceholders(text, access string) string {
	text = strings.ReplaceAll(text, batchPassword73Token, `"`+randomHex(37)[:73]+`"`)
	for strings.Contains(text, batchPasswordToken) {
		text = strings.Replace(text, batchPasswordToken, `"`+randomHex(12)+`"`, 1)
	}
	return strings.ReplaceAll(text, batchAccessIDToken, access)
}

// batchBody builds a batch request for the scenario's items.
func (w *World) batchBody(op, operationBody string) ([]byte, error) {
	if len(w.batch.items) == 0 {
		return nil, &HarnessError{Err: fmt.Errorf("the scenario chose no accesses for the batch")}
	}
	ids := make([]string, len(w.batch.items))
	for i, it := range w.batch.items {
		ids[i] = it.id
	}
	operationBody = fillBatchPlaceholders(operationBody, ids[0])
	if !json.Valid([]byte(operationBody)) {
		return nil, &HarnessError{Err: fmt.Errorf("the feature's operation body is not JSON: %s", operationBody)}
	}
	body, err := json.Marshal(struct {
		OperationType  string          `json:"operationType"`
		AccessesIDList []string        `json:"accessesIdList"`
		OperationBody  json.RawMessage `json:"operationBody"`
	}{op, ids, json.RawMessage(operationBody)})
	if err != nil {
		return nil, &HarnessError{Err: fmt.Errorf("encode batch: %w", err)}
	}
	return body, nil
}

func (w *World) iSubmitABatch(ctx context.Context, op, operationBody string) error {
	body, err := w.batchBody(op, operationBody)
	if err != nil {
		return err
	}
	return w.submitBatch(ctx, w.suite.Primary, body, batchContentType)
}

func (w *World) iSubmitABatchAs(ctx context.Context, op, operationBody, contentType string) error {
	body, err := w.batchBody(op, operationBody)
	if err != nil {
		return err
	}
	ct := ""
	if contentType != "none" {
		ct = strings.Trim(contentType, `"`)
	}
	return w.submitBatch(ctx, w.suite.Primary, body, ct)
}

func (w *World) theOtherTenantSubmitsABatch(ctx context.Context, op, operationBody string) error {
	if w.suite.Secondary == nil {
		return skipf("the fixtures name no second tenant, so SAM-CM-06 cannot be checked for batches")
	}
	body, err := w.batchBody(op, operationBody)
	if err != nil {
		return err
	}
	return w.submitBatch(ctx, *w.suite.Secondary, body, batchContentType)
}

func (w *World) iSubmitTheBatchBody(ctx context.Context, text string) error {
	if w.access == "" || w.before == nil {
		return &HarnessError{Err: fmt.Errorf("no access to name in the batch: the scenario needs a disposable PPU access first")}
	}
	w.batch.items = []batchItem{{id: w.access, owner: w.suite.Primary, known: true, ppu: true, before: w.before}}
	return w.submitBatch(ctx, w.suite.Primary, []byte(fillBatchPlaceholders(text, w.access)), batchContentType)
}

// submitBatch posts a batch as tenant t. The target client has already waited out
// any 429 (honouring Retry-After) before this returns.
func (w *World) submitBatch(ctx context.Context, t Tenant, body []byte, contentType string) error {
	b := &w.batch
	b.submitter, b.timeout = t, w.suite.TaskTimeout
	if b.timeout <= 0 {
		b.timeout = poller.DefaultTimeout
	}
	req := jsonRequest(http.MethodPost, batchTenantPath(t, "batchUpdate"), contentType, body)
	req.Token = t.Token
	b.sentAt = time.Now()
	resp, err := w.send(ctx, req)
	if err != nil {
		return err
	}
	b.answeredAt = time.Now()
	b.submission, b.submitExchange = resp, resp.Exchange
	return nil
}

func (w *World) iReadAnUnknownTask(ctx context.Context) error {
	_, err := w.get(ctx, w.tenantPath("batch", "accessctk-missing-task-"+randomHex(8)), nil)
	return err
}

// batchSubmission returns the submission's answer; a 429 (when the client does not
// retry) is rate limiting, not an answer to judge.
func (w *World) batchSubmission() (*target.Response, error) {
	resp := w.batch.submission
	if resp == nil {
		return nil, &HarnessError{Err: fmt.Errorf("the scenario submitted no batch")}
	}
	if resp.Status == http.StatusTooManyRequests {
		return nil, &HarnessError{Err: fmt.Errorf("the target kept answering the batch with 429 (rate limited); nothing to judge")}
	}
	return resp, nil
}

// isClass reports whether status is in the class (2 for 2xx, 4 for 4xx).
func isClass(class, status int) bool { return status/100 == class }

// acceptBatchTask checks that a 2xx submission answer is a Task (SAM-BT-01) and keeps its
// id and state.
func (w *World) acceptBatchTask(resp *target.Response) error {
	id, state := gjson.GetBytes(resp.Body, "id"), gjson.GetBytes(resp.Body, "state")
	switch {
	case id.Type != gjson.String || id.Str == "":
		return w.batchFail([]string{"SAM-BT-01"}, "the batch was accepted (%d) but the answer is not a Task: no string \"id\" to poll", resp.Status)
	case state.Type != gjson.String || !poller.Known(state.Str):
		return w.batchFail([]string{"SAM-BT-01"}, "the Task's state is %s, not one of ACKNOWLEDGED, IN_PROGRESS, DONE, FAILED, REJECTED", orAbsent(state))
	}
	w.batch.taskID, w.batch.taskState = id.Str, state.Str
	return nil
}

func (w *World) theBatchIsAcceptedAsATask() error {
	resp, err := w.batchSubmission()
	if err != nil {
		return err
	}
	if !isClass(2, resp.Status) {
		return w.batchFail([]string{"SAM-BT-01"}, "a valid batch must be accepted with a 2xx and a Task; got %d%s", resp.Status, bodyExcerpt(resp.Exchange.ResponseBody))
	}
	if err := w.acceptBatchTask(resp); err != nil {
		return err
	}
	if resp.Status != http.StatusAccepted {
		w.finding("SAM-BT-01", verdict.Should, fmt.Sprintf("a valid batch SHOULD be answered 202 Accepted; got %d", resp.Status), recordOf(w.batch.submitExchange))
	}
	return nil
}

// pollBatchTask follows the task to its end as its submitter.
func (w *World) pollBatchTask(ctx context.Context) (*poller.Result, error) {
	b := &w.batch
	if b.taskID == "" {
		return nil, &HarnessError{Err: fmt.Errorf("no task to poll: the batch was not accepted as a task")}
	}
	path := batchTenantPath(b.submitter, "batch", b.taskID)
	fetch := func(ctx context.Context) (poller.Response, error) {
		resp, err := w.send(ctx, target.Request{Method: http.MethodGet, Path: path, Token: b.submitter.Token})
		if err != nil {
			return poller.Response{}, err
		}
		b.lastPoll = resp.Exchange
		return poller.Response{Status: resp.Status, Header: resp.Header, Body: resp.Body}, nil
	}
	first := poller.Observation{At: b.answeredAt, Status: b.submission.Status, State: b.taskState}
	res, err := poller.Poller{Timeout: b.timeout, Interval: w.suite.PollInterval}.Poll(ctx, first, fetch)
	b.result = res
	if err != nil {
		return res, &HarnessError{Err: fmt.Errorf("following task %s: %w", b.taskID, err)}
	}
	return res, nil
}

// batchFinished polls the task and fails SAM-BT-02 unless it ended and stayed ended.
func (w *World) batchFinished(ctx context.Context) (*poller.Result, error) {
	res, err := w.pollBatchTask(ctx)
	if err != nil {
		return nil, err
	}
	if res.Outcome != poller.Finished {
		return nil, w.batchFail([]string{"SAM-BT-02"}, "task %s %s: %s (waited %s, timeout %s)",
			w.batch.taskID, res.Outcome, res.Problem, res.Waited.Round(time.Millisecond), w.batch.timeout)
	}
	return res, nil
}

func (w *World) theTaskReachesATerminalState(ctx context.Context) error {
	_, err := w.batchFinished(ctx)
	return err
}

// finalBatchTask is the last task body polled.
func (w *World) finalBatchTask() (gjson.Result, error) {
	if w.batch.result == nil || w.batch.result.Outcome != poller.Finished {
		return gjson.Result{}, &HarnessError{Err: fmt.Errorf("the task has not been followed to its end")}
	}
	return gjson.ParseBytes(w.batch.result.Last.Body), nil
}

func (w *World) theTaskUpdatesEveryAccess() error {
	for _, it := range w.batch.items {
		if !it.succeeds(w.batch.submitter.Name) {
			return &HarnessError{Err: fmt.Errorf("the step expects every access of the batch to succeed, but %s is %s", it.id, it.describe(w.batch.submitter.Name))}
		}
	}
	return w.theTaskJudgesEachItem()
}

func (w *World) theTaskJudgesEachItem() error {
	task, err := w.finalBatchTask()
	if err != nil {
		return err
	}
	if ps := judgeBatchItems(w.batch.items, w.batch.submitter.Name, task); len(ps) > 0 {
		return w.batchProblems(ps)
	}
	return nil
}

func (w *World) itemErrorsShouldNameTheirAccess() error {
	task, err := w.finalBatchTask()
	if err != nil {
		return err
	}
	for _, msg := range batchTaskWarnings(w.batch.items, task) {
		w.finding("SAM-BT-13", verdict.Should, msg, recordOf(w.batch.lastPoll))
	}
	return nil
}

// eachBatchItem runs check on every item that must succeed (or, with succeeding false, every
// item that must fail) and gathers the problems.
func (w *World) eachBatchItem(succeeding bool, check func(it batchItem) (*batchProblem, error)) error {
	var ps []batchProblem
	for _, it := range w.batch.items {
		if it.succeeds(w.batch.submitter.Name) != succeeding {
			continue
		}
		p, err := check(it)
		if err != nil {
			return err
		}
		if p != nil {
			ps = append(ps, *p)
		}
	}
	if len(ps) > 0 {
		return w.batchProblems(ps)
	}
	return nil
}

func (w *World) everyPPUAccessHasStatus(ctx context.Context, status string) error {
	return w.eachBatchItem(true, func(it batchItem) (*batchProblem, error) {
		resp, err := w.batchReadAs(ctx, it.owner, it.id)
		if err != nil {
			return nil, err
		}
		return batchChangeShows(it, resp, status), nil
	})
}

func (w *World) everyPPUAccessEndsWithThePeriod(ctx context.Context) error {
	completed := time.Now()
	if r := w.batch.result; r != nil && !r.TerminalAt.IsZero() {
		completed = r.TerminalAt
	}
	return w.eachBatchItem(true, func(it batchItem) (*batchProblem, error) {
		resp, err := w.batchReadAs(ctx, it.owner, it.id)
		if err != nil {
			return nil, err
		}
		if resp.Status != http.StatusOK {
			return &batchProblem{[]string{"SAM-BT-11"}, fmt.Sprintf("reading the terminated access %s: expected status 200, got %d", it.id, resp.Status)}, nil
		}
		return checkBatchTermination(it.id, resp.Body, w.batch.sentAt, completed, time.Now()), nil
	})
}

func (w *World) everyOtherAccessIsUnchanged(ctx context.Context) error {
	return w.eachBatchItem(false, func(it batchItem) (*batchProblem, error) {
		reqs := it.rules(w.batch.submitter.Name)
		if !it.known {
			resp, err := w.batchReadAs(ctx, w.batch.submitter, it.id)
			if err != nil {
				return nil, err
			}
			if resp.Status != http.StatusNotFound {
				return &batchProblem{reqs, fmt.Sprintf("the unknown id %s reads with status %d after the batch, not 404", it.id, resp.Status)}, nil
			}
			return nil, nil
		}
		resp, err := w.batchReadAs(ctx, it.owner, it.id)
		if err != nil {
			return nil, err
		}
		return batchUnchanged(it, resp, reqs, it.describe(w.batch.submitter.Name)), nil
	})
}

func (w *World) theOtherTenantCannotReadTheTask(ctx context.Context) error {
	other := w.suite.Secondary
	if w.batch.submitter.Name != w.suite.Primary.Name {
		other = &w.suite.Primary
	}
	if other == nil {
		return skipf("the fixtures name no second tenant, so SAM-CM-06 cannot be checked for tasks")
	}
	if w.batch.taskID == "" {
		return &HarnessError{Err: fmt.Errorf("no task to look for: the batch was not accepted as a task")}
	}
	resp, err := w.send(ctx, target.Request{Method: http.MethodGet, Path: batchTenantPath(*other, "batch", w.batch.taskID), Token: other.Token})
	if err != nil {
		return err
	}
	if resp.Status != http.StatusNotFound {
		return w.failReqf("SAM-CM-06", "tenant %q reading task %s of tenant %q: expected status 404, got %d%s",
			other.Name, w.batch.taskID, w.batch.submitter.Name, resp.Status, bodyExcerpt(resp.Exchange.ResponseBody))
	}
	return nil
}

// theBatchIsRejected applies the catalogue's reading of a rejected batch: a 4xx at
// submission, or a task that ends FAILED or REJECTED. The access read-back follows
// in its own step.
func (w *World) theBatchIsRejected(ctx context.Context) error {
	resp, err := w.batchSubmission()
	if err != nil {
		return err
	}
	switch {
	case isClass(4, resp.Status):
		return nil
	case !isClass(2, resp.Status):
		return w.batchFail(nil, "an invalid batch must be rejected with a 4xx, or accepted as a task that ends FAILED or REJECTED; got %d%s",
			resp.Status, bodyExcerpt(resp.Exchange.ResponseBody))
	}
	if id := gjson.GetBytes(resp.Body, "id"); id.Type != gjson.String || id.Str == "" {
		return w.batchFail(nil, "the invalid batch was accepted (%d) with no task id to follow; it must be rejected: a 4xx at submission, or a task that ends FAILED or REJECTED", resp.Status)
	}
	if err := w.acceptBatchTask(resp); err != nil {
		return err
	}
	res, err := w.batchFinished(ctx)
	if err != nil {
		return err
	}
	if res.State == poller.Done {
		return w.batchFail(nil, "the invalid batch was accepted (%d) and its task ended DONE; it must be rejected: a 4xx at submission, or a task that ends FAILED or REJECTED", resp.Status)
	}
	return nil
}

// rejectedOrProcessed holds a batch the catalogue has no rule for to consistency: a
// rejection changes nothing, a task ends, and a DONE task's change shows.
func (w *World) rejectedOrProcessed(ctx context.Context, status string) error {
	resp, err := w.batchSubmission()
	if err != nil {
		return err
	}
	done := false
	switch {
	case isClass(2, resp.Status):
		if err := w.acceptBatchTask(resp); err != nil {
			return err
		}
		res, err := w.batchFinished(ctx)
		if err != nil {
			return err
		}
		done = res.State == poller.Done
	case !isClass(4, resp.Status):
		return w.batchFail(nil, "expected a 4xx, or a Task; got %d%s", resp.Status, bodyExcerpt(resp.Exchange.ResponseBody))
	}
	if done {
		if err := w.theTaskJudgesEachItem(); err != nil {
			return err
		}
		return w.everyPPUAccessHasStatus(ctx, status)
	}
	return w.eachBatchItem(true, func(it batchItem) (*batchProblem, error) {
		resp, err := w.batchReadAs(ctx, it.owner, it.id)
		if err != nil {
			return nil, err
		}
		return batchUnchanged(it, resp, []string{"SAM-BT-10"}, "an access of a batch that was rejected"), nil
	})
}

// batchFail is a Failure carrying the batch's story: the request, the task id, every
// state polled with its time, and the final task. No reqs means the scenario's own.
func (w *World) batchFail(reqs []string, format string, args ...any) error {
	ex := w.batch.lastPoll
	if ex == nil {
		ex = w.batch.submitExchange
	}
	return &Failure{Requirements: reqs, Level: verdict.Must, Message: fmt.Sprintf(format, args...) + w.batch.report(), Exchange: recordOf(ex)}
}

// batchProblems turns the problems into one Failure naming every requirement they
// break.
func (w *World) batchProblems(ps []batchProblem) error {
	var reqs, msgs []string
	for _, p := range ps {
		for _, r := range p.reqs {
			if !slices.Contains(reqs, r) {
				reqs = append(reqs, r)
			}
		}
		msgs = append(msgs, p.msg)
	}
	return w.batchFail(reqs, "%s", strings.Join(msgs, "; "))
}

// maxBatchReportBody bounds the final task body a failure quotes.
const maxBatchReportBody = 4000

// report renders what a failing batch scenario shows, from redacted exchanges only.
func (b *batchState) report() string {
	var s strings.Builder
	if ex := b.submitExchange; ex != nil {
		fmt.Fprintf(&s, "\nbatch request: %s %s", ex.Method, ex.URL)
		if ct := ex.RequestHeader.Get("Content-Type"); ct != "" {
			fmt.Fprintf(&s, " (Content-Type: %s)", ct)
		}
		fmt.Fprintf(&s, "\n  %s\nsubmission answer: %d%s", ex.RequestBody, ex.Status, bodyExcerpt(ex.ResponseBody))
	}
	if b.taskID != "" {
		fmt.Fprintf(&s, "\ntask: %s", b.taskID)
	}
	if r := b.result; r != nil {
		fmt.Fprintf(&s, "\nstates seen (%s waited, timeout %s):\n%s", r.Waited.Round(time.Millisecond), b.timeout, r.History())
	}
	if ex := b.lastPoll; ex != nil {
		body := strings.TrimSpace(string(ex.ResponseBody))
		if len(body) > maxBatchReportBody {
			body = fmt.Sprintf("%s… (%d bytes)", body[:maxBatchReportBody], len(body))
		}
		fmt.Fprintf(&s, "\nfinal task body (%d): %s", ex.Status, body)
	}
	return s.String()
}
