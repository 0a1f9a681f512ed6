// Package features embeds the Gherkin scenarios the harness runs, one directory per
// profile, so the binary carries its whole suite.
package features

import "embed"

// FS holds every profile's feature files (skylark/*.feature).
//
//go:embed skylark/*.feature
var FS embed.FS

// Skylark is the directory of the Skylark Access Management profile inside FS.
const Skylark = "skylark"
