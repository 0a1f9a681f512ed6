package reports_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/reports"
)

// probeScript runs in the page after the report's own script, the way a person
// would use it: it reads the verdict as rendered, then picks every value of every
// filter, lets the page react to the change event, and records which rows and
// failure articles are displayed (by layout, not by attribute). The results go into
// the DOM, which chromium --dump-dom prints.
const probeScript = `<script>
(function () {
  var out = {filters: {}};
  function shown(sel) {
    return Array.prototype.filter.call(document.querySelectorAll(sel), function (e) {
      return e.getClientRects().length > 0;
    });
  }
  var banner = document.getElementById('verdict');
  out.verdict = document.getElementById('verdict-text').textContent;
  out.bannerHeight = banner.getBoundingClientRect().height;
  out.bannerColour = getComputedStyle(banner).backgroundColor;
  out.rows = shown('#req-table tbody tr').length;
  out.viewportHeight = window.innerHeight;
  var firstFailure = document.querySelector('article.finding');
  out.firstFailureTop = firstFailure ? firstFailure.getBoundingClientRect().top + window.scrollY : -1;
  out.ruleCode = document.querySelectorAll('blockquote.rule code').length;
  out.ruleBackticks = Array.prototype.filter.call(document.querySelectorAll('blockquote.rule, #req-table td'), function (e) {
    return e.textContent.indexOf('\u0060') >= 0 || e.textContent.indexOf('**') >= 0;
  }).length;
  out.articles = shown('article.finding').length;
  ['area', 'status', 'change'].forEach(function (key) {
    var sel = document.getElementById('filter-' + key);
    if (!sel) { return; }
    out.filters[key] = {};
    Array.prototype.forEach.call(sel.options, function (opt) {
      if (opt.value === '') { return; }
      sel.value = opt.value;
      sel.dispatchEvent(new Event('change'));
      var rows = shown('#req-table tbody tr');
      var values = {};
      rows.forEach(function (r) { values[r.getAttribute('data-' + key)] = true; });
      out.filters[key][opt.value] = {
        rows: rows.length,
        values: Object.keys(values),
        articles: shown('article.finding').map(function (a) { return a.id; }),
        counter: document.getElementById('shown-count').textContent
      };
    });
    sel.value = '';
    sel.dispatchEvent(new Event('change'));
  });
  var area = document.getElementById('filter-area'), status = document.getElementById('filter-status');
  area.value = 'RD'; status.value = 'FAIL';
  status.dispatchEvent(new Event('change'));
  out.rdFail = shown('#req-table tbody tr').map(function (r) { return r.id; });
  area.value = ''; status.value = '';
  status.dispatchEvent(new Event('change'));
  out.rowsAfterReset = shown('#req-table tbody tr').length;
  out.resources = performance.getEntriesByType('resource').length;
  var pre = document.createElement('pre');
  pre.id = 'probe-result';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>`

type filterResult struct {
	Rows     int      `json:"rows"`
	Values   []string `json:"values"`
	Articles []string `json:"articles"`
	Counter  string   `json:"counter"`
}

type probeResult struct {
	Verdict        string                             `json:"verdict"`
	BannerHeight   float64                            `json:"bannerHeight"`
	BannerColour   string                             `json:"bannerColour"`
	Rows           int                                `json:"rows"`
	Articles       int                                `json:"articles"`
	Filters        map[string]map[string]filterResult `json:"filters"`
	RDFail         []string                           `json:"rdFail"`
	RowsAfterReset int                                `json:"rowsAfterReset"`
	Resources      int                                `json:"resources"`
	// ViewportHeight and FirstFailureTop place the first failure article on the page
	// (-1: none); RuleCode counts rule texts' rendered code spans, RuleBackticks the
	// rule texts still showing Markdown marks.
	ViewportHeight  float64 `json:"viewportHeight"`
	FirstFailureTop float64 `json:"firstFailureTop"`
	RuleCode        int     `json:"ruleCode"`
	RuleBackticks   int     `json:"ruleBackticks"`
}

// TestHTMLInBrowser opens report.html in headless Chromium: it renders, shows the
// verdict, and every filter shows exactly the requirements it names.
func TestHTMLInBrowser(t *testing.T) {
	r := sample(t)
	old := sample(t)
	for i := range old.Requirements {
		if old.Requirements[i].ID == "SAM-RD-03" {
			old.Requirements[i].Status = verdict.Pass
		}
	}
	reports.AttachBaseline(r, old, "old/results.json")
	var page bytes.Buffer
	if err := reports.WriteHTML(&page, r); err != nil {
		t.Fatal(err)
	}
	got := probeInBrowser(t, page.String())
	checkProbe(t, r, got)
}

