package steps

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/fuzz/filter"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/verdict"
)

// updateFields are the access fields a PATCH may not change, beyond what its
// supported properties set: the common stable fields and the originator.
var updateFields = append(slices.Clone(stableFields), "createdBy")

// updateFailure is a Failure whose evidence is the PATCH, not the read that may
// have followed it: its curl command reproduces the request at fault.
func (w *World) updateFailure(level verdict.Level, reqs []string, format string, args ...any) error {
	return &Failure{Requirements: reqs, Level: level, Message: fmt.Sprintf(format, args...), Exchange: recordOf(w.update.exchange)}
}

// ruleRequirements are the scenario's MUST requirement tags (fallback when it has
// none), then extra: a broken MUST is never filed under a SHOULD the scenario also
// exercises.
func (w *World) ruleRequirements(fallback string, extra ...string) []string {
	var out []string
	for _, id := range w.record.Requirements {
		if w.suite.Catalogue == nil {
			out = append(out, id)
		} else if r, ok := w.suite.Catalogue.Lookup(id); ok && r.Level == verdict.Must {
			out = append(out, id)
		}
	}
	if len(out) == 0 && fallback != "" {
		out = append(out, fallback)
	}
	for _, id := range extra {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// shouldFinding records a broken SHOULD against every requirement the scenario is
// tagged with, with the PATCH as evidence; the scenario goes on.
func (w *World) shouldFinding(format string, args ...any) {
	for _, id := range w.record.Requirements {
		w.finding(id, verdict.Should, fmt.Sprintf(format, args...), recordOf(w.update.exchange))
	}
}

// patchResponse is the last PATCH's answer, or a harness error when none was sent.
func (w *World) patchResponse() (status int, err error) {
	if w.update.resp == nil {
		return 0, &HarnessError{Err: fmt.Errorf("no PATCH to check: the scenario sent none yet")}
	}
	return w.update.resp.Status, nil
}

// patchExcerpt is a short, redacted excerpt of the PATCH's answer.
func (w *World) patchExcerpt() string {
	return bodyExcerpt(w.update.resp.Exchange.ResponseBody)
}

func is2xx(status int) bool { return status >= 200 && status < 300 }
func is4xx(status int) bool { return status >= 400 && status < 500 }

// notARejection explains why an answer is not the 4xx a rejection needs.
func notARejection(status int) string {
	switch {
	case is2xx(status):
		return fmt.Sprintf("was accepted: expected a rejection (4xx), got %d", status)
	case status >= 500:
		return fmt.Sprintf("was not rejected: expected a rejection (4xx), got %d (a 5xx is never a rejection)", status)
	default:
		return fmt.Sprintf("was not rejected: expected a rejection (4xx), got %d", status)
	}
}

// answeredShowingStatus is SAM-UP-01: 200 and the updated access, showing the new
// status.
func (w *World) answeredShowingStatus(status string) error {
	st, err := w.patchResponse()
	if err != nil {
		return err
	}
	up01 := []string{"SAM-UP-01"}
	if st != http.StatusOK {
		return w.updateFailure(verdict.Must, up01, "%s was not accepted: expected status 200, got %d%s", w.update.what, st, w.patchExcerpt())
	}
	body := w.update.resp.Body
	if id := gjson.GetBytes(body, "id"); id.String() != w.access {
		return w.updateFailure(verdict.Must, up01, "expected the updated access %q in the answer, got id %s", w.access, orAbsent(id))
	}
	if got := gjson.GetBytes(body, "status"); got.String() != status {
		return w.updateFailure(verdict.Must, up01, "the answer to %s shows status %s, expected the new status %q", w.update.what, orAbsent(got), status)
	}
	return nil
}

// thePatchIsAccepted: a valid PATCH gets a 2xx (the scenario's own rule decides which
// bodies are valid; SAM-UP-01 pins the status code where it is the rule at hand).
func (w *World) thePatchIsAccepted() error {
	st, err := w.patchResponse()
	if err != nil {
		return err
	}
	if !is2xx(st) {
		return w.updateFailure(verdict.Must, w.ruleRequirements("SAM-UP-01"),
			"%s was refused: expected it to be accepted (2xx), got %d%s", w.update.what, st, w.patchExcerpt())
	}
	return nil
}

// aLaterReadShowsStatus is SAM-UP-09. A refused PATCH is SAM-UP-01's failure:
// there is then nothing to persist.
func (w *World) aLaterReadShowsStatus(ctx context.Context, status string) error {
	st, err := w.patchResponse()
	if err != nil {
		return err
	}
	if !is2xx(st) {
		return w.updateFailure(verdict.Must, []string{"SAM-UP-01"},
			"%s was refused: expected status 200, got %d%s", w.update.what, st, w.patchExcerpt())
	}
	resp, err := w.get(ctx, w.tenantPath(w.access), nil)
	if err != nil {
		return err
	}
	if resp.Status != http.StatusOK {
		return w.updateFailure(verdict.Must, []string{"SAM-UP-09"},
			"reading the access after %s was accepted: expected status 200, got %d", w.update.what, resp.Status)
	}
	if got := gjson.GetBytes(resp.Body, "status"); got.String() != status {
		return w.updateFailure(verdict.Must, []string{"SAM-UP-09"},
			"%s was accepted (%d), but a later read shows status %s, not %q", w.update.what, st, orAbsent(got), status)
	}
	return nil
}

// changes reads the access back and lists how it differs from the snapshot, leaving
// out a status change to allowedStatus (a JSON string; "" allows none).
func (w *World) changes(ctx context.Context, allowedStatus string) ([]string, error) {
	if w.before == nil {
		return nil, &HarnessError{Err: fmt.Errorf("the scenario took no snapshot of the access to compare with")}
	}
	resp, err := w.get(ctx, w.tenantPath(w.access), nil)
	if err != nil {
		return nil, err
	}
	if resp.Status != http.StatusOK {
		return []string{fmt.Sprintf("reading the access back gives status %d, not 200", resp.Status)}, nil
	}
	var diffs []string
	for _, f := range updateFields {
		was, now := gjson.GetBytes(w.before, f), gjson.GetBytes(resp.Body, f)
		if was.Raw == now.Raw || (f == "status" && allowedStatus != "" && now.Raw == allowedStatus) {
			continue
		}
		diffs = append(diffs, fmt.Sprintf("%s was %s, is now %s", f, orAbsent(was), orAbsent(now)))
	}
	return diffs, nil
}

// rejectedAndUnchanged is the catalogue's "rejected": a 4xx, and no state change on
// reading back. A rejection that changed the access also breaks atomicity
// (SAM-UP-08).
func (w *World) rejectedAndUnchanged(ctx context.Context) error {
	st, err := w.patchResponse()
	if err != nil {
		return err
	}
	if !is4xx(st) {
		return w.updateFailure(verdict.Must, w.ruleRequirements(""), "%s %s%s", w.update.what, notARejection(st), w.patchExcerpt())
	}
	diffs, err := w.changes(ctx, "")
	if err != nil {
		return err
	}
	if len(diffs) > 0 {
		return w.updateFailure(verdict.Must, w.ruleRequirements("", "SAM-UP-08"),
			"%s was rejected (%d) but changed the access: %s", w.update.what, st, joinDiffs(diffs))
	}
	return nil
}

// rejectionStatusShould is the SHOULD part of a rule ("SHOULD be 415"): a warning,
// never a failure.
func (w *World) rejectionStatusShould(want int) error {
	st, err := w.patchResponse()
	if err != nil {
		return err
	}
	if st != want {
		w.shouldFinding("%s SHOULD be rejected with status %d, got %d", w.update.what, want, st)
	}
	return nil
}

// nothingButSupportedChanged is SAM-UP-05 for a body that mixes a supported property
// with an unsupported one: the target may reject it (then nothing changes) or
// accept it (then only what "status" sets may change; the unsupported property
// never does).
func (w *World) nothingButSupportedChanged(ctx context.Context) error {
	st, err := w.patchResponse()
	if err != nil {
		return err
	}
	allowed := ""
	if is2xx(st) {
		if s := gjson.GetBytes(w.update.req.Body, "status"); s.Type == gjson.String {
			allowed = s.Raw
		}
	}
	diffs, err := w.changes(ctx, allowed)
	if err != nil {
		return err
	}
	if len(diffs) == 0 {
		return nil
	}
	if is4xx(st) {
		return w.updateFailure(verdict.Must, w.ruleRequirements("", "SAM-UP-08"),
			"%s was rejected (%d) but changed the access: %s", w.update.what, st, joinDiffs(diffs))
	}
	return w.updateFailure(verdict.Must, w.ruleRequirements(""),
		"%s was answered %d and changed what only password and status may: %s", w.update.what, st, joinDiffs(diffs))
}

// responseShowsNewPassword is SAM-UP-12 (a SHOULD): the answer to a rotation holds
// the password sent. It compares the raw answer; no message ever quotes either.
func (w *World) responseShowsNewPassword() error {
	st, err := w.patchResponse()
	if err != nil {
		return err
	}
	if w.update.password == "" {
		return &HarnessError{Err: fmt.Errorf("the last PATCH sent no password to look for")}
	}
	if !is2xx(st) {
		return nil // the rotation was refused; its own rule reports that
	}
	got := gjson.GetBytes(w.update.resp.Body, "password")
	switch {
	case !got.Exists():
		w.finding("SAM-UP-12", verdict.Should, fmt.Sprintf("the answer to the rotation (%s) does not contain the new password", w.update.what), recordOf(w.update.exchange))
	case got.Type != gjson.String || got.String() != w.update.password:
		w.finding("SAM-UP-12", verdict.Should, fmt.Sprintf("the answer to the rotation (%s) contains a password that is not the one sent (%s)", w.update.what, describeValue(got)), recordOf(w.update.exchange))
	}
	return nil
}

// describeValue names a JSON value by type and size, never by content.
func describeValue(r gjson.Result) string {
	if r.Type == gjson.String {
		return fmt.Sprintf("a string of %d bytes", len(r.String()))
	}
	return "a JSON " + r.Type.String()
}

// laterReadsShowNoPassword is SAM-RD-03 after a rotation: neither the read of the
// access nor a list holding it shows a password.
func (w *World) laterReadsShowNoPassword(ctx context.Context) error {
	one, err := w.get(ctx, w.tenantPath(w.access), nil)
	if err != nil {
		return err
	}
	if path, found := findKey(gjson.ParseBytes(one.Body), "password", ""); found {
		return w.failReqf("SAM-RD-03", "after a password rotation, reading the access shows %q at %s", "password", path)
	}
	username := gjson.GetBytes(one.Body, "username").String()
	if one.Status != http.StatusOK || username == "" {
		return nil // the read itself is broken; its own rules report that
	}
	expr := filter.Expr{filter.Conj{{Field: "username", Op: filter.Eq, Value: username}}}
	raw := expr.QueryParam()
	if w.suite.Scope.RawFilter {
		raw = expr.RawQueryParam()
	}
	list, err := w.send(ctx, target.Request{Method: http.MethodGet, Path: w.tenantPath(), RawQuery: raw + "&pageSize=100"})
	if err != nil {
		return err
	}
	if path, found := findKey(gjson.ParseBytes(list.Body), "password", ""); found {
		return w.failReqf("SAM-RD-03", "after a password rotation, listing the accesses with that username shows %q at %s", "password", path)
	}
	return nil
}

// shouldBeRejectedAndUnchanged is a rejection that only a SHOULD asks for
// (SAM-UP-13, -15): every shortfall is a warning.
func (w *World) shouldBeRejectedAndUnchanged(ctx context.Context) error {
	st, err := w.patchResponse()
	if err != nil {
		return err
	}
	if !is4xx(st) {
		w.shouldFinding("%s %s%s", w.update.what, notARejection(st), w.patchExcerpt())
	}
	diffs, err := w.changes(ctx, "")
	if err != nil {
		return err
	}
	if len(diffs) > 0 {
		w.shouldFinding("%s (answered %d) changed the access: %s", w.update.what, st, joinDiffs(diffs))
	}
	return nil
}

// bothAnswersAreTheSame is SAM-UP-14 (a SHOULD): a repeated valid PATCH gives the
// same 200 answer. The access's fields and any password are compared, not the raw
// bodies, so a server may vary what the wire shapes leave open.
func (w *World) bothAnswersAreTheSame() error {
	first, second := w.update.previous, w.update.resp
	if first == nil || second == nil {
		return &HarnessError{Err: fmt.Errorf("no repeated PATCH to compare: send the same patch again first")}
	}
	if first.Status != http.StatusOK {
		return &Failure{Requirements: []string{"SAM-UP-01"}, Level: verdict.Must, Exchange: recordOf(first.Exchange),
			Message: fmt.Sprintf("%s was not accepted: expected status 200, got %d%s", w.update.what, first.Status, bodyExcerpt(first.Exchange.ResponseBody))}
	}
	if second.Status != first.Status {
		w.finding("SAM-UP-14", verdict.Should, fmt.Sprintf("repeating %s gave status %d, the first time %d", w.update.what, second.Status, first.Status), recordOf(w.update.exchange))
		return nil
	}
	for _, f := range append([]string{"id"}, updateFields...) {
		a, b := gjson.GetBytes(first.Body, f), gjson.GetBytes(second.Body, f)
		if a.Raw != b.Raw {
			w.finding("SAM-UP-14", verdict.Should, fmt.Sprintf("repeating %s gave %s %s, the first time %s", w.update.what, f, orAbsent(b), orAbsent(a)), recordOf(w.update.exchange))
			return nil
		}
	}
	if a, b := gjson.GetBytes(first.Body, "password"), gjson.GetBytes(second.Body, "password"); a.Raw != b.Raw {
		w.finding("SAM-UP-14", verdict.Should, fmt.Sprintf("repeating %s gave a different password in the answer (%s, the first time %s)", w.update.what, describePresent(b), describePresent(a)), recordOf(w.update.exchange))
	}
	return nil
}

func describePresent(r gjson.Result) string {
	if !r.Exists() {
		return "absent"
	}
	return describeValue(r)
}

// joinDiffs lists field changes for a message.
func joinDiffs(diffs []string) string { return strings.Join(diffs, "; ") }
