package fuzz_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accessctk/accessctk/fuzz"
	"github.com/accessctk/accessctk/internal/reference"
	"github.com/accessctk/accessctk/internal/target"
)

// reference is the embedded server as a fuzz target: a tenant of about 150 accesses
// (the seeded ones and a small PPU pool).
type refTarget struct {
	q *fuzz.ClientQuerier
	// served is the time the server spent handling requests.
	served atomic.Int64
}

func startReference(tb testing.TB, faults ...string) *refTarget {
	tb.Helper()
	primary, secondary := reference.DefaultTenants()
	tokens := map[string]string{primary: "fuzz-token-primary-0123456789", secondary: "fuzz-token-secondary-0123456789"}
	srv, err := reference.New(context.Background(), reference.Options{Seed: 1, Tokens: tokens, Faults: faults, PPUPool: 20, TaskStepDelay: -1})
	if err != nil {
		tb.Fatal(err)
	}
	rt := &refTarget{}
	h := srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		rt.served.Add(int64(time.Since(start)))
	}))
	tb.Cleanup(func() {
		ts.Close()
		_ = srv.Close()
	})
	u, _ := url.Parse(ts.URL)
	client, err := target.New(target.Config{BaseURL: u})
	if err != nil {
		tb.Fatal(err)
	}
	rt.q = &fuzz.ClientQuerier{Client: client, Token: target.NewToken(tokens[primary]), Tenant: primary}
	return rt
}
