package reference

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accessctk/accessctk/fuzz/filter"
)

type task struct {
	ID              string      `json:"id"`
	State           string      `json:"state"`
	OperationType   string      `json:"operationType"`
	UpdatedAccesses []resource  `json:"updatedAccesses"`
	Errors          []itemError `json:"errors"`
}

func submit(t *testing.T, s *Server, tenantToken, tenantName, body string) task {
	t.Helper()
	w := do(t, s, req{method: http.MethodPost, target: "/" + tenantName + "/access/batchUpdate",
		token: tenantToken, contentType: "application/json", body: body})
	wantStatus(t, w, http.StatusAccepted)
	tk := decode[task](t, w)
	if !strings.HasPrefix(tk.ID, "job-") || tk.State != stateAcknowledged {
		t.Fatalf("submitted task: %+v", tk)
	}
	if w.Header().Get("Location") != "/"+tenantName+"/access/batch/"+tk.ID {
		t.Errorf("Location %q", w.Header().Get("Location"))
	}
	return tk
}

// await polls a task until it is terminal, checking that states only move forward
// (SAM-BT-02).
func await(t *testing.T, s *Server, id string) task {
	t.Helper()
	order := map[string]int{stateAcknowledged: 0, stateInProgress: 1, stateDone: 2, stateFailed: 2}
	seen := -1
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		w := get(t, s, "/eos/access/batch/"+id)
		wantStatus(t, w, http.StatusOK)
		tk := decode[task](t, w)
		rank, ok := order[tk.State]
		if !ok || rank < seen {
			t.Fatalf("task %s went to %q after rank %d", id, tk.State, seen)
		}
		seen = rank
		if tk.State == stateDone || tk.State == stateFailed {
			return tk
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("task %s did not finish", id)
	return task{}
}

func batchBody(op string, ids []string, body string) string {
	list, _ := json.Marshal(ids)
	return `{"operationType":"` + op + `","accessesIdList":` + string(list) + `,"operationBody":` + body + `}`
}

// TestBatchSubmissionRejections: invalid batches are 400 at submission and create
// no task (SAM-BT-03..06); a wrong media type is 415.
func TestBatchSubmissionRejections(t *testing.T) {
	s := newServer(t, nil)
	id := s.Fixtures("").Accesses.PPU[0]
	ids := `["` + id + `"]`
	for _, body := range []string{
		"", "[]", "{", `{"accessesIdList":` + ids + `,"operationBody":{}}`,
		`{"operationType":"delete","accessesIdList":` + ids + `,"operationBody":{}}`,
		`{"operationType":"UPDATE","accessesIdList":` + ids + `,"operationBody":{"status":"ACTIVE"}}`,
		`{"operationType":1,"accessesIdList":` + ids + `,"operationBody":{}}`,
		`{"operationType":null,"accessesIdList":` + ids + `,"operationBody":{}}`,
		`{"operationType":"terminate","operationBody":{}}`,
		`{"operationType":"terminate","accessesIdList":[],"operationBody":{}}`,
		`{"operationType":"terminate","accessesIdList":"` + id + `","operationBody":{}}`,
		`{"operationType":"terminate","accessesIdList":[1,2],"operationBody":{}}`,
		`{"operationType":"terminate","accessesIdList":["` + id + `",null],"operationBody":{}}`,
		`{"operationType":"terminate","accessesIdList":null,"operationBody":{}}`,
		`{"operationType":"update","accessesIdList":` + ids + `}`,
		`{"operationType":"update","accessesIdList":` + ids + `,"operationBody":{}}`,
		`{"operationType":"update","accessesIdList":` + ids + `,"operationBody":{"status":null}}`,
		`{"operationType":"update","accessesIdList":` + ids + `,"operationBody":{"status":"active"}}`,
		`{"operationType":"update","accessesIdList":` + ids + `,"operationBody":{"username":"x"}}`,
		`{"operationType":"update","accessesIdList":` + ids + `,"operationBody":{"password":"` + strings.Repeat("€", 25) + `"}}`,
		`{"operationType":"update","accessesIdList":` + ids + `,"operationBody":{"status":"ACTIVE","status":"SUSPENDED"}}`,
		`{"operationType":"update","accessesIdList":` + ids + `,"operationBody":"status"}`,
		`{"operationType":"terminate","accessesIdList":` + ids + `}`,
		`{"operationType":"terminate","accessesIdList":` + ids + `,"operationBody":{"status":"TERMINATED"}}`,
		`{"operationType":"terminate","accessesIdList":` + ids + `,"operationBody":[]}`,
		`{"operationType":"terminate","accessesIdList":` + ids + `,"operationBody":null}`,
		`{"operationType":"terminate","operationType":"terminate","accessesIdList":` + ids + `,"operationBody":{}}`,
	} {
		w := do(t, s, req{method: http.MethodPost, target: "/eos/access/batchUpdate", contentType: "application/json", body: body})
		if w.Code != http.StatusBadRequest {
			t.Errorf("body %s: status %d, want 400", body, w.Code)
			continue
		}
		wantError(t, w, http.StatusBadRequest)
	}
	good := batchBody("terminate", []string{id}, "{}")
	for _, ct := range []string{"", "text/plain", "application/merge-patch+json"} {
		wantError(t, do(t, s, req{method: http.MethodPost, target: "/eos/access/batchUpdate", contentType: ct, body: good}),
			http.StatusUnsupportedMediaType)
	}
	var tasks int
	if err := s.db.QueryRow(`SELECT count(*) FROM task`).Scan(&tasks); err != nil || tasks != 0 {
		t.Fatalf("rejected batches created %d tasks (%v)", tasks, err)
	}
	if st, _ := state(t, s, id); st != "ACTIVE" {
		t.Fatal("a rejected batch changed an access")
	}
}

// TestBatchMixed: items are judged one by one (SAM-BT-07..10, -13, SAM-CM-06).
func TestBatchMixed(t *testing.T) {
	s := newServer(t, nil)
	f := s.Fixtures("")
	ppu1, ppu2, nonPPU, foreign := f.Accesses.PPU[0], f.Accesses.PPU[1], f.Accesses.NonPPU[0], f.Accesses.Secondary[0]
	ids := []string{ppu1, nonPPU, "eos_0000000000", foreign, ppu2, ppu1}
	tk := submit(t, s, primaryToken, "eos", batchBody("update", ids, `{"status":"SUSPENDED","password":"batch-pw"}`))
	if tk.OperationType != "update" {
		t.Errorf("operationType %q", tk.OperationType)
	}
	done := await(t, s, tk.ID)
	if done.State != stateDone {
		t.Fatalf("task ended %s", done.State)
	}
	var updated []string
	for _, r := range done.UpdatedAccesses {
		updated = append(updated, r.ID)
		if r.Status != "SUSPENDED" || r.Password != nil {
			t.Errorf("updated access %+v", r)
		}
	}
	if !slices.Equal(updated, []string{ppu1, ppu2}) {
		t.Errorf("updated %v", updated)
	}
	codes := map[string]string{}
	for _, e := range done.Errors {
		if _, dup := codes[e.AccessID]; dup {
			t.Errorf("%s reported twice", e.AccessID)
		}
		codes[e.AccessID] = e.Code
		if e.Message == "" {
			t.Errorf("item error without message: %+v", e)
		}
	}
	want := map[string]string{nonPPU: itemNotPPU, "eos_0000000000": itemNotFound, foreign: itemNotFound}
	if len(codes) != len(want) {
		t.Errorf("errors %v, want %v", codes, want)
	}
	for id, code := range want {
		if codes[id] != code {
			t.Errorf("%s: code %q, want %q", id, codes[id], code)
		}
	}
	for _, id := range []string{ppu1, ppu2} {
		if st, hash := state(t, s, id); st != "SUSPENDED" || hash == "" {
			t.Errorf("%s after DONE: %s, hash set %v", id, st, hash != "")
		}
	}
	for id, tenant := range map[string]string{nonPPU: "eos", foreign: "acme"} {
		if st, hash := state(t, s, id); st != "ACTIVE" || hash != "" {
			t.Errorf("%s (%s) changed: %s", id, tenant, st)
		}
	}
	// The task is invisible to the other tenant, and unknown ids are 404.
	wantError(t, do(t, s, req{target: "/acme/access/batch/" + tk.ID, token: secondaryToken}), http.StatusNotFound)
	for _, id := range []string{"job-999999", "job-0100001", "job-1", "nope", "job-"} {
		wantError(t, get(t, s, "/eos/access/batch/"+id), http.StatusNotFound)
	}
	// A TERMINATED PPU access cannot be revived by a batch either.
	var term string
	if err := s.db.QueryRow(`SELECT id FROM access WHERE role = ? AND billing = ? LIMIT 1`, roleTerminated, billingPPU).Scan(&term); err != nil {
		t.Fatal(err)
	}
	done = await(t, s, submit(t, s, primaryToken, "eos", batchBody("update", []string{term}, `{"status":"ACTIVE"}`)).ID)
	if len(done.Errors) != 1 || done.Errors[0].Code != itemConflict {
		t.Errorf("reviving %s: %+v", term, done)
	}
}

// TestBatchTerminate: termination ends at the last second of the current UTC month,
// read from the clock when the task runs (SAM-BT-11), and filters see the new
// endDateTime at once.
func TestBatchTerminate(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 12, 31, 23, 30, 0, 0, time.FixedZone("", -3*3600)) // already January in UTC
	s := newServer(t, func(o *Options) {
		o.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	ppu := s.Fixtures("").Accesses.PPU
	endFilter := "/eos/access?filter=" + filter.Encode("endDateTime>=2027-01-31T23:59:59Z")
	before := atoi(t, get(t, s, endFilter).Header().Get("X-Total-Count"))
	for i, tc := range []struct {
		now  time.Time
		want string
	}{
		{now, "2027-01-31T23:59:59Z"},
		{time.Date(2026, 12, 15, 8, 0, 0, 0, time.UTC), "2026-12-31T23:59:59Z"},
		{time.Date(2028, 2, 1, 0, 0, 0, 0, time.UTC), "2028-02-29T23:59:59Z"},
		{time.Date(2027, 2, 28, 23, 59, 59, 0, time.UTC), "2027-02-28T23:59:59Z"},
		{time.Date(2027, 4, 30, 22, 0, 0, 0, time.FixedZone("", 3*3600)), "2027-04-30T23:59:59Z"},
	} {
		mu.Lock()
		now = tc.now
		mu.Unlock()
		done := await(t, s, submit(t, s, primaryToken, "eos", batchBody("terminate", []string{ppu[i]}, `{}`)).ID)
		if done.State != stateDone || len(done.UpdatedAccesses) != 1 || len(done.Errors) != 0 {
			t.Fatalf("terminate at %v: %+v", tc.now, done)
		}
		got := decode[resource](t, get(t, s, "/eos/access/"+ppu[i]))
		if got.Status != "PENDING_TERMINATE" || got.EndDateTime != tc.want {
			t.Errorf("terminated at %v: %s until %s, want until %s", tc.now, got.Status, got.EndDateTime, tc.want)
		}
		if !slices.Equal([]resource{got}, done.UpdatedAccesses) {
			t.Errorf("task shows %+v, read shows %+v", done.UpdatedAccesses, got)
		}
	}
	after := atoi(t, get(t, s, endFilter).Header().Get("X-Total-Count"))
	if after != before+4 { // all but December 2026
		t.Errorf("endDateTime filter counted %d before and %d after, want +4", before, after)
	}
	// Terminating again is refused per item; a non-PPU item fails alone.
	nonPPU := s.Fixtures("").Accesses.NonPPU[0]
	done := await(t, s, submit(t, s, primaryToken, "eos", batchBody("terminate", []string{nonPPU, ppu[5]}, `{}`)).ID)
	if len(done.Errors) != 1 || done.Errors[0].AccessID != nonPPU || len(done.UpdatedAccesses) != 1 {
		t.Errorf("mixed terminate: %+v", done)
	}
}

// TestCloseStopsWorker: Close returns promptly with a task pending, and a server
// restarted on the same file finishes it.
func TestCloseStopsWorker(t *testing.T) {
	path := t.TempDir() + "/ref.db"
	s := newServer(t, func(o *Options) { o.DBPath = path; o.TaskStepDelay = time.Hour })
	id := s.Fixtures("").Accesses.PPU[0]
	tk := submit(t, s, primaryToken, "eos", batchBody("update", []string{id}, `{"status":"SUSPENDED"}`))
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > time.Second {
		t.Fatalf("Close took %v", time.Since(start))
	}
	again := newServer(t, func(o *Options) { o.DBPath = path })
	if done := await(t, again, tk.ID); done.State != stateDone || len(done.UpdatedAccesses) != 1 {
		t.Fatalf("resumed task: %+v", done)
	}
}
