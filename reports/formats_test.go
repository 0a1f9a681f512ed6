package reports_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/reports"
)

func render(t *testing.T, w func(*bytes.Buffer, *verdict.Results) error, r *verdict.Results) string {
	t.Helper()
	var b bytes.Buffer
	if err := w(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestParseFormats(t *testing.T) {
	names := func(fs []reports.Format) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Name)
		}
		return out
	}
	all := []string{"json", "junit", "cucumber", "html", "markdown"}
	for in, want := range map[string][]string{
		"all": all, "html,json": {"json", "html"}, "summary.md": {"markdown"}, "md, JUnit": {"junit", "markdown"}, "none": nil,
	} {
		got, err := reports.ParseFormats([]string{in})
		if err != nil || !slices.Equal(names(got), want) {
			t.Errorf("ParseFormats(%q) = %v, %v; want %v", in, names(got), err, want)
		}
	}
	for _, bad := range []string{"pdf", "none,html", "json,xml"} {
		if _, err := reports.ParseFormats([]string{bad}); err == nil {
			t.Errorf("ParseFormats(%q) accepted", bad)
		}
	}
}

// results.json matches its schema and reads back to the same results.
func TestJSONSchemaAndRoundTrip(t *testing.T) {
	r := sample(t)
	r.Baseline = reports.Compare(r, r, "old/results.json")
	data := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteJSON(b, r) }, r)
	if err := reports.ValidateResultsJSON([]byte(data)); err != nil {
		t.Fatalf("sample results.json: %v", err)
	}
	back, err := reports.ReadResults([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	again := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteJSON(b, r) }, back)
	if again != data {
		t.Fatal("results.json does not round-trip")
	}
}

func TestSchemaRejectsWhatTheModelCannotHold(t *testing.T) {
	data := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteJSON(b, r) }, sample(t))
	for name, edit := range map[string]func(m map[string]any){
		"unknown status":   func(m map[string]any) { m["requirements"].([]any)[0].(map[string]any)["status"] = "MAYBE" },
		"missing overall":  func(m map[string]any) { delete(m, "overall") },
		"bad digest":       func(m map[string]any) { m["specDigest"] = "md5:abc" },
		"unknown field":    func(m map[string]any) { m["surprise"] = true },
		"bad started":      func(m map[string]any) { m["started"] = "yesterday" },
		"other version":    func(m map[string]any) { m["schemaVersion"] = "3" },
		"scenario outcome": func(m map[string]any) { m["scenarios"].([]any)[0].(map[string]any)["outcome"] = "exploded" },
		"finding w/o level": func(m map[string]any) {
			delete(m["scenarios"].([]any)[1].(map[string]any)["findings"].([]any)[0].(map[string]any), "level")
		},
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		bad, _ := json.Marshal(m)
		if _, err := reports.ReadResults(bad); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error spans lines: %q", name, err)
		}
	}
}

// A version 1 record (every exchange whole) is still read: version 2 only made an
// exchange's curl and transcript optional.
func TestVersionOneResultsAreRead(t *testing.T) {
	data := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteJSON(b, r) }, sample(t))
	var m map[string]any
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		t.Fatal(err)
	}
	m["schemaVersion"] = "1"
	old, _ := json.Marshal(m)
	r, err := reports.ReadResults(old)
	if err != nil {
		t.Fatalf("a version 1 record: %v", err)
	}
	if len(r.Scenarios) == 0 {
		t.Fatal("read no scenarios")
	}
}

