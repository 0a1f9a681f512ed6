package reports_test

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/accessctk/accessctk/internal/verdict"
)

// hostile is text a target controls (bodies, headers) that every format must carry
// as text, never as markup.
const hostile = "<script>alert('x')</script> & \"quotes\" `ticks` | pipe *bold* [link](http://evil.example) ]]> \x01"

// sample builds judged results over the real catalogue: failures in two areas (one
// with a hostile response body), a flaky scenario, an errored one, a skipped one.
func sample(t *testing.T) *verdict.Results {
	t.Helper()
	start := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	ex := func(status int, body string) *verdict.Exchange {
		return &verdict.Exchange{
			Seq: 1, Started: start, DurationMS: 1.5, Method: "GET", URL: "http://127.0.0.1:1/eos/access/A-1?x=<y>",
			RequestHeader: map[string][]string{"Accept": {"application/json"}}, Status: status,
			ResponseHeader: map[string][]string{"Content-Type": {"application/json"}}, ResponseBody: body,
			Curl:       "curl -sS -i -g --path-as-is -X 'GET' -H \"Authorization: Bearer ${ACCESSCTK_TOKEN}\" 'http://127.0.0.1:1/eos/access/A-1?x=<y>'",
			Transcript: "GET /eos/access/A-1\n\nHTTP 200\n" + body,
		}
	}
	steps := func(status string) []verdict.Step {
		return []verdict.Step{{Keyword: "Given ", Text: "an existing access of the tenant", Status: "passed", DurationMS: 1},
			{Keyword: "When ", Text: "I read the access", Status: status, DurationMS: 2, Error: map[bool]string{true: "expected no password"}[status == "failed"]}}
	}
	scenarios := []verdict.Scenario{
		{ID: "read#1", Feature: "read", Name: "An existing access reads back as itself", Tags: []string{"@SAM-RD-01", "@readonly"},
			Requirements: []string{"SAM-RD-01"}, Outcome: verdict.Passed, Started: start, Duration: 3, Line: 5, Steps: steps("passed"),
			Checked: []string{"SAM-CM-02"}},
		{ID: "read#2", Feature: "read", Name: "Reading one access never shows a password", Tags: []string{"@SAM-RD-03", "@readonly"},
			Requirements: []string{"SAM-RD-03"}, Outcome: verdict.Failed, Message: "response has a password field: " + hostile,
			Findings: []verdict.Finding{{Requirement: "SAM-RD-03", Level: verdict.Must, Message: "expected no \"password\" field, got one at /password: " + hostile, Exchange: ex(200, `{"id":"A-1","password":"[REDACTED]","note":"`+hostile+`"}`)}},
			Started:  start, Duration: 4, Line: 16, Steps: steps("failed")},
		{ID: "auth#3", Feature: "auth", Name: "Reading without a valid token is refused", Tags: []string{"@SAM-CM-01", "@readonly"},
			Requirements: []string{"SAM-CM-01"}, Outcome: verdict.Failed, Message: "expected status 401, got 200",
			Findings: []verdict.Finding{{Requirement: "SAM-CM-01", Level: verdict.Must, Message: "expected status 401, got 200", Exchange: ex(200, `{}`)}},
			Started:  start, Duration: 2, Line: 6, Steps: steps("failed")},
		{ID: "read#4", Feature: "read", Name: "An unknown access id is not found", Tags: []string{"@SAM-RD-02", "@readonly"},
			Requirements: []string{"SAM-RD-02"}, Outcome: verdict.Flaked, Message: "failed on attempt 1, passed on attempt 2: expected status 404, got 500",
			Findings: []verdict.Finding{{Requirement: "SAM-RD-02", Level: verdict.Must, Message: "expected status 404, got 500", Flaky: true, Exchange: ex(500, `{"error":"boom"}`)}},
			Attempts: []verdict.Attempt{{Outcome: verdict.Failed, Started: start, DurationMS: 2}, {Outcome: verdict.Passed, Started: start, DurationMS: 2}},
			Started:  start, Duration: 2, Line: 11, Steps: steps("failed")},
		{ID: "update#5", Feature: "update", Name: "A timed-out update", Tags: []string{"@SAM-UP-01", "@mutating"},
			Requirements: []string{"SAM-UP-01"}, Outcome: verdict.Errored, Message: "target: timeout after 10s", Started: start, Duration: 10000, Line: 3, Steps: steps("failed")},
		{ID: "update#6", Feature: "update", Name: "Terminate an access", Tags: []string{"@SAM-UP-05", "@mutating", "@destructive"},
			Requirements: []string{"SAM-UP-05"}, Outcome: verdict.Skipped, Message: verdict.OutOfScopePrefix + "@destructive needs --allow-destructive", Started: start, Line: 9, Steps: steps("skipped")},
	}
	cat := verdict.Skylark()
	reqs, overall := verdict.Judge(cat, scenarios)
	return &verdict.Results{
		SchemaVersion: verdict.SchemaVersion, Tool: "accessctk", Version: "test", Catalogue: cat.Title,
		Target: "http://127.0.0.1:1", Started: start, DurationMS: 10011,
		SpecDigest:     "sha256:" + repeat("ab", 32),
		FeaturesDigest: "sha256:" + repeat("cd", 32),
		Selection:      verdict.Selection{Tags: "@readonly", RerunFailed: 1},
		Config:         map[string]string{"target": "http://127.0.0.1:1", "timeout": "10s"},
		Overall:        overall, Interpretations: cat.Interpretations, Requirements: reqs, Scenarios: scenarios,
		Notes: []string{"a note with " + hostile},
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

// tool finds a program the test needs. Without it the test skips with the reason,
// unless the environment variable require is 1 (CI sets it): then it fails.
func tool(t *testing.T, name, require, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv(require) == "1" {
		t.Fatalf("%s not found and %s=1: install Debian package %s (.ci/run does)", name, require, pkg)
	}
	t.Skipf("%s not found: install Debian package %s to run this test (set %s=1 to make its absence a failure)", name, pkg, require)
	return ""
}
