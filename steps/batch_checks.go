package steps

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/internal/poller"
	"github.com/accessctk/accessctk/internal/target"
)

// batchProblem is one broken rule found in a batch's outcome.
type batchProblem struct {
	reqs []string
	msg  string
}

// wholeBatchRules names what a task breaks when it fails items that had to succeed:
// SAM-BT-07 (the PPU items of a batch succeed) when the batch held a non-PPU access
// or nothing else, SAM-BT-08 (the rest of the batch is unaffected) when it held an
// unknown or foreign id.
func wholeBatchRules(items []batchItem, submitter string) []string {
	var reqs []string
	for _, it := range items {
		for _, r := range it.rules(submitter) {
			if r != "SAM-CM-06" && !slices.Contains(reqs, r) {
				reqs = append(reqs, r)
			}
		}
	}
	if len(reqs) == 0 {
		reqs = []string{"SAM-BT-07"}
	}
	return reqs
}

// judgeBatchItems checks a finished task item by item (SAM-BT-07, -08, -09): every
// PPU access of the submitter's tenant is updated, every other id fails with an error
// detail, and every submitted id appears exactly once across updatedAccesses and
// errors. An item error that names no submitted id still counts as the detail of one
// failed item (naming it is SAM-BT-13, a SHOULD). When every item must fail, a task
// that fails as a whole is as good as one that fails each item.
func judgeBatchItems(items []batchItem, submitter string, task gjson.Result) []batchProblem {
	var mustSucceed []string
	submitted := map[string]bool{}
	for _, it := range items {
		submitted[it.id] = true
		if it.succeeds(submitter) {
			mustSucceed = append(mustSucceed, it.id)
		}
	}
	state := task.Get("state").String()
	if state != poller.Done {
		if len(mustSucceed) == 0 {
			return nil
		}
		return []batchProblem{{wholeBatchRules(items, submitter), fmt.Sprintf(
			"the task ended %s, but its PPU accesses %v must succeed: items are judged one by one", state, mustSucceed)}}
	}
	var ps []batchProblem
	add := func(reqs []string, format string, args ...any) {
		ps = append(ps, batchProblem{reqs, fmt.Sprintf(format, args...)})
	}
	updated, errs := task.Get("updatedAccesses").Array(), task.Get("errors").Array()
	updatedCount := map[string]int{}
	for _, u := range updated {
		id := u.Get("id").String()
		updatedCount[id]++
		if !submitted[id] {
			add([]string{"SAM-BT-09"}, "updatedAccesses lists %q, which the batch did not name", id)
		}
	}
	named := map[string][]gjson.Result{}
	anonymous := 0
	for _, e := range errs {
		if id := e.Get("accessId"); id.Type == gjson.String && submitted[id.Str] {
			named[id.Str] = append(named[id.Str], e)
		} else {
			anonymous++
		}
	}
	for _, it := range items {
		switch n, e := updatedCount[it.id], len(named[it.id]); {
		case n > 1:
			add([]string{"SAM-BT-09"}, "%s appears %d times in updatedAccesses", it.id, n)
		case e > 1:
			add([]string{"SAM-BT-09"}, "%s has %d item errors", it.id, e)
		case n > 0 && e > 0:
			add([]string{"SAM-BT-09"}, "%s appears both in updatedAccesses and in errors (%s)", it.id, itemErrorText(named[it.id][0]))
		}
		if it.succeeds(submitter) {
			switch {
			case updatedCount[it.id] > 0:
			case len(named[it.id]) > 0:
				add(wholeBatchRules(items, submitter), "the PPU access %s failed (%s); the PPU items of a batch must succeed", it.id, itemErrorText(named[it.id][0]))
			default:
				add([]string{"SAM-BT-09"}, "the PPU access %s appears neither in updatedAccesses nor in errors", it.id)
			}
			continue
		}
		reqs := it.rules(submitter)
		switch {
		case updatedCount[it.id] > 0:
			add(reqs, "%s (%s) is listed as updated; it must fail as an item", it.id, it.describe(submitter))
		case len(named[it.id]) > 0:
		case anonymous > 0:
			anonymous-- // an error detail, if one that does not say whose
		default:
			add(append([]string{"SAM-BT-09"}, reqs...), "%s (%s) is not among the errors: it must fail as an item with an error detail", it.id, it.describe(submitter))
		}
	}
	if got := len(updated) + len(errs); got != len(items) {
		add([]string{"SAM-BT-09"}, "every submitted id must appear exactly once across updatedAccesses and errors: %d submitted, %d updated + %d errors",
			len(items), len(updated), len(errs))
	}
	return ps
}

func itemErrorText(e gjson.Result) string {
	s := "code " + orAbsent(e.Get("code"))
	if m := e.Get("message"); m.Exists() {
		s += ", message " + m.Raw
	}
	return s
}

