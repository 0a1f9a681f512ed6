package reference

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// state is what a PATCH may change, read straight from the database.
func state(t *testing.T, s *Server, id string) (status, hash string) {
	t.Helper()
	if err := s.db.QueryRow(`SELECT status, coalesce(password_hash, '') FROM access WHERE id = ?`, id).Scan(&status, &hash); err != nil {
		t.Fatalf("state of %s: %v", id, err)
	}
	return status, hash
}

// TestPatchRejections: every invalid body is a 400 with a JSON error and changes
// nothing (SAM-UP-03..08, -11, -15), checked on an ACTIVE PPU access.
func TestPatchRejections(t *testing.T) {
	s := newServer(t, nil)
	id := s.Fixtures("").Accesses.PPU[0]
	wantStatus(t, patch(t, s, id, `{"password":"before"}`), http.StatusOK)
	beforeStatus, beforeHash := state(t, s, id)
	for _, body := range []string{
		"", " ", "{", `{"status":"ACTIVE"`, `[]`, `["status"]`, `"ACTIVE"`, `42`, `null`, `true`,
		`{}`, `{"status":null}`, `{"password":null}`, `{"status":"SUSPENDED","password":null}`,
		`{"status":"ACTIVE","status":"SUSPENDED"}`, `{"password":"a","password":"a"}`,
		`{"Status":"SUSPENDED"}`, `{"PASSWORD":"x"}`, `{"contractId":"1"}`, `{"status":"SUSPENDED","username":"u"}`,
		`{"deviceName":"d"}`, `{"status":"SUSPENDED","productOfferingId":"PPU_X"}`,
		`{"password":12345}`, `{"password":true}`, `{"password":{"a":1}}`, `{"password":["a"]}`,
		`{"status":"active"}`, `{"status":"PENDING_ACTIVE"}`, `{"status":"PENDING_TERMINATE"}`, `{"status":1}`,
		`{"status":"SUSPENDED "}`, `{"status":["SUSPENDED"]}`,
		`{"password":"` + strings.Repeat("a", 73) + `"}`,
		`{"password":"` + strings.Repeat("€", 25) + `"}`,
		`{"password":"` + strings.Repeat("a", 71) + `é"}`,
		`{"status":"SUSPENDED","password":"` + strings.Repeat("a", 73) + `"}`,
		`{"status":"SUSPENDED"} {}`, `{"status":"SUSPENDED"}x`,
		"{\"password\":\"\xff\xfe\"}",
	} {
		w := patch(t, s, id, body)
		if w.Code != http.StatusBadRequest {
			t.Errorf("body %q: status %d, want 400: %s", body, w.Code, excerpt(w.Body.String()))
			continue
		}
		wantError(t, w, http.StatusBadRequest)
		if strings.Contains(w.Body.String(), strings.Repeat("a", 71)) {
			t.Errorf("body %q: the error quotes the password", body)
		}
		if st, h := state(t, s, id); st != beforeStatus || h != beforeHash {
			t.Fatalf("body %q changed the access", body)
		}
	}
}

// TestPatchPasswordBytes: the limit is 72 bytes of UTF-8 (SAM-UP-06); accepted
// passwords are stored as bcrypt hashes and returned only in the PATCH answer.
func TestPatchPasswordBytes(t *testing.T) {
	s := newServer(t, nil)
	id := s.Fixtures("").Accesses.PPU[0]
	for _, tc := range []struct {
		password string
		status   int
	}{
		{strings.Repeat("a", 72), 200},
		{strings.Repeat("€", 24), 200},
		{"", 200},
		{"\u00e9", 200},
		{strings.Repeat("a", 70) + "é", 200},
		{strings.Repeat("a", 73), 400},
		{strings.Repeat("€", 25), 400},
		{strings.Repeat("a", 71) + "é", 400},
		{strings.Repeat("🙂", 18) + "a", 400},
	} {
		w := patch(t, s, id, `{"password":"`+tc.password+`"}`)
		if w.Code != tc.status {
			t.Errorf("%d bytes: status %d, want %d", len(tc.password), w.Code, tc.status)
			continue
		}
		if tc.status != 200 {
			continue
		}
		res := decode[resource](t, w)
		if res.Password == nil || *res.Password != tc.password {
			t.Errorf("%d bytes: the answer does not show the new password", len(tc.password))
		}
		_, hash := state(t, s, id)
		if bcrypt.CompareHashAndPassword([]byte(hash), []byte(tc.password)) != nil {
			t.Errorf("%d bytes: stored hash does not match", len(tc.password))
		}
		if strings.Contains(get(t, s, "/eos/access/"+id).Body.String(), "password") {
			t.Fatal("a read after the rotation carries password")
		}
	}
	// An escaped password counts its decoded bytes.
	wantStatus(t, patch(t, s, id, `{"password":"`+strings.Repeat(`\u20ac`, 24)+`"}`), http.StatusOK)
	wantStatus(t, patch(t, s, id, `{"password":"`+strings.Repeat(`\u20ac`, 25)+`"}`), http.StatusBadRequest)
}

