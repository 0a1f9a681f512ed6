package runner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/accessctk/accessctk/features"
	"github.com/accessctk/accessctk/internal/suggest"
	"github.com/accessctk/accessctk/internal/tagexpr"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/steps"
)

// checkSelection checks a --tags expression against the suite before anything runs:
// it must parse (godog panics on some malformed expressions and silently misreads
// others), every tag it names must be on some scenario (a mistyped requirement id
// would otherwise select nothing, or with "~" everything), and it must select at
// least one scenario. It returns the expression trimmed, the form godog is given: a
// blank one panics it. Its errors are usage errors (exit 2).
func checkSelection(tags string) (string, error) {
	tags = strings.TrimSpace(tags)
	expr, err := tagexpr.Parse(tags)
	if err != nil {
		return "", usageError("%w", err)
	}
	if tags == "" {
		return "", nil
	}
	pickles, err := features.Pickles(features.Skylark)
	if err != nil {
		return "", fmt.Errorf("read the suite's tags: %w", err)
	}
	known := map[string]bool{}
	var scenarioTags [][]string
	for _, pk := range pickles {
		var names []string
		for _, t := range pk.Tags {
			known[t.Name] = true
			names = append(names, t.Name)
		}
		scenarioTags = append(scenarioTags, names)
	}
	for _, tag := range expr.Tags() {
		if !known[tag] {
			return "", usageError("--tags %q: %s", tags, unknownTag(tag, known))
		}
	}
	if !slices.ContainsFunc(scenarioTags, expr.Match) {
		return "", usageError("--tags %q selects no scenario: no scenario has the tags it requires together (%s)", tags, tagexpr.Syntax)
	}
	return tags, nil
}

// unknownTag explains a tag no scenario has: a typo (with the tag it is closest
// to), or a requirement the suite judges without a tagged scenario.
func unknownTag(tag string, known map[string]bool) string {
	id := strings.TrimPrefix(tag, "@")
	if slices.Contains(steps.AutomaticRequirements(), id) {
		return fmt.Sprintf("no scenario is tagged %s: %s is checked on every response of every scenario, so any selection judges it", tag, id)
	}
	if _, ok := verdict.Skylark().Lookup(id); ok {
		return fmt.Sprintf("no scenario is tagged %s: the suite has no scenario for %s (it is NOT COVERED)", tag, id)
	}
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	slices.Sort(names)
	return fmt.Sprintf("no scenario is tagged %s%s; tags are requirement ids such as @SAM-UP-06 and @readonly, @mutating, @destructive", tag, suggest.DidYouMean(tag, names))
}
