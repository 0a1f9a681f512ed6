package reference

import (
	"net/http"
	"testing"
)

// readFaultChecks are the behaviour tests of the read and isolation faults added with
// the read area (the first read faults are checked in faults_test.go), for
// TestFaultsChangeBehaviour.
func readFaultChecks() map[string]func(t *testing.T, s *Server, faulty bool) {
	return map[string]func(t *testing.T, s *Server, faulty bool){
		faultReadLeaksCreatedAt: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[0]
			one := decode[map[string]any](t, get(t, s, "/eos/access/"+id))
			list := decode[[]map[string]any](t, get(t, s, "/eos/access?pageSize=5"))
			_, inOne := one["createdAt"]
			_, inList := list[0]["createdAt"]
			if inOne != faulty || inList != faulty {
				t.Errorf("createdAt in read %v, in list %v", inOne, inList)
			}
		},
		faultReadBadStatus: func(t *testing.T, s *Server, faulty bool) {
			var id string
			for _, r := range allRecords(t, s, primaryID) {
				if r.status == "PENDING_TERMINATE" {
					id = r.id
					break
				}
			}
			if id == "" {
				t.Fatal("the seeded data has no PENDING_TERMINATE access")
			}
			want := "PENDING_TERMINATE"
			if faulty {
				want = "PENDING_TERMINATION"
			}
			if got := decode[resource](t, get(t, s, "/eos/access/"+id)).Status; got != want {
				t.Errorf("status %q, want %q", got, want)
			}
		},
		faultIsolationReadOtherTenant: func(t *testing.T, s *Server, faulty bool) {
			other := s.Fixtures("").Accesses.Secondary[0]
			want := http.StatusNotFound
			if faulty {
				want = http.StatusOK
			}
			wantStatus(t, get(t, s, "/eos/access/"+other), want)
			wantStatus(t, get(t, s, "/eos/access/eos_0000000000"), http.StatusNotFound)
		},
	}
}
