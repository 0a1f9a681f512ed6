package reference

import (
	"maps"
	"net/http"
	"os"
	"regexp"
	"sort"
	"testing"
)

// catalogue is the rule catalogue beside the project (../shared), where every
// developer and CI run has it.
const catalogue = "../../../shared/contract/skylark-access.md"

func TestFaultRegistry(t *testing.T) {
	data, err := os.ReadFile(catalogue)
	if err != nil {
		t.Skipf("catalogue not available, requirement IDs not checked: %v", err)
	}
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\| (SAM-[A-Z]{2}-\d{2}) \|`).FindAllStringSubmatch(string(data), -1) {
		ids[m[1]] = true
	}
	if len(ids) < 40 {
		t.Fatalf("read only %d requirement IDs from the catalogue", len(ids))
	}
	faults := Faults()
	if len(faults) == 0 {
		t.Fatal("no faults")
	}
	if !sort.SliceIsSorted(faults, func(i, j int) bool { return faults[i].Name < faults[j].Name }) {
		t.Error("Faults() is not sorted by name")
	}
	names := map[string]bool{}
	nameRE := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)+$`)
	for _, f := range faults {
		if names[f.Name] {
			t.Errorf("fault %q registered twice", f.Name)
		}
		names[f.Name] = true
		if !nameRE.MatchString(f.Name) || f.Summary == "" {
			t.Errorf("fault %+v: bad name or no summary", f)
		}
		if !ids[f.Requirement] {
			t.Errorf("fault %q names %q, which the catalogue does not have", f.Name, f.Requirement)
		}
	}
	// The registry is a copy: callers cannot change it.
	faults[0].Name = "changed"
	if Faults()[0].Name == "changed" {
		t.Error("Faults() shares its backing array")
	}
}

// TestFaultsChangeBehaviour: each fault makes the deviation it names, and only with
// the fault on.
func TestFaultsChangeBehaviour(t *testing.T) {
	tested := map[string]func(t *testing.T, s *Server, faulty bool){
		faultReadLeaksPassword: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[0]
			wantStatus(t, patch(t, s, id, `{"password":"leak-me"}`), http.StatusOK)
			one := decode[map[string]any](t, get(t, s, "/eos/access/"+id))
			list := decode[[]map[string]any](t, get(t, s, "/eos/access?pageSize=1000"))
			_, inOne := one["password"]
			_, inList := list[0]["password"]
			if inOne != faulty || inList != faulty {
				t.Errorf("password in read %v, in list %v", inOne, inList)
			}
		},
		faultReadWrongID: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[0]
			w := get(t, s, "/eos/access/"+id)
			wantStatus(t, w, http.StatusOK)
			if got := decode[resource](t, w).ID; (got != id) != faulty {
				t.Errorf("read %s answered %s", id, got)
			}
		},
		faultReadUnknown200: func(t *testing.T, s *Server, faulty bool) {
			want := http.StatusNotFound
			if faulty {
				want = http.StatusOK
			}
			wantStatus(t, get(t, s, "/eos/access/eos_0000000000"), want)
		},
		faultAuthMissingTokenAllowed: func(t *testing.T, s *Server, faulty bool) {
			want := http.StatusUnauthorized
			if faulty {
				want = http.StatusOK
			}
			wantStatus(t, do(t, s, req{target: "/eos/access", token: "none"}), want)
			wantStatus(t, do(t, s, req{target: "/eos/access", token: "wrong"}), http.StatusUnauthorized)
		},
		faultAuthAnyTokenAllowed: func(t *testing.T, s *Server, faulty bool) {
			want := http.StatusUnauthorized
			if faulty {
				want = http.StatusOK
			}
			wantStatus(t, do(t, s, req{target: "/eos/access", token: "wrong"}), want)
			wantStatus(t, do(t, s, req{target: "/acme/access", token: "wrong"}), want)
			wantStatus(t, do(t, s, req{target: "/eos/access", token: "none"}), http.StatusUnauthorized)
		},
	}
	maps.Copy(tested, updateFaultChecks())
	maps.Copy(tested, readFaultChecks())
	maps.Copy(tested, pagingFaultChecks())
	maps.Copy(tested, filterFaultChecks())
	maps.Copy(tested, batchFaultChecks())
	maps.Copy(tested, fuzzFaultChecks())
	for _, f := range Faults() {
		check, ok := tested[f.Name]
		if !ok {
			t.Errorf("fault %q has no behaviour test", f.Name)
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			check(t, newServer(t, func(o *Options) { o.PPUPool = 2 }), false)
			check(t, newServer(t, func(o *Options) { o.PPUPool = 2; o.Faults = []string{f.Name} }), true)
		})
	}
}