// The schema's enumerations are exactly the model's, both ways.
func TestSchemaEnumsMatchModel(t *testing.T) {
	var s struct {
		Defs map[string]struct {
			Enum []string `json:"enum"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(reports.ResultsSchema(), &s); err != nil {
		t.Fatal(err)
	}
	str := func(xs any) []string {
		var out []string
		v := reflect.ValueOf(xs)
		for i := range v.Len() {
			out = append(out, v.Index(i).String())
		}
		slices.Sort(out)
		return out
	}
	for def, model := range map[string]any{
		"status": verdict.Statuses(), "outcome": verdict.Outcomes(), "change": verdict.Changes(), "overall": verdict.Overalls(),
		"level": []verdict.Level{verdict.Must, verdict.Should},
	} {
		got := append([]string(nil), s.Defs[def].Enum...)
		slices.Sort(got)
		if !slices.Equal(got, str(model)) {
			t.Errorf("schema $defs/%s enum %v, model %v", def, got, str(model))
		}
	}
}

func TestJUnitContent(t *testing.T) {
	r := sample(t)
	out := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteJUnit(b, r) }, r)
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("junit.xml does not parse: %v\n%s", err, out)
	}
	if doc.Tests != 6 || doc.Failures != 3 || doc.Errors != 1 || doc.Skipped != 1 {
		t.Fatalf("counts tests=%d failures=%d errors=%d skipped=%d, want 6/3 (2 failed + 1 flaky)/1/1", doc.Tests, doc.Failures, doc.Errors, doc.Skipped)
	}
	found := false
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Name == "Reading one access never shows a password" {
				found = true
				rd03, _ := verdict.Skylark().Lookup("SAM-RD-03")
				plainRule := strings.TrimSuffix(strings.ReplaceAll(rd03.Rule, "`", ""), ".") + ". Observed: "
				if c.Classname != "SAM-RD" || c.Failure == nil || !strings.Contains(c.Failure.Message, plainRule) ||
					!strings.Contains(c.Failure.Message, `expected no "password" field`) || !strings.Contains(c.Failure.Text, "curl ") {
					t.Errorf("testcase %+v", c)
				}
			}
			if c.Name == "An unknown access id is not found" && (c.Failure == nil || c.Failure.Type != "flaky") {
				t.Errorf("flaky scenario is not a flaky failure: %+v", c)
			}
		}
	}
	if !found {
		t.Fatal("failing scenario missing from junit.xml")
	}
}

// junitCases reads every testcase's name and failure message.
func junitCases(t *testing.T, doc string) (names, messages []string) {
	t.Helper()
	var parsed struct {
		Suites []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(doc), &parsed); err != nil {
		t.Fatalf("junit.xml does not parse: %v", err)
	}
	for _, s := range parsed.Suites {
		for _, c := range s.Cases {
			names = append(names, c.Name)
			if c.Failure != nil {
				messages = append(messages, c.Failure.Message)
			}
		}
	}
	return names, messages
}

// checkJUnitCases fails on two testcases of one name (CI tools merge them) and on
// a failure message that is not one clean line: Markdown marks, a doubled period.
func checkJUnitCases(t *testing.T, doc string) {
	t.Helper()
	names, messages := junitCases(t, doc)
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("two testcases are named %q", n)
		}
		seen[n] = true
	}
	for _, m := range messages {
		rule, _, _ := strings.Cut(m, " Observed: ") // what was observed is the target's text
		if strings.Contains(m, "\n") || strings.ContainsAny(rule, "`") || strings.Contains(rule, "**") || strings.Contains(rule, "..") {
			t.Errorf("failure message is not one clean line: %q", m)
		}
	}
}

// Every testcase has a name of its own: an Outline's rows by their values, two
// scenarios still alike by their feature line.
func TestJUnitNamesAreUnique(t *testing.T) {
	r := sample(t)
	base := r.Scenarios[0]
	for i, row := range []string{"size: 1", "size: 7", ""} {
		s := base
		s.ID, s.Name, s.Example, s.Line = fmt.Sprintf("paging#%d", 10+i), "Following next visits every access once", row, 20+i
		r.Scenarios = append(r.Scenarios, s)
	}
	twin := base
	twin.ID, twin.Line = "read#99", 40
	r.Scenarios = append(r.Scenarios, twin)
	out := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteJUnit(b, r) }, r)
	checkJUnitCases(t, out)
	names, _ := junitCases(t, out)
	for _, want := range []string{
		"Following next visits every access once [size: 1]", "Following next visits every access once [size: 7]",
		base.Name + " (read.feature:5)", base.Name + " (read.feature:40)", "Reading one access never shows a password",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("no testcase named %q in %q", want, names)
		}
	}
}

