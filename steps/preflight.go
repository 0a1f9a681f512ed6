package steps

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/verdict"
)

// FixtureRead is what the preflight's read of one fixture showed. The read goes
// through the automatic checks like any scenario's: an answer that breaks the
// contract is a finding against the rule it breaks, never "bad fixtures".
type FixtureRead struct {
	State FixtureState
	// Unverified says why the answer cannot tell the fixture's state ("" when it
	// can): the server broke a rule answering, and the scenarios that use the
	// fixture check it again.
	Unverified string
	Findings   []verdict.Finding
	Checked    []string
	// Exchanges are the records of the exchanges the findings cite.
	Exchanges []verdict.Exchange
}

// PreflightRead reads one fixture as tenant t before the run. Its error is the
// harness's (the target unreachable, a timeout); anything the server answered is in
// the FixtureRead.
func PreflightRead(ctx context.Context, s *Suite, t Tenant, id string) (FixtureRead, error) {
	w := newWorld(s)
	w.tenant = t
	resp, err := w.get(ctx, accessPath(t, id), nil)
	out := FixtureRead{}
	if err != nil && len(w.record.Findings) == 0 {
		return out, fmt.Errorf("read access %q of tenant %q: %w", id, t.Name, err)
	}
	if err == nil {
		st, serr := fixtureStateOf(resp, t, id)
		switch {
		case resp.Status >= 500:
			out.Unverified = fmt.Sprintf("reading it was answered %d (SAM-CM-05)", resp.Status)
		case serr != nil:
			out.Unverified = serr.Error()
		case st.Found && st.ReturnedID != id:
			w.finding("SAM-RD-01", verdict.Must, fmt.Sprintf("reading access %q answered with the access %q", id, st.ReturnedID), w.lastExchange())
			out.Unverified = fmt.Sprintf("reading it answered with another access (%q, SAM-RD-01)", st.ReturnedID)
		}
		out.State = st
	}
	if len(w.record.Findings) > 0 {
		if out.Unverified == "" {
			out.Unverified = "the answer breaks " + findingIDs(w.record.Findings)
		}
		out.State.Found = true
	}
	out.Findings = w.record.Findings
	for id := range w.checked {
		out.Checked = append(out.Checked, id)
	}
	for _, f := range out.Findings {
		if f.Exchange != nil {
			out.Exchanges = append(out.Exchanges, *f.Exchange)
		}
	}
	return out, nil
}

func findingIDs(fs []verdict.Finding) string {
	var ids []string
	for _, f := range fs {
		if !strings.Contains(strings.Join(ids, " "), f.Requirement) {
			ids = append(ids, f.Requirement)
		}
	}
	return strings.Join(ids, ", ")
}

// ErrNotThisAPI marks a target whose answers show it is not the API at all (a web
// page, no such collection, a token it refuses): one line says so, instead of one
// per fixture.
var ErrNotThisAPI = errors.New("the target does not answer as this API")

// ProbeCollection lists one access of tenant t and reports, in one line, a target
// that is not this API: the collection is not found, the answer is not JSON, or the
// token is refused. Any other answer, a broken one included, is the scenarios' to
// judge.
func ProbeCollection(ctx context.Context, s *Suite, t Tenant, tokenSource string) error {
	path := "/" + url.PathEscape(t.Name) + "/access"
	resp, err := s.Client.Do(ctx, target.Request{Method: http.MethodGet, Path: path, Query: url.Values{"pageSize": {"1"}}, Token: t.Token})
	if err != nil {
		// No answer says nothing of what answers: the fixture reads and the
		// scenarios meet the same trouble and say what it costs.
		return nil
	}
	ct := resp.Header.Get("Content-Type")
	media, _, _ := mime.ParseMediaType(ct)
	answered := fmt.Sprintf("GET %s answered %d", path, resp.Status)
	if ct != "" {
		answered += " " + media
	}
	jsonish := media == "application/json" || strings.HasSuffix(media, "+json")
	switch {
	case resp.Status == http.StatusNotFound && !jsonish:
		return fmt.Errorf("%w: %s: is --target the API's base URL, and %q a tenant?", ErrNotThisAPI, answered, t.Name)
	case resp.Status == http.StatusNotFound:
		return fmt.Errorf("%w: %s: is %q a tenant of this server?", ErrNotThisAPI, answered, t.Name)
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		return fmt.Errorf("%w: %s: the token for tenant %q (%s) was refused", ErrNotThisAPI, answered, t.Name, tokenSource)
	case resp.Status >= 200 && resp.Status < 300 && media == "text/html":
		return fmt.Errorf("%w: %s: a web page, not the API; is --target the API's base URL?", ErrNotThisAPI, answered)
	}
	return nil
}
