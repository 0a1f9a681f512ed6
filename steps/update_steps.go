package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/verdict"
)

// mergePatch is the one content type a PATCH must accept (SAM-UP-01, -02).
const mergePatch = "application/merge-patch+json"

// randomPasswordToken, as a JSON string in a feature's body, stands for a fresh
// random password: feature files never hold a fixed password.
const randomPasswordToken = `"RANDOM-PASSWORD"`

// updateSteps are the steps of the update area (features/skylark/update*.feature).
func updateSteps(w *World) []stepDef {
	status := `(ACTIVE|SUSPENDED|TERMINATED)`
	password := `a password of ` + shapePattern + ` \((\d+) bytes, (\d+) characters\)`
	return []stepDef{
		{`^the access has status ` + status + `$`, w.theAccessHasStatus},
		{`^I patch the access with body '([^']*)'$`, w.iPatchWithBody},
		{`^I patch the access with content type (none|"[^"]+") and body '([^']*)'$`, w.iPatchWithContentType},
		{`^I patch the access with ` + password + `$`, w.iPatchWithPassword},
		{`^I patch the access with status "([^"]+)" and ` + password + `$`, w.iPatchWithStatusAndPassword},
		{`^I patch an access that does not exist with body '([^']*)'$`, w.iPatchAMissingAccess},
		{`^I send the same patch again$`, w.iSendTheSamePatchAgain},
		{`^the update is answered with the access showing status ` + status + `$`, w.answeredShowingStatus},
		{`^the patch is accepted$`, w.thePatchIsAccepted},
		{`^a later read shows status ` + status + `$`, w.aLaterReadShowsStatus},
		{`^the patch is rejected and the access is unchanged$`, w.rejectedAndUnchanged},
		{`^the rejection status SHOULD be (\d+)$`, w.rejectionStatusShould},
		{`^nothing but the supported properties changed$`, w.nothingButSupportedChanged},
		{`^the response shows the new password$`, w.responseShowsNewPassword},
		{`^later reads never show a password$`, w.laterReadsShowNoPassword},
		{`^the patch SHOULD be rejected and the access left unchanged$`, w.shouldBeRejectedAndUnchanged},
		{`^both answers are the same$`, w.bothAnswersAreTheSame},
	}
}

// updateState is the update area's per-scenario state, kept in World.update.
type updateState struct {
	// what describes the last PATCH for failure messages: the feature's body text or
	// a password's size, never a password.
	what string
	// req is the last PATCH as sent, for "send the same patch again". Its body may
	// hold a password: it never goes into a message.
	req target.Request
	// password is the password the last PATCH sent ("" for none); it is compared
	// with the answer (SAM-UP-12) and never printed.
	password string
	// resp and exchange are the PATCH's answer and its redacted record: later reads
	// replace World.last, but the evidence of a finding is the PATCH.
	resp     *target.Response
	exchange *target.Exchange
	// previous is the answer before a repeat (SAM-UP-14).
	previous *target.Response
}

// theAccessHasStatus brings the fixture to a status with a plain, valid PATCH and
// snapshots it again. A target that refuses or forgets that PATCH breaks SAM-UP-01
// or SAM-UP-09 (not this scenario's rule, which is then not judged here).
func (w *World) theAccessHasStatus(ctx context.Context, status string) error {
	if gjson.GetBytes(w.before, "status").String() == status {
		return nil
	}
	if err := w.patch(ctx, w.tenantPath(w.access), mergePatch, []byte(`{"status":"`+status+`"}`)); err != nil {
		return err
	}
	if st := w.update.resp.Status; st != http.StatusOK {
		return w.updateFailure(verdict.Must, []string{"SAM-UP-01"},
			"setting up: a valid PATCH to status %s was not accepted: expected status 200, got %d%s", status, st, w.patchExcerpt())
	}
	resp, err := w.get(ctx, w.tenantPath(w.access), nil)
	if err != nil {
		return err
	}
	if got := gjson.GetBytes(resp.Body, "status").String(); resp.Status != http.StatusOK || got != status {
		return w.updateFailure(verdict.Must, []string{"SAM-UP-09"},
			"setting up: a PATCH to status %s was answered 200, but reading the access back gives HTTP %d with status %q", status, resp.Status, got)
	}
	w.before = resp.Body
	w.update = updateState{}
	return nil
}

