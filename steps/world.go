// Package steps is the godog step library: the per-scenario World, the generic
// HTTP/JSON/schema steps, and the domain steps of each feature area. Steps never talk
// HTTP themselves: every request goes through the target client, and every response
// is checked against the OpenAPI description on the way back (SAM-CM-02, -03, -05).
package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/spec"
)

// Suite is what every scenario of one run shares. It is read-only once the run
// starts, except Pool and Gate, which are safe for concurrent use.
type Suite struct {
	Client    *target.Client
	Spec      *spec.Spec
	Fixtures  *config.Fixtures
	Primary   Tenant
	Secondary *Tenant
	Pool      *FixturePool
	// Gate, when set, keeps scenarios that change data apart from those that read
	// it; a run that executes scenarios concurrently needs it.
	Gate      *Gate
	Catalogue *verdict.Catalogue
	// CorrelationHeader is the header SAM-CM-04 expects echoed; the client sends it.
	CorrelationHeader string
	Scope             Scope
	// TaskTimeout bounds the wait for each batch task to end (SAM-BT-02); zero
	// means the poller's default (60 s).
	TaskTimeout time.Duration
	// PollInterval is the first wait between polls of a batch task; zero means the
	// poller's default (25 ms). A run against the embedded server polls at its pace.
	PollInterval time.Duration
	// FullTranscripts keeps every scenario's exchanges in full. Otherwise a scenario
	// that passed without a finding keeps one line per request (method, URL, status,
	// timing) and only the others keep headers, bodies, curl and transcript: a passing
	// run's full record is megabytes that nobody reads, and writing it was the
	// slowest part of producing the reports.
	FullTranscripts bool
	// FullWalks walks the whole tenant at every page size. By default a walk in
	// small pages covers a subset of a few dozen accesses chosen from the tenant's
	// data (see pagingSubset), so a large tenant costs a few more pages, not hours.
	FullWalks bool
	// Walks records which walks covered a subset (nil records nothing).
	Walks *WalkLog
	// Snapshots, when set, keeps the tenant's list walked at the largest page size
	// for every reading scenario while no scenario changes data (see theTenantsAccesses).
	Snapshots *SnapshotCache
	Logger    *slog.Logger
}

// Tenant is a tenant the run may address, with its credential.
type Tenant struct {
	Name  string
	Token target.Token
}

// Scope says which scenarios the run allows.
type Scope struct {
	// ReadOnly runs only @readonly scenarios.
	ReadOnly bool
	// AllowDestructive lets @destructive scenarios (permanent changes) run.
	AllowDestructive bool
	// RawFilter sends filter expressions unencoded, for servers that parse them so.
	RawFilter bool
}

// Scenario tags that select what a run may do. @destructive marks a scenario that
// may change data for good (on a conformant server, or on one that gets it wrong);
// @terminates marks the @destructive scenarios that use their fixtures up on a
// conformant server, which is what the fixture plan counts.
const (
	TagReadOnly    = "@readonly"
	TagMutating    = "@mutating"
	TagDestructive = "@destructive"
	TagTerminates  = "@terminates"
)

// Allows reports whether the run's scope lets a scenario with these tags run.
func (s Scope) Allows(tags []string) bool { return s.outOfScope(tags) == "" }

// outOfScope returns why the run's scope excludes a scenario with these tags, or "".
func (s Scope) outOfScope(tags []string) string {
	has := func(t string) bool {
		for _, x := range tags {
			if x == t {
				return true
			}
		}
		return false
	}
	switch {
	case s.ReadOnly && !has(TagReadOnly):
		return verdict.OutOfScopePrefix + "the run is --readonly and this scenario changes data"
	case has(TagDestructive) && !s.AllowDestructive:
		return verdict.OutOfScopePrefix + "this scenario makes permanent changes; run with --allow-destructive"
	}
	return ""
}

