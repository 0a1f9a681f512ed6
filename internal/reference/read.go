package reference

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
)

// resource is the wire's RealizingResource. createdAt is filter-only and set only by
// a fault (SAM-RD-04); password is set only in the answer to a PATCH that set it.
type resource struct {
	ID                string  `json:"id"`
	Href              string  `json:"href"`
	Type              string  `json:"@type"`
	Name              string  `json:"name"`
	Status            string  `json:"status"`
	ContractID        string  `json:"contractId"`
	ProductOfferingID string  `json:"productOfferingId"`
	Username          string  `json:"username"`
	DeviceName        string  `json:"deviceName,omitempty"`
	CreatedBy         string  `json:"createdBy"`
	StartDateTime     string  `json:"startDateTime"`
	EndDateTime       string  `json:"endDateTime,omitempty"`
	Password          *string `json:"password,omitempty"`
	CreatedAt         string  `json:"createdAt,omitempty"`
}

func (s *Server) resourceOf(r record) resource {
	res := resource{
		ID:                r.id,
		Href:              "/" + url.PathEscape(s.tenantByID(r.tenant).name) + "/access/" + url.PathEscape(r.id),
		Type:              "RealizingResource",
		Name:              r.name,
		Status:            r.status,
		ContractID:        r.contractID,
		ProductOfferingID: r.productOfferingID,
		Username:          r.username,
		DeviceName:        r.deviceName,
		CreatedBy:         r.createdBy,
		StartDateTime:     r.startDateTime,
		EndDateTime:       r.endDateTime,
	}
	if s.faulty(faultStatusLowerCase) {
		res.Status = strings.ToLower(res.Status)
	}
	return res
}

// readResource is what list and read-one send for a record.
func (s *Server) readResource(r record) resource {
	res := s.resourceOf(r)
	if s.faulty(faultReadLeaksPassword) {
		hash := r.passwordHash
		res.Password = &hash
	}
	if s.faulty(faultReadLeaksCreatedAt) {
		res.CreatedAt = r.createdAt
	}
	if s.faulty(faultReadBadStatus) && res.Status == "PENDING_TERMINATE" {
		res.Status = "PENDING_TERMINATION"
	}
	return res
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// lookup finds an access of a tenant by id; found is false for an unknown id or
// another tenant's.
func lookup(ctx context.Context, q querier, tenantID int64, id string) (record, bool, error) {
	r, err := scanRecord(q.QueryRowContext(ctx, `SELECT `+recordCols+` FROM access WHERE id = ? AND tenant = ?`, id, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return record{}, false, nil
	}
	if err != nil {
		return record{}, false, fmt.Errorf("look up access: %w", err)
	}
	return r, true, nil
}

// lookupAnyTenant finds an access by id in whichever tenant holds it: what the
// isolation fault does instead of lookup.
func lookupAnyTenant(ctx context.Context, q querier, id string) (record, bool, error) {
	r, err := scanRecord(q.QueryRowContext(ctx, `SELECT `+recordCols+` FROM access WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return record{}, false, nil
	}
	if err != nil {
		return record{}, false, fmt.Errorf("look up access in any tenant: %w", err)
	}
	return r, true, nil
}

// neighbour is the tenant's access after pk (wrapping to the first): what the read
// faults answer with instead of the right access.
func neighbour(ctx context.Context, q querier, tenantID, pk int64) (record, bool, error) {
	r, err := scanRecord(q.QueryRowContext(ctx, `SELECT `+recordCols+` FROM access
		WHERE tenant = ? AND pk <> ? ORDER BY pk > ? DESC, pk LIMIT 1`, tenantID, pk, pk))
	if errors.Is(err, sql.ErrNoRows) {
		return record{}, false, nil
	}
	if err != nil {
		return record{}, false, fmt.Errorf("look up neighbour: %w", err)
	}
	return r, true, nil
}

func (s *Server) handleRead(w http.ResponseWriter, r *http.Request) {
	t, ok := s.authorize(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	rec, found, err := lookup(ctx, s.db, t.id, r.PathValue("id"))
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	switch {
	case !found && s.faulty(faultIsolationReadOtherTenant):
		rec, found, err = lookupAnyTenant(ctx, s.db, r.PathValue("id"))
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	switch {
	case !found && s.faulty(faultReadUnknown200):
		rec, found, err = neighbour(ctx, s.db, t.id, 0)
	case found && s.faulty(faultReadWrongID):
		rec, found, err = neighbour(ctx, s.db, t.id, rec.pk)
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	if !found {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "no such access")
		return
	}
	if s.faulty(faultReadFirst500) {
		if _, seen := s.readOnce.LoadOrStore(rec.id, true); !seen {
			writeError(w, http.StatusInternalServerError, "CACHE_MISS", "try again")
			return
		}
	}
	if s.faulty(faultReadHTMLPage) && rec.status == "ACTIVE" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("<!doctype html><title>Access</title><p>" + html.EscapeString(rec.name) + "</p>"))
		return
	}
	writeJSON(w, http.StatusOK, s.readResource(rec))
}
