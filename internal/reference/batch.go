package reference

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Task states.
const (
	stateAcknowledged = "ACKNOWLEDGED"
	stateInProgress   = "IN_PROGRESS"
	stateDone         = "DONE"
	stateFailed       = "FAILED"
	stateRejected     = "REJECTED"
)

// Item error codes.
const (
	itemNotFound   = "NOT_FOUND"
	itemNotPPU     = "NOT_PPU"
	itemConflict   = "CONFLICT"
	itemInternal   = "INTERNAL"
	wholeBatchItem = "*"
)

// taskIDBase keeps task ids six digits and more: "job-100001".
const taskIDBase = 100000

func taskID(pk int64) string { return "job-" + strconv.FormatInt(taskIDBase+pk, 10) }

// taskPK inverts taskID; only the canonical spelling names a task.
func taskPK(id string) (int64, bool) {
	digits, ok := strings.CutPrefix(id, "job-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n <= taskIDBase || taskID(n-taskIDBase) != id {
		return 0, false
	}
	return n - taskIDBase, true
}

// batchRequest is a validated batch body.
type batchRequest struct {
	operationType string
	ids           []string // distinct, in submission order
	change        change   // for update
}

// storedBody is a task's operation as kept in the database: the password is kept
// only as its bcrypt hash.
type storedBody struct {
	Status       *string `json:"status,omitempty"`
	PasswordHash string  `json:"passwordHash,omitempty"`
}

