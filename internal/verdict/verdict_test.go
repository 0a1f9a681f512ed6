package verdict_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/accessctk/accessctk/internal/verdict"
)

func TestEmbeddedCatalogueMatchesShared(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "contract", "skylark-access.md")
	want, err := os.ReadFile(shared)
	if os.IsNotExist(err) {
		t.Skipf("no shared/ beside the checkout (%s); the embedded copy cannot be compared", shared)
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("skylark-access.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("internal/verdict/skylark-access.md differs from %s: copy the catalogue again", shared)
	}
}

func TestSkylarkCatalogue(t *testing.T) {
	c := verdict.Skylark()
	if len(c.Requirements) < 60 {
		t.Fatalf("parsed %d requirements, want the catalogue's 63", len(c.Requirements))
	}
	r, ok := c.Lookup("SAM-UP-06")
	if !ok || r.Level != verdict.Must || r.Area != "UP" {
		t.Fatalf("SAM-UP-06 = %+v, %v", r, ok)
	}
	if r, _ := c.Lookup("SAM-CM-03"); r.Level != verdict.Should {
		t.Errorf("SAM-CM-03 level %s, want SHOULD", r.Level)
	}
	if len(c.Interpretations) != 5 {
		t.Errorf("got %d interpretations, want 5: %q", len(c.Interpretations), c.Interpretations)
	}
	for _, in := range c.Interpretations {
		if len(in) < 40 {
			t.Errorf("interpretation cut short: %q", in)
		}
	}
}

func TestParseCatalogueRejectsDuplicates(t *testing.T) {
	_, err := verdict.ParseCatalogue("| SAM-X-01 | MUST | a |\n| SAM-X-01 | MUST | b |\n")
	if err == nil {
		t.Fatal("duplicate ID accepted")
	}
}

const mini = `# Mini
| SAM-A-01 | MUST | a |
| SAM-A-02 | MUST | b |
| SAM-A-03 | SHOULD | c |
| SAM-A-04 | MUST | d |
`

func judge(t *testing.T, ss ...verdict.Scenario) (map[string]verdict.RequirementResult, verdict.Overall) {
	t.Helper()
	c, err := verdict.ParseCatalogue(mini)
	if err != nil {
		t.Fatal(err)
	}
	rs, overall := verdict.Judge(c, ss)
	m := map[string]verdict.RequirementResult{}
	for _, r := range rs {
		m[r.ID] = r
	}
	return m, overall
}

func TestJudge(t *testing.T) {
	pass := verdict.Scenario{ID: "s1", Requirements: []string{"SAM-A-01", "SAM-A-02"}, Outcome: verdict.Passed}
	m, overall := judge(t, pass)
	if m["SAM-A-01"].Status != verdict.Pass || m["SAM-A-04"].Status != verdict.NotCovered || overall != verdict.PassedPartial {
		t.Fatalf("all judged passing, a MUST not covered: %v %v %v", m["SAM-A-01"].Status, m["SAM-A-04"].Status, overall)
	}
	every := verdict.Scenario{ID: "s0", Requirements: []string{"SAM-A-01", "SAM-A-02", "SAM-A-04"}, Outcome: verdict.Passed}
	if _, overall = judge(t, every); overall != verdict.Conformant {
		t.Fatalf("every MUST passing: %v", overall)
	}

	// A finding fails the requirement it names, not the scenario's other tags.
	failing := verdict.Scenario{ID: "s2", Name: "two", Requirements: []string{"SAM-A-01", "SAM-A-02"}, Outcome: verdict.Failed,
		Findings: []verdict.Finding{{Requirement: "SAM-A-02", Level: verdict.Must}}}
	m, overall = judge(t, failing)
	if m["SAM-A-02"].Status != verdict.Fail || m["SAM-A-01"].Status != verdict.Error || overall != verdict.NonConformant {
		t.Fatalf("failing: %v %v %v", m["SAM-A-02"].Status, m["SAM-A-01"].Status, overall)
	}

	// A SHOULD part of a MUST requirement only warns.
	warn := verdict.Scenario{ID: "s3", Requirements: []string{"SAM-A-01", "SAM-A-02", "SAM-A-04"}, Outcome: verdict.Passed,
		Findings: []verdict.Finding{{Requirement: "SAM-A-01", Level: verdict.Should}, {Requirement: "SAM-A-03", Level: verdict.Should}}}
	m, overall = judge(t, warn)
	if m["SAM-A-01"].Status != verdict.Warn || m["SAM-A-03"].Status != verdict.Warn || overall != verdict.Conformant {
		t.Fatalf("warnings: %v %v %v", m["SAM-A-01"].Status, m["SAM-A-03"].Status, overall)
	}

	// A harness error makes the run INCOMPLETE; a skip for scope makes it PASSED-PARTIAL, a skip for a missing fixture INCOMPLETE.
	errd := verdict.Scenario{ID: "s4", Requirements: []string{"SAM-A-01"}, Outcome: verdict.Errored, Message: "timeout"}
	if _, overall = judge(t, errd); overall != verdict.Incomplete {
		t.Fatalf("errored: %v", overall)
	}
	scope := verdict.Scenario{ID: "s5", Requirements: []string{"SAM-A-01"}, Outcome: verdict.Skipped, Message: verdict.OutOfScopePrefix + "--readonly"}
	if m, overall = judge(t, scope, verdict.Scenario{ID: "s5b", Requirements: []string{"SAM-A-02", "SAM-A-04"}, Outcome: verdict.Passed}); overall != verdict.PassedPartial || m["SAM-A-01"].Status != verdict.Skip {
		t.Fatalf("out of scope: %v %v", m["SAM-A-01"].Status, overall)
	}
	fixture := verdict.Scenario{ID: "s6", Requirements: []string{"SAM-A-01"}, Outcome: verdict.Skipped, Message: "no secondary tenant"}
	if _, overall = judge(t, fixture); overall != verdict.Incomplete {
		t.Fatalf("missing fixture: %v", overall)
	}
	// Automatic checks count as evidence.
	auto := verdict.Scenario{ID: "s7", Outcome: verdict.Failed, Checked: []string{"SAM-A-04"}}
	if m, _ = judge(t, auto); m["SAM-A-04"].Status != verdict.Pass {
		t.Fatalf("automatic check: %v", m["SAM-A-04"].Status)
	}
}