// probeInBrowser loads page plus the probe in Chromium and returns what it found.
func probeInBrowser(t *testing.T, page string) probeResult {
	t.Helper()
	chromium := tool(t, "chromium", "ACCESSCTK_REQUIRE_BROWSER", "chromium")
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	probed := regexp.MustCompile(`</body>`).ReplaceAllLiteralString(page, probeScript+"\n</body>")
	if err := os.WriteFile(path, []byte(probed), 0o600); err != nil {
		t.Fatal(err)
	}
	dom := runChromium(t, chromium, "--dump-dom", "--window-size=1280,800", "file://"+path)
	m := regexp.MustCompile(`<pre id="probe-result">([^<]*)</pre>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the probe left no result: the page's script failed or the page did not load\n%.2000s", dom)
	}
	var got probeResult
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &got); err != nil {
		t.Fatalf("probe result: %v: %s", err, m[1])
	}
	// A screenshot proves the page paints; keep it when asked, for a person to look at.
	shot := filepath.Join(dir, "report.png")
	runChromium(t, chromium, "--screenshot="+shot, "--window-size=1280,1600", "file://"+path)
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
		t.Errorf("screenshot missing or blank: %v", err)
	}
	if keep := os.Getenv("ACCESSCTK_KEEP_SCREENSHOT"); keep != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(keep, data, 0o644)
	}
	return got
}

func runChromium(t *testing.T, chromium string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, chromium, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}

func checkProbe(t *testing.T, r *verdict.Results, got probeResult) {
	t.Helper()
	if got.Verdict != string(r.Overall) || got.BannerHeight < 20 {
		t.Errorf("verdict %q (banner %.0fpx), want %q shown", got.Verdict, got.BannerHeight, r.Overall)
	}
	if r.Overall == verdict.NonConformant && got.BannerColour != "rgb(179, 38, 30)" {
		t.Errorf("NON-CONFORMANT banner colour %s", got.BannerColour)
	}
	if got.Rows != len(r.Requirements) || got.RowsAfterReset != len(r.Requirements) {
		t.Errorf("%d rows shown (%d after reset), want all %d", got.Rows, got.RowsAfterReset, len(r.Requirements))
	}
	if got.Resources != 0 {
		t.Errorf("the page loaded %d resources", got.Resources)
	}
	if len(failingIDs(r)) > 0 && (got.FirstFailureTop < 0 || got.FirstFailureTop >= got.ViewportHeight) {
		t.Errorf("the first failure starts %.0fpx down a %.0fpx screen: it must be on the first screen", got.FirstFailureTop, got.ViewportHeight)
	}
	if len(failingIDs(r)) > 0 && got.RuleCode == 0 {
		t.Error("no rule text of a failure shows its `code` rendered")
	}
	if got.RuleBackticks != 0 {
		t.Errorf("%d rule texts show Markdown marks instead of rendering them", got.RuleBackticks)
	}
	want := map[string]map[string][]string{"area": {}, "status": {}, "change": {}}
	for _, q := range r.Requirements {
		want["area"][q.Area] = append(want["area"][q.Area], q.ID)
		want["status"][string(q.Status)] = append(want["status"][string(q.Status)], q.ID)
		if c, ok := r.Baseline.ChangeOf(q.ID); ok {
			want["change"][string(c.Change)] = append(want["change"][string(c.Change)], q.ID)
		}
	}
	detailed := map[string]bool{}
	for _, q := range r.Requirements {
		switch q.Status {
		case verdict.Fail, verdict.Error, verdict.Flaky, verdict.Warn:
			detailed[q.ID] = true
		}
	}
	if got.Articles != len(detailed) {
		t.Errorf("%d failure articles shown, want %d", got.Articles, len(detailed))
	}
	for key, values := range want {
		if r.Baseline == nil && key == "change" {
			continue
		}
		for value, ids := range values {
			f, ok := got.Filters[key][value]
			if !ok {
				t.Errorf("filter %s has no option %q", key, value)
				continue
			}
			if f.Rows != len(ids) || !slices.Equal(f.Values, []string{value}) {
				t.Errorf("filter %s=%s shows %d rows with %s values %v, want %d", key, value, f.Rows, key, f.Values, len(ids))
			}
			var wantArticles []string
			for _, id := range ids {
				if detailed[id] {
					wantArticles = append(wantArticles, "req-"+id)
				}
			}
			if !sameSet(f.Articles, wantArticles) {
				t.Errorf("filter %s=%s shows articles %v, want %v", key, value, f.Articles, wantArticles)
			}
		}
	}
	var rdFail []string
	for _, q := range r.Requirements {
		if q.Area == "RD" && q.Status == verdict.Fail {
			rdFail = append(rdFail, "row-"+q.ID)
		}
	}
	if !sameSet(got.RDFail, rdFail) || len(rdFail) == 0 {
		t.Errorf("area RD and verdict FAIL together show %v, want %v", got.RDFail, rdFail)
	}
}

// failingIDs are the requirements report.html details as failures.
func failingIDs(r *verdict.Results) []string {
	var ids []string
	for _, q := range r.Requirements {
		switch q.Status {
		case verdict.Fail, verdict.Error, verdict.Flaky, verdict.Warn:
			ids = append(ids, q.ID)
		}
	}
	return ids
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
