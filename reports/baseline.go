package reports

import (
	"fmt"
	"slices"
	"time"

	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/verdict"
)

// Compare classifies every requirement of cur against the baseline base (see
// verdict.Change). source names the baseline in reports.
func Compare(base, cur *verdict.Results, source string) *verdict.Comparison {
	before := map[string]verdict.Status{}
	for _, q := range base.Requirements {
		before[q.ID] = q.Status
	}
	c := &verdict.Comparison{
		Source: source, BaselineStarted: base.Started, BaselineOverall: base.Overall,
		Requirements: []verdict.RequirementChange{}, Counts: map[verdict.Change]int{},
	}
	for _, ch := range verdict.Changes() {
		c.Counts[ch] = 0
	}
	for _, q := range cur.Requirements {
		b := before[q.ID]
		ch := Classify(b, q.Status)
		c.Requirements = append(c.Requirements, verdict.RequirementChange{ID: q.ID, Before: b, After: q.Status, Change: ch})
		c.Counts[ch]++
	}
	return c
}

// Classify names the change from one verdict to the next. Only FAIL counts as
// failing: a requirement that was failing and is now SKIP, ERROR, FLAKY or NOT
// COVERED is unverified, not fixed.
func Classify(before, after verdict.Status) verdict.Change {
	was := before == verdict.Fail
	switch {
	case after == verdict.Fail && !was:
		return verdict.NewFailure
	case after == verdict.Fail:
		return verdict.StillFailing
	case !was:
		return verdict.Unchanged
	case after == verdict.Pass || after == verdict.Warn:
		return verdict.Fixed
	default:
		return verdict.Unverified
	}
}

// AttachBaseline sets cur's comparison with base and notes what makes the two runs
// differ in more than the target (other feature files, spec, selection).
func AttachBaseline(cur, base *verdict.Results, source string) {
	cur.Baseline = Compare(base, cur, source)
	if base.FeaturesDigest != cur.FeaturesDigest {
		cur.Notes = append(cur.Notes, "the baseline ran other feature files (features digest differs): a change may come from the suite, not the target")
	}
	if base.SpecDigest != cur.SpecDigest {
		cur.Notes = append(cur.Notes, "the baseline validated against another OpenAPI document (spec digest differs)")
	}
	if base.Selection.Tags != cur.Selection.Tags {
		cur.Notes = append(cur.Notes, fmt.Sprintf("the baseline selected other scenarios (tags %q, now %q)", base.Selection.Tags, cur.Selection.Tags))
	}
}

// NewFailures returns the requirements that fail now and did not in the baseline.
func NewFailures(r *verdict.Results) []string {
	if r.Baseline == nil {
		return nil
	}
	return changed(r.Baseline, verdict.NewFailure)
}