// batchTaskWarnings are the SAM-BT-13 findings on a DONE task: the arrays the task
// schema has when DONE, and item errors that do not name the access they belong to.
func batchTaskWarnings(items []batchItem, task gjson.Result) []string {
	if task.Get("state").String() != poller.Done {
		return nil
	}
	var out []string
	for _, field := range []string{"updatedAccesses", "errors"} {
		if !task.Get(field).IsArray() {
			out = append(out, fmt.Sprintf("the DONE task has no %q array (it is %s)", field, orAbsent(task.Get(field))))
		}
	}
	submitted := map[string]bool{}
	for _, it := range items {
		submitted[it.id] = true
	}
	for i, e := range task.Get("errors").Array() {
		if id := e.Get("accessId"); id.Type != gjson.String || !submitted[id.Str] {
			out = append(out, fmt.Sprintf("item error %d (%s) names access %s, not one of the batch's ids", i, itemErrorText(e), orAbsent(id)))
		}
	}
	return out
}

// batchChangeShows checks a read of an updated access after DONE (SAM-BT-10): it
// shows the status asked for, and nothing else of it changed.
func batchChangeShows(it batchItem, resp *target.Response, status string) *batchProblem {
	if resp.Status != http.StatusOK {
		return &batchProblem{[]string{"SAM-BT-10"}, fmt.Sprintf("reading the updated access %s after DONE: expected status 200, got %d", it.id, resp.Status)}
	}
	if got := gjson.GetBytes(resp.Body, "status"); got.String() != status {
		return &batchProblem{[]string{"SAM-BT-10"}, fmt.Sprintf("after DONE, the updated access %s reads with status %s, want %q", it.id, orAbsent(got), status)}
	}
	for _, f := range stableFields {
		if f == "status" {
			continue
		}
		if was, now := gjson.GetBytes(it.before, f), gjson.GetBytes(resp.Body, f); was.Raw != now.Raw {
			return &batchProblem{[]string{"SAM-BT-10"}, fmt.Sprintf("after DONE, %s of %s was %s and is now %s; a batch update changes only status and password", f, it.id, orAbsent(was), orAbsent(now))}
		}
	}
	return nil
}

// batchUnchanged checks that an access reads as it did before the batch.
func batchUnchanged(it batchItem, resp *target.Response, reqs []string, what string) *batchProblem {
	if resp.Status != http.StatusOK {
		return &batchProblem{reqs, fmt.Sprintf("reading %s (%s) back: expected status 200, got %d", it.id, what, resp.Status)}
	}
	for _, f := range stableFields {
		if was, now := gjson.GetBytes(it.before, f), gjson.GetBytes(resp.Body, f); was.Raw != now.Raw {
			return &batchProblem{reqs, fmt.Sprintf("%s (%s) changed: %s was %s, is now %s", it.id, what, f, orAbsent(was), orAbsent(now))}
		}
	}
	return nil
}

// billingPeriodEnd is the window SAM-BT-11 allows for the end of an access
// terminated at t: from 23:59:00Z on the last day of t's UTC month to 00:00:00Z on
// the first day of the next, both included.
func billingPeriodEnd(t time.Time) (from, to time.Time) {
	u := t.UTC()
	next := time.Date(u.Year(), u.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	return next.Add(-time.Minute), next
}

// clockSkew is how far the target's clock may be ahead of the harness's when judging
// whether an end date has passed.
const clockSkew = 2 * time.Minute

// checkBatchTermination checks a read of a terminated access (SAM-BT-11). The billing
// period is the one at submission or the one at completion, whichever the end date
// fits, so that a run across midnight at a month's end is never failed for the
// month it straddles. The status is PENDING_TERMINATE until the end date, after which
// TERMINATED is also right.
func checkBatchTermination(id string, body []byte, submitted, completed, readAt time.Time) *batchProblem {
	fail := func(format string, args ...any) *batchProblem {
		return &batchProblem{[]string{"SAM-BT-11"}, fmt.Sprintf(format, args...)}
	}
	raw := gjson.GetBytes(body, "endDateTime")
	if raw.Type != gjson.String {
		return fail("the terminated access %s has endDateTime %s; it must end at the end of the current billing period", id, orAbsent(raw))
	}
	end, err := time.Parse(time.RFC3339Nano, raw.Str)
	if err != nil {
		return fail("the terminated access %s has endDateTime %q, not an RFC 3339 date-time", id, raw.Str)
	}
	fits := false
	var windows []string
	for _, t := range []time.Time{submitted, completed} {
		from, to := billingPeriodEnd(t)
		fits = fits || (!end.Before(from) && !end.After(to))
		w := fmt.Sprintf("%s to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
		if !slices.Contains(windows, w) {
			windows = append(windows, w)
		}
	}
	if !fits {
		return fail("the terminated access %s ends at %s, outside the end of the billing period (%s; submitted %s, completed %s)",
			id, raw.Str, strings.Join(windows, ", or "), submitted.UTC().Format(time.RFC3339), completed.UTC().Format(time.RFC3339))
	}
	switch status := gjson.GetBytes(body, "status").String(); {
	case status == "PENDING_TERMINATE":
	case status == "TERMINATED" && !end.After(readAt.Add(clockSkew)):
	default:
		return fail("the terminated access %s has status %q at %s; it must be PENDING_TERMINATE until its end at %s (TERMINATED only after)",
			id, status, readAt.UTC().Format(time.RFC3339), raw.Str)
	}
	return nil
}
