package reference

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
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

// errBody marks a request body the API rejects with 400; errNotObject, wrapping it,
// a body that is JSON but not an object.
var (
	errBody      = errors.New("invalid body")
	errNotObject = fmt.Errorf("%w: not a JSON object", errBody)
)

// Outcomes of storing a change that are not server errors.
var (
	errNoAccess   = errors.New("no such access")
	errTerminated = errors.New("the access is TERMINATED")
)

// mergePatch is the only media type PATCH accepts (SAM-UP-01, -02).
const mergePatch = "application/merge-patch+json"

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
		return nil, errNotObject
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
	// username is set only by the update-applies-username fault.
	username *string
}

// parseChange applies the single-update body rules (SAM-UP-03..07, -11, -15): a JSON
// object, not empty, no nulls, only "password" (a string of at most 72 UTF-8 bytes)
// and "status" (ACTIVE, SUSPENDED or TERMINATED). Messages never quote a password.
func parseChange(data []byte) (change, error) {
	c, err := updateRules{}.parse(data)
	if err != nil {
		return change{}, err
	}
	return c, nil
}

// updateRules parses an update body. The zero value keeps the catalogue's rules (the
// batch endpoint uses it); on the PATCH endpoint it carries the server, whose faults
// bend the rules, each at one place below.
type updateRules struct{ s *Server }

func (u updateRules) faulty(name string) bool { return u.s != nil && u.s.faulty(name) }

// parse returns the change and the first broken rule, in member name order. On an
// error the change still holds the members that were valid: the caller must not apply
// it (only the update-not-atomic fault does).
func (u updateRules) parse(data []byte) (change, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return change{}, fmt.Errorf("%w: the body is empty", errBody)
	}
	members, err := decodeObject(data)
	if errors.Is(err, errNotObject) && u.faulty(faultUpdateNonObjectAccepted) {
		return change{}, nil // an array, string or number is taken as "change nothing"
	}
	if err != nil {
		return change{}, err
	}
	if len(members) == 0 && !u.faulty(faultUpdateEmptyAccepted) {
		return change{}, fmt.Errorf("%w: the body sets nothing; give password or status", errBody)
	}
	names := make([]string, 0, len(members))
	for name := range members {
		names = append(names, name)
	}
	sort.Strings(names)
	var (
		c     change
		first error
	)
	for _, name := range names {
		if err := u.member(&c, name, members[name]); err != nil && first == nil {
			first = err
		}
	}
	return c, first
}

// member validates one property of the body into c.
func (u updateRules) member(c *change, name string, raw json.RawMessage) error {
	if string(raw) == "null" {
		if u.faulty(faultUpdateNullAsAbsent) {
			return nil
		}
		return fmt.Errorf("%w: %q is null", errBody, name)
	}
	switch name {
	case "password":
		p, err := u.password(raw)
		if err != nil {
			return err
		}
		c.password = &p
	case "status":
		st, err := u.status(raw)
		if err != nil {
			return err
		}
		c.status = &st
	case "username":
		var v string
		if u.faulty(faultUpdateAppliesUsername) && json.Unmarshal(raw, &v) == nil {
			c.username = &v
			return nil
		}
		return unsupported(name)
	default:
		return unsupported(name)
	}
	return nil
}

func unsupported(name string) error {
	return fmt.Errorf("%w: property %q cannot be updated; only password and status can", errBody, name)
}

func (u updateRules) status(raw json.RawMessage) (string, error) {
	var st string
	if err := json.Unmarshal(raw, &st); err != nil {
		return "", fmt.Errorf("%w: status must be a string", errBody)
	}
	if u.faulty(faultUpdateStatusCaseInsensitive) {
		st = strings.ToUpper(st)
	}
	switch st {
	case "ACTIVE", "SUSPENDED", "TERMINATED":
		return st, nil
	}
	return "", fmt.Errorf("%w: status %q is not ACTIVE, SUSPENDED or TERMINATED", errBody, st)
}

func (u updateRules) password(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || raw[0] != '"' {
		if u.faulty(faultUpdatePasswordNonString) {
			return string(raw), nil // a number, boolean or object is taken as its JSON text
		}
		return "", fmt.Errorf("%w: password must be a string", errBody)
	}
	if !utf8.Valid(raw) {
		return "", fmt.Errorf("%w: password is not valid UTF-8", errBody)
	}
	var p string
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", fmt.Errorf("%w: password must be a string", errBody)
	}
	if u.overLimit(p) {
		return "", fmt.Errorf("%w: password is %d bytes of UTF-8; at most %d are allowed", errBody, len(p), maxPasswordBytes)
	}
	return p, nil
}

// overLimit is SAM-UP-06: the limit counts UTF-8 bytes.
func (u updateRules) overLimit(p string) bool {
	n, limit := len(p), maxPasswordBytes
	if u.faulty(faultUpdateLimitCharacters) {
		n = utf8.RuneCountInString(p)
	}
	if u.faulty(faultUpdateLimit71Bytes) {
		limit--
	}
	if u.faulty(faultUpdateLimit73Bytes) {
		limit++
	}
	return n > limit
}