// World is the state of one scenario. godog builds a new one for every scenario, so
// scenarios share nothing but the Suite.
type World struct {
	suite   *Suite
	record  verdict.Scenario
	checked map[string]bool
	// exchanges are the scenario's exchanges as the client recorded them (already
	// redacted); finish renders them into the record. Rendering one (curl, transcript)
	// costs more than checking it, and a passing scenario's are only summarised.
	exchanges []*target.Exchange
	// lastRecord is the rendered record of the last exchange, once asked for.
	lastRecord *verdict.Exchange

	tenant Tenant
	// access is the id the scenario works on; before is its state when taken.
	access string
	before []byte
	// last is the most recent response.
	last     *target.Response
	cleanups []func(context.Context) error
	// held are the exclusive fixtures the scenario checked out; finish gives them back.
	held []heldFixture
	// changing says the scenario sent a request other than GET: only then can its
	// fixtures have changed.
	changing bool
	// accepted are the batch tasks the target accepted from this scenario, whatever
	// step sent them (an unauthenticated batch a server wrongly accepts included):
	// the fixtures wait for them to end before going back to the pool.
	accepted []acceptedTask

	// Each area keeps its own per-scenario state, defined in its own file.
	update    updateState
	paging    pagingState
	filter    filterState
	batch     batchState
	isolation isolationState
	fuzz      fuzzState
}

func newWorld(s *Suite) *World {
	return &World{suite: s, checked: map[string]bool{}, tenant: s.Primary}
}

// begin starts the scenario's record from godog's view of it.
func (w *World) begin(sc *godog.Scenario) {
	w.record = verdict.Scenario{
		ID:      scenarioID(sc),
		Feature: featureName(sc.Uri),
		Name:    sc.Name,
		Started: time.Now(),
	}
	for _, t := range sc.Tags {
		w.record.Tags = append(w.record.Tags, t.Name)
		if verdict.IsRequirementTag(t.Name) {
			w.record.Requirements = append(w.record.Requirements, strings.TrimPrefix(t.Name, "@"))
		}
	}
}

func scenarioID(sc *godog.Scenario) string {
	return fmt.Sprintf("%s#%s", featureName(sc.Uri), sc.Id)
}

func featureName(uri string) string {
	uri = uri[strings.LastIndex(uri, "/")+1:]
	return strings.TrimSuffix(uri, ".feature")
}

// Failure is a broken rule found by a step: the target, not the harness, is at fault.
// With no Requirements it is attributed to the scenario's requirement tags.
type Failure struct {
	Requirements []string
	Level        verdict.Level
	Message      string
	Exchange     *verdict.Exchange
	// Context are other exchanges that show it (the pages around a gap in a walk).
	Context []verdict.Exchange
}

func (f *Failure) Error() string {
	if len(f.Requirements) == 0 {
		return f.Message
	}
	return strings.Join(f.Requirements, ", ") + ": " + f.Message
}

// failf builds a Failure against the scenario's own requirements, with the last
// exchange as evidence.
func (w *World) failf(format string, args ...any) error {
	return &Failure{Level: verdict.Must, Message: fmt.Sprintf(format, args...), Exchange: w.lastExchange()}
}

// failReqf builds a Failure against a named requirement.
func (w *World) failReqf(req, format string, args ...any) error {
	f := w.failf(format, args...).(*Failure)
	f.Requirements = []string{req}
	return f
}

// finding records a broken rule without stopping the scenario: automatic checks use
// it, so that one scenario can report a schema violation and still judge its own rule.
func (w *World) finding(req string, level verdict.Level, msg string, ex *verdict.Exchange) {
	w.record.Findings = append(w.record.Findings, verdict.Finding{Requirement: req, Level: level, Message: msg, Exchange: ex})
}

// lastExchange is the rendered record of the scenario's last exchange (rendered once,
// however often it is asked for).
func (w *World) lastExchange() *verdict.Exchange {
	n := len(w.exchanges)
	if n == 0 {
		return nil
	}
	if w.lastRecord == nil || w.lastRecord.Seq != w.exchanges[n-1].Seq {
		ex := exchangeRecord(w.exchanges[n-1])
		w.lastRecord = &ex
	}
	ex := *w.lastRecord
	return &ex
}

// keepExchange adds an exchange to the scenario's record, once.
func (w *World) keepExchange(e *target.Exchange) {
	for _, have := range w.exchanges {
		if have.Seq == e.Seq {
			return
		}
	}
	w.exchanges = append(w.exchanges, e)
}

// HarnessError is a failure to judge: the target could not be reached, timed out, or
// a fixture did not meet its precondition. It never counts against the target.
type HarnessError struct{ Err error }

func (e *HarnessError) Error() string { return e.Err.Error() }
func (e *HarnessError) Unwrap() error { return e.Err }

