// Package reference is the Skylark Access Management API as the catalogue reads it:
// the embedded default target of `accessctk run`, a mock for client developers, and
// the harness's own test target. It keeps a deterministic, seeded data set of two
// tenants in SQLite, compiles filters to parameterized SQL, hashes passwords with
// bcrypt and runs batch tasks on a worker. Deliberate faults (see Faults) make it
// non-conformant on demand.
package reference

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accessctk/accessctk/internal/config"
)

// Options configures a Server. The zero value of each field means its default.
type Options struct {
	// DBPath is the SQLite file; "" keeps the database in memory. A file that already
	// holds the same data set (seed, PPU pool, bulk size) is reused with its state.
	DBPath string
	// Seed fixes the data set: the same seed gives the same data and the same ids.
	Seed int64
	// Tokens maps each tenant name (see DefaultTenants) to the bearer token it accepts. Both
	// tenants need a distinct, non-empty token. Tokens are never logged.
	Tokens map[string]string
	// Faults names deliberate deviations from Faults(); an unknown name is an error.
	Faults []string
	// Chaos makes the server unreliable below the API (see ChaosModes); the zero
	// value is a well-behaved server.
	Chaos Chaos
	// Now is the clock (default time.Now); batch termination reads it to find the
	// end of the current billing period.
	Now func() time.Time
	// DefaultPageSize is the page size when a list names none (default 20).
	DefaultPageSize int
	// MaxPageSize is the largest page (default 1000); larger requests are clamped and
	// the Link header carries the size in use.
	MaxPageSize int
	// TaskStepDelay is the pause before each batch task state change
	// (ACKNOWLEDGED→IN_PROGRESS→DONE); default 20ms, negative for none.
	TaskStepDelay time.Duration
	// PPUPool is the number of disposable ACTIVE Pay-Per-Use fixture accesses
	// (default 400, negative for none).
	PPUPool int
	// BulkAccesses adds plain accesses to the primary tenant for scale tests.
	BulkAccesses int
	// CorrelationHeader is the request header echoed on every response
	// (default X-Correlation-ID).
	CorrelationHeader string
	// Logger receives the server's logs (default: discarded).
	Logger *slog.Logger
}

