package steps

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/accessctk/accessctk/internal/reference"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/spec"
)

// BenchmarkSend is one scenario exchange as a step makes it: the target client
// (credentials, correlation id, redacted transcript), the automatic checks (the
// response against the OpenAPI description, SAM-CM-02..05) and the scenario's
// record (a passing scenario's: one line per request), against the reference server
// over loopback. The list page is the same
// every time, so after the first its schema check is remembered, as repeated walks'
// pages are in a run; spec's BenchmarkCheckResponse measures the validation itself.
func BenchmarkSend(b *testing.B) {
	ctx := context.Background()
	primary, secondary := reference.DefaultTenants()
	const token = "bench-token-0123456789abcdef"
	srv, err := reference.New(ctx, reference.Options{Seed: 1, Tokens: map[string]string{primary: token, secondary: token + "2"}})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	base, _ := url.Parse(ts.URL)
	client, err := target.New(target.Config{BaseURL: base})
	if err != nil {
		b.Fatal(err)
	}
	sp, err := spec.Load(spec.DefaultDocument(), ts.URL)
	if err != nil {
		b.Fatal(err)
	}
	s := &Suite{
		Client: client, Spec: sp, Primary: Tenant{Name: primary, Token: target.NewToken(token)},
		CorrelationHeader: target.DefaultCorrelationHeader, Logger: slog.New(slog.DiscardHandler),
	}
	fx := srv.Fixtures(ts.URL).Accesses
	for _, c := range []struct {
		name string
		req  func(w *World) target.Request
	}{
		{"read", func(w *World) target.Request {
			return target.Request{Method: http.MethodGet, Path: w.tenantPath(fx.NonPPU[0])}
		}},
		{"list100", func(w *World) target.Request {
			return target.Request{Method: http.MethodGet, Path: w.tenantPath(), Query: url.Values{"pageSize": {"100"}}}
		}},
		{"patch", func(w *World) target.Request {
			// ACTIVE to ACTIVE: a valid update that leaves the fixture as it was.
			return jsonRequest(http.MethodPatch, w.tenantPath(fx.PPU[0]), "application/merge-patch+json", []byte(`{"status":"ACTIVE"}`))
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := newWorld(s)
				resp, err := w.send(ctx, c.req(w))
				if err != nil || resp.Status != http.StatusOK || len(w.record.Findings) > 0 {
					b.Fatalf("status %v, err %v, findings %v", resp, err, w.record.Findings)
				}
				if rec := w.finish(ctx, nil); len(rec.Exchanges) != 1 {
					b.Fatalf("the record keeps %d exchanges, want 1", len(rec.Exchanges))
				}
			}
		})
	}
}
