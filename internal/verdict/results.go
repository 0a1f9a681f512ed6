package verdict

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Outcome is how one scenario ended.
type Outcome string

// Scenario outcomes. Failed means the target broke a rule; Errored means the harness
// could not judge (network, timeout, a fixture precondition). The two never mix.
// Flaked means the scenario failed or errored, then passed when it was run again
// (--rerun-failed): its first attempt's findings stay on the record, marked Flaky.
const (
	Passed  Outcome = "passed"
	Failed  Outcome = "failed"
	Errored Outcome = "errored"
	Skipped Outcome = "skipped"
	Flaked  Outcome = "flaky"
)

// Outcomes lists every scenario outcome, for schemas and filters.
func Outcomes() []Outcome { return []Outcome{Passed, Failed, Errored, Skipped, Flaked} }

// Exchange is the redacted record of one HTTP exchange, as reports show it.
type Exchange struct {
	Seq            int                 `json:"seq"`
	Started        time.Time           `json:"started"`
	DurationMS     float64             `json:"durationMs"`
	Method         string              `json:"method"`
	URL            string              `json:"url"`
	RequestHeader  map[string][]string `json:"requestHeader,omitempty"`
	RequestBody    string              `json:"requestBody,omitempty"`
	Status         int                 `json:"status,omitempty"`
	ResponseHeader map[string][]string `json:"responseHeader,omitempty"`
	ResponseBody   string              `json:"responseBody,omitempty"`
	Error          string              `json:"error,omitempty"`
	// Curl and Transcript are empty in a one-line summary: a scenario that passed
	// without a finding keeps only what was sent and what came back, unless the run
	// keeps full transcripts.
	Curl string `json:"curl,omitempty"`
	// Transcript is the readable block (request, response, annotated redactions).
	Transcript string `json:"transcript,omitempty"`
}

// Finding is one broken rule: which requirement, what was expected and observed, and
// the exchange that showed it.
type Finding struct {
	Requirement string `json:"requirement"`
	// Level is MUST for a violation and SHOULD for a warning. A MUST requirement can
	// carry a SHOULD part ("rejected; SHOULD be 415"), which only warns.
	Level    Level     `json:"level"`
	Message  string    `json:"message"`
	Exchange *Exchange `json:"exchange,omitempty"`
	// Context are other exchanges that show the finding, in the order they were
	// sent: the pages around a gap in a paging walk.
	Context []Exchange `json:"context,omitempty"`
	// Flaky marks a finding of a scenario that passed when run again: the rule was
	// seen broken once and not again, so it makes its requirement FLAKY, not FAIL.
	Flaky bool `json:"flaky,omitempty"`
}

// Scenario is the record of one scenario run (or not run).
type Scenario struct {
	ID           string   `json:"id"`
	Feature      string   `json:"feature"`
	Name         string   `json:"name"`
	Tags         []string `json:"tags"`
	Requirements []string `json:"requirements"`
	Outcome      Outcome  `json:"outcome"`
	// Message is the failing step's error, the error that stopped the harness, or the
	// reason the scenario was skipped.
	Message  string    `json:"message,omitempty"`
	Findings []Finding `json:"findings,omitempty"`
	// Checked lists the requirements whose automatic checks (schema, no 5xx, ...) ran
	// on this scenario's exchanges without a finding.
	Checked   []string   `json:"checked,omitempty"`
	Exchanges []Exchange `json:"exchanges,omitempty"`
	Started   time.Time  `json:"started"`
	Duration  float64    `json:"durationMs"`
	// Line is the scenario's (or its example row's) line in the feature file.
	Line int `json:"line,omitempty"`
	// Example is an Outline row's values ("header: value; ..."), which tell apart
	// the scenarios one Outline makes; empty for a plain scenario.
	Example string `json:"example,omitempty"`
	// Steps are the scenario's steps as they ran (of the attempt the record keeps).
	Steps []Step `json:"steps,omitempty"`
	// Attempts lists every run of the scenario, first to last, when it was run again
	// (--rerun-failed). The record's findings and exchanges are the first attempt's.
	Attempts []Attempt `json:"attempts,omitempty"`
}