// send performs one request as the current tenant, records the exchange, and runs the
// automatic checks on the response.
func (w *World) send(ctx context.Context, r target.Request) (*target.Response, error) {
	if r.Token.IsZero() && r.AuthOverride == "" {
		r.Token = w.tenant.Token
	}
	return w.sendExactly(ctx, r)
}

// sendExactly performs the request with exactly the credential it names (none, for
// the zero Token): the SAM-CM-01 steps use it.
func (w *World) sendExactly(ctx context.Context, r target.Request) (*target.Response, error) {
	if r.Method != "" && r.Method != http.MethodGet {
		w.changing = true
	}
	resp, err := w.suite.Client.Do(ctx, r)
	if resp != nil && resp.Exchange != nil {
		w.exchanges = append(w.exchanges, resp.Exchange)
	}
	if err != nil {
		return nil, &HarnessError{Err: err}
	}
	w.last = resp
	w.noteAcceptedTask(r, resp)
	validJSON := w.autoCheck(resp)
	if resp.Status >= 200 && resp.Status < 300 && !validJSON && !json.Valid(resp.Body) {
		// A 2xx whose body is not JSON (truncated, garbage) breaks SAM-CM-02, which
		// autoCheck recorded; no other rule can be judged from it, so the scenario
		// stops unjudged rather than blaming its own rule for a broken answer.
		return nil, &HarnessError{Err: fmt.Errorf("%s %s: the %d answer is not valid JSON (a SAM-CM-02 failure), so this scenario's rule cannot be judged from it",
			resp.Method, resp.URL, resp.Status)}
	}
	return resp, nil
}

// Requirements of the automatic checks (see autoCheck): no scenario is tagged with
// them, every scenario that sends a request judges them.
const (
	reqNo5xx        = "SAM-CM-05"
	reqSchema2xx    = "SAM-CM-02"
	reqDocumented4x = "SAM-CM-03"
	reqCorrelation  = "SAM-CM-04"
)

// AutomaticRequirements lists the requirements every response is checked against.
func AutomaticRequirements() []string {
	return []string{reqSchema2xx, reqDocumented4x, reqCorrelation, reqNo5xx}
}

// autoCheck applies the rules that hold for every response: no 5xx (SAM-CM-05), every
// 2xx matches the OpenAPI description (SAM-CM-02), every 4xx is documented with a JSON
// error body (SAM-CM-03, a SHOULD), the correlation id is echoed (SAM-CM-04, a SHOULD).
// It reports whether the schema check found the body to be valid JSON.
func (w *World) autoCheck(resp *target.Response) (validJSON bool) {
	status := resp.Exchange.Status
	if status >= 500 {
		w.finding(reqNo5xx, verdict.Must, fmt.Sprintf("the target answered %d; no request may get a 5xx", status), w.lastExchange())
	} else {
		w.checked[reqNo5xx] = true
	}
	req, err := http.NewRequest(resp.Method, resp.URL, nil)
	if err != nil {
		w.suite.Logger.Warn("cannot rebuild the request to check its response", "url", resp.URL, "err", err)
		return
	}
	if res := w.suite.Spec.CheckResponse(req, status, resp.Header, resp.Body); res.Checked {
		validJSON = res.ValidJSON
		req, level := "", verdict.Must
		switch {
		case status >= 200 && status < 300:
			req = reqSchema2xx
		case status >= 400 && status < 500:
			req, level = reqDocumented4x, verdict.Should
		}
		if req != "" {
			if len(res.Findings) > 0 {
				w.finding(req, level, "the response does not match the OpenAPI description: "+describeFindings(res.Findings), w.lastExchange())
			} else {
				w.checked[req] = true
			}
		}
	}
	if id := resp.CorrelationID; id != "" {
		name := w.suite.CorrelationHeader
		if got := resp.Header.Get(name); got != id {
			w.finding(reqCorrelation, verdict.Should, fmt.Sprintf("the %s header was not echoed (sent %q, got %q)", name, id, got), w.lastExchange())
		} else {
			w.checked[reqCorrelation] = true
		}
	}
	return validJSON
}

func describeFindings(fs []spec.Finding) string {
	parts := make([]string, 0, len(fs))
	for i, f := range fs {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(fs)-5))
			break
		}
		parts = append(parts, fmt.Sprintf("%s: %s", f.Where, f.Message))
	}
	return strings.Join(parts, "; ")
}

