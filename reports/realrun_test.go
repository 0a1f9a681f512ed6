package reports_test

import (
	"context"
	"html"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/reference"
	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/reports"
	"github.com/accessctk/accessctk/steps"
)

// faultyVendor runs the whole suite against the reference server with a fault, as a
// vendor target whose token the test knows, and leaves the server up for the test.
func faultyVendor(t *testing.T, token string, faults ...string) (*verdict.Results, string) {
	t.Helper()
	return faultyVendorWith(t, token, false, faults...)
}

// faultyVendorWith is faultyVendor; with tokenFiles the fixtures keep the tenants'
// tokens in files (token, and token+"-second"), as 'accessctk serve --fixtures-out'
// writes them, rather than in environment variables.
func faultyVendorWith(t *testing.T, token string, tokenFiles bool, faults ...string) (*verdict.Results, string) {
	t.Helper()
	primary, secondary := reference.DefaultTenants()
	srv, err := reference.New(context.Background(), reference.Options{Seed: 1, Faults: faults,
		Tokens: map[string]string{primary: token, secondary: token + "-second"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	fx := srv.Fixtures(ts.URL)
	fx.Tenants.Primary = config.Tenant{Name: primary, TokenEnv: "ACCESSCTK_TOKEN"}
	fx.Tenants.Secondary = &config.Tenant{Name: secondary, TokenEnv: "SECOND_TOKEN"}
	dir := t.TempDir()
	if tokenFiles {
		for tenant, value := range map[*config.Tenant]string{&fx.Tenants.Primary: token, fx.Tenants.Secondary: token + "-second"} {
			file := filepath.Join(dir, tenant.Name+".token")
			if err := os.WriteFile(file, []byte(value+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			tenant.TokenEnv, tenant.TokenFile = "", file
		}
	}
	data, err := fx.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "fixtures.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ACCESSCTK_TOKEN": token, "SECOND_TOKEN": token + "-second"}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := runner.Run(ctx, runner.Options{Target: ts.URL, FixturesPath: path, Scope: steps.Scope{AllowDestructive: true},
		Getenv: func(k string) string { return env[k] }, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return res, ts.URL
}

// A real run against a faulty server, in every format: results.json matches its
// schema, junit.xml its XSD, report.html works in a browser, the HTML and summary name
// the broken requirement, and the curl command the HTML shows reproduces the fault.
func TestRealRunReports(t *testing.T) {
	const token = "real-run-token-5f1d0c9a7e"
	res, base := faultyVendor(t, token, "read-leaks-password")
	if res.Overall != verdict.NonConformant {
		t.Fatalf("verdict %s, want NON-CONFORMANT", res.Overall)
	}
	dir := t.TempDir()
	if _, err := reports.WriteAll(dir, reports.Formats(), res); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	if err := reports.ValidateResultsJSON([]byte(read("results.json"))); err != nil {
		t.Errorf("results.json of a real run: %v", err)
	}
	page, summary := read("report.html"), read("summary.md")
	rd03, _ := verdict.Skylark().Lookup("SAM-RD-03")
	if !strings.Contains(page, `id="req-SAM-RD-03"`) || !strings.Contains(rd03.Rule, "`password`") || !strings.Contains(page, "ever contains <code>password</code>, at any depth") {
		t.Error("report.html does not detail SAM-RD-03 with its rule")
	}
	if !strings.Contains(summary, "**SAM-RD-03** MUST **FAIL**") {
		t.Errorf("summary.md does not name SAM-RD-03:\n%s", summary)
	}
	for name, text := range map[string]string{"report.html": page, "summary.md": summary, "results.json": read("results.json"),
		"junit.xml": read("junit.xml"), "cucumber.json": read("cucumber.json")} {
		if strings.Contains(text, token) {
			t.Errorf("%s contains the token", name)
		}
	}

	t.Run("curl reproduces the fault", func(t *testing.T) {
		tool(t, "curl", "ACCESSCTK_REQUIRE_CURL", "curl")
		article := regexp.MustCompile(`(?s)<article class="finding[^"]*" id="req-SAM-RD-03".*?</article>`).FindString(page)
		m := regexp.MustCompile(`(?s)<pre class="curl">(.*?)</pre>`).FindStringSubmatch(article)
		if m == nil {
			t.Fatal("no curl command in the SAM-RD-03 finding")
		}
		curl := html.UnescapeString(m[1])
		if strings.Contains(curl, token) || !strings.Contains(curl, base) {
			t.Fatalf("curl command holds the token or not the target: %s", curl)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", "-c", curl)
		cmd.Env = append(os.Environ(), "ACCESSCTK_TOKEN="+token)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", curl, err, out)
		}
		if !strings.Contains(string(out), "HTTP/1.1 200") || !strings.Contains(string(out), `"password"`) {
			t.Fatalf("the reproduced response does not show the leaked password field:\n%s", out)
		}
	})
	t.Run("junit.xml names every testcase apart", func(t *testing.T) {
		checkJUnitCases(t, read("junit.xml"))
	})
	t.Run("junit.xml validates", func(t *testing.T) {
		validateJUnit(t, tool(t, "xmllint", "ACCESSCTK_REQUIRE_XMLLINT", "libxml2-utils"), read("junit.xml"))
	})
	t.Run("report.html in a browser", func(t *testing.T) {
		checkProbe(t, res, probeInBrowser(t, page))
	})
}

// With tokenFile fixtures (what 'accessctk serve --fixtures-out' writes), every report
// gives, once per tenant its commands use, the export line that reads the tenant's
// token file, never the token; and each command, run as printed after those lines in
// a shell with no token variable set, reproduces its finding: a second-tenant
// request with the second tenant's token (a conformant-looking 404 with the first
// tenant's), a first-tenant one with the first's.
func TestReproductionsRunAsPrintedWithTokenFiles(t *testing.T) {
	const token = "file-token-93c1d2e0aa"
	res, base := faultyVendorWith(t, token, true, "isolation-read-other-tenant", "read-leaks-password")
	if res.Overall != verdict.NonConformant {
		t.Fatalf("verdict %s, want NON-CONFORMANT", res.Overall)
	}
	primary, secondary := reference.DefaultTenants()
	vars := map[string]string{}
	for _, c := range res.Credentials {
		vars[c.Tenant] = c.Variable
		if !strings.Contains(c.Setup, "$(cat '") || !strings.Contains(c.Setup, c.Tenant+".token") || strings.Contains(c.Setup, token) {
			t.Errorf("tenant %s: setup line %q does not read its token file", c.Tenant, c.Setup)
		}
	}
	if vars[primary] == "" || vars[secondary] == "" || vars[primary] == vars[secondary] {
		t.Fatalf("credentials %+v: want one variable per tenant", res.Credentials)
	}
	dir := t.TempDir()
	if _, err := reports.WriteAll(dir, reports.Formats(), res); err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	if err := reports.WriteText(&text, res); err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{"text": text.String()}
	for _, name := range []string{"report.html", "summary.md", "junit.xml", "results.json", "cucumber.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		texts[name] = string(data)
	}
	for name, body := range texts {
		if strings.Contains(body, token) {
			t.Errorf("%s contains a token", name)
		}
	}
	for _, name := range []string{"text", "report.html", "summary.md"} {
		body := html.UnescapeString(texts[name])
		used := 0
		for _, c := range res.Credentials {
			if !strings.Contains(body, "${"+c.Variable+"}") {
				continue
			}
			used++
			if n := strings.Count(body, c.Setup); n != 1 {
				t.Errorf("%s: the export line of tenant %s appears %d times, want once: %s", name, c.Tenant, n, c.Setup)
			}
		}
		if used == 0 || strings.Contains(body, "${ACCESSCTK_TOKEN}") {
			t.Errorf("%s: its commands name %d tenants' variables, or the unset ACCESSCTK_TOKEN", name, used)
		}
	}

	page := texts["report.html"]
	exports := regexp.MustCompile(`(?s)<pre class="exports">(.*?)</pre>`).FindStringSubmatch(page)
	if exports == nil {
		t.Fatal("report.html gives no export lines")
	}
	article := func(id string) string {
		return regexp.MustCompile(`(?s)<article class="finding[^"]*" id="req-` + id + `".*?</article>`).FindString(page)
	}
	curlNaming := func(id, variable string) string {
		for _, m := range regexp.MustCompile(`(?s)<pre class="curl">(.*?)</pre>`).FindAllStringSubmatch(article(id), -1) {
			if c := html.UnescapeString(m[1]); strings.Contains(c, "${"+variable+"}") {
				return c
			}
		}
		t.Fatalf("no %s finding with a command naming %s", id, variable)
		return ""
	}
	t.Run("curl reproduces both tenants' findings", func(t *testing.T) {
		tool(t, "curl", "ACCESSCTK_REQUIRE_CURL", "curl")
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "ACCESSCTK_TOKEN") {
				env = append(env, kv)
			}
		}
		replay := func(curl string) string {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-euc", html.UnescapeString(exports[1])+"\n"+curl)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(curl, base) {
				t.Fatalf("%s: %v\n%s", curl, err, out)
			}
			return string(out)
		}
		// The second tenant reads an access of the first: the fault answers 200.
		if out := replay(curlNaming("SAM-CM-06", vars[secondary])); !strings.Contains(out, "HTTP/1.1 200") {
			t.Errorf("the second tenant's request does not reproduce the isolation breach:\n%s", out)
		}
		if out := replay(curlNaming("SAM-RD-03", vars[primary])); !strings.Contains(out, "HTTP/1.1 200") || !strings.Contains(out, `"password"`) {
			t.Errorf("the first tenant's request does not reproduce the leaked password:\n%s", out)
		}
	})
}