// junit.xml validates against the committed XSD with xmllint.
func TestJUnitValidatesAgainstXSD(t *testing.T) {
	xmllint := tool(t, "xmllint", "ACCESSCTK_REQUIRE_XMLLINT", "libxml2-utils")
	r := sample(t)
	r.Baseline = reports.Compare(r, r, "old.json")
	validateJUnit(t, xmllint, render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteJUnit(b, r) }, r))
	// The XSD is not a rubber stamp: a testcase without its name is refused.
	broken := strings.Replace(render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteJUnit(b, r) }, r), `<testcase name="`, `<testcase nom="`, 1)
	if err := xmllintValidate(xmllint, broken, t.TempDir()); err == nil {
		t.Fatal("xmllint accepted a testcase without a name")
	}
}

func validateJUnit(t *testing.T, xmllint, doc string) {
	t.Helper()
	if err := xmllintValidate(xmllint, doc, t.TempDir()); err != nil {
		t.Fatalf("junit.xml does not validate against junit.xsd: %v", err)
	}
}

func xmllintValidate(xmllint, doc, dir string) error {
	path := filepath.Join(dir, "junit.xml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		return err
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", "junit.xsd", path).CombinedOutput()
	if err != nil {
		return &xmllintError{string(out)}
	}
	return nil
}

type xmllintError struct{ out string }

func (e *xmllintError) Error() string { return e.out }

func TestCucumberContent(t *testing.T) {
	out := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteCucumber(b, r) }, sample(t))
	var features []struct {
		URI      string `json:"uri"`
		Keyword  string `json:"keyword"`
		Elements []struct {
			Name string `json:"name"`
			Type string `json:"type"`
			Line int    `json:"line"`
			Tags []struct {
				Name string `json:"name"`
			} `json:"tags"`
			Steps []struct {
				Keyword string `json:"keyword"`
				Name    string `json:"name"`
				Result  struct {
					Status   string `json:"status"`
					Duration int64  `json:"duration"`
					Error    string `json:"error_message"`
				} `json:"result"`
				Output []string `json:"output"`
			} `json:"steps"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(out), &features); err != nil {
		t.Fatal(err)
	}
	if len(features) != 3 || features[0].URI != "features/skylark/read.feature" || features[0].Keyword != "Feature" {
		t.Fatalf("features: %+v", features)
	}
	var flakyTagged, failedWithOutput bool
	for _, e := range features[0].Elements {
		if len(e.Steps) != 2 || e.Type != "scenario" || e.Line == 0 {
			t.Errorf("element %q: %+v", e.Name, e)
		}
		for _, tg := range e.Tags {
			flakyTagged = flakyTagged || (tg.Name == "@flaky" && e.Name == "An unknown access id is not found")
		}
		if e.Name == "Reading one access never shows a password" {
			st := e.Steps[1]
			failedWithOutput = st.Result.Status == "failed" && st.Result.Duration == 2e6 && len(st.Output) == 1 && strings.Contains(st.Output[0], "SAM-RD-03")
		}
	}
	if !flakyTagged || !failedWithOutput {
		t.Errorf("flaky tagged %v, failed step with findings %v", flakyTagged, failedWithOutput)
	}
}

// noted is the sample with the notes a run over --insecure-skip-verify carries: the
// warning, a plain marker every format must show verbatim, and hostile text.
func noted(t *testing.T) (*verdict.Results, []string) {
	t.Helper()
	r := sample(t)
	r.Notes = []string{runner.InsecureNote, "plain note marker 7f3a", r.Notes[0]}
	return r, r.Notes
}

// Every format carries the run's notes: a report that drops the warning that TLS
// verification was off reads as an ordinary run.
func TestEveryFormatCarriesTheNotes(t *testing.T) {
	r, _ := noted(t)
	for _, f := range reports.Formats() {
		if out := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return f.Writer.Write(b, r) }, r); !strings.Contains(out, "plain note marker 7f3a") {
			t.Errorf("%s lacks the run's notes", f.File)
		}
	}
}

// junit.xml has the notes in every testsuite, as numbered properties (in order, text
// intact) and as its system-out.
func TestJUnitNotes(t *testing.T) {
	r, notes := noted(t)
	out := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteJUnit(b, r) }, r)
	var doc struct {
		Suites []struct {
			Name       string `xml:"name,attr"`
			Properties []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
			SystemOut string `xml:"system-out"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("junit.xml does not parse: %v", err)
	}
	if len(doc.Suites) != 3 {
		t.Fatalf("%d testsuites, want 3", len(doc.Suites))
	}
	// XML cannot hold the hostile text's \x01; the writer puts U+FFFD in its place.
	xmlText := func(s string) string { return strings.ReplaceAll(s, "\x01", "\uFFFD") }
	for _, s := range doc.Suites {
		var got []string
		for _, p := range s.Properties {
			if strings.HasPrefix(p.Name, "accessctk.note.") {
				if want := "accessctk.note." + strconv.Itoa(len(got)+1); p.Name != want {
					t.Errorf("testsuite %s: property %s, want %s", s.Name, p.Name, want)
				}
				got = append(got, p.Value)
			}
		}
		want := make([]string, len(notes))
		for i, n := range notes {
			want[i] = xmlText(n)
		}
		if !slices.Equal(got, want) {
			t.Errorf("testsuite %s: note properties %q, want %q", s.Name, got, want)
		}
		for _, n := range want {
			if !strings.Contains(s.SystemOut, "Note: "+n+"\n") {
				t.Errorf("testsuite %s: system-out lacks %q:\n%s", s.Name, n, s.SystemOut)
			}
		}
	}
	// Without notes there is neither.
	r.Notes = nil
	if out := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteJUnit(b, r) }, r); strings.Contains(out, "accessctk.note") || strings.Contains(out, "<system-out>Note") {
		t.Error("notes rendered for a run without notes")
	}
}