func (o *Options) applyDefaults() error {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.DefaultPageSize == 0 {
		o.DefaultPageSize = 20
	}
	if o.MaxPageSize == 0 {
		o.MaxPageSize = 1000
	}
	if o.DefaultPageSize < 0 || o.MaxPageSize < 0 || o.DefaultPageSize > o.MaxPageSize {
		return fmt.Errorf("page sizes: default %d and maximum %d must be positive, default <= maximum", o.DefaultPageSize, o.MaxPageSize)
	}
	switch {
	case o.TaskStepDelay == 0:
		o.TaskStepDelay = 20 * time.Millisecond
	case o.TaskStepDelay < 0:
		o.TaskStepDelay = 0
	}
	switch {
	case o.PPUPool == 0:
		o.PPUPool = 400
	case o.PPUPool < 0:
		o.PPUPool = 0
	}
	if o.BulkAccesses < 0 {
		return fmt.Errorf("bulk accesses %d is negative", o.BulkAccesses)
	}
	if o.CorrelationHeader == "" {
		o.CorrelationHeader = "X-Correlation-ID"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// tenant is a tenant the server serves, with the token it accepts.
type tenant struct {
	id    int64
	name  string
	token []byte
}

// Server is the reference implementation. Create it with New, serve Handler, and
// Close it to stop the batch worker and close the database.
type Server struct {
	opts    Options
	log     *slog.Logger
	db      *sql.DB
	faults  map[string]bool
	tenants []tenant
	pages   *pageCache
	// fixtures are the fixture ids found when the server started.
	fixtures config.Accesses
	// generation counts changes to filterable columns; cached counts and cursors are
	// valid within one generation.
	generation atomic.Int64
	handler    http.Handler
	// readOnce remembers the accesses read once, for the read-first-500 fault.
	readOnce sync.Map

	wake      chan struct{}
	stop      context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// New opens (or creates and seeds) the database, starts the batch worker and builds
// the handler. ctx bounds seeding and the worker's life; Close stops both.
func New(ctx context.Context, opts Options) (*Server, error) {
	if err := opts.applyDefaults(); err != nil {
		return nil, fmt.Errorf("reference server options: %w", err)
	}
	faults, err := faultSet(opts.Faults)
	if err != nil {
		return nil, fmt.Errorf("reference server options: %w", err)
	}
	chaos, err := newChaos(opts.Chaos, opts.Seed, opts.CorrelationHeader, opts.Logger)
	if err != nil {
		return nil, fmt.Errorf("reference server options: %w", err)
	}
	tenants, err := tenantsFrom(opts.Tokens)
	if err != nil {
		return nil, fmt.Errorf("reference server options: %w", err)
	}
	db, err := openDB(ctx, opts.DBPath)
	if err != nil {
		return nil, err
	}
	started := time.Now()
	reused, err := prepare(ctx, db, opts)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("reference server data set: %w", err)
	}
	fixtures, err := loadFixtures(ctx, db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("reference server fixtures: %w", err)
	}
	opts.Logger.Info("reference server ready", "reused", reused, "seed", opts.Seed,
		"bulk", opts.BulkAccesses, "took", time.Since(started).Round(time.Millisecond), "faults", opts.Faults)
	workerCtx, stop := context.WithCancel(ctx)
	s := &Server{
		opts: opts, log: opts.Logger, db: db, faults: faults, tenants: tenants, fixtures: fixtures,
		pages: newPageCache(), wake: make(chan struct{}, 1), stop: stop, done: make(chan struct{}),
	}
	s.handler = chaos.wrap(s.routes(), workerCtx.Done())
	go s.work(workerCtx)
	return s, nil
}

func tenantsFrom(tokens map[string]string) ([]tenant, error) {
	out := []tenant{{id: primaryID, name: primaryTenant}, {id: secondaryID, name: secondaryTenant}}
	for i := range out {
		tok := tokens[out[i].name]
		if tok == "" {
			return nil, fmt.Errorf("no token for tenant %q", out[i].name)
		}
		out[i].token = []byte(tok)
	}
	if subtle.ConstantTimeCompare(out[0].token, out[1].token) == 1 {
		return nil, errors.New("the two tenants need different tokens")
	}
	for name := range tokens {
		if name != primaryTenant && name != secondaryTenant {
			return nil, fmt.Errorf("token for unknown tenant %q (tenants: %s, %s)", name, primaryTenant, secondaryTenant)
		}
	}
	return out, nil
}

// Handler serves the API.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops the batch worker, waits for it, and closes the database. It is safe to
// call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.stop()
		<-s.done
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("close reference database: %w", err)
		}
	})
	return s.closeErr
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{tenant}/access", s.handleList)
	mux.HandleFunc("GET /{tenant}/access/{id}", s.handleRead)
	mux.HandleFunc("PATCH /{tenant}/access/{id}", s.handleUpdate)
	mux.HandleFunc("POST /{tenant}/access/batchUpdate", s.handleBatch)
	mux.HandleFunc("GET /{tenant}/access/batch/{taskId}", s.handleTask)
	// The same paths with other methods, and every other path, still answer with
	// authentication first and a JSON error (ServeMux's own 404/405 are plain text).
	mux.HandleFunc("/{tenant}/access", s.methodNotAllowed("GET"))
	mux.HandleFunc("/{tenant}/access/{id}", s.methodNotAllowed("GET, PATCH"))
	mux.HandleFunc("/{tenant}/access/batch/{taskId}", s.methodNotAllowed("GET"))
	mux.HandleFunc("/", s.notFound)
	return s.middleware(mux)
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// middleware echoes the correlation header (SAM-CM-04), turns a panic into a JSON
// 500 rather than a dropped connection, and logs each request (never its headers).
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := r.Header.Get(s.opts.CorrelationHeader); id != "" {
			w.Header().Set(s.opts.CorrelationHeader, id)
		}
		sw := &statusWriter{ResponseWriter: w}
		start := time.Now()
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				if sw.status == 0 {
					writeError(sw, http.StatusInternalServerError, "INTERNAL", "internal error")
				}
			}
			s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
				"took", time.Since(start), "correlationId", r.Header.Get(s.opts.CorrelationHeader))
		}()
		next.ServeHTTP(sw, r)
	})
}

