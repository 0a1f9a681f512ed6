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
// paging-skips-one, of the unfiltered walks and of a filtered one (SAM-PG-07's
// scenario), cites page 2 (where the missing access belonged) with pages 1 and 3,
// every exchange whole.
func TestPagingGapFindingShowsThePagesAroundIt(t *testing.T) {
	res, err := runner.Run(context.Background(), runner.Options{
		Scope: steps.Scope{AllowDestructive: true}, Seed: 1, Tags: "@SAM-PG-05,@SAM-PG-07", Faults: []string{"paging-skips-one"},
		Getenv: func(string) string { return "" }, Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	page := func(ex verdict.Exchange) string {
		u, _ := url.Parse(ex.URL)
		return u.Query().Get("pageNumber")
	}
	gaps, filtered := 0, 0
	for _, r := range res.Requirements {
		for _, f := range r.Findings {
			if r.ID != "SAM-PG-05" || !strings.Contains(f.Message, "never visited") {
				continue
			}
			gaps++
			if f.Exchange != nil && strings.Contains(f.Exchange.URL, "filter=") {
				filtered++
			}
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
	if gaps < 2 || filtered == 0 {
		t.Fatalf("%d SAM-PG-05 gap findings, %d of a filtered walk; want both kinds: %s", gaps, filtered, summary(t, res))
	}
}