// hash is the bcrypt hash of the change's password, "" when it sets none. Only a
// fault lets a password over 72 bytes through; bcrypt sees its first 72 bytes, as
// implementations that truncate silently do.
func (c change) hash() (string, error) {
	if c.password == nil {
		return "", nil
	}
	p := []byte(*c.password)
	if len(p) > maxPasswordBytes {
		p = p[:maxPasswordBytes]
	}
	h, err := bcrypt.GenerateFromPassword(p, passwordCost)
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

// acceptsMediaType is SAM-UP-02: application/merge-patch+json only.
func (s *Server) acceptsMediaType(r *http.Request) bool {
	switch {
	case s.faulty(faultUpdateMediaTypeExact):
		return r.Header.Get("Content-Type") == mergePatch // parameters make it another type
	case hasMediaType(r, mergePatch):
		return true
	case s.faulty(faultUpdateAcceptsJSON) && hasMediaType(r, "application/json"):
		return true
	case s.faulty(faultUpdateAcceptsNoContentType) && r.Header.Get("Content-Type") == "":
		return true
	}
	return false
}

func (s *Server) handleUpdate(w http.ResponseWriter, r *http.Request) {
	t, ok := s.authorize(w, r)
	if !ok {
		return
	}
	if !s.acceptsMediaType(r) {
		writeError(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/merge-patch+json")
		return
	}
	data, ok := readBody(w, r)
	if !ok {
		return
	}
	ctx, id := r.Context(), r.PathValue("id")
	c, err := updateRules{s}.parse(data)
	if err != nil {
		if c.status != nil && s.faulty(faultUpdateNotAtomic) {
			// The valid status is stored although the request as a whole is rejected.
			if _, _, serr := s.store(ctx, t.id, id, change{status: c.status}); serr != nil {
				s.log.Warn("update-not-atomic: storing the partial change failed", "err", serr)
			}
		}
		writeError(w, http.StatusBadRequest, "INVALID_BODY", err.Error())
		return
	}
	before, after, err := s.store(ctx, t.id, id, c)
	switch {
	case errors.Is(err, errNoAccess) && s.faulty(faultUpdateUnknownID200):
		writeJSON(w, http.StatusOK, s.invented(t, id, c))
		return
	case errors.Is(err, errNoAccess):
		writeError(w, http.StatusNotFound, "NOT_FOUND", "no such access")
		return
	case errors.Is(err, errTerminated):
		writeError(w, http.StatusConflict, "CONFLICT", "the access is TERMINATED; its status cannot change")
		return
	case err != nil:
		s.internalError(w, r, err)
		return
	}
	res := s.resourceOf(after)
	if s.faulty(faultUpdateAnswersOldStatus) {
		res.Status = before.status
	}
	res.Password = c.password // SAM-UP-12: only the answer to the rotation shows it
	writeJSON(w, http.StatusOK, res)
}

// store applies a validated change in one transaction: it reads the access, refuses
// to revive a TERMINATED one, and writes. It returns the access before and after.
func (s *Server) store(ctx context.Context, tenantID int64, id string, c change) (before, after record, err error) {
	hash, err := c.hash()
	if err != nil {
		return record{}, record{}, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return record{}, record{}, fmt.Errorf("update: %w", err)
	}
	defer tx.Rollback()
	before, found, err := lookup(ctx, tx, tenantID, id)
	if err != nil {
		return record{}, record{}, err
	}
	if !found {
		return record{}, record{}, errNoAccess
	}
	if c.conflicts(before.status) {
		return record{}, record{}, errTerminated
	}
	if after, err = apply(ctx, tx, before, c.status, hash); err != nil {
		return record{}, record{}, err
	}
	if c.username != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE access SET username = ? WHERE pk = ?`, *c.username, after.pk); err != nil {
			return record{}, record{}, fmt.Errorf("update username: %w", err)
		}
		after.username = *c.username
	}
	if s.faulty(faultUpdateNotStored) {
		return before, after, nil // answered as stored; the deferred rollback drops it
	}
	if err := tx.Commit(); err != nil {
		return record{}, record{}, fmt.Errorf("update commit: %w", err)
	}
	if c.username != nil {
		s.generation.Add(1) // username is filterable: cached pages are stale
	}
	return before, after, nil
}

// invented is what the update-unknown-id-200 fault answers for an unknown id: an
// access made up on the spot, as an upsert would.
func (s *Server) invented(t tenant, id string, c change) resource {
	res := resource{
		ID: id, Href: "/" + url.PathEscape(t.name) + "/access/" + url.PathEscape(id), Type: "RealizingResource",
		Name: id, Status: "ACTIVE", ContractID: "0", ProductOfferingID: "PPU", Username: id,
		CreatedBy: "reference", StartDateTime: s.opts.Now().UTC().Format(time.RFC3339),
	}
	if c.status != nil {
		res.Status = *c.status
	}
	res.Password = c.password
	return res
}
