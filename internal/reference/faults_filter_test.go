package reference

import (
	"slices"
	"sort"
	"testing"

	"github.com/accessctk/accessctk/fuzz/filter"
)

// filtered returns the sorted ids the server lists for expr (one page).
func filtered(t *testing.T, s *Server, expr string) []string {
	t.Helper()
	ids, _ := listIDs(t, s, "/eos/access?pageSize=1000&filter="+filter.Encode(expr))
	sort.Strings(ids)
	return ids
}

// oracle returns the sorted ids of the primary tenant that expr matches.
func oracle(t *testing.T, s *Server, expr string) []string {
	t.Helper()
	e, err := filter.Parse(expr)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range allRecords(t, s, primaryID) {
		ok, err := e.Match(r.field)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			ids = append(ids, r.id)
		}
	}
	sort.Strings(ids)
	return ids
}

// filterFaultChecks are the behaviour tests of the filter faults, for
// TestFaultsChangeBehaviour: with the fault on, the server's answer to an expression
// chosen to expose it differs from the oracle; without, it agrees.
func filterFaultChecks() map[string]func(t *testing.T, s *Server, faulty bool) {
	differs := func(expr string) func(t *testing.T, s *Server, faulty bool) {
		return func(t *testing.T, s *Server, faulty bool) {
			got, want := filtered(t, s, expr), oracle(t, s, expr)
			if slices.Equal(got, want) == faulty {
				t.Errorf("%s: server %d ids, oracle %d ids", expr, len(got), len(want))
			}
		}
	}
	return map[string]func(t *testing.T, s *Server, faulty bool){
		faultFilterSemicolonAnd:       differs("contractId=C100;contractId=C1000"),
		faultFilterAmpersandOr:        differs("contractId=C100&productOfferingId=PRP_SKYRTK_EU_12"),
		faultFilterOrBindsTighter:     differs("contractId=C100&productOfferingId=PRP_SKYRTK_EU_12;contractId=C1000"),
		faultFilterGeAsGt:             differs("startDateTime>=2024-05-01T12:00:00Z"),
		faultFilterDatesAsText:        differs("startDateTime=2024-05-01T12:00:00Z"),
		faultFilterEqLike:             differs("name=%"),
		faultFilterEqCaseInsensitive:  differs("name=Alpha"),
		faultFilterUnknownMatchesNone: differs("accessctkUnknown=x"),
		faultFilterCreatedAtAsText:    differs("createdAt>=2024-05-01T14:00:00+02:00"),
		faultFilterMissingEndMatches:  differs("endDateTime<2030-01-01T00:00:00Z"),
	}
}
