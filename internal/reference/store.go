package reference

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/url"
	"time"

	"github.com/accessctk/accessctk/fuzz/filter"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// The tables. Every instant is kept twice: the string responses show, and a UTC
// integer key (unix nanoseconds) that filters compare, so offsets never matter.
// Text columns use SQLite's default BINARY collation: "=" is exact and
// case-sensitive. role is the fixture role an access was seeded for (internal).
const schema = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE access (
	pk INTEGER PRIMARY KEY,
	tenant INTEGER NOT NULL,
	id TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('PENDING_ACTIVE','ACTIVE','SUSPENDED','PENDING_TERMINATE','TERMINATED')),
	contract_id TEXT NOT NULL,
	product_offering_id TEXT NOT NULL,
	username TEXT NOT NULL,
	device_name TEXT,
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	created_at_ns INTEGER NOT NULL,
	start_date_time TEXT NOT NULL,
	start_ns INTEGER NOT NULL,
	end_date_time TEXT,
	end_ns INTEGER,
	billing TEXT NOT NULL CHECK (billing IN ('PPU','PREPAID')),
	role TEXT NOT NULL,
	password_hash TEXT,
	CHECK (status <> 'PENDING_ACTIVE' OR billing = 'PREPAID')
);
CREATE TABLE task (
	pk INTEGER PRIMARY KEY,
	tenant INTEGER NOT NULL,
	state TEXT NOT NULL,
	operation_type TEXT NOT NULL,
	ids TEXT NOT NULL,
	body TEXT NOT NULL,
	updated TEXT,
	errors TEXT
);
`

// Indexes are built after seeding (much faster than maintaining them row by row).
// Each text index leads with the tenant and ends, implicitly, with the rowid, so an
// equality filter reads its rows already in primary-key order: keyset paging needs
// no sort. There is deliberately no ANALYZE: its STAT4 histograms make SQLite probe
// once per OR term while planning (2.3 s for a 3000-term OR instead of 0.3 s), and
// the plans without statistics are already the keyset-friendly ones.
const indexes = `
CREATE INDEX access_tenant ON access(tenant);
CREATE INDEX access_contract ON access(tenant, contract_id);
CREATE INDEX access_offering ON access(tenant, product_offering_id);
CREATE INDEX access_created_by ON access(tenant, created_by);
CREATE INDEX access_name ON access(tenant, name);
CREATE INDEX access_username ON access(tenant, username);
`

// Billing kinds and fixture roles.
const (
	billingPPU     = "PPU"
	billingPrepaid = "PREPAID"

	roleNone       = ""
	rolePPU        = "ppu"
	roleNonPPU     = "nonppu"
	roleTerminated = "terminated"
	roleSecondary  = "secondary"
)

// record is one access as stored. Optional strings use "" for absent (NULL).
type record struct {
	pk                int64
	tenant            int64
	id                string
	name              string
	status            string
	contractID        string
	productOfferingID string
	username          string
	deviceName        string
	createdBy         string
	createdAt         string
	startDateTime     string
	endDateTime       string
	billing           string
	role              string
	passwordHash      string
}

// field gives the record's value for a filter field, for the oracle.
func (r record) field(name string) (string, bool) {
	switch name {
	case "contractId":
		return r.contractID, true
	case "productOfferingId":
		return r.productOfferingID, true
	case "createdBy":
		return r.createdBy, true
	case "name":
		return r.name, true
	case "username":
		return r.username, true
	case "createdAt":
		return r.createdAt, true
	case "startDateTime":
		return r.startDateTime, true
	case "endDateTime":
		return r.endDateTime, r.endDateTime != ""
	}
	return "", false
}

const recordCols = `pk, tenant, id, name, status, contract_id, product_offering_id, username,
	coalesce(device_name, ''), created_by, created_at, start_date_time, coalesce(end_date_time, ''),
	billing, role, coalesce(password_hash, '')`

type scanner interface{ Scan(dest ...any) error }

func scanRecord(sc scanner) (record, error) {
	var r record
	err := sc.Scan(&r.pk, &r.tenant, &r.id, &r.name, &r.status, &r.contractID, &r.productOfferingID,
		&r.username, &r.deviceName, &r.createdBy, &r.createdAt, &r.startDateTime, &r.endDateTime,
		&r.billing, &r.role, &r.passwordHash)
	return r, err
}

// instantKey is the integer a stored or queried instant compares as. Stored instants
// lie within storableInstant's range; a queried instant outside it saturates, which
// keeps every comparison right because no stored key equals a saturated one.
func instantKey(t time.Time) int64 {
	lo, hi := instantRange()
	switch {
	case t.Before(lo):
		return math.MinInt64
	case t.After(hi):
		return math.MaxInt64
	}
	return t.UnixNano()
}

func instantRange() (time.Time, time.Time) {
	return time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
}

// storedKey parses an instant the server is about to store; it must lie inside the
// exact range of instantKey.
func storedKey(s string) (int64, error) {
	t, err := filter.ParseInstant(s)
	if err != nil {
		return 0, fmt.Errorf("instant %q: %w", s, err)
	}
	lo, hi := instantRange()
	if t.Before(lo) || t.After(hi) {
		return 0, fmt.Errorf("instant %q is outside the storable range", s)
	}
	return t.UnixNano(), nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// openDB opens the store. In memory, one connection holds the whole database, so the
// pool keeps exactly one and never retires it; a file database does the same, which
// also serializes writers (the server's load is small and correctness comes first).
func openDB(ctx context.Context, path string) (*sql.DB, error) {
	dsn := ":memory:"
	if path != "" {
		dsn = "file:" + (&url.URL{Path: path}).EscapedPath() +
			"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	return db, nil
}

// dataSet names what a database was seeded with, so a file database is reused only
// for the same data set.
func dataSet(o Options) string {
	return fmt.Sprintf("skylark-reference v1 seed=%d ppuPool=%d bulk=%d", o.Seed, o.PPUPool, o.BulkAccesses)
}

// prepare creates and seeds the database, or checks that an existing file holds the
// same data set (then its state, changed by earlier runs, is kept).
func prepare(ctx context.Context, db *sql.DB, o Options) (reused bool, err error) {
	var have string
	err = db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'dataset'`).Scan(&have)
	switch {
	case err == nil:
		if have != dataSet(o) {
			return false, fmt.Errorf("database holds data set %q, not %q: remove it or use the same options", have, dataSet(o))
		}
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("database has a meta table but no data set: remove it")
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&n); err != nil {
		return false, fmt.Errorf("inspect database: %w", err)
	}
	if n > 0 {
		return false, fmt.Errorf("database is not empty and was not made by the reference server")
	}
	if err := seed(ctx, db, o); err != nil {
		return false, err
	}
	return false, nil
}

