package steps

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/internal/target"
)

// commonSteps are the generic steps: choosing an access, reading, listing, and
// asserting on status and JSON.
func commonSteps(w *World) []stepDef {
	return []stepDef{
		{`^an existing access of the tenant$`, w.anExistingAccess},
		{`^a disposable PPU access$`, w.aDisposablePPUAccess},
		{`^the terminated access$`, w.theTerminatedAccess},
		{`^I read the access$`, w.iReadTheAccess},
		{`^I read an access that does not exist$`, w.iReadAMissingAccess},
		{`^I list the accesses with page size (\d+)$`, w.iListWithPageSize},
		{`^the response status is (\d+)$`, w.theStatusIs},
		{`^the response is the access itself$`, w.theResponseIsTheAccess},
		{`^the response has no "([^"]+)" field at any depth$`, w.noFieldAtAnyDepth},
		{`^the access is unchanged$`, w.theAccessIsUnchanged},
	}
}

func (w *World) anExistingAccess(ctx context.Context) error {
	resp, err := w.get(ctx, w.tenantPath(), url.Values{"pageSize": {"1"}})
	if err != nil {
		return err
	}
	if resp.Status != http.StatusOK {
		return w.failReqf("SAM-PG-01", "listing the tenant's accesses: expected status 200, got %d", resp.Status)
	}
	id := gjson.GetBytes(resp.Body, "0.id")
	if !id.Exists() {
		return skipf("the tenant %q has no accesses to read", w.tenant.Name)
	}
	w.access = id.String()
	return nil
}

func (w *World) aDisposablePPUAccess(ctx context.Context) error {
	ids, err := w.checkOut(ctx, RolePPU, 1)
	if err != nil {
		return err
	}
	w.access = ids[0]
	return w.snapshotAccess(ctx, "ACTIVE")
}

func (w *World) theTerminatedAccess(ctx context.Context) error {
	if w.suite.Pool.Listed(RoleTerminated) == 0 {
		return skipf("the fixtures list no TERMINATED access (accesses.terminated), so this rule cannot be checked")
	}
	ids, err := w.checkOut(ctx, RoleTerminated, 1)
	if err != nil {
		return err
	}
	w.access = ids[0]
	return w.snapshotAccess(ctx, "TERMINATED")
}

// snapshotAccess reads the current access and keeps it for "unchanged" checks. A
// fixture that is missing or not in the expected status is a setup error, never a
// conformance failure.
func (w *World) snapshotAccess(ctx context.Context, wantStatus string) error {
	resp, err := w.get(ctx, w.tenantPath(w.access), nil)
	if err != nil {
		return err
	}
	if resp.Status != http.StatusOK {
		return &HarnessError{Err: fmt.Errorf("fixture precondition: reading access %q gave status %d, want 200", w.access, resp.Status)}
	}
	w.noteSnapshot(w.access, resp.Body)
	if got := gjson.GetBytes(resp.Body, "status").String(); wantStatus != "" && got != wantStatus {
		return &HarnessError{Err: fmt.Errorf("fixture precondition: access %q has status %q, want %q", w.access, got, wantStatus)}
	}
	w.before = resp.Body
	return nil
}

func (w *World) iReadTheAccess(ctx context.Context) error {
	_, err := w.get(ctx, w.tenantPath(w.access), nil)
	return err
}

func (w *World) iReadAMissingAccess(ctx context.Context) error {
	w.access = "accessctk-missing-" + randomHex(8)
	return w.iReadTheAccess(ctx)
}

func (w *World) iListWithPageSize(ctx context.Context, size int) error {
	_, err := w.get(ctx, w.tenantPath(), url.Values{"pageSize": {strconv.Itoa(size)}})
	return err
}

func (w *World) theStatusIs(want int) error {
	if w.last == nil {
		return &HarnessError{Err: fmt.Errorf("no response to check: the scenario sent no request yet")}
	}
	if w.last.Status != want {
		return w.failf("expected status %d, got %d%s", want, w.last.Status, bodyExcerpt(w.last.Exchange.ResponseBody))
	}
	return nil
}

func (w *World) theResponseIsTheAccess() error {
	if err := w.theStatusIs(http.StatusOK); err != nil {
		return err
	}
	if got := gjson.GetBytes(w.last.Body, "id"); got.String() != w.access {
		return w.failf("expected the access %q, got id %s", w.access, got.Raw)
	}
	return nil
}

func (w *World) noFieldAtAnyDepth(field string) error {
	body := gjson.ParseBytes(w.last.Body)
	if path, found := findKey(body, field, ""); found {
		return w.failf("the response contains %q at %s", field, path)
	}
	if !holdsObject(body) {
		// An empty list (or any answer without an object) cannot show a field: the
		// rule was not put to the test.
		return skipf("the response holds no object to look for %q in%s", field, bodyExcerpt(w.last.Exchange.ResponseBody))
	}
	return nil
}

// holdsObject reports whether a JSON value is an object or holds one at any depth.
func holdsObject(v gjson.Result) bool {
	if v.IsObject() {
		return true
	}
	found := false
	if v.IsArray() {
		v.ForEach(func(_, child gjson.Result) bool {
			found = holdsObject(child)
			return !found
		})
	}
	return found
}

// findKey looks for an object key at any depth and returns its path.
func findKey(v gjson.Result, key, path string) (string, bool) {
	var foundPath string
	found := false
	if v.IsObject() || v.IsArray() {
		v.ForEach(func(k, child gjson.Result) bool {
			p := path + "/" + k.String()
			if v.IsObject() && k.String() == key {
				foundPath, found = p, true
				return false
			}
			foundPath, found = findKey(child, key, p)
			return !found
		})
	}
	return foundPath, found
}

// stableFields are the access fields a rejected request must leave as they were.
var stableFields = []string{"status", "name", "contractId", "productOfferingId", "username", "deviceName", "startDateTime", "endDateTime"}

func (w *World) theAccessIsUnchanged(ctx context.Context) error {
	if w.before == nil {
		return &HarnessError{Err: fmt.Errorf("the scenario took no snapshot of the access to compare with")}
	}
	resp, err := w.get(ctx, w.tenantPath(w.access), nil)
	if err != nil {
		return err
	}
	if resp.Status != http.StatusOK {
		return w.failf("reading the access back: expected status 200, got %d", resp.Status)
	}
	for _, f := range stableFields {
		was, now := gjson.GetBytes(w.before, f), gjson.GetBytes(resp.Body, f)
		if was.Raw != now.Raw {
			return w.failf("the access changed: %s was %s, is now %s", f, orAbsent(was), orAbsent(now))
		}
	}
	return nil
}

func orAbsent(r gjson.Result) string {
	if !r.Exists() {
		return "absent"
	}
	return r.Raw
}

func bodyExcerpt(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return " (empty body)"
	}
	const max = 300
	if len(body) > max {
		return fmt.Sprintf(": %s… (%d bytes)", body[:max], len(body))
	}
	return ": " + string(body)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// jsonRequest is a shorthand for a request with a body and content type.
func jsonRequest(method, path, contentType string, body []byte) target.Request {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return target.Request{Method: method, Path: path, Header: h, Body: body}
}