// junit.xml with notes still validates against the XSD: the suite's system-out comes
// after its testcases.
func TestJUnitWithNotesValidatesAgainstXSD(t *testing.T) {
	xmllint := tool(t, "xmllint", "ACCESSCTK_REQUIRE_XMLLINT", "libxml2-utils")
	r, _ := noted(t)
	out := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteJUnit(b, r) }, r)
	if !strings.Contains(out, "</testcase>\n    <system-out>") {
		t.Fatalf("no testsuite system-out after the testcases:\n%s", out)
	}
	validateJUnit(t, xmllint, out)
}

// cucumber.json has the notes as every feature's description, one line each; the
// scenarios' own descriptions (flaky, error, skipped) are unchanged.
func TestCucumberNotes(t *testing.T) {
	r, notes := noted(t)
	out := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteCucumber(b, r) }, r)
	var features []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Elements    []struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(out), &features); err != nil {
		t.Fatal(err)
	}
	if len(features) != 3 {
		t.Fatalf("%d features, want 3", len(features))
	}
	want := "Note: " + strings.Join(notes, "\nNote: ")
	for _, f := range features {
		if f.Description != want {
			t.Errorf("feature %s: description %q, want %q", f.Name, f.Description, want)
		}
		for _, e := range f.Elements {
			if strings.Contains(e.Description, "Note: ") {
				t.Errorf("scenario %q: the notes reached its description", e.Name)
			}
		}
	}
	r.Notes = nil
	if out := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteCucumber(b, r) }, r); strings.Contains(out, "Note: ") {
		t.Error("notes rendered for a run without notes")
	}
}