// A scenario that failed and then passed on a rerun is FLAKY evidence: it never makes
// a requirement PASS on its own, and a flaky MUST makes the run INCOMPLETE.
func TestJudgeFlaky(t *testing.T) {
	flaky := verdict.Scenario{ID: "f1", Name: "flaky", Requirements: []string{"SAM-A-01", "SAM-A-02"}, Outcome: verdict.Flaked,
		Findings: []verdict.Finding{{Requirement: "SAM-A-01", Level: verdict.Must, Message: "expected 200, got 500"}}}
	m, overall := judge(t, flaky)
	if m["SAM-A-01"].Status != verdict.Flaky || len(m["SAM-A-01"].Findings) != 1 || !m["SAM-A-01"].Findings[0].Flaky {
		t.Errorf("flaky finding: %+v", m["SAM-A-01"])
	}
	if m["SAM-A-02"].Status != verdict.Flaky {
		t.Errorf("requirement with only flaky evidence: %v, want FLAKY", m["SAM-A-02"].Status)
	}
	if overall != verdict.Incomplete {
		t.Errorf("overall %v, want INCOMPLETE", overall)
	}

	// A stable pass elsewhere settles a requirement the flaky scenario only covered,
	// but not one the flaky scenario saw broken.
	stable := verdict.Scenario{ID: "s1", Requirements: []string{"SAM-A-01", "SAM-A-02"}, Outcome: verdict.Passed}
	m, _ = judge(t, flaky, stable)
	if m["SAM-A-02"].Status != verdict.Pass || m["SAM-A-01"].Status != verdict.Flaky {
		t.Errorf("with a stable pass: A-01 %v (want FLAKY), A-02 %v (want PASS)", m["SAM-A-01"].Status, m["SAM-A-02"].Status)
	}

	// A stable failure wins over flakiness.
	failing := verdict.Scenario{ID: "s2", Requirements: []string{"SAM-A-01"}, Outcome: verdict.Failed,
		Findings: []verdict.Finding{{Requirement: "SAM-A-01", Level: verdict.Must}}}
	m, overall = judge(t, flaky, failing)
	if m["SAM-A-01"].Status != verdict.Fail || overall != verdict.NonConformant {
		t.Errorf("flaky and failing: %v %v", m["SAM-A-01"].Status, overall)
	}

	// A flaky SHOULD does not change the overall verdict.
	should := verdict.Scenario{ID: "f2", Name: "should", Requirements: []string{"SAM-A-03"}, Outcome: verdict.Flaked}
	all := verdict.Scenario{ID: "s3", Requirements: []string{"SAM-A-01", "SAM-A-02", "SAM-A-04"}, Outcome: verdict.Passed}
	m, overall = judge(t, should, all)
	if m["SAM-A-03"].Status != verdict.Flaky || overall != verdict.Conformant {
		t.Errorf("flaky SHOULD: %v %v", m["SAM-A-03"].Status, overall)
	}
}

