// Package spec loads and validates the OpenAPI description of the API under
// test and checks HTTP exchanges against it.
//
// The embedded default is skylark-access.yaml, the shapes of
// shared/contract/skylark-wire.md; a vendor may supply its own document.
// A Spec is built once and is read-only afterwards, so one Spec serves every
// scenario concurrently.
package spec

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

//go:embed skylark-access.yaml
var defaultDocument []byte

// DefaultDocument returns a copy of the embedded Skylark Access Management
// OpenAPI document.
func DefaultDocument() []byte {
	return bytes.Clone(defaultDocument)
}

// Spec is a loaded, validated OpenAPI document with its router. It is safe
// for concurrent use: the document is never modified after Load, and the memo of
// check results (see memo) has its own lock.
type Spec struct {
	router     routers.Router
	schemaOpts []openapi3.SchemaValidationOption // the document's own format validators
	memo       *memo
}

// Load parses data (YAML or JSON), validates it as an OpenAPI document and
// builds its router for serverURL, the target's URL (e.g.
// "http://127.0.0.1:4321" or "https://api.vendor.example/sam"). Requests are
// routed by serverURL's base path and the document's paths; the scheme and
// host are checked for form but not matched, because a server's Link URLs
// may name its public host or spell the port differently, and the harness
// sends requests to its target only. An empty serverURL keeps the
// document's own servers (and their hosts). External $refs are refused: use
// LoadFile for a document split over several local files.
func Load(data []byte, serverURL string) (*Spec, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	return load(loader, func() (*openapi3.T, error) { return loader.LoadFromData(data) }, serverURL)
}

// LoadFile is Load for a document in a file. Its $refs may name other local
// files, relative to it; remote references are refused (the harness makes no
// requests but to the target).
func LoadFile(path, serverURL string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("spec: read OpenAPI document: %w", err)
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = openapi3.ReadFromFile
	location := &url.URL{Path: filepath.ToSlash(path)}
	return load(loader, func() (*openapi3.T, error) { return loader.LoadFromDataWithPath(data, location) }, serverURL)
}

func load(loader *openapi3.Loader, parse func() (*openapi3.T, error), serverURL string) (*Spec, error) {
	ctx := context.Background()
	loader.Context = ctx
	doc, err := parse()
	if err != nil {
		return nil, fmt.Errorf("spec: invalid OpenAPI document: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("spec: invalid OpenAPI document: %w", err)
	}
	if serverURL != "" {
		base, err := basePath(serverURL)
		if err != nil {
			return nil, fmt.Errorf("spec: invalid server URL %q: %w", serverURL, err)
		}
		rewriteServers(doc, base)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("spec: cannot route the OpenAPI document: %w", err)
	}
	useRFC3339Formats(doc)
	return &Spec{router: router, schemaOpts: doc.GetSchemaValidationOptions(), memo: newMemo()}, nil
}

// basePath checks that raw is an absolute http(s) URL with a host and
// returns its path without a trailing slash ("" for none).
func basePath(raw string) (string, error) {
	if strings.ContainsAny(raw, "{}") {
		return "", errors.New("must not contain '{' or '}'")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", errors.New("scheme must be http or https")
	case u.Host == "":
		return "", errors.New("host is missing")
	case u.User != nil:
		return "", errors.New("must not carry user information")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", errors.New("must not carry a query or a fragment")
	}
	return strings.TrimSuffix(u.EscapedPath(), "/"), nil
}

// rewriteServers replaces the document's servers, and those of every path
// item that names its own, with the base path alone: the documented servers
// are the vendor's, and a server URL without a host matches any host.
func rewriteServers(doc *openapi3.T, base string) {
	servers := openapi3.Servers{{URL: base + "/"}}
	doc.Servers = servers
	for _, item := range doc.Paths.Map() {
		if len(item.Servers) > 0 {
			item.Servers = servers
		}
	}
}