// Merge joins the results of runs over disjoint parts of the suite (the shards of one
// --shard n, or runs with disjoint tags) and judges the union again with the
// catalogue. The parts must come from the same catalogue, spec and feature files;
// shards must be all n of one count; no scenario may appear twice.
func Merge(c *verdict.Catalogue, parts []*verdict.Results, sources []string) (*verdict.Results, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("merge: no results to merge")
	}
	first := parts[0]
	seen := map[string]string{}
	shards := map[string]string{}
	count := 0
	merged := &verdict.Results{
		SchemaVersion: verdict.SchemaVersion, Tool: first.Tool, Version: first.Version, Catalogue: c.Title,
		SpecDigest: first.SpecDigest, FeaturesDigest: first.FeaturesDigest, Started: first.Started,
		Interpretations: c.Interpretations, Selection: verdict.Selection{Tags: first.Selection.Tags},
	}
	var end time.Time
	var targets []string
	for i, p := range parts {
		src := sources[i]
		switch {
		case p.Catalogue != c.Title:
			return nil, fmt.Errorf("merge: %s judged by catalogue %q, not %q", src, p.Catalogue, c.Title)
		case p.SpecDigest != first.SpecDigest || p.FeaturesDigest != first.FeaturesDigest:
			return nil, fmt.Errorf("merge: %s and %s ran different specs or feature files (digests differ)", sources[0], src)
		case p.Selection.Tags != first.Selection.Tags:
			merged.Selection.Tags = ""
		}
		if p.Selection.Shard != "" {
			sh, err := config.ParseShard(p.Selection.Shard)
			if err != nil {
				return nil, fmt.Errorf("merge: %s: %w", src, err)
			}
			n := sh.Count
			if count != 0 && n != count {
				return nil, fmt.Errorf("merge: %s is shard %s, the others are shards of %d", src, p.Selection.Shard, count)
			}
			count = n
			if other, dup := shards[p.Selection.Shard]; dup {
				return nil, fmt.Errorf("merge: %s and %s are both shard %s", other, src, p.Selection.Shard)
			}
			shards[p.Selection.Shard] = src
		} else if len(p.Selection.Shards) > 0 {
			return nil, fmt.Errorf("merge: %s is already a merged result", src)
		}
		for _, s := range p.Scenarios {
			if other, dup := seen[s.ID]; dup {
				return nil, fmt.Errorf("merge: scenario %s (%q) is in both %s and %s", s.ID, s.Name, other, src)
			}
			seen[s.ID] = src
			merged.Scenarios = append(merged.Scenarios, s)
		}
		merged.Requests += p.Requests
		if p.Started.Before(merged.Started) {
			merged.Started = p.Started
		}
		if e := p.Started.Add(time.Duration(p.DurationMS * float64(time.Millisecond))); e.After(end) {
			end = e
		}
		if !slices.Contains(targets, p.Target) {
			targets = append(targets, p.Target)
		}
		for _, n := range p.Notes {
			if !slices.Contains(merged.Notes, n) {
				merged.Notes = append(merged.Notes, n)
			}
		}
		for _, c := range p.Credentials {
			if !slices.Contains(merged.Credentials, c) {
				merged.Credentials = append(merged.Credentials, c)
			}
		}
		merged.Selection.RerunFailed = max(merged.Selection.RerunFailed, p.Selection.RerunFailed)
	}
	if len(shards) > 0 && len(shards) != len(parts) {
		return nil, fmt.Errorf("merge: some results are shards and some are not")
	}
	for i := 1; i <= count; i++ {
		key := fmt.Sprintf("%d/%d", i, count)
		if _, ok := shards[key]; !ok {
			return nil, fmt.Errorf("merge: shard %s is missing (have %d of %d)", key, len(shards), count)
		}
		merged.Selection.Shards = append(merged.Selection.Shards, key)
	}
	merged.Target = targets[0]
	if len(targets) > 1 {
		merged.Notes = append(merged.Notes, fmt.Sprintf("the parts ran against %d targets: %v", len(targets), targets))
	}
	merged.DurationMS = float64(end.Sub(merged.Started).Microseconds()) / 1000
	merged.Requirements, _ = verdict.Judge(c, merged.Scenarios)
	// The parts ran one suite: a requirement some part judged (or left out of its
	// selection) is in it. What no part's scenarios checked was left out by the
	// selection the parts share, as each part said.
	inSuite := map[string]bool{}
	tagged := false
	for _, p := range parts {
		tagged = tagged || p.Selection.Tags != ""
		for _, r := range p.Requirements {
			if r.Status != verdict.NotCovered {
				inSuite[r.ID] = true
			}
		}
	}
	why := verdict.UnselectedReason(merged.Selection.Tags, "")
	if why == "" && tagged {
		why = "no scenario of the merged runs (selected by different --tags) checks it"
	}
	if why != "" {
		verdict.Unselected(merged.Requirements, inSuite, why)
	}
	// Shards that together judged every MUST are a certification again; shards that
	// did not (a --readonly run, a shard missing from a tag selection) are not.
	merged.Overall = verdict.OverallOf(merged.Requirements)
	return merged, nil
}