// Step is one step of a scenario as it ran.
type Step struct {
	Keyword    string  `json:"keyword"`
	Text       string  `json:"text"`
	Status     string  `json:"status"`
	DurationMS float64 `json:"durationMs"`
	Error      string  `json:"error,omitempty"`
}

// Attempt is one run of a scenario.
type Attempt struct {
	Outcome    Outcome   `json:"outcome"`
	Message    string    `json:"message,omitempty"`
	Started    time.Time `json:"started"`
	DurationMS float64   `json:"durationMs"`
}

// Status is a requirement's verdict.
type Status string

// Requirement verdicts. A SKIP, ERROR, FLAKY or NOT COVERED is never shown as a pass.
// FLAKY: the rule was seen broken (or the scenario could not judge it) on a first
// attempt and held on a rerun, and no stable scenario failed it. A FLAKY MUST makes
// the run INCOMPLETE: the target was not shown to break the rule reproducibly, and
// not shown to keep it either.
const (
	Pass       Status = "PASS"
	Fail       Status = "FAIL"
	Warn       Status = "WARN"
	Flaky      Status = "FLAKY"
	Skip       Status = "SKIP"
	Error      Status = "ERROR"
	NotCovered Status = "NOT COVERED"
)

// Statuses lists every requirement verdict, worst first as reports sort them.
func Statuses() []Status { return []Status{Fail, Error, Flaky, Warn, Skip, NotCovered, Pass} }

// RequirementResult is the verdict on one requirement with its evidence.
type RequirementResult struct {
	Requirement
	Status    Status    `json:"status"`
	Reason    string    `json:"reason,omitempty"`
	Scenarios []string  `json:"scenarios,omitempty"`
	Findings  []Finding `json:"findings,omitempty"`
}

// Overall is the run's verdict.
type Overall string

// Run verdicts. Only a run that judged every MUST of the catalogue and saw each one
// kept is CONFORMANT: that word is a certificate. A run whose scope or selection
// (--readonly, no --allow-destructive, --tags, --shard) or OpenAPI document left MUST
// rules unjudged, and that found nothing wrong with the rest, is PASSED-PARTIAL. Its
// word does not contain "CONFORMANT", so that no grep for a certificate matches it.
const (
	Conformant    Overall = "CONFORMANT"
	PassedPartial Overall = "PASSED-PARTIAL"
	NonConformant Overall = "NON-CONFORMANT"
	Incomplete    Overall = "INCOMPLETE"
)

// Overalls lists every run verdict.
func Overalls() []Overall { return []Overall{Conformant, PassedPartial, NonConformant, Incomplete} }

// SchemaVersion is the version of the Results JSON record (reports/results.schema.json).
// A change that removes or retypes a field bumps it; adding an optional field does not.
// Version 2: an exchange's curl and transcript are optional (see Exchange).
const SchemaVersion = "2"

// ReadableSchemaVersions are the versions this build reads: every version 1 record is
// a valid version 2 record.
func ReadableSchemaVersions() []string { return []string{"1", SchemaVersion} }

// Results is the one result model every report reads.
type Results struct {
	SchemaVersion string    `json:"schemaVersion"`
	Tool          string    `json:"tool"`
	Version       string    `json:"version"`
	Catalogue     string    `json:"catalogue"`
	Target        string    `json:"target"`
	Started       time.Time `json:"started"`
	DurationMS    float64   `json:"durationMs"`
	// SpecDigest and FeaturesDigest ("sha256:<hex>") identify the OpenAPI document and
	// the feature files the run used, so two results can be compared knowingly.
	SpecDigest     string `json:"specDigest,omitempty"`
	FeaturesDigest string `json:"featuresDigest,omitempty"`
	// Selection is what part of the suite ran.
	Selection Selection `json:"selection"`
	// Config is the run's redacted settings, by name.
	Config map[string]string `json:"config,omitempty"`
	// Credentials say where the curl commands of the exchanges find each tenant's
	// token: the shell variable they name and the line that sets it. Never a token.
	Credentials     []Credential        `json:"credentials,omitempty"`
	Overall         Overall             `json:"overall"`
	Interpretations []string            `json:"interpretations"`
	Notes           []string            `json:"notes,omitempty"`
	Requirements    []RequirementResult `json:"requirements"`
	Scenarios       []Scenario          `json:"scenarios"`
	// Baseline compares this run with an earlier one (--baseline), when given.
	Baseline *Comparison `json:"baseline,omitempty"`
	// Requests counts the requests the run sent to the target, every retry and
	// fixture read included (0 in records written before it was counted).
	Requests int `json:"requests,omitempty"`
	// Fixtures says what the run needed of the fixtures and what it left.
	Fixtures *FixtureReport `json:"fixtures,omitempty"`
}