func TestMarkdownSummary(t *testing.T) {
	r := sample(t)
	old := sample(t)
	for i := range old.Requirements {
		if old.Requirements[i].ID == "SAM-RD-03" {
			old.Requirements[i].Status = verdict.Pass // so it is a new failure now
		}
	}
	reports.AttachBaseline(r, old, "nightly/results.json")
	md := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteMarkdown(b, r) }, r)
	for _, want := range []string{"## accessctk: NON-CONFORMANT", "**SAM-RD-03** MUST **FAIL** (new failure)", "**SAM-CM-01** MUST **FAIL** (still failing)", "**new failure** (1): SAM-RD-03", "SAM-RD-02", "FLAKY"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "<script>") || strings.Contains(md, "[link](http") {
		t.Errorf("summary.md carries markup from the target:\n%s", md)
	}
}

func TestHTMLEscapesAndLoadsNothing(t *testing.T) {
	page := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteHTML(b, r) }, sample(t))
	if strings.Contains(page, "<script>alert") {
		t.Fatal("target-controlled text reached the page as markup")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") {
		t.Fatal("hostile text not shown escaped")
	}
	// Nothing is loaded: no src or href outside the page, and a CSP that forbids it.
	for _, m := range regexp.MustCompile(`(?i)\b(src|href|action)\s*=\s*"([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[2], "#") {
			t.Errorf("external reference %s=%q", m[1], m[2])
		}
	}
	if !strings.Contains(page, `content="default-src 'none';`) {
		t.Error("no Content-Security-Policy forbidding loads")
	}
	for _, want := range []string{`id="verdict-text">NON-CONFORMANT<`, `id="req-SAM-RD-03"`, "Reproduce", "${ACCESSCTK_TOKEN}"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

func TestTextSummary(t *testing.T) {
	r := sample(t)
	plain := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteText(b, r) }, r)
	lines := strings.Split(strings.TrimSpace(plain), "\n")
	if !strings.HasPrefix(lines[len(lines)-1], "Verdict: NON-CONFORMANT") {
		t.Errorf("summary does not end in the verdict: %q", lines[len(lines)-1])
	}
	if strings.Contains(plain, "\x1b[") {
		t.Error("colour without Color")
	}
	if !strings.Contains(plain, "1 flaky") || !strings.Contains(plain, "(flaky: not seen again on rerun)") {
		t.Errorf("flaky not shown:\n%s", plain)
	}
	colour := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.Text{Color: true}.Write(b, r) }, r)
	if !strings.Contains(colour, "\x1b[1m\x1b[31mNON-CONFORMANT\x1b[0m") {
		t.Error("no colour with Color")
	}
}

func TestWriteAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	paths, err := reports.WriteAll(dir, reports.Formats(), sample(t))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 5 || !slices.Equal(names, []string{"results.json", "junit.xml", "cucumber.json", "report.html", "summary.md"}) {
		t.Fatalf("wrote %v, directory has %d entries", names, len(entries))
	}
}