// authorize applies SAM-CM-01 (401 without a valid bearer token) and makes another
// tenant invisible (404). It returns the path's tenant, or false after answering.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) (tenant, bool) {
	pathTenant, known := s.tenantNamed(r.PathValue("tenant"))
	header := r.Header.Get("Authorization")
	if header == "" {
		if s.faulty(faultAuthMissingTokenAllowed) {
			return s.visible(w, pathTenant, known, pathTenant)
		}
		unauthorized(w, "missing Authorization header")
		return tenant{}, false
	}
	scheme, token, _ := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		unauthorized(w, "Authorization must be a bearer token")
		return tenant{}, false
	}
	owner, ok := s.tenantOfToken(token)
	if !ok {
		if s.faulty(faultAuthAnyTokenAllowed) {
			return s.visible(w, pathTenant, known, pathTenant)
		}
		unauthorized(w, "invalid bearer token")
		return tenant{}, false
	}
	return s.visible(w, pathTenant, known, owner)
}

// visible admits the request when the authenticated tenant is the path's.
func (s *Server) visible(w http.ResponseWriter, path tenant, known bool, owner tenant) (tenant, bool) {
	if !known || path.id != owner.id {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "no such tenant")
		return tenant{}, false
	}
	return path, true
}

func (s *Server) tenantNamed(name string) (tenant, bool) {
	for _, t := range s.tenants {
		if t.name == name {
			return t, true
		}
	}
	return tenant{}, false
}

func (s *Server) tenantByID(id int64) tenant {
	for _, t := range s.tenants {
		if t.id == id {
			return t
		}
	}
	return tenant{}
}

// tenantOfToken compares against every tenant's token in constant time.
func (s *Server) tenantOfToken(token string) (tenant, bool) {
	var found tenant
	ok := false
	for _, t := range s.tenants {
		if subtle.ConstantTimeCompare(t.token, []byte(token)) == 1 {
			found, ok = t, true
		}
	}
	return found, ok
}

func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="skylark"`)
	writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", msg)
}

func (s *Server) methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.authorize(w, r); !ok {
			return
		}
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", r.Method+" is not supported here")
	}
}

// notFound answers paths the API does not have; a request without valid credentials
// still gets 401 first.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	header := r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(header, " ")
	if _, ok := s.tenantOfToken(strings.TrimSpace(token)); !ok || !strings.EqualFold(scheme, "Bearer") {
		unauthorized(w, "missing or invalid bearer token")
		return
	}
	writeError(w, http.StatusNotFound, "NOT_FOUND", "no such resource")
}

// apiError is the wire's Error object.
type apiError struct {
	Code    string `json:"code"`
	Reason  string `json:"reason"`
	Message string `json:"message,omitempty"`
	Status  string `json:"status"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, apiError{Code: code, Reason: http.StatusText(status), Message: msg, Status: strconv.Itoa(status)})
}

// internalError logs err and answers 500; the message never carries err's text.
func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, "INTERNAL", "internal error")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client may have gone; nothing to do about it
}

// maxBody bounds request bodies; larger ones are rejected with 400.
const maxBody = 1 << 20

// readBody reads a bounded body; false means it has answered 400.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusBadRequest, "BODY_TOO_LARGE", fmt.Sprintf("body exceeds %d bytes", maxBody))
			return nil, false
		}
		writeError(w, http.StatusBadRequest, "INVALID_BODY", "could not read the body")
		return nil, false
	}
	return data, true
}
