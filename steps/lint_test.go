package steps

import (
	"regexp"
	"strings"
	"testing"

	messages "github.com/cucumber/messages/go/v34"

	"github.com/accessctk/accessctk/features"
	"github.com/accessctk/accessctk/internal/verdict"
)

func pickles(t *testing.T) []*messages.Pickle {
	t.Helper()
	all, err := features.Pickles(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatal("no scenarios found in the embedded features")
	}
	return all
}

// Every step text matches exactly one pattern, and every pattern is used: an unused
// pattern is dead code, an ambiguous one makes godog's choice arbitrary.
func TestStepPatternsAreUsedAndUnambiguous(t *testing.T) {
	defs := stepDefinitions(newWorld(&Suite{}))
	used := make([]int, len(defs))
	res := make([]*regexp.Regexp, len(defs))
	for i, d := range defs {
		if !strings.HasPrefix(d.pattern, "^") || !strings.HasSuffix(d.pattern, "$") {
			t.Errorf("pattern %q is not anchored with ^ and $", d.pattern)
		}
		if strings.Contains(d.pattern, "(?i)") || strings.Contains(d.pattern, ".*") {
			t.Errorf("pattern %q swallows typos ((?i) or .*)", d.pattern)
		}
		res[i] = regexp.MustCompile(d.pattern)
	}
	for _, p := range pickles(t) {
		for _, st := range p.Steps {
			var matched []string
			for i, re := range res {
				if re.MatchString(st.Text) {
					used[i]++
					matched = append(matched, defs[i].pattern)
				}
			}
			switch len(matched) {
			case 0:
				t.Errorf("%s: step %q matches no pattern", p.Uri, st.Text)
			case 1:
			default:
				t.Errorf("%s: step %q is ambiguous: %q", p.Uri, st.Text, matched)
			}
		}
	}
	for i, n := range used {
		if n == 0 {
			t.Errorf("pattern %q is used by no scenario", defs[i].pattern)
		}
	}
}

// Every scenario names the requirements it checks and says what it may do to data.
func TestScenarioTags(t *testing.T) {
	cat := verdict.Skylark()
	for _, p := range pickles(t) {
		var reqs, modes int
		destructive, mutating, terminates := false, false, false
		for _, tag := range p.Tags {
			switch {
			case verdict.IsRequirementTag(tag.Name):
				reqs++
				if _, ok := cat.Lookup(strings.TrimPrefix(tag.Name, "@")); !ok {
					t.Errorf("%s %q: tag %s is not in the catalogue", p.Uri, p.Name, tag.Name)
				}
			case tag.Name == TagReadOnly:
				modes++
			case tag.Name == TagMutating:
				modes++
				mutating = true
			case tag.Name == TagDestructive:
				destructive = true
			case tag.Name == TagTerminates:
				terminates = true
			}
		}
		if reqs == 0 {
			t.Errorf("%s %q has no requirement tag", p.Uri, p.Name)
		}
		if modes != 1 {
			t.Errorf("%s %q needs exactly one of @readonly and @mutating", p.Uri, p.Name)
		}
		if destructive && !mutating {
			t.Errorf("%s %q is @destructive but not @mutating", p.Uri, p.Name)
		}
		if terminates && !destructive {
			t.Errorf("%s %q is @terminates but not @destructive", p.Uri, p.Name)
		}
	}
}
