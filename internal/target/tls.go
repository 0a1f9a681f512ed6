package target

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// TLSFiles names what an https target needs beyond the system's trust store. Paths
// appear in errors; key material never does.
type TLSFiles struct {
	// CACert is a PEM file of CA certificates trusted besides the system's.
	CACert string
	// ClientCert and ClientKey are a PEM certificate and its key, presented to a
	// target that asks for one (mutual TLS). Both or neither.
	ClientCert, ClientKey string
	// InsecureSkipVerify accepts any server certificate. A run made so cannot show
	// that it talked to the real target; callers must say so loudly.
	InsecureSkipVerify bool
}

// IsZero reports whether no TLS setting is made.
func (f TLSFiles) IsZero() bool { return f == TLSFiles{} }

// LoadTLS builds the client TLS configuration the files describe; nil when none is
// set.
func LoadTLS(f TLSFiles) (*tls.Config, error) {
	if f.IsZero() {
		return nil, nil
	}
	// InsecureSkipVerify only when the user asked; every report of the run says so.
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: f.InsecureSkipVerify}
	if f.CACert != "" {
		pem, err := os.ReadFile(f.CACert)
		if err != nil {
			return nil, fmt.Errorf("CA certificate: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA certificate %s: no PEM certificate in the file", f.CACert)
		}
		cfg.RootCAs = pool
	}
	switch {
	case f.ClientCert == "" && f.ClientKey == "":
	case f.ClientCert == "" || f.ClientKey == "":
		return nil, errors.New("a client certificate needs both the certificate and its key")
	default:
		pair, err := tls.LoadX509KeyPair(f.ClientCert, f.ClientKey)
		if err != nil {
			// LoadX509KeyPair's text names files and PEM block types, never key bytes.
			return nil, fmt.Errorf("client certificate %s with key %s: %w", f.ClientCert, f.ClientKey, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}
