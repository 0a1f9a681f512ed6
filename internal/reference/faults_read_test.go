package reference

import (
	"net/http"
	"strings"
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
		faultStatusLowerCase: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[0]
			want := "ACTIVE"
			if faulty {
				want = "active"
			}
			if got := decode[resource](t, get(t, s, "/eos/access/"+id)).Status; got != want {
				t.Errorf("read status %q, want %q", got, want)
			}
			got := decode[[]resource](t, get(t, s, "/eos/access?pageSize=1"))[0].Status
			if lower := got == strings.ToLower(got); lower != faulty {
				t.Errorf("list status %q with the fault %v", got, faulty)
			}
		},
		faultReadFirst500: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[1]
			first, second := get(t, s, "/eos/access/"+id).Code, get(t, s, "/eos/access/"+id).Code
			wantFirst := http.StatusOK
			if faulty {
				wantFirst = http.StatusInternalServerError
			}
			if first != wantFirst || second != http.StatusOK {
				t.Errorf("two reads answered %d, %d; want %d, 200", first, second, wantFirst)
			}
		},
		faultReadHTMLPage: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[0]
			w := get(t, s, "/eos/access/"+id)
			html := strings.HasPrefix(w.Header().Get("Content-Type"), "text/html")
			if w.Code != http.StatusOK || html != faulty {
				t.Errorf("read answered %d %s", w.Code, w.Header().Get("Content-Type"))
			}
			terminated := s.Fixtures("").Accesses.Terminated[0]
			if w := get(t, s, "/eos/access/"+terminated); strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
				t.Error("a TERMINATED access is read as HTML too; the fault is only for ACTIVE ones")
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
