package cli_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// A --tags expression is checked before any request: a malformed one, another
// syntax's, a tag no scenario has, or one that selects nothing is a one-line usage
// error (exit 2) that says how to write it, and the target never hears of the run.
func TestTagsAreCheckedBeforeAnyRequest(t *testing.T) {
	var requests atomic.Int32
	count := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			next.ServeHTTP(w, r)
		})
	}
	tokens := [2]string{"tok-tags-primary-0123", "tok-tags-secondary-4567"}
	v := newVendor(t, tokens, count)
	for tags, want := range map[string]string{
		"@SAM-UP-06 &&":                `"&&" (AND) without a tag on both sides`,
		"@a,":                          `alternative 2 of "@a," is empty`,
		"(@SAM-UP-06":                  "there are no parentheses",
		"@readonly and not @SAM-CM-01": `write it as "@readonly && ~@SAM-CM-01"`,
		"~":                            `"~" (NOT) without a tag after it`,
		"@SAM-UP-6":                    `no scenario is tagged @SAM-UP-6 (did you mean "@SAM-UP-06"?)`,
		"~@SAM-UP-6":                   `(did you mean "@SAM-UP-06"?)`,
		"@SAM-CM-05":                   "checked on every response of every scenario",
		"@readonly && @destructive":    "selects no scenario",
	} {
		code, stdout, stderr := invocation{env: map[string]string{"ACCESSCTK_TOKEN": tokens[0]},
			args: []string{"run", "--target", v.url, "--fixtures", v.fixtures, "--tags", tags, "--out", t.TempDir()}}.run(t)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != 2 || len(lines) != 1 || !strings.Contains(stderr, want) || stdout != "" {
			t.Errorf("--tags %q: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", tags, code, stdout, stderr, want)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("the target got %d requests from runs whose selection was refused", n)
	}
	// The same checks hold for the embedded server, which is not even started.
	if code, _, stderr := runCLI(t, nil, "run", "--tags", "@a,", "--out", t.TempDir()); code != 2 || !strings.Contains(stderr, "is empty") {
		t.Errorf("embedded: exit %d, %q", code, stderr)
	}
}
