package reference

import (
	"net/http"
	"strings"
	"testing"
)

// updateFaultChecks are the behaviour tests of the update faults, for
// TestFaultsChangeBehaviour: each runs once on a conformant server (faulty false)
// and once with its fault on, and fails unless the deviation shows exactly then.
func updateFaultChecks() map[string]func(t *testing.T, s *Server, faulty bool) {
	// statusIf picks the expected HTTP status.
	statusIf := func(faulty bool, whenFaulty, otherwise int) int {
		if faulty {
			return whenFaulty
		}
		return otherwise
	}
	// rejectedUnlessFaulty: the body is a 400 that changes nothing, or (faulty) a 200.
	rejectedUnlessFaulty := func(t *testing.T, s *Server, faulty bool, body string) {
		t.Helper()
		id := s.Fixtures("").Accesses.PPU[0]
		w := patch(t, s, id, body)
		wantStatus(t, w, statusIf(faulty, http.StatusOK, http.StatusBadRequest))
	}
	return map[string]func(t *testing.T, s *Server, faulty bool){
		faultUpdateAnswersOldStatus: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[0]
			w := patch(t, s, id, `{"status":"SUSPENDED"}`)
			wantStatus(t, w, http.StatusOK)
			if got := decode[resource](t, w).Status; (got == "ACTIVE") != faulty {
				t.Errorf("the answer shows status %s", got)
			}
			if st, _ := state(t, s, id); st != "SUSPENDED" {
				t.Errorf("stored status %s, want SUSPENDED", st)
			}
		},
		faultUpdateMediaTypeExact: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[0]
			w := do(t, s, req{method: http.MethodPatch, target: "/eos/access/" + id, contentType: "application/merge-patch+json; charset=utf-8", body: `{"status":"SUSPENDED"}`})
			wantStatus(t, w, statusIf(faulty, http.StatusUnsupportedMediaType, http.StatusOK))
			wantStatus(t, patch(t, s, id, `{"status":"ACTIVE"}`), http.StatusOK)
		},
		faultUpdateAcceptsJSON: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[0]
			w := do(t, s, req{method: http.MethodPatch, target: "/eos/access/" + id, contentType: "application/json", body: `{"status":"SUSPENDED"}`})
			wantStatus(t, w, statusIf(faulty, http.StatusOK, http.StatusUnsupportedMediaType))
			w = do(t, s, req{method: http.MethodPatch, target: "/eos/access/" + id, contentType: "text/plain", body: `{"status":"SUSPENDED"}`})
			wantStatus(t, w, http.StatusUnsupportedMediaType)
		},
		faultUpdateAcceptsNoContentType: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[0]
			w := do(t, s, req{method: http.MethodPatch, target: "/eos/access/" + id, body: `{"status":"SUSPENDED"}`})
			wantStatus(t, w, statusIf(faulty, http.StatusOK, http.StatusUnsupportedMediaType))
			w = do(t, s, req{method: http.MethodPatch, target: "/eos/access/" + id, contentType: "application/json", body: `{"status":"SUSPENDED"}`})
			wantStatus(t, w, http.StatusUnsupportedMediaType)
		},
		faultUpdateEmptyAccepted: func(t *testing.T, s *Server, faulty bool) {
			rejectedUnlessFaulty(t, s, faulty, `{}`)
			wantStatus(t, patch(t, s, s.Fixtures("").Accesses.PPU[0], ``), http.StatusBadRequest)
		},
		faultUpdateNullAsAbsent: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[0]
			wantStatus(t, patch(t, s, id, `{"status":"SUSPENDED","password":null}`), statusIf(faulty, http.StatusOK, http.StatusBadRequest))
			if st, _ := state(t, s, id); (st == "SUSPENDED") != faulty {
				t.Errorf("status %s after a body with a null", st)
			}
		},
		faultUpdateAppliesUsername: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[0]
			wantStatus(t, patch(t, s, id, `{"username":"changed-by-patch"}`), statusIf(faulty, http.StatusOK, http.StatusBadRequest))
			got := decode[resource](t, get(t, s, "/eos/access/"+id)).Username
			if (got == "changed-by-patch") != faulty {
				t.Errorf("username is %q", got)
			}
			// The list cache must see the change too.
			list := decode[[]resource](t, get(t, s, "/eos/access?filter=username%3Dchanged-by-patch"))
			if (len(list) == 1) != faulty {
				t.Errorf("filtering by the new username lists %d accesses", len(list))
			}
			wantStatus(t, patch(t, s, id, `{"contractId":"x"}`), http.StatusBadRequest)
		},
		faultUpdateLimitCharacters: func(t *testing.T, s *Server, faulty bool) {
			rejectedUnlessFaulty(t, s, faulty, `{"password":"`+strings.Repeat("a", 71)+`é"}`)
			rejectedUnlessFaulty(t, s, faulty, `{"password":"`+strings.Repeat("€", 25)+`"}`)
			wantStatus(t, patch(t, s, s.Fixtures("").Accesses.PPU[0], `{"password":"`+strings.Repeat("a", 73)+`"}`), http.StatusBadRequest)
		},
		faultUpdateLimit71Bytes: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[0]
			wantStatus(t, patch(t, s, id, `{"password":"`+strings.Repeat("a", 72)+`"}`), statusIf(faulty, http.StatusBadRequest, http.StatusOK))
			wantStatus(t, patch(t, s, id, `{"password":"`+strings.Repeat("a", 71)+`"}`), http.StatusOK)
		},
		faultUpdateLimit73Bytes: func(t *testing.T, s *Server, faulty bool) {
			rejectedUnlessFaulty(t, s, faulty, `{"password":"`+strings.Repeat("a", 73)+`"}`)
			wantStatus(t, patch(t, s, s.Fixtures("").Accesses.PPU[0], `{"password":"`+strings.Repeat("a", 74)+`"}`), http.StatusBadRequest)
		},
		faultUpdatePasswordNonString: func(t *testing.T, s *Server, faulty bool) {
			rejectedUnlessFaulty(t, s, faulty, `{"password":12345}`)
			rejectedUnlessFaulty(t, s, faulty, `{"password":{"value":"x"}}`)
		},
		faultUpdateStatusCaseInsensitive: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[0]
			rejectedUnlessFaulty(t, s, faulty, `{"status":"suspended"}`)
			if st, _ := state(t, s, id); (st == "SUSPENDED") != faulty {
				t.Errorf("status %s after \"suspended\"", st)
			}
			wantStatus(t, patch(t, s, id, `{"status":"PENDING_ACTIVE"}`), http.StatusBadRequest)
		},
		faultUpdateNotAtomic: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[0]
			wantError(t, patch(t, s, id, `{"status":"SUSPENDED","password":"`+strings.Repeat("a", 73)+`"}`), http.StatusBadRequest)
			if st, _ := state(t, s, id); (st == "SUSPENDED") != faulty {
				t.Errorf("status %s after a rejected body", st)
			}
		},
		faultUpdateNotStored: func(t *testing.T, s *Server, faulty bool) {
			id := s.Fixtures("").Accesses.PPU[0]
			w := patch(t, s, id, `{"status":"SUSPENDED"}`)
			wantStatus(t, w, http.StatusOK)
			if got := decode[resource](t, w).Status; got != "SUSPENDED" {
				t.Errorf("the answer shows status %s", got)
			}
			if st, _ := state(t, s, id); (st == "ACTIVE") != faulty {
				t.Errorf("stored status %s", st)
			}
		},
		faultUpdateUnknownID200: func(t *testing.T, s *Server, faulty bool) {
			w := patch(t, s, "eos_0000000000", `{"status":"SUSPENDED"}`)
			wantStatus(t, w, statusIf(faulty, http.StatusOK, http.StatusNotFound))
			if faulty && decode[resource](t, w).ID != "eos_0000000000" {
				t.Errorf("the made-up access has another id: %s", w.Body.String())
			}
			wantStatus(t, get(t, s, "/eos/access/eos_0000000000"), http.StatusNotFound)
		},
		faultUpdateNonObjectAccepted: func(t *testing.T, s *Server, faulty bool) {
			for _, body := range []string{`[]`, `"x"`, `42`, `null`} {
				rejectedUnlessFaulty(t, s, faulty, body)
			}
			wantStatus(t, patch(t, s, s.Fixtures("").Accesses.PPU[0], `{"status":`), http.StatusBadRequest)
		},
	}
}

// The update faults bend the PATCH endpoint only: with all of them on, a batch
// update's operationBody still obeys the single-update rules (SAM-BT-05).
func TestUpdateFaultsLeaveBatchAlone(t *testing.T) {
	var names []string
	for _, f := range updateFaults() {
		names = append(names, f.Name)
	}
	s := newServer(t, func(o *Options) { o.PPUPool = 2; o.Faults = names })
	id := s.Fixtures("").Accesses.PPU[0]
	for _, body := range []string{`{}`, `[]`, `{"status":"suspended"}`, `{"password":12345}`, `{"username":"x"}`,
		`{"status":"SUSPENDED","password":null}`, `{"password":"` + strings.Repeat("a", 73) + `"}`} {
		w := do(t, s, req{method: http.MethodPost, target: "/eos/access/batchUpdate", contentType: "application/json",
			body: `{"operationType":"update","accessesIdList":["` + id + `"],"operationBody":` + body + `}`})
		if w.Code != http.StatusBadRequest {
			t.Errorf("batch with operationBody %s: status %d, want 400", body, w.Code)
		}
	}
}
