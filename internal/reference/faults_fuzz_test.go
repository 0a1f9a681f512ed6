package reference

import (
	"net/http"
	"slices"
	"testing"

	"github.com/accessctk/accessctk/fuzz/filter"
)

// fuzzFaultChecks are the behaviour tests of the fuzz area's faults, for
// TestFaultsChangeBehaviour: with the fault on, an expression chosen to expose it
// gets another answer than the oracle's; without, the oracle's.
func fuzzFaultChecks() map[string]func(t *testing.T, s *Server, faulty bool) {
	differs := func(expr string) func(t *testing.T, s *Server, faulty bool) {
		return func(t *testing.T, s *Server, faulty bool) {
			got, want := filtered(t, s, expr), oracle(t, s, expr)
			if slices.Equal(got, want) == faulty {
				t.Errorf("%s: server %d ids, oracle %d ids", expr, len(got), len(want))
			}
		}
	}
	return map[string]func(t *testing.T, s *Server, faulty bool){
		faultFuzzEqPrefix:       differs("contractId=C100"), // C1000 starts with C100
		faultFuzzOrCapped:       differs("contractId=x1;contractId=x2;contractId=x3;contractId=C100"),
		faultFuzzSameFieldLater: differs("name=Alpha&name=alpha"),
		faultFuzzNonASCII500: func(t *testing.T, s *Server, faulty bool) {
			want := http.StatusOK
			if faulty {
				want = http.StatusInternalServerError
			}
			wantStatus(t, get(t, s, "/eos/access?filter="+filter.Encode("name=café")), want)
			wantStatus(t, get(t, s, "/eos/access?filter="+filter.Encode("name=Alpha")), http.StatusOK)
		},
	}
}