// A verdict on part of the catalogue says so where the verdict is read: the text
// summary's last line, the top of summary.md and report.html's verdict header.
func TestVerdictSaysWhatWasOutOfScope(t *testing.T) {
	writers := map[string]func(*bytes.Buffer, *verdict.Results) error{
		"text":     func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteText(b, r) },
		"markdown": func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteMarkdown(b, r) },
		"html":     func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteHTML(b, r) },
	}
	partial := sample(t)
	n := 0
	for _, q := range partial.Requirements {
		if q.Level == verdict.Must && q.OutOfScope() {
			n++
		}
	}
	if n == 0 {
		t.Fatal("the sample has no MUST out of scope")
	}
	whole := sample(t)
	for i := range whole.Requirements {
		if whole.Requirements[i].OutOfScope() {
			whole.Requirements[i].Status, whole.Requirements[i].Reason = verdict.Pass, ""
		}
	}
	want := fmt.Sprintf("%d MUST rule", n)
	for name, w := range writers {
		out := render(t, w, partial)
		if name == "text" {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			out = lines[len(lines)-1]
		}
		if !strings.Contains(out, want) || !strings.Contains(out, "outside this run") {
			t.Errorf("%s: no %q of what was outside the scope", name, want)
		}
		if out := render(t, w, whole); strings.Contains(out, "outside this run") {
			t.Errorf("%s: a run with nothing out of scope says something was", name)
		}
	}
}

// A record written before PASSED-PARTIAL existed calls a run that left MUST rules
// unjudged CONFORMANT: read back, it carries the verdict such a run gets now, so
// render, diff and merge never turn it into a certificate. A real certificate stays.
func TestOldPartialRecordIsReadAsPassedPartial(t *testing.T) {
	r := sample(t)
	for i := range r.Requirements {
		q := &r.Requirements[i]
		if q.Level == verdict.Must && q.Status != verdict.Pass {
			q.Status, q.Reason, q.Findings = verdict.Skip, verdict.OutOfScopePrefix+"the run is --readonly and this scenario changes data", nil
		}
	}
	r.Overall = verdict.Conformant
	data := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteJSON(b, r) }, r)
	back, err := reports.ReadResults([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if back.Overall != verdict.PassedPartial || !slices.ContainsFunc(back.Notes, func(n string) bool { return strings.Contains(n, "PASSED-PARTIAL") }) {
		t.Errorf("old partial record read as %s with notes %q, want PASSED-PARTIAL and a note", back.Overall, back.Notes)
	}
	for i := range r.Requirements {
		r.Requirements[i].Status, r.Requirements[i].Reason = verdict.Pass, ""
	}
	data = render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteJSON(b, r) }, r)
	if back, err = reports.ReadResults([]byte(data)); err != nil || back.Overall != verdict.Conformant {
		t.Errorf("a full certificate read as %v (%v)", back.Overall, err)
	}
}

// The rule texts' Markdown (code, bold) is rendered; everything else, markup in
// the text included, stays escaped text.
func TestRuleMarkdownIsRenderedSafely(t *testing.T) {
	r := sample(t)
	for i := range r.Requirements {
		if r.Requirements[i].ID == "SAM-RD-03" {
			r.Requirements[i].Rule = "The limit is 72 **bytes** of `password`, <b>never</b> `<script>x</script>` **`nested` & bold**, lone ` and ** stay."
		}
	}
	page := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteHTML(b, r) }, r)
	want := "The limit is 72 <strong>bytes</strong> of <code>password</code>, &lt;b&gt;never&lt;/b&gt; <code>&lt;script&gt;x&lt;/script&gt;</code> <strong><code>nested</code> &amp; bold</strong>, lone ` and ** stay."
	if !strings.Contains(page, want) {
		t.Errorf("report.html does not render the rule as\n%s\n%s", want, regexp.MustCompile(`(?s)<blockquote class="rule">.*?</blockquote>`).FindAllString(page, -1))
	}
	if strings.Contains(page, "<b>never") || strings.Contains(page, "<script>x") {
		t.Error("markup in a rule text reached the page")
	}
	md := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteMarkdown(b, r) }, r)
	wantMD := "The limit is 72 **bytes** of ` password `, &lt;b&gt;never&lt;/b&gt; ` <script>x</script> ` **` nested ` &amp; bold**, lone \\` and \\*\\* stay."
	if !strings.Contains(md, wantMD) {
		t.Errorf("summary.md does not render the rule as\n%s\n%s", wantMD, md)
	}
}