// seed writes the schema, the generated data set and the bulk accesses in one
// transaction with one prepared statement, then builds the indexes.
func seed(ctx context.Context, db *sql.DB, o Options) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO access (tenant, id, name, status, contract_id,
		product_offering_id, username, device_name, created_by, created_at, created_at_ns,
		start_date_time, start_ns, end_date_time, end_ns, billing, role)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	defer stmt.Close()
	insert := func(r record) error {
		created, err := storedKey(r.createdAt)
		if err != nil {
			return fmt.Errorf("seed %s createdAt: %w", r.id, err)
		}
		start, err := storedKey(r.startDateTime)
		if err != nil {
			return fmt.Errorf("seed %s startDateTime: %w", r.id, err)
		}
		var end any
		if r.endDateTime != "" {
			k, err := storedKey(r.endDateTime)
			if err != nil {
				return fmt.Errorf("seed %s endDateTime: %w", r.id, err)
			}
			end = k
		}
		_, err = stmt.ExecContext(ctx, r.tenant, r.id, r.name, r.status, r.contractID,
			r.productOfferingID, r.username, nullable(r.deviceName), r.createdBy, r.createdAt, created,
			r.startDateTime, start, nullable(r.endDateTime), end, r.billing, r.role)
		if err != nil {
			return fmt.Errorf("seed %s: %w", r.id, err)
		}
		return nil
	}
	if err := generate(o.Seed, o.PPUPool, o.BulkAccesses, insert); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('dataset', ?)`, dataSet(o)); err != nil {
		return fmt.Errorf("seed meta: %w", err)
	}
	if _, err := tx.ExecContext(ctx, indexes); err != nil {
		return fmt.Errorf("create indexes: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed commit: %w", err)
	}
	return nil
}