// Credential is how reproductions find one tenant's token.
type Credential struct {
	Tenant string `json:"tenant"`
	// Variable is the shell variable the tenant's curl commands name.
	Variable string `json:"variable"`
	// Setup is the shell line that sets Variable: an export reading the token file
	// the fixtures name, or keeping the variable they name. Empty when the token
	// cannot be had again (the embedded reference server's tokens live only in its
	// run).
	Setup string `json:"setup,omitempty"`
}

// Selection records which scenarios a run selected.
type Selection struct {
	Tags string `json:"tags,omitempty"`
	// Shard is "i/n" when the run was one shard of n; Shards lists the shards a
	// merged result joins.
	Shard  string   `json:"shard,omitempty"`
	Shards []string `json:"shards,omitempty"`
	// RerunFailed is the most reruns a failed scenario got.
	RerunFailed int `json:"rerunFailed,omitempty"`
}

// Change classifies a requirement against a baseline run.
type Change string

// Changes against a baseline. Failing means the verdict FAIL. A requirement that was
// failing and that this run could not judge (SKIP, ERROR, FLAKY, NOT COVERED) is
// Unverified: neither fixed nor still failing.
const (
	NewFailure   Change = "new-failure"
	Fixed        Change = "fixed"
	StillFailing Change = "still-failing"
	Unchanged    Change = "unchanged"
	Unverified   Change = "unverified"
)

// Changes lists every change class, the ones that need attention first.
func Changes() []Change {
	return []Change{NewFailure, StillFailing, Unverified, Fixed, Unchanged}
}

// Comparison is a run compared with a baseline run, requirement by requirement.
type Comparison struct {
	// Source names the baseline (its file path as given).
	Source          string              `json:"source"`
	BaselineStarted time.Time           `json:"baselineStarted"`
	BaselineOverall Overall             `json:"baselineOverall"`
	Requirements    []RequirementChange `json:"requirements"`
	Counts          map[Change]int      `json:"counts"`
}

// RequirementChange is one requirement's verdict before and now.
type RequirementChange struct {
	ID     string `json:"id"`
	Before Status `json:"before,omitempty"`
	After  Status `json:"after"`
	Change Change `json:"change"`
}

// ChangeOf returns the comparison entry of a requirement.
func (c *Comparison) ChangeOf(id string) (RequirementChange, bool) {
	if c == nil {
		return RequirementChange{}, false
	}
	for _, r := range c.Requirements {
		if r.ID == id {
			return r, true
		}
	}
	return RequirementChange{}, false
}

// evidence is what one scenario says about one requirement.
type evidence int

const (
	noEvidence evidence = iota
	skipped
	notJudged
	passed
	errored
)

// Judge computes every requirement's verdict and the overall verdict.
//
// Attribution: a finding fails the requirement it names, whichever scenario met it.
// Coverage: a requirement a scenario is tagged with passes when that scenario ran to
// the end; when the scenario stopped on another rule's failure it is not judged there.
// Flakiness: a flaky scenario's findings make the requirements they name FLAKY (unless
// a stable scenario failed them); a requirement whose only other evidence is a flaky
// scenario is FLAKY too, never PASS.
func Judge(c *Catalogue, scenarios []Scenario) ([]RequirementResult, Overall) {
	byID := map[string]*evidenceOf{}
	get := func(id string) *evidenceOf {
		a := byID[id]
		if a == nil {
			a = &evidenceOf{}
			byID[id] = a
		}
		return a
	}
	for _, s := range scenarios {
		if s.Outcome == Flaked {
			addFlaky(get, s)
			continue
		}
		failedHere := map[string]bool{}
		for _, f := range s.Findings {
			a := get(f.Requirement)
			a.findings = append(a.findings, f)
			a.scenarios = appendOnce(a.scenarios, s.ID)
			failedHere[f.Requirement] = true
		}
		for _, id := range s.Checked {
			if !failedHere[id] {
				a := get(id)
				a.scenarios = appendOnce(a.scenarios, s.ID)
				a.best = max(a.best, passed)
			}
		}
		for _, id := range s.Requirements {
			if !failedHere[id] {
				get(id).cover(s)
			}
		}
	}

	results := make([]RequirementResult, 0, len(c.Requirements))
	for _, r := range c.Requirements {
		results = append(results, byID[r.ID].judge(r))
	}
	return results, OverallOf(results)
}

