package reports_test

import (
	"strings"
	"testing"

	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/reports"
)

func TestClassify(t *testing.T) {
	all := []verdict.Status{"", verdict.Pass, verdict.Fail, verdict.Warn, verdict.Flaky, verdict.Skip, verdict.Error, verdict.NotCovered}
	for _, before := range all {
		for _, after := range all[1:] {
			got := reports.Classify(before, after)
			var want verdict.Change
			switch {
			case after == verdict.Fail && before == verdict.Fail:
				want = verdict.StillFailing
			case after == verdict.Fail:
				want = verdict.NewFailure
			case before != verdict.Fail:
				want = verdict.Unchanged
			case after == verdict.Pass || after == verdict.Warn:
				want = verdict.Fixed
			default:
				want = verdict.Unverified
			}
			if got != want {
				t.Errorf("%q -> %q: %s, want %s", before, after, got, want)
			}
		}
	}
}

func TestCompareCountsEveryRequirement(t *testing.T) {
	cur := sample(t)
	old := sample(t)
	for i := range old.Requirements {
		switch old.Requirements[i].ID {
		case "SAM-RD-03":
			old.Requirements[i].Status = verdict.Pass
		case "SAM-RD-01":
			old.Requirements[i].Status = verdict.Fail
		}
	}
	old.FeaturesDigest = "sha256:" + repeat("00", 32)
	reports.AttachBaseline(cur, old, "old.json")
	c := cur.Baseline
	if len(c.Requirements) != len(cur.Requirements) {
		t.Fatalf("%d of %d requirements classified", len(c.Requirements), len(cur.Requirements))
	}
	if c.Counts[verdict.NewFailure] != 1 || c.Counts[verdict.Fixed] != 1 || c.Counts[verdict.StillFailing] != 1 {
		t.Errorf("counts %v", c.Counts)
	}
	if got := reports.NewFailures(cur); len(got) != 1 || got[0] != "SAM-RD-03" {
		t.Errorf("new failures %v", got)
	}
	if !strings.Contains(strings.Join(cur.Notes, "\n"), "features digest differs") {
		t.Errorf("no note on the changed suite: %v", cur.Notes)
	}
}

// Shards merge back into the verdicts of the whole.
func TestMerge(t *testing.T) {
	whole := sample(t)
	cat := verdict.Skylark()
	part := func(shard string, idx ...int) *verdict.Results {
		p := *whole
		p.Selection.Shard = shard
		p.Scenarios = nil
		for _, i := range idx {
			p.Scenarios = append(p.Scenarios, whole.Scenarios[i])
		}
		p.Requirements, p.Overall = verdict.Judge(cat, p.Scenarios)
		return &p
	}
	a, b := part("1/2", 0, 2, 4), part("2/2", 1, 3, 5)
	a.Requests, b.Requests = 120, 80
	merged, err := reports.Merge(cat, []*verdict.Results{b, a}, []string{"b.json", "a.json"})
	if err != nil {
		t.Fatal(err)
	}
	if merged.Requests != 200 {
		t.Errorf("merged shards sent %d requests, want the sum 200", merged.Requests)
	}
	if merged.Overall != whole.Overall || len(merged.Scenarios) != len(whole.Scenarios) {
		t.Fatalf("merged %s with %d scenarios, whole %s with %d", merged.Overall, len(merged.Scenarios), whole.Overall, len(whole.Scenarios))
	}
	for i, q := range merged.Requirements {
		if q.Status != whole.Requirements[i].Status {
			t.Errorf("%s merged %s, whole %s", q.ID, q.Status, whole.Requirements[i].Status)
		}
	}
	if strings.Join(merged.Selection.Shards, ",") != "1/2,2/2" || merged.Selection.Shard != "" {
		t.Errorf("selection %+v", merged.Selection)
	}

	other := part("2/2", 1, 3, 5)
	other.FeaturesDigest = "sha256:" + repeat("11", 32)
	third := part("2/3", 1)
	for name, parts := range map[string][]*verdict.Results{
		"missing shard":     {a},
		"duplicate shard":   {a, a},
		"same scenario":     {a, part("2/2", 0)},
		"other features":    {a, other},
		"other shard count": {a, third},
		"shard and whole":   {a, whole},
	} {
		srcs := make([]string, len(parts))
		for i := range srcs {
			srcs[i] = "p" + string(rune('0'+i)) + ".json"
		}
		if _, err := reports.Merge(cat, parts, srcs); err == nil {
			t.Errorf("%s: merged", name)
		}
	}
}