func (w *World) iPatchWithBody(ctx context.Context, body string) error {
	return w.patchText(ctx, w.tenantPath(w.access), mergePatch, body)
}

func (w *World) iPatchWithContentType(ctx context.Context, contentType, body string) error {
	if contentType == "none" {
		contentType = ""
	}
	return w.patchText(ctx, w.tenantPath(w.access), strings.Trim(contentType, `"`), body)
}

func (w *World) iPatchAMissingAccess(ctx context.Context, body string) error {
	// A random id no target issued: the request touches no real access.
	w.access = "accessctk-missing-" + randomHex(8)
	return w.patchText(ctx, w.tenantPath(w.access), mergePatch, body)
}

func (w *World) iPatchWithPassword(ctx context.Context, shape string, bytes, chars int) error {
	return w.iPatchWithStatusAndPassword(ctx, "", shape, bytes, chars)
}

// iPatchWithStatusAndPassword sends {"status":..., "password":...} with a random
// password of the given shape ("" status: the password alone).
func (w *World) iPatchWithStatusAndPassword(ctx context.Context, status, shape string, bytes, chars int) error {
	pw, err := randomPassword(shape, bytes, chars)
	if err != nil {
		return &HarnessError{Err: err}
	}
	body, err := json.Marshal(struct {
		Status   string `json:"status,omitempty"`
		Password string `json:"password"`
	}{status, pw})
	if err != nil {
		return &HarnessError{Err: fmt.Errorf("encode update body: %w", err)}
	}
	what := describePassword(pw)
	if status != "" {
		what = fmt.Sprintf("status %q with %s", status, what)
	}
	w.update.what, w.update.password = what, pw
	return w.patch(ctx, w.tenantPath(w.access), mergePatch, body)
}

// patchText sends a body written in a feature, a random password in place of each
// "RANDOM-PASSWORD" string.
func (w *World) patchText(ctx context.Context, path, contentType, text string) error {
	w.update.what, w.update.password = "the body "+text, ""
	if text == "" {
		w.update.what = "an empty body"
	}
	if contentType != mergePatch {
		if contentType == "" {
			w.update.what += " sent with no Content-Type"
		} else {
			w.update.what += fmt.Sprintf(" sent as %q", contentType)
		}
	}
	body := text
	if strings.Contains(text, randomPasswordToken) {
		pw, err := randomLetters(24)
		if err != nil {
			return &HarnessError{Err: err}
		}
		body = strings.ReplaceAll(text, randomPasswordToken, `"`+pw+`"`)
		w.update.password = pw
	}
	return w.patch(ctx, path, contentType, []byte(body))
}

// patch sends one PATCH and keeps it, its answer and its record.
func (w *World) patch(ctx context.Context, path, contentType string, body []byte) error {
	w.update.req = jsonRequest(http.MethodPatch, path, contentType, body)
	resp, err := w.send(ctx, w.update.req)
	if err != nil {
		return err
	}
	w.update.resp, w.update.exchange = resp, resp.Exchange
	return nil
}

func (w *World) iSendTheSamePatchAgain(ctx context.Context) error {
	if w.update.resp == nil {
		return &HarnessError{Err: fmt.Errorf("no PATCH to repeat: the scenario sent none yet")}
	}
	first := w.update.resp
	resp, err := w.send(ctx, w.update.req)
	if err != nil {
		return err
	}
	w.update.previous, w.update.resp, w.update.exchange = first, resp, resp.Exchange
	return nil
}