// recordOf is the whole record of an exchange a finding cites, nil for none. Steps
// keep the raw exchanges they may cite and render one only when a finding does: a
// passing scenario's exchanges are never rendered whole.
func recordOf(e *target.Exchange) *verdict.Exchange {
	if e == nil {
		return nil
	}
	r := exchangeRecord(e)
	return &r
}

// exchangeRecord is an exchange's whole record: its line, headers, bodies, a curl
// command that repeats it and the readable transcript.
func exchangeRecord(e *target.Exchange) verdict.Exchange {
	r := exchangeLine(e)
	r.RequestHeader, r.RequestBody = e.RequestHeader, string(e.RequestBody)
	r.ResponseHeader, r.ResponseBody = e.ResponseHeader, string(e.ResponseBody)
	r.Curl, r.Transcript = e.Curl(), e.String()
	return r
}

// finish closes the scenario's record: runs the clean-ups (last first, even when the
// scenario failed) and classifies how it ended.
func (w *World) finish(ctx context.Context, err error) verdict.Scenario {
	for i := len(w.cleanups) - 1; i >= 0; i-- {
		if cerr := w.cleanups[i](ctx); cerr != nil {
			w.suite.Logger.Warn("scenario clean-up failed", "scenario", w.record.Name, "err", cerr)
		}
	}
	w.giveBackFixtures(ctx, err)
	rec := w.record
	rec.Duration = float64(time.Since(rec.Started).Microseconds()) / 1000
	for id := range w.checked {
		rec.Checked = append(rec.Checked, id)
	}
	var fail *Failure
	var skip *skipError
	switch {
	case err == nil:
		rec.Outcome = verdict.Passed
	case errors.As(err, &skip):
		rec.Outcome, rec.Message = verdict.Skipped, skip.reason
	case errors.Is(err, godog.ErrSkip):
		rec.Outcome, rec.Message = verdict.Skipped, "skipped"
	case errors.As(err, &fail):
		rec.Outcome, rec.Message = verdict.Failed, fail.Message
		reqs := fail.Requirements
		if len(reqs) == 0 {
			reqs = rec.Requirements
		}
		for _, r := range reqs {
			rec.Findings = append(rec.Findings, verdict.Finding{Requirement: r, Level: fail.Level, Message: fail.Message, Exchange: fail.Exchange, Context: fail.Context})
		}
	default:
		// Anything but an attributed Failure is the harness's problem: never blame the
		// target for an error no rule names.
		rec.Outcome, rec.Message = verdict.Errored, err.Error()
	}
	full := w.suite.FullTranscripts || rec.Outcome != verdict.Passed || len(rec.Findings) > 0
	rec.Exchanges = make([]verdict.Exchange, 0, len(w.exchanges))
	for _, e := range w.exchanges {
		if full {
			rec.Exchanges = append(rec.Exchanges, exchangeRecord(e))
		} else {
			rec.Exchanges = append(rec.Exchanges, exchangeLine(e))
		}
	}
	if len(rec.Exchanges) == 0 {
		rec.Exchanges = nil
	}
	return rec
}

// exchangeLine is an exchange's one-line summary: what was sent and what came back,
// without headers, bodies or a reproduction.
func exchangeLine(e *target.Exchange) verdict.Exchange {
	return verdict.Exchange{
		Seq:        e.Seq,
		Started:    e.Started,
		DurationMS: float64(e.Duration.Microseconds()) / 1000,
		Method:     e.Method,
		URL:        e.URL,
		Status:     e.Status,
		Error:      e.Err,
	}
}

// skipError skips a scenario with a reason (scope, missing fixture).
type skipError struct{ reason string }

func (e *skipError) Error() string { return "skipped: " + e.reason }
func (e *skipError) Is(target error) bool {
	return target == godog.ErrSkip
}

func skipf(format string, args ...any) error {
	return &skipError{reason: fmt.Sprintf(format, args...)}
}

// tenantPath builds a path under the current tenant.
func (w *World) tenantPath(elems ...string) string {
	p := "/" + url.PathEscape(w.tenant.Name) + "/access"
	for _, e := range elems {
		p += "/" + url.PathEscape(e)
	}
	return p
}

// get is a GET under the current tenant.
func (w *World) get(ctx context.Context, path string, query url.Values) (*target.Response, error) {
	return w.send(ctx, target.Request{Method: http.MethodGet, Path: path, Query: query})
}