// OverallOf is the run verdict the requirement verdicts give, judged on the MUST
// rules alone: NON-CONFORMANT when one failed; otherwise INCOMPLETE when one could
// not be judged although the run selected it (ERROR, FLAKY, a SKIP for a missing
// fixture); otherwise PASSED-PARTIAL when one was not judged at all (a SKIP outside
// the run's scope, NOT COVERED); CONFORMANT only when every MUST passed (PASS, or
// WARN for its SHOULD part).
func OverallOf(rs []RequirementResult) Overall {
	failed, incomplete, partial := false, false, false
	for _, r := range rs {
		if r.Level != Must {
			continue
		}
		switch r.Status {
		case Fail:
			failed = true
		case Flaky, Error:
			incomplete = true
		case Skip:
			if r.OutOfScope() {
				partial = true
			} else {
				incomplete = true
			}
		case NotCovered:
			partial = true
		}
	}
	switch {
	case failed:
		return NonConformant
	case incomplete:
		return Incomplete
	case partial:
		return PassedPartial
	}
	return Conformant
}

// Unjudged counts the MUST rules a run did not judge because its scope or selection
// left them out (out-of-scope SKIP) or no check of them ran (NOT COVERED): what keeps
// a PASSED-PARTIAL run from being a certification.
func Unjudged(rs []RequirementResult) (outOfScope, notCovered int) {
	for _, r := range rs {
		switch {
		case r.Level != Must:
		case r.OutOfScope():
			outOfScope++
		case r.Status == NotCovered:
			notCovered++
		}
	}
	return outOfScope, notCovered
}

// evidenceOf is what the scenarios said about one requirement.
type evidenceOf struct {
	findings, flakyFindings []Finding
	scenarios               []string
	best                    evidence
	reason, errMessage      string
	// flakyCover names a flaky scenario that exercised the requirement.
	flakyCover string
}

// cover records a scenario tagged with the requirement that found nothing against it.
func (a *evidenceOf) cover(s Scenario) {
	a.scenarios = appendOnce(a.scenarios, s.ID)
	switch s.Outcome {
	case Passed:
		a.best = max(a.best, passed)
	case Errored:
		if a.best < errored {
			a.errMessage = fmt.Sprintf("%s: %s", s.Name, s.Message)
		}
		a.best = max(a.best, errored)
	case Failed:
		if a.best < notJudged {
			a.reason = fmt.Sprintf("scenario %q stopped on another rule before judging this one", s.Name)
		}
		a.best = max(a.best, notJudged)
	case Skipped:
		if a.best < skipped {
			a.reason = s.Message
		}
		a.best = max(a.best, skipped)
	}
}

// addFlaky records a flaky scenario: its findings and every requirement it exercised.
func addFlaky(get func(string) *evidenceOf, s Scenario) {
	named := map[string]bool{}
	for _, f := range s.Findings {
		f.Flaky = true
		a := get(f.Requirement)
		a.flakyFindings = append(a.flakyFindings, f)
		a.scenarios = appendOnce(a.scenarios, s.ID)
		named[f.Requirement] = true
	}
	for _, ids := range [][]string{s.Requirements, s.Checked} {
		for _, id := range ids {
			a := get(id)
			a.scenarios = appendOnce(a.scenarios, s.ID)
			if a.flakyCover == "" {
				a.flakyCover = s.Name
			}
		}
	}
	for id := range named {
		if a := get(id); a.flakyCover == "" {
			a.flakyCover = s.Name
		}
	}
}