// itemError is the wire's ItemError.
type itemError struct {
	AccessID string `json:"accessId"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

// taskJSON is the wire's Task.
type taskJSON struct {
	ID              string          `json:"id"`
	State           string          `json:"state"`
	OperationType   string          `json:"operationType"`
	UpdatedAccesses json.RawMessage `json:"updatedAccesses,omitempty"`
	Errors          json.RawMessage `json:"errors,omitempty"`
}

// parseBatch applies the submission rules (SAM-BT-03..06). An id listed twice is
// processed and reported once.
func (s *Server) parseBatch(data []byte) (batchRequest, error) {
	if len(data) == 0 {
		return batchRequest{}, fmt.Errorf("%w: the body is empty", errBody)
	}
	members, err := decodeObject(data)
	if err != nil {
		return batchRequest{}, err
	}
	var b batchRequest
	raw, ok := members["operationType"]
	if !ok {
		return b, fmt.Errorf("%w: operationType is missing", errBody)
	}
	if err := json.Unmarshal(raw, &b.operationType); err != nil || raw[0] != '"' ||
		(b.operationType != "update" && b.operationType != "terminate" && !s.faulty(faultBatchUnknownOperationNoop)) {
		return b, fmt.Errorf("%w: operationType must be \"update\" or \"terminate\"", errBody)
	}
	raw, ok = members["accessesIdList"]
	if !ok {
		return b, fmt.Errorf("%w: accessesIdList is missing", errBody)
	}
	lenientIDs := s.faulty(faultBatchLenientIDList)
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || raw[0] != '[' || (len(items) == 0 && !lenientIDs) {
		return b, fmt.Errorf("%w: accessesIdList must be a non-empty array of strings", errBody)
	}
	seen := map[string]bool{}
	for _, item := range items {
		var id string
		if err := json.Unmarshal(item, &id); err != nil || item[0] != '"' {
			if lenientIDs {
				continue
			}
			return b, fmt.Errorf("%w: accessesIdList must be a non-empty array of strings", errBody)
		}
		if !seen[id] {
			seen[id] = true
			b.ids = append(b.ids, id)
		}
	}
	raw, ok = members["operationBody"]
	if !ok {
		return b, fmt.Errorf("%w: operationBody is missing", errBody)
	}
	switch b.operationType {
	case "update":
		if s.faulty(faultBatchLenientUpdateBody) {
			raw = supportedOnly(raw)
			if string(raw) == "{}" {
				return b, nil // nothing left to change: accepted as a no-op
			}
		}
		if b.change, err = parseChange(raw); err != nil {
			return b, fmt.Errorf("operationBody: %w", err)
		}
	case "terminate":
		body, err := decodeObject(raw)
		if (err != nil || len(body) != 0) && !s.faulty(faultBatchTerminateBodyIgnored) {
			return b, fmt.Errorf("%w: operationBody of terminate must be exactly {}", errBody)
		}
	}
	return b, nil
}

// supportedOnly drops the properties an update cannot set from a JSON object (the
// lenient-update-body fault); anything else is returned as it is.
func supportedOnly(raw json.RawMessage) json.RawMessage {
	members, err := decodeObject(raw)
	if err != nil {
		return raw
	}
	for name := range members {
		if name != "password" && name != "status" {
			delete(members, name)
		}
	}
	out, err := json.Marshal(members)
	if err != nil {
		return raw
	}
	return out
}

func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	t, ok := s.authorize(w, r)
	if !ok {
		return
	}
	if !hasMediaType(r, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json")
		return
	}
	data, ok := readBody(w, r)
	if !ok {
		return
	}
	b, err := s.parseBatch(data)
	if err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_BODY", err.Error())
		return
	}
	hash, err := b.change.hash()
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	ids, _ := json.Marshal(b.ids)
	body, _ := json.Marshal(storedBody{Status: b.change.status, PasswordHash: hash})
	res, err := s.db.ExecContext(r.Context(), `INSERT INTO task (tenant, state, operation_type, ids, body)
		VALUES (?, ?, ?, ?, ?)`, t.id, stateAcknowledged, b.operationType, string(ids), string(body))
	if err != nil {
		s.internalError(w, r, fmt.Errorf("store task: %w", err))
		return
	}
	pk, err := res.LastInsertId()
	if err != nil {
		s.internalError(w, r, fmt.Errorf("store task: %w", err))
		return
	}
	select {
	case s.wake <- struct{}{}:
	default: // the worker is already due to look
	}
	w.Header().Set("Location", "/"+t.name+"/access/batch/"+taskID(pk))
	if s.faulty(faultBatchTaskWithoutID) {
		writeJSON(w, http.StatusAccepted, map[string]string{"taskId": taskID(pk), "state": stateAcknowledged})
		return
	}
	writeJSON(w, http.StatusAccepted, taskJSON{ID: taskID(pk), State: stateAcknowledged, OperationType: b.operationType})
}

func (s *Server) handleTask(w http.ResponseWriter, r *http.Request) {
	t, ok := s.authorize(w, r)
	if !ok {
		return
	}
	pk, ok := taskPK(r.PathValue("taskId"))
	if !ok {
		s.taskNotFound(w, r.PathValue("taskId"))
		return
	}
	tenantClause := "tenant = ?"
	if s.faulty(faultBatchTaskVisibleToOthers) {
		tenantClause = "? IS NOT NULL" // any tenant's task
	}
	var tj taskJSON
	var updated, errs sql.NullString
	err := s.db.QueryRowContext(r.Context(), `SELECT state, operation_type, updated, errors FROM task
		WHERE pk = ? AND (`+tenantClause+`)`, pk, t.id).Scan(&tj.State, &tj.OperationType, &updated, &errs)
	if errors.Is(err, sql.ErrNoRows) {
		s.taskNotFound(w, r.PathValue("taskId"))
		return
	}
	if err != nil {
		s.internalError(w, r, fmt.Errorf("read task: %w", err))
		return
	}
	tj.ID = taskID(pk)
	if updated.Valid {
		tj.UpdatedAccesses = json.RawMessage(updated.String)
	}
	if errs.Valid {
		tj.Errors = json.RawMessage(errs.String)
	}
	writeJSON(w, http.StatusOK, tj)
	if tj.State == stateDone && s.faulty(faultBatchTaskReopens) {
		// Once seen DONE, the task goes back to IN_PROGRESS (and the worker, under this
		// fault, never picks it up again).
		if _, err := s.db.ExecContext(r.Context(), `UPDATE task SET state = ? WHERE pk = ? AND state = ?`,
			stateInProgress, pk, stateDone); err != nil {
			s.log.Error("reopen task", "task", taskID(pk), "err", err)
		}
	}
}

// taskNotFound answers a task id the tenant does not have: 404, or under the
// unknown-task-found fault a made-up REJECTED task.
func (s *Server) taskNotFound(w http.ResponseWriter, id string) {
	if s.faulty(faultBatchUnknownTaskFound) {
		errs, _ := json.Marshal([]itemError{{wholeBatchItem, itemNotFound, "no such task"}})
		writeJSON(w, http.StatusOK, taskJSON{ID: id, State: stateRejected, OperationType: "update", Errors: errs})
		return
	}
	writeError(w, http.StatusNotFound, "NOT_FOUND", "no such task")
}

// work runs batch tasks one at a time, oldest first, until ctx ends. Tasks left
// unfinished by an earlier process (file database) are picked up at start.
func (s *Server) work(ctx context.Context) {
	defer close(s.done)
	for {
		for {
			pk, found, err := s.nextTask(ctx)
			if err != nil {
				if ctx.Err() == nil {
					s.log.Error("batch worker: find task", "err", err)
				}
				break
			}
			if !found {
				break
			}
			if err := s.runTask(ctx, pk); err != nil {
				if ctx.Err() != nil {
					return
				}
				s.log.Error("batch task failed", "task", taskID(pk), "err", err)
				s.failTask(ctx, pk)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
	}
}

func (s *Server) nextTask(ctx context.Context) (int64, bool, error) {
	resumable := stateInProgress
	if s.faulty(faultBatchTaskStuck) || s.faulty(faultBatchTaskReopens) {
		// Those faults leave tasks IN_PROGRESS for good; resuming them would spin.
		resumable = stateAcknowledged
	}
	var pk int64
	err := s.db.QueryRowContext(ctx, `SELECT pk FROM task WHERE state IN (?, ?) ORDER BY pk LIMIT 1`,
		stateAcknowledged, resumable).Scan(&pk)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("next task: %w", err)
	}
	return pk, true, nil
}

func (s *Server) pause(ctx context.Context) error {
	if s.opts.TaskStepDelay <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(s.opts.TaskStepDelay)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// runTask moves a task ACKNOWLEDGED → IN_PROGRESS → DONE. The items are applied in
// the same transaction that records DONE, so a reader who sees DONE sees every
// change (SAM-BT-10). States only move forward.
func (s *Server) runTask(ctx context.Context, pk int64) error {
	if err := s.pause(ctx); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE task SET state = ? WHERE pk = ? AND state = ?`,
		stateInProgress, pk, stateAcknowledged); err != nil {
		return fmt.Errorf("start task: %w", err)
	}
	if s.faulty(faultBatchTaskStuck) {
		var op string
		if err := s.db.QueryRowContext(ctx, `SELECT operation_type FROM task WHERE pk = ?`, pk).Scan(&op); err != nil {
			return fmt.Errorf("read task: %w", err)
		}
		if op == "terminate" {
			return nil // left IN_PROGRESS for good
		}
	}
	if err := s.pause(ctx); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("run task: %w", err)
	}
	defer tx.Rollback()
	var tenantID int64
	var op, idsJSON, bodyJSON string
	if err := tx.QueryRowContext(ctx, `SELECT tenant, operation_type, ids, body FROM task WHERE pk = ?`, pk).
		Scan(&tenantID, &op, &idsJSON, &bodyJSON); err != nil {
		return fmt.Errorf("read task: %w", err)
	}
	var ids []string
	var body storedBody
	if err := json.Unmarshal([]byte(idsJSON), &ids); err != nil {
		return fmt.Errorf("decode task ids: %w", err)
	}
	if err := json.Unmarshal([]byte(bodyJSON), &body); err != nil {
		return fmt.Errorf("decode task body: %w", err)
	}
	updated := []resource{}
	failed := []itemError{}
	end := s.terminationEnd(s.opts.Now())
	terminated := false
	state := stateDone
	for _, id := range ids {
		rec, found, err := s.batchLookup(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		var fail *itemError
		switch {
		case op != "update" && op != "terminate":
			continue // the unknown-operation fault: accepted, and nothing done
		case !found:
			fail = &itemError{id, itemNotFound, "no such access in this tenant"}
		case rec.billing != billingPPU && !s.faulty(faultBatchNonPPUApplied):
			fail = &itemError{id, itemNotPPU, "only Pay-Per-Use accesses can be changed in a batch"}
		case op == "terminate" && rec.status == "TERMINATED",
			op == "update" && (change{status: body.Status}).conflicts(rec.status):
			fail = &itemError{id, itemConflict, "the access is TERMINATED; its status cannot change"}
		}
		if fail != nil {
			if (fail.Code == itemNotPPU && s.faulty(faultBatchNonPPUFailsBatch)) ||
				(fail.Code == itemNotFound && s.faulty(faultBatchUnknownIDFailsBatch)) {
				// One bad item fails the whole batch: nothing is applied.
				state, updated = stateFailed, nil
				failed = []itemError{{wholeBatchItem, fail.Code, "the batch names " + id + ": " + fail.Message}}
				break
			}
			failed = append(failed, *fail)
			continue
		}
		if op == "terminate" {
			rec, err = s.terminate(ctx, tx, rec, end)
			terminated = true
		} else {
			rec, err = s.applyItem(ctx, tx, rec, body.Status, body.PasswordHash)
		}
		if err != nil {
			return err
		}
		updated = append(updated, s.resourceOf(rec))
	}
	if state == stateFailed {
		if err := tx.Rollback(); err != nil {
			return fmt.Errorf("fail task: %w", err)
		}
		tx, err = s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("fail task: %w", err)
		}
		defer tx.Rollback()
		terminated = false
	}
	if s.faulty(faultBatchFailedItemsOmitted) && state == stateDone {
		failed = []itemError{}
	}
	var updatedJSON any
	if state == stateDone {
		data, _ := json.Marshal(updated)
		updatedJSON = string(data)
	}
	failedJSON, _ := json.Marshal(failed)
	if _, err := tx.ExecContext(ctx, `UPDATE task SET state = ?, updated = ?, errors = ? WHERE pk = ?`,
		state, updatedJSON, string(failedJSON), pk); err != nil {
		return fmt.Errorf("finish task: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("finish task: %w", err)
	}
	if terminated {
		s.generation.Add(1) // endDateTime is filterable: cached pages are stale
	}
	s.log.Debug("batch task done", "task", taskID(pk), "updated", len(updated), "failed", len(failed))
	return nil
}

