package runner_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accessctk/accessctk/internal/reference"
	"github.com/accessctk/accessctk/internal/runner"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/target/testcert"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/steps"
)

// A target that goes away mid-run leaves the rest of the run unjudged: ERROR, the
// verdict INCOMPLETE (exit 3), never NON-CONFORMANT; once connections keep failing the
// harness stops trying, so the run ends at once.
func TestTargetGoneMidRunIsIncomplete(t *testing.T) {
	var (
		served atomic.Int32
		limit  atomic.Int32
		once   sync.Once
	)
	limit.Store(1 << 30)
	v := newVendorTarget(t, reference.Options{Seed: 1, PPUPool: 60}, func(h http.Handler) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		hs := &http.Server{ErrorLog: log.New(io.Discard, "", 0)}
		hs.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if served.Add(1) > limit.Load() {
				// Closing the listener refuses every later connection.
				once.Do(func() { go func() { _ = hs.Close() }() })
				panic(http.ErrAbortHandler)
			}
			h.ServeHTTP(w, r)
		})
		go func() { _ = hs.Serve(ln) }()
		t.Cleanup(func() { _ = hs.Close() })
		return "http://" + ln.Addr().String()
	})
	// The fixture check reads every fixture first; the target dies a little later.
	limit.Store(int32(len(v.accesses) + 40))
	o := v.options()
	o.Tags = chaosTags
	o.Concurrency = 1
	o.Scope = steps.Scope{AllowDestructive: true}
	start := time.Now()
	res, err := runner.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the run ended %s after it started", time.Since(start).Round(time.Millisecond))
	if res.Overall != verdict.Incomplete || runner.ExitCode(res) != runner.ExitNotJudged {
		t.Fatalf("verdict %s (exit %d), want INCOMPLETE (exit 3)\n%s", res.Overall, runner.ExitCode(res), summary(t, res))
	}
	if !hasNote(res, "the target became unreachable during the run") || !hasNote(res, "later requests were not sent") {
		t.Errorf("notes %q do not say the target went away", res.Notes)
	}
	if n, named := erroredWith(res, "unreachable"); n < 3 {
		t.Errorf("%d scenarios errored on the unreachable target (all named: %v)", n, named)
	}
}

// mutualTLSTarget serves the reference server over TLS that requires a client
// certificate signed by the test CA.
func mutualTLSTarget(t *testing.T) (*vendorTarget, *testcert.Set) {
	t.Helper()
	certs := testcert.New(t)
	v := newVendorTarget(t, reference.Options{Seed: 1, PPUPool: 60}, func(h http.Handler) string {
		ts := httptest.NewUnstartedServer(h)
		ts.TLS = certs.Server
		ts.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
		ts.StartTLS()
		t.Cleanup(ts.Close)
		return ts.URL
	})
	return v, certs
}

func TestMutualTLSTarget(t *testing.T) {
	v, certs := mutualTLSTarget(t)
	run := func(f target.TLSFiles) (*verdict.Results, error) {
		o := v.options()
		o.Tags = chaosTags
		o.TLS = f
		o.Scope = steps.Scope{AllowDestructive: true}
		return runner.Run(context.Background(), o)
	}
	full := target.TLSFiles{CACert: certs.CACert, ClientCert: certs.ClientCert, ClientKey: certs.ClientKey}
	res, err := run(full)
	if err != nil || res.Overall != verdict.PassedPartial {
		t.Fatalf("with the CA and a client certificate: %v", err)
	}
	if hasNote(res, "TLS certificate verification was OFF") {
		t.Error("a verified run carries the insecure warning")
	}

	var re *runner.Error
	_, err = run(target.TLSFiles{CACert: certs.CACert})
	if !errors.As(err, &re) || re.Code != runner.ExitNotJudged || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without a client certificate: %v, want exit 3 naming the certificate", err)
	}
	_, err = run(target.TLSFiles{ClientCert: certs.ClientCert, ClientKey: certs.ClientKey})
	if !errors.As(err, &re) || re.Code != runner.ExitNotJudged || !strings.Contains(err.Error(), "unknown authority") {
		t.Errorf("without the CA: %v, want exit 3 naming the unknown authority", err)
	}

	// A fresh target: the first run used up fixtures.
	v, certs = mutualTLSTarget(t)
	res, err = run(target.TLSFiles{ClientCert: certs.ClientCert, ClientKey: certs.ClientKey, InsecureSkipVerify: true})
	if err != nil || res.Overall != verdict.PassedPartial {
		t.Fatalf("insecure-skip-verify: %v", err)
	}
	if !hasNote(res, runner.InsecureNote) || !strings.Contains(summary(t, res), "verification was OFF") {
		t.Errorf("an insecure run does not say so: notes %q", res.Notes)
	}
}

func TestTransportOptionsChecked(t *testing.T) {
	cases := []struct {
		name string
		o    runner.Options
		want string
	}{
		{"TLS without a target", runner.Options{TLS: target.TLSFiles{InsecureSkipVerify: true}}, "apply only to an https --target"},
		{"TLS on http", runner.Options{Target: "http://127.0.0.1:1", TLS: target.TLSFiles{CACert: "ca.pem"}}, "apply only to an https --target"},
		{"missing CA file", runner.Options{Target: "https://127.0.0.1:1", TLS: target.TLSFiles{CACert: "/nonexistent/ca.pem"}}, "CA certificate"},
		{"key without certificate", runner.Options{Target: "https://127.0.0.1:1", TLS: target.TLSFiles{ClientKey: "k.pem"}}, "both the certificate and its key"},
		{"chaos on a vendor target", runner.Options{Target: "http://127.0.0.1:1", Chaos: reference.Chaos{Mode: reference.ChaosSlow}}, "only to the embedded"},
		{"negative rps", runner.Options{RPS: -1}, "--rps"},
		{"negative concurrency", runner.Options{Concurrency: -2}, "--concurrency"},
		{"unknown chaos", runner.Options{Chaos: reference.Chaos{Mode: "melt"}}, "unknown chaos mode"},
	}
	for _, tc := range cases {
		tc.o.Getenv = func(string) string { return "" }
		_, err := runner.Run(context.Background(), tc.o)
		var re *runner.Error
		if !errors.As(err, &re) || re.Code != runner.ExitUsage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a usage error naming %q", tc.name, err, tc.want)
		}
	}
}

// --rps paces every request and the report says how long the pacing took.
func TestRequestsPerSecondNote(t *testing.T) {
	res := chaosRun(t, reference.Chaos{}, func(o *runner.Options) { o.RPS = 2000 })
	if res.Overall != verdict.PassedPartial {
		t.Fatalf("verdict %s with --rps\n%s", res.Overall, summary(t, res))
	}
	if !hasNote(res, "requests were limited to 2000 per second (--rps)") {
		t.Errorf("notes %q do not mention the rate limit", res.Notes)
	}
}
