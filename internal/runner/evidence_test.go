package runner_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/steps"
)

// A paging walk with a gap is reported with the pages around the gap, page 1 only
// when it is one of them: each SAM-PG-05 "never visited" finding of a run against
// paging-skips-one cites page 2 (where the missing access belonged) with pages 1
// and 3, every exchange whole.
func TestPagingGapFindingShowsThePagesAroundIt(t *testing.T) {
	res, err := runner.Run(context.Background(), runner.Options{
		Scope: steps.Scope{AllowDestructive: true}, Seed: 1, Tags: "@SAM-PG-05", Faults: []string{"paging-skips-one"},
		Getenv: func(string) string { return "" }, Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	page := func(ex verdict.Exchange) string {
		u, _ := url.Parse(ex.URL)
		return u.Query().Get("pageNumber")
	}
	gaps := 0
	for _, r := range res.Requirements {
		for _, f := range r.Findings {
			if r.ID != "SAM-PG-05" || !strings.Contains(f.Message, "never visited") {
				continue
			}
			gaps++
			var around []string
			for _, c := range f.Context {
				around = append(around, page(c))
				if c.Transcript == "" || c.Curl == "" {
					t.Errorf("a page around the gap is kept as one line only: %+v", c)
				}
			}
			if f.Exchange == nil || page(*f.Exchange) != "2" || strings.Join(around, ",") != "1,3" {
				t.Errorf("%s: cites %v with %v around it, want page 2 with pages 1 and 3", f.Message, f.Exchange, around)
			}
		}
	}
	if gaps == 0 {
		t.Fatalf("no SAM-PG-05 gap finding: %s", summary(t, res))
	}
}
