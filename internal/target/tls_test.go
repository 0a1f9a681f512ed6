package target

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accessctk/accessctk/internal/target/testcert"
)

func TestMutualTLS(t *testing.T) {
	certs := testcert.New(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(r.TLS.PeerCertificates[0].Subject.CommonName))
	}))
	srv.TLS = certs.Server
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)

	do := func(f TLSFiles) (*Response, error) {
		t.Helper()
		cfg, err := LoadTLS(f)
		if err != nil {
			t.Fatalf("LoadTLS(%+v): %v", f, err)
		}
		c := newClient(t, srv.URL, func(c *Config) { c.TLS = cfg })
		return c.Do(context.Background(), Request{Path: "/"})
	}
	full := TLSFiles{CACert: certs.CACert, ClientCert: certs.ClientCert, ClientKey: certs.ClientKey}
	if resp, err := do(full); err != nil || string(resp.Body) != "client" {
		t.Fatalf("mutual TLS: %v", err)
	}
	noClient := TLSFiles{CACert: certs.CACert}
	if _, err := do(noClient); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without a client certificate: %v", err)
	}
	noCA := TLSFiles{ClientCert: certs.ClientCert, ClientKey: certs.ClientKey}
	if _, err := do(noCA); err == nil || !strings.Contains(err.Error(), "certificate signed by unknown authority") {
		t.Errorf("without the CA: %v", err)
	}
	insecure := noCA
	insecure.InsecureSkipVerify = true
	if resp, err := do(insecure); err != nil || string(resp.Body) != "client" {
		t.Errorf("insecure-skip-verify: %v", err)
	}
}

func TestLoadTLSErrors(t *testing.T) {
	certs := testcert.New(t)
	notPEM := filepath.Join(t.TempDir(), "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		f    TLSFiles
		want string
	}{
		{TLSFiles{CACert: filepath.Join(t.TempDir(), "missing.pem")}, "CA certificate: open"},
		{TLSFiles{CACert: notPEM}, "no PEM certificate"},
		{TLSFiles{ClientCert: certs.ClientCert}, "both the certificate and its key"},
		{TLSFiles{ClientKey: certs.ClientKey}, "both the certificate and its key"},
		{TLSFiles{ClientCert: certs.ClientCert, ClientKey: certs.CACert}, "client certificate " + certs.ClientCert},
	}
	for _, tc := range cases {
		if _, err := LoadTLS(tc.f); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadTLS(%+v) = %v, want %q", tc.f, err, tc.want)
		}
	}
	if cfg, err := LoadTLS(TLSFiles{}); cfg != nil || err != nil {
		t.Errorf("no settings: %v, %v", cfg, err)
	}
}
