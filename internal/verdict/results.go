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
const (
	Passed  Outcome = "passed"
	Failed  Outcome = "failed"
	Errored Outcome = "errored"
	Skipped Outcome = "skipped"
)

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
	Curl           string              `json:"curl"`
	// Transcript is the readable block (request, response, annotated redactions).
	Transcript string `json:"transcript"`
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
}

// Status is a requirement's verdict.
type Status string

// Requirement verdicts. A SKIP, ERROR or NOT COVERED is never shown as a pass.
const (
	Pass       Status = "PASS"
	Fail       Status = "FAIL"
	Warn       Status = "WARN"
	Skip       Status = "SKIP"
	Error      Status = "ERROR"
	NotCovered Status = "NOT COVERED"
)

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

// Run verdicts, as DESIGN.md defines them.
const (
	Conformant    Overall = "CONFORMANT"
	NonConformant Overall = "NON-CONFORMANT"
	Incomplete    Overall = "INCOMPLETE"
)

// Results is the one result model every report reads.
type Results struct {
	Tool            string              `json:"tool"`
	Version         string              `json:"version"`
	Catalogue       string              `json:"catalogue"`
	Target          string              `json:"target"`
	Started         time.Time           `json:"started"`
	DurationMS      float64             `json:"durationMs"`
	Overall         Overall             `json:"overall"`
	Interpretations []string            `json:"interpretations"`
	Notes           []string            `json:"notes,omitempty"`
	Requirements    []RequirementResult `json:"requirements"`
	Scenarios       []Scenario          `json:"scenarios"`
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
func Judge(c *Catalogue, scenarios []Scenario) ([]RequirementResult, Overall) {
	type acc struct {
		findings   []Finding
		scenarios  []string
		best       evidence
		reason     string
		errMessage string
	}
	byID := map[string]*acc{}
	get := func(id string) *acc {
		a := byID[id]
		if a == nil {
			a = &acc{}
			byID[id] = a
		}
		return a
	}
	for _, s := range scenarios {
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
			if failedHere[id] {
				continue
			}
			a := get(id)
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
	}

	results := make([]RequirementResult, 0, len(c.Requirements))
	overall := Conformant
	incomplete := false
	for _, r := range c.Requirements {
		rr := RequirementResult{Requirement: r}
		a := byID[r.ID]
		switch {
		case a == nil || (a.best == noEvidence && len(a.findings) == 0):
			rr.Status = NotCovered
			rr.Reason = "no scenario checks this requirement yet"
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
		case a.best == passed:
			rr.Status = Pass
		case a.best == notJudged:
			rr.Status = Error
			rr.Reason = a.reason
		default:
			rr.Status = Skip
			rr.Reason = a.reason
		}
		if a != nil {
			rr.Scenarios = a.scenarios
			rr.Findings = a.findings
		}
		if r.Level == Must {
			switch rr.Status {
			case Fail:
				overall = NonConformant
			case Error, Skip:
				incomplete = incomplete || !isOutOfScope(rr.Reason)
			}
		}
		results = append(results, rr)
	}
	if overall == Conformant && incomplete {
		overall = Incomplete
	}
	return results, overall
}

// OutOfScopePrefix starts the skip reason of scenarios the run's selection left out
// (--readonly, no --allow-destructive, tags): the user chose that scope, so it does
// not make the run INCOMPLETE. A skip for a missing fixture does.
const OutOfScopePrefix = "out of scope: "

func isOutOfScope(reason string) bool { return strings.HasPrefix(reason, OutOfScopePrefix) }

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
