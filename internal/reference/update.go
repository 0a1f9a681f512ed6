package reference

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// maxPasswordBytes is bcrypt's limit, which the API adopts: UTF-8 bytes, not
// characters (SAM-UP-06).
const maxPasswordBytes = 72

// passwordCost: the reference server uses bcrypt's minimum cost on purpose. It
// guards no real secrets, and the suite rotates many passwords, where the default
// cost would cost tens of milliseconds each.
const passwordCost = bcrypt.MinCost

// errBody marks a request body the API rejects with 400.
var errBody = errors.New("invalid body")

// decodeObject reads a JSON object whose member names are unique, keeping each
// member's raw value. A duplicate name is an error (SAM-UP-15) rather than silently
// resolved, as encoding/json would do.
func decodeObject(data []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%w: malformed JSON", errBody)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", errBody)
	}
	members := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: malformed JSON", errBody)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("%w: malformed JSON", errBody)
		}
		if _, dup := members[name]; dup {
			return nil, fmt.Errorf("%w: property %q appears more than once", errBody, name)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%w: malformed JSON", errBody)
		}
		members[name] = bytes.TrimSpace(raw)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%w: malformed JSON", errBody)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the JSON object", errBody)
	}
	return members, nil
}

// change is a validated update: what a PATCH (or a batch update's operationBody)
// sets. Nil fields are left as they are.
type change struct {
	status   *string
	password *string
}

// parseChange applies the single-update body rules (SAM-UP-03..07, -11, -15): a JSON
// object, not empty, no nulls, only "password" (a string of at most 72 UTF-8 bytes)
// and "status" (ACTIVE, SUSPENDED or TERMINATED). Messages never quote a password.
func parseChange(data []byte) (change, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return change{}, fmt.Errorf("%w: the body is empty", errBody)
	}
	members, err := decodeObject(data)
	if err != nil {
		return change{}, err
	}
	if len(members) == 0 {
		return change{}, fmt.Errorf("%w: the body sets nothing; give password or status", errBody)
	}
	var c change
	for name, raw := range members {
		if string(raw) == "null" {
			return change{}, fmt.Errorf("%w: %q is null", errBody, name)
		}
		switch name {
		case "password":
			p, err := passwordValue(raw)
			if err != nil {
				return change{}, err
			}
			c.password = &p
		case "status":
			var st string
			if err := json.Unmarshal(raw, &st); err != nil {
				return change{}, fmt.Errorf("%w: status must be a string", errBody)
			}
			switch st {
			case "ACTIVE", "SUSPENDED", "TERMINATED":
				c.status = &st
			default:
				return change{}, fmt.Errorf("%w: status %q is not ACTIVE, SUSPENDED or TERMINATED", errBody, st)
			}
		default:
			return change{}, fmt.Errorf("%w: property %q cannot be updated; only password and status can", errBody, name)
		}
	}
	return c, nil
}

func passwordValue(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", fmt.Errorf("%w: password must be a string", errBody)
	}
	if !utf8.Valid(raw) {
		return "", fmt.Errorf("%w: password is not valid UTF-8", errBody)
	}
	var p string
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", fmt.Errorf("%w: password must be a string", errBody)
	}
	if len(p) > maxPasswordBytes {
		return "", fmt.Errorf("%w: password is %d bytes of UTF-8; at most %d are allowed", errBody, len(p), maxPasswordBytes)
	}
	return p, nil
}

// hash is the bcrypt hash of the change's password, "" when it sets none.
func (c change) hash() (string, error) {
	if c.password == nil {
		return "", nil
	}
	h, err := bcrypt.GenerateFromPassword([]byte(*c.password), passwordCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// conflicts reports whether applying the change to status would revive a TERMINATED
// access (SAM-UP-13).
func (c change) conflicts(status string) bool {
	return status == "TERMINATED" && c.status != nil && *c.status != "TERMINATED"
}

// hasMediaType reports whether the request's Content-Type is want, parameters
// (such as charset) allowed.
func hasMediaType(r *http.Request, want string) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == want
}

func (s *Server) handleUpdate(w http.ResponseWriter, r *http.Request) {
	t, ok := s.authorize(w, r)
	if !ok {
		return
	}
	if !hasMediaType(r, "application/merge-patch+json") {
		writeError(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/merge-patch+json")
		return
	}
	data, ok := readBody(w, r)
	if !ok {
		return
	}
	c, err := parseChange(data)
	if err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_BODY", err.Error())
		return
	}
	hash, err := c.hash()
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	// Everything is validated; now one transaction reads, checks and writes.
	ctx := r.Context()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		s.internalError(w, r, fmt.Errorf("update: %w", err))
		return
	}
	defer tx.Rollback()
	rec, found, err := lookup(ctx, tx, t.id, r.PathValue("id"))
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	if !found {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "no such access")
		return
	}
	if c.conflicts(rec.status) {
		writeError(w, http.StatusConflict, "CONFLICT", "the access is TERMINATED; its status cannot change")
		return
	}
	rec, err = apply(ctx, tx, rec, c.status, hash)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	if err := tx.Commit(); err != nil {
		s.internalError(w, r, fmt.Errorf("update commit: %w", err))
		return
	}
	res := s.resourceOf(rec)
	res.Password = c.password // SAM-UP-12: only the answer to the rotation shows it
	writeJSON(w, http.StatusOK, res)
}