// failTask ends a task the worker could not run as FAILED, changing no access.
func (s *Server) failTask(ctx context.Context, pk int64) {
	errs, _ := json.Marshal([]itemError{{wholeBatchItem, itemInternal, "the task could not be processed"}})
	if _, err := s.db.ExecContext(ctx, `UPDATE task SET state = ?, errors = ? WHERE pk = ? AND state IN (?, ?)`,
		stateFailed, string(errs), pk, stateAcknowledged, stateInProgress); err != nil {
		s.log.Error("batch task: record failure", "task", taskID(pk), "err", err)
	}
}

// endOfBillingPeriod is the last second of now's calendar month in UTC (the
// catalogue's billing period).
func endOfBillingPeriod(now time.Time) string {
	u := now.UTC()
	first := time.Date(u.Year(), u.Month(), 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, 1, 0).Add(-time.Second).Format(time.RFC3339)
}

// terminationEnd is when a batch terminate ends an access: the end of the billing
// period, or under the end-date faults now or the end of the next period.
func (s *Server) terminationEnd(now time.Time) string {
	switch {
	case s.faulty(faultBatchEndsNow):
		return now.UTC().Format(time.RFC3339)
	case s.faulty(faultBatchEndsNextMonth):
		u := now.UTC()
		return endOfBillingPeriod(time.Date(u.Year(), u.Month()+1, 1, 0, 0, 0, 0, time.UTC))
	}
	return endOfBillingPeriod(now)
}

