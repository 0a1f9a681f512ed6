package reference

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// settle polls a task until it is terminal or d has passed, and returns the last
// answer: for faults that keep a task from ending, where await would fail the test.
func settle(t *testing.T, s *Server, tenantToken, path string, d time.Duration) task {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		w := do(t, s, req{target: path, token: tenantToken})
		wantStatus(t, w, http.StatusOK)
		tk := decode[task](t, w)
		if tk.State == stateDone || tk.State == stateFailed || time.Now().After(deadline) {
			return tk
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// post submits a batch body as the primary tenant and returns the raw answer.
func post(t *testing.T, s *Server, body string) (int, map[string]any) {
	t.Helper()
	w := do(t, s, req{method: http.MethodPost, target: "/eos/access/batchUpdate", contentType: "application/json", body: body})
	var m map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &m)
	return w.Code, m
}

// acceptedIff checks that a batch body is accepted (202) exactly when the fault is on,
// and rejected with 400 otherwise.
func acceptedIff(t *testing.T, s *Server, faulty bool, body string) {
	t.Helper()
	want := http.StatusBadRequest
	if faulty {
		want = http.StatusAccepted
	}
	if code, _ := post(t, s, body); code != want {
		t.Errorf("body %s: status %d, want %d", body, code, want)
	}
}

// batchFaultChecks are the behaviour checks of the batch faults, merged into
// TestFaultsChangeBehaviour. Each server has a PPU pool of two.
func batchFaultChecks() map[string]func(t *testing.T, s *Server, faulty bool) {
	fx := func(s *Server) (ppu, nonPPU, foreign string) {
		f := s.Fixtures("")
		return f.Accesses.PPU[0], f.Accesses.NonPPU[0], f.Accesses.Secondary[0]
	}
	suspend := func(ids ...string) string { return batchBody("update", ids, `{"status":"SUSPENDED"}`) }
	status := func(t *testing.T, s *Server, id string) string {
		st, _ := state(t, s, id)
		return st
	}
	return map[string]func(t *testing.T, s *Server, faulty bool){
		faultBatchTaskWithoutID: func(t *testing.T, s *Server, faulty bool) {
			ppu, _, _ := fx(s)
			code, m := post(t, s, suspend(ppu))
			_, hasID := m["id"]
			if code != http.StatusAccepted || hasID == faulty || (m["taskId"] != nil) != faulty {
				t.Errorf("answer %d %v", code, m)
			}
		},
		faultBatchTaskStuck: func(t *testing.T, s *Server, faulty bool) {
			f := s.Fixtures("")
			update := await(t, s, submit(t, s, primaryToken, "eos", suspend(f.Accesses.PPU[0])).ID)
			tk := submit(t, s, primaryToken, "eos", batchBody("terminate", []string{f.Accesses.PPU[1]}, `{}`))
			got := settle(t, s, primaryToken, "/eos/access/batch/"+tk.ID, 300*time.Millisecond)
			if want := map[bool]string{false: stateDone, true: stateInProgress}[faulty]; got.State != want || update.State != stateDone {
				t.Errorf("terminate task after 300ms: %s, want %s (update task %s)", got.State, want, update.State)
			}
		},
		faultBatchTaskReopens: func(t *testing.T, s *Server, faulty bool) {
			ppu, _, _ := fx(s)
			tk := await(t, s, submit(t, s, primaryToken, "eos", suspend(ppu)).ID)
			again := decode[task](t, get(t, s, "/eos/access/batch/"+tk.ID))
			if want := map[bool]string{false: stateDone, true: stateInProgress}[faulty]; again.State != want {
				t.Errorf("a DONE task read again: %s, want %s", again.State, want)
			}
		},
		faultBatchUnknownOperationNoop: func(t *testing.T, s *Server, faulty bool) {
			ppu, _, _ := fx(s)
			code, m := post(t, s, batchBody("delete", []string{ppu}, `{"status":"SUSPENDED"}`))
			if (code == http.StatusAccepted) != faulty || (!faulty && code != http.StatusBadRequest) {
				t.Fatalf("unknown operation answered %d %v", code, m)
			}
			if faulty {
				id, _ := m["id"].(string)
				if done := await(t, s, id); done.State != stateDone || len(done.UpdatedAccesses)+len(done.Errors) != 0 {
					t.Errorf("task %+v, want DONE doing nothing", done)
				}
			}
			if st := status(t, s, ppu); st != "ACTIVE" {
				t.Errorf("%s is %s after an unknown operation", ppu, st)
			}
		},
		faultBatchLenientIDList: func(t *testing.T, s *Server, faulty bool) {
			ppu, _, _ := fx(s)
			acceptedIff(t, s, faulty, batchBody("update", []string{}, `{"status":"SUSPENDED"}`))
			acceptedIff(t, s, faulty, `{"operationType":"update","accessesIdList":["`+ppu+`",42],"operationBody":{"status":"SUSPENDED"}}`)
			acceptedIff(t, s, false, `{"operationType":"update","accessesIdList":"`+ppu+`","operationBody":{"status":"SUSPENDED"}}`)
		},
		faultBatchLenientUpdateBody: func(t *testing.T, s *Server, faulty bool) {
			ppu, _, _ := fx(s)
			acceptedIff(t, s, faulty, batchBody("update", []string{ppu}, `{"username":"x"}`))
			acceptedIff(t, s, faulty, batchBody("update", []string{ppu}, `{"status":"SUSPENDED","contractId":"1"}`))
			acceptedIff(t, s, false, batchBody("update", []string{ppu}, `{"status":"active"}`))
		},
		faultBatchTerminateBodyIgnored: func(t *testing.T, s *Server, faulty bool) {
			ppu, _, _ := fx(s)
			acceptedIff(t, s, faulty, batchBody("terminate", []string{ppu}, `{"status":"TERMINATED"}`))
			acceptedIff(t, s, faulty, batchBody("terminate", []string{ppu}, `[]`))
		},
		faultBatchNonPPUApplied: func(t *testing.T, s *Server, faulty bool) {
			ppu, nonPPU, _ := fx(s)
			done := await(t, s, submit(t, s, primaryToken, "eos", suspend(ppu, nonPPU)).ID)
			if got := status(t, s, nonPPU) == "SUSPENDED"; got != faulty || len(done.UpdatedAccesses) != map[bool]int{false: 1, true: 2}[faulty] {
				t.Errorf("non-PPU changed %v, task %+v", got, done)
			}
		},
		faultBatchNonPPUFailsBatch: func(t *testing.T, s *Server, faulty bool) {
			ppu, nonPPU, _ := fx(s)
			done := await(t, s, submit(t, s, primaryToken, "eos", suspend(ppu, nonPPU)).ID)
			if (done.State == stateFailed) != faulty || (status(t, s, ppu) == "ACTIVE") != faulty {
				t.Errorf("task %+v, PPU access %s", done, status(t, s, ppu))
			}
		},
		faultBatchUnknownIDFailsBatch: func(t *testing.T, s *Server, faulty bool) {
			ppu, _, _ := fx(s)
			done := await(t, s, submit(t, s, primaryToken, "eos", suspend(ppu, "eos_0000000000")).ID)
			if (done.State == stateFailed) != faulty || (status(t, s, ppu) == "ACTIVE") != faulty {
				t.Errorf("task %+v, PPU access %s", done, status(t, s, ppu))
			}
		},
		faultBatchForeignApplied: func(t *testing.T, s *Server, faulty bool) {
			_, _, foreign := fx(s) // a PPU access of the other tenant
			done := await(t, s, submit(t, s, primaryToken, "eos", suspend(foreign)).ID)
			if (status(t, s, foreign) == "SUSPENDED") != faulty || (len(done.Errors) == 0) != faulty {
				t.Errorf("task %+v, other tenant's access %s", done, status(t, s, foreign))
			}
		},
		faultBatchTaskVisibleToOthers: func(t *testing.T, s *Server, faulty bool) {
			ppu, _, _ := fx(s)
			tk := await(t, s, submit(t, s, primaryToken, "eos", suspend(ppu)).ID)
			want := map[bool]int{false: http.StatusNotFound, true: http.StatusOK}[faulty]
			wantStatus(t, do(t, s, req{target: "/acme/access/batch/" + tk.ID, token: secondaryToken}), want)
		},
		faultBatchFailedItemsOmitted: func(t *testing.T, s *Server, faulty bool) {
			ppu, nonPPU, _ := fx(s)
			done := await(t, s, submit(t, s, primaryToken, "eos", suspend(ppu, nonPPU, "eos_0000000000")).ID)
			if (len(done.Errors) == 0) != faulty || len(done.UpdatedAccesses) != 1 {
				t.Errorf("task %+v", done)
			}
		},
		faultBatchUpdatesNotApplied: func(t *testing.T, s *Server, faulty bool) {
			ppu, _, _ := fx(s)
			done := await(t, s, submit(t, s, primaryToken, "eos", suspend(ppu)).ID)
			if len(done.UpdatedAccesses) != 1 || done.UpdatedAccesses[0].Status != "SUSPENDED" || (status(t, s, ppu) == "ACTIVE") != faulty {
				t.Errorf("task %+v, access %s", done, status(t, s, ppu))
			}
		},
		faultBatchEndsNow: func(t *testing.T, s *Server, faulty bool) {
			checkTermination(t, s, func(end time.Time, now time.Time) bool { return end.Sub(now).Abs() < time.Minute }, faulty)
		},
		faultBatchEndsNextMonth: func(t *testing.T, s *Server, faulty bool) {
			checkTermination(t, s, func(end time.Time, now time.Time) bool {
				u := now.UTC()
				return end.Format(time.RFC3339) == time.Date(u.Year(), u.Month()+2, 1, 0, 0, 0, 0, time.UTC).Add(-time.Second).Format(time.RFC3339)
			}, faulty)
		},
		faultBatchTerminatedAtOnce: func(t *testing.T, s *Server, faulty bool) {
			ppu, _, _ := fx(s)
			await(t, s, submit(t, s, primaryToken, "eos", batchBody("terminate", []string{ppu}, `{}`)).ID)
			if want := map[bool]string{false: "PENDING_TERMINATE", true: "TERMINATED"}[faulty]; status(t, s, ppu) != want {
				t.Errorf("terminated access is %s, want %s", status(t, s, ppu), want)
			}
		},
		faultBatchUnknownTaskFound: func(t *testing.T, s *Server, faulty bool) {
			want := map[bool]int{false: http.StatusNotFound, true: http.StatusOK}[faulty]
			for _, id := range []string{"job-999999", "nope"} {
				wantStatus(t, get(t, s, "/eos/access/batch/"+id), want)
			}
		},
	}
}

// checkTermination terminates a PPU access and checks that its end is the wrong one
// (wrong reports whether it is) exactly when the fault is on, and the right one (the
// end of the billing period) when it is off.
func checkTermination(t *testing.T, s *Server, wrong func(end, now time.Time) bool, faulty bool) {
	t.Helper()
	ppu := s.Fixtures("").Accesses.PPU[0]
	now := time.Now()
	await(t, s, submit(t, s, primaryToken, "eos", batchBody("terminate", []string{ppu}, `{}`)).ID)
	got := decode[resource](t, get(t, s, "/eos/access/"+ppu))
	end, err := time.Parse(time.RFC3339, got.EndDateTime)
	if err != nil {
		t.Fatalf("endDateTime %q: %v", got.EndDateTime, err)
	}
	right := got.EndDateTime == endOfBillingPeriod(now)
	if wrong(end, now) != faulty || right == faulty {
		t.Errorf("terminated at %v: ends %s (right %v)", now, got.EndDateTime, right)
	}
}