func (a *evidenceOf) judge(r Requirement) RequirementResult {
	rr := RequirementResult{Requirement: r}
	switch {
	case a == nil || (a.best == noEvidence && len(a.findings) == 0 && len(a.flakyFindings) == 0 && a.flakyCover == ""):
		rr.Status = NotCovered
		rr.Reason = NoScenarioReason
	case len(a.findings) > 0:
		rr.Status = Warn
		for _, f := range a.findings {
			if f.Level == Must && r.Level == Must {
				rr.Status = Fail
			}
		}
	case a.best == errored:
		rr.Status = Error
		rr.Reason = a.errMessage
	case len(a.flakyFindings) > 0:
		rr.Status = Flaky
		rr.Reason = fmt.Sprintf("broken on a first attempt of scenario %q, kept on its rerun", a.flakyCover)
	case a.best == passed:
		rr.Status = Pass
	case a.flakyCover != "":
		rr.Status = Flaky
		rr.Reason = fmt.Sprintf("only evidence is scenario %q, which passed only on a rerun", a.flakyCover)
	case a.best == notJudged:
		rr.Status = Error
		rr.Reason = a.reason
	default:
		rr.Status = Skip
		rr.Reason = a.reason
	}
	if a != nil {
		rr.Scenarios = a.scenarios
		rr.Findings = append(append([]Finding(nil), a.findings...), a.flakyFindings...)
	}
	return rr
}

// NoScenarioReason is the reason of a requirement NOT COVERED because no scenario
// of the suite checks it (rather than because nothing the run sent could be checked).
const NoScenarioReason = "the suite has no scenario that checks this requirement"

// OutOfScopePrefix starts the skip reason of scenarios the run's selection left out
// (--readonly, no --allow-destructive, tags): the user chose that scope, so it makes
// the run PASSED-PARTIAL at worst, not INCOMPLETE. A skip for a missing fixture does.
const OutOfScopePrefix = "out of scope: "

func isOutOfScope(reason string) bool { return strings.HasPrefix(reason, OutOfScopePrefix) }

// OutOfScope reports whether the run's scope or selection left the requirement out
// (SKIP, out of scope): not judged, and not counted against the verdict.
func (r RequirementResult) OutOfScope() bool { return r.Status == Skip && isOutOfScope(r.Reason) }

// UnselectedReason says why a requirement no scenario of a run checked was left out
// of a run selected by tags and shard ("i/n", or "" for the whole run): "" when the
// run selects the whole suite.
func UnselectedReason(tags, shard string) string {
	switch {
	case shard != "" && tags != "":
		return fmt.Sprintf("no scenario of shard %s of the selection (--tags %q) checks it", shard, tags)
	case shard != "":
		return fmt.Sprintf("no scenario of shard %s checks it", shard)
	case tags != "":
		return fmt.Sprintf("no scenario the selection (--tags %q) runs checks it", tags)
	}
	return ""
}

// Unselected marks the requirements the suite has scenarios for but the run's
// selection (--tags, --shard) left out: SKIP, out of scope, with why, rather than NOT
// COVERED, which says the suite has no scenario for them at all. Like every out of
// scope SKIP, it keeps the run from being CONFORMANT (see OverallOf), and the caller
// judges the overall verdict again.
func Unselected(rs []RequirementResult, inSuite map[string]bool, why string) {
	for i := range rs {
		if rs[i].Status == NotCovered && inSuite[rs[i].ID] {
			rs[i].Status = Skip
			rs[i].Reason = OutOfScopePrefix + why
		}
	}
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// Counts tallies requirement verdicts by status.
func Counts(rs []RequirementResult) map[Status]int {
	m := map[Status]int{}
	for _, r := range rs {
		m[r.Status]++
	}
	return m
}

// FailedRequirements returns the requirements whose verdict is FAIL, in catalogue order.
func FailedRequirements(rs []RequirementResult) []string {
	var out []string
	for _, r := range rs {
		if r.Status == Fail {
			out = append(out, r.ID)
		}
	}
	sort.Strings(out)
	return out
}