// A requirement the suite checks but the selection left out is SKIP, out of scope,
// and leaves the verdict alone; one the suite has no scenario for stays NOT COVERED.
func TestUnselected(t *testing.T) {
	c, err := verdict.ParseCatalogue(mini)
	if err != nil {
		t.Fatal(err)
	}
	pass := verdict.Scenario{ID: "s1", Requirements: []string{"SAM-A-01"}, Outcome: verdict.Passed}
	rs, overall := verdict.Judge(c, []verdict.Scenario{pass})
	verdict.Unselected(rs, map[string]bool{"SAM-A-01": true, "SAM-A-02": true, "SAM-A-03": true}, "not selected")
	m := map[string]verdict.RequirementResult{}
	for _, r := range rs {
		m[r.ID] = r
	}
	if m["SAM-A-01"].Status != verdict.Pass {
		t.Errorf("SAM-A-01, judged: %s", m["SAM-A-01"].Status)
	}
	for _, id := range []string{"SAM-A-02", "SAM-A-03"} {
		if m[id].Status != verdict.Skip || m[id].Reason != verdict.OutOfScopePrefix+"not selected" {
			t.Errorf("%s, in the suite but not selected: %s %q", id, m[id].Status, m[id].Reason)
		}
	}
	if m["SAM-A-04"].Status != verdict.NotCovered {
		t.Errorf("SAM-A-04, in no scenario: %s", m["SAM-A-04"].Status)
	}
	if overall != verdict.PassedPartial {
		t.Errorf("overall %s, want PASSED-PARTIAL: two MUST rules were not judged", overall)
	}
	if again := verdict.OverallOf(rs); again != verdict.PassedPartial {
		t.Errorf("judged again after Unselected: %s", again)
	}
}

// Only a run that judged every MUST may say CONFORMANT; what was not judged makes a
// run that found nothing wrong PASSED-PARTIAL, never CONFORMANT, and never hides a
// failure or an error.
func TestOverallOf(t *testing.T) {
	req := func(id string, level verdict.Level, st verdict.Status, reason string) verdict.RequirementResult {
		return verdict.RequirementResult{Requirement: verdict.Requirement{ID: id, Level: level}, Status: st, Reason: reason}
	}
	pass := req("SAM-A-01", verdict.Must, verdict.Pass, "")
	warn := req("SAM-A-02", verdict.Must, verdict.Warn, "")
	scope := req("SAM-A-03", verdict.Must, verdict.Skip, verdict.OutOfScopePrefix+"the run is --readonly")
	uncovered := req("SAM-A-04", verdict.Must, verdict.NotCovered, "")
	fixture := req("SAM-A-05", verdict.Must, verdict.Skip, "no secondary tenant")
	fail := req("SAM-A-06", verdict.Must, verdict.Fail, "")
	errd := req("SAM-A-07", verdict.Must, verdict.Error, "timeout")
	shouldSkipped := req("SAM-A-08", verdict.Should, verdict.Skip, verdict.OutOfScopePrefix+"x")
	for _, c := range []struct {
		name string
		rs   []verdict.RequirementResult
		want verdict.Overall
	}{
		{"every MUST judged and kept", []verdict.RequirementResult{pass, warn, shouldSkipped}, verdict.Conformant},
		{"a MUST outside the scope", []verdict.RequirementResult{pass, scope}, verdict.PassedPartial},
		{"a MUST no check ran for", []verdict.RequirementResult{pass, uncovered}, verdict.PassedPartial},
		{"a MUST skipped for a fixture", []verdict.RequirementResult{pass, scope, fixture}, verdict.Incomplete},
		{"a MUST errored", []verdict.RequirementResult{scope, errd}, verdict.Incomplete},
		{"a MUST failed", []verdict.RequirementResult{scope, uncovered, errd, fail}, verdict.NonConformant},
	} {
		if got := verdict.OverallOf(c.rs); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	if o, n := verdict.Unjudged([]verdict.RequirementResult{pass, scope, uncovered, fixture, shouldSkipped}); o != 1 || n != 1 {
		t.Errorf("Unjudged: %d out of scope, %d not covered; want 1 and 1", o, n)
	}
}