// TestPatchUpdates: status changes persist, the answer is the updated resource, a
// repeat gives the same answer, TERMINATED is permanent (SAM-UP-01, -09, -12..14).
func TestPatchUpdates(t *testing.T) {
	s := newServer(t, nil)
	f := s.Fixtures("")
	id := f.Accesses.NonPPU[0]
	first := patch(t, s, id, `{"status":"SUSPENDED","password":"pw-1"}`)
	wantStatus(t, first, http.StatusOK)
	res := decode[resource](t, first)
	if res.ID != id || res.Status != "SUSPENDED" || res.Password == nil || *res.Password != "pw-1" {
		t.Fatalf("PATCH answer: %+v", res)
	}
	again := patch(t, s, id, `{"status":"SUSPENDED","password":"pw-1"}`)
	if again.Code != http.StatusOK || again.Body.String() != first.Body.String() {
		t.Errorf("repeat: %d %s", again.Code, again.Body.String())
	}
	if got := decode[resource](t, get(t, s, "/eos/access/"+id)); got.Status != "SUSPENDED" || got.Password != nil {
		t.Errorf("read after PATCH: %+v", got)
	}
	// Media type parameters and case are fine.
	w := do(t, s, req{method: http.MethodPatch, target: "/eos/access/" + id,
		contentType: "Application/Merge-Patch+JSON; charset=utf-8", body: `{"status":"ACTIVE"}`})
	wantStatus(t, w, http.StatusOK)

	// TERMINATED is permanent; a conflicting request changes nothing, not even the password.
	term := f.Accesses.Terminated[0]
	_, hash := state(t, s, term)
	for _, body := range []string{`{"status":"ACTIVE"}`, `{"status":"SUSPENDED","password":"x"}`} {
		wantError(t, patch(t, s, term, body), http.StatusConflict)
		if st, h := state(t, s, term); st != "TERMINATED" || h != hash {
			t.Fatalf("%s changed a TERMINATED access", body)
		}
	}
	wantStatus(t, patch(t, s, term, `{"status":"TERMINATED"}`), http.StatusOK)
	wantStatus(t, patch(t, s, f.Accesses.PPU[1], `{"status":"TERMINATED"}`), http.StatusOK)
	wantError(t, patch(t, s, f.Accesses.PPU[1], `{"status":"ACTIVE"}`), http.StatusConflict)

	// Unknown and foreign ids are 404, and the foreign access is unchanged.
	wantError(t, patch(t, s, "eos_0000000000", `{"status":"SUSPENDED"}`), http.StatusNotFound)
	sec := f.Accesses.Secondary[0]
	wantError(t, patch(t, s, sec, `{"status":"SUSPENDED"}`), http.StatusNotFound)
	if st, _ := state(t, s, sec); st != "ACTIVE" {
		t.Fatal("a PATCH through another tenant changed the access")
	}
}

// TestPatchMediaType: any other content type is 415 and changes nothing (SAM-UP-02).
func TestPatchMediaType(t *testing.T) {
	s := newServer(t, nil)
	id := s.Fixtures("").Accesses.PPU[0]
	for _, ct := range []string{"", "application/json", "text/plain", "application/merge-patch", "application/json-patch+json", "garbage;;"} {
		w := do(t, s, req{method: http.MethodPatch, target: "/eos/access/" + id, contentType: ct, body: `{"status":"SUSPENDED"}`})
		wantError(t, w, http.StatusUnsupportedMediaType)
	}
	if st, _ := state(t, s, id); st != "ACTIVE" {
		t.Fatal("a 415 changed the access")
	}
}