// batchLookup finds an item of a batch in the task's tenant (in any tenant under the
// foreign-access fault).
func (s *Server) batchLookup(ctx context.Context, q querier, tenantID int64, id string) (record, bool, error) {
	rec, found, err := lookup(ctx, q, tenantID, id)
	if err != nil || found || !s.faulty(faultBatchForeignApplied) {
		return rec, found, err
	}
	for _, t := range s.tenants {
		if t.id == tenantID {
			continue
		}
		if rec, found, err = lookup(ctx, q, t.id, id); err != nil || found {
			return rec, found, err
		}
	}
	return record{}, false, nil
}

// applyItem applies a batch update to one access (under the updates-not-applied
// fault it only pretends to).
func (s *Server) applyItem(ctx context.Context, tx *sql.Tx, rec record, status *string, hash string) (record, error) {
	if s.faulty(faultBatchUpdatesNotApplied) {
		if status != nil {
			rec.status = *status
		}
		return rec, nil
	}
	return apply(ctx, tx, rec, status, hash)
}

// apply sets a status and/or a password hash ("" keeps the current one).
func apply(ctx context.Context, tx *sql.Tx, rec record, status *string, hash string) (record, error) {
	if status != nil {
		rec.status = *status
	}
	if hash != "" {
		rec.passwordHash = hash
	}
	if _, err := tx.ExecContext(ctx, `UPDATE access SET status = ?, password_hash = ? WHERE pk = ?`,
		rec.status, nullable(rec.passwordHash), rec.pk); err != nil {
		return record{}, fmt.Errorf("update access: %w", err)
	}
	return rec, nil
}

// terminate schedules the end of an access at end.
func (s *Server) terminate(ctx context.Context, tx *sql.Tx, rec record, end string) (record, error) {
	key, err := storedKey(end)
	if err != nil {
		return record{}, err
	}
	rec.status, rec.endDateTime = "PENDING_TERMINATE", end
	if s.faulty(faultBatchTerminatedAtOnce) {
		rec.status = "TERMINATED"
	}
	if s.faulty(faultBatchUpdatesNotApplied) {
		return rec, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE access SET status = ?, end_date_time = ?, end_ns = ? WHERE pk = ?`,
		rec.status, rec.endDateTime, key, rec.pk); err != nil {
		return record{}, fmt.Errorf("terminate access: %w", err)
	}
	return rec, nil
}