// summary.md points at report.html, gives the curl commands of the first few
// failures after the lines that set their tokens, and keeps a multi-line message
// (a fuzz counterexample) as lines rather than running them together.
func TestMarkdownSummaryReproducesFirstFailures(t *testing.T) {
	r := sample(t)
	r.Credentials = []verdict.Credential{{Tenant: "eos", Variable: "ACCESSCTK_TOKEN", Setup: `export ACCESSCTK_TOKEN="$(cat '/run/eos.token')"`}}
	for i := range r.Requirements {
		q := &r.Requirements[i]
		if q.ID == "SAM-RD-03" {
			q.Findings[0].Message = "SAM-FZ-01 (seed 1): expected 4 accesses, got 3\n  expression: name=a;name=b\n  missing (1): eos_1\n  replay: accessctk fuzz --seed 9"
		}
	}
	for _, id := range []string{"SAM-UP-06", "SAM-UP-07", "SAM-BT-01", "SAM-BT-02"} {
		for i := range r.Requirements {
			if q := &r.Requirements[i]; q.ID == id {
				q.Status = verdict.Fail
				q.Findings = []verdict.Finding{{Requirement: id, Level: verdict.Must, Message: "broken", Exchange: &verdict.Exchange{Method: "GET", URL: "http://h/" + id, Status: 200,
					Curl: "curl -H \"Authorization: Bearer ${ACCESSCTK_TOKEN}\" 'http://h/" + id + "'"}}}
			}
		}
	}
	md := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteMarkdown(b, r) }, r)
	for _, want := range []string{
		"`report.html`", "### Reproduce the first failures",
		"```sh\nexport ACCESSCTK_TOKEN=\"$(cat '/run/eos.token')\"\n```",
		"    - expression: name=a;name=b\n    - missing (1): eos\\_1\n    - replay: accessctk fuzz --seed 9",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	if n := strings.Count(md, "```sh\ncurl "); n != 3 {
		t.Errorf("summary.md gives %d curl commands, want the first 3 failures'", n)
	}
	if n := strings.Count(md, "export ACCESSCTK_TOKEN="); n != 1 {
		t.Errorf("summary.md gives the export line %d times, want once", n)
	}
}

// A finding's context (the pages around a gap) is in every format that shows
// exchanges, and results.json with it matches its schema.
func TestFindingContextInEveryFormat(t *testing.T) {
	r := sample(t)
	around := verdict.Exchange{Method: "GET", URL: "http://h/eos/access?pageNumber=3&pageSize=7", Status: 200,
		Transcript: "> GET /eos/access?pageNumber=3", Curl: "curl 'http://h/eos/access?pageNumber=3&pageSize=7'"}
	for i := range r.Requirements {
		if r.Requirements[i].ID == "SAM-RD-03" {
			r.Requirements[i].Findings[0].Context = []verdict.Exchange{around}
		}
	}
	r.Scenarios[1].Findings[0].Context = []verdict.Exchange{around}
	for name, w := range map[string]func(*bytes.Buffer, *verdict.Results) error{
		"text":     func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteText(b, r) },
		"html":     func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteHTML(b, r) },
		"junit":    func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteJUnit(b, r) },
		"markdown": func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteMarkdown(b, r) },
	} {
		out := render(t, w, r)
		want := map[string]string{"text": "around it: GET http://h/eos/access?pageNumber=3&pageSize=7 -> 200",
			"html": "Around it: GET http://h/eos/access?pageNumber=3&amp;pageSize=7", "junit": "around it:",
			"markdown": "(and the exchange around it in report.html)"}[name]
		if !strings.Contains(out, want) {
			t.Errorf("%s lacks %q", name, want)
		}
	}
	data := render(t, func(b *bytes.Buffer, r *verdict.Results) error { return reports.WriteJSON(b, r) }, r)
	if err := reports.ValidateResultsJSON([]byte(data)); err != nil {
		t.Error(err)
	}
}
