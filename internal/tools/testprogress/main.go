// Command testprogress reads `go test -json` and prints what plain `go test` prints
// (a package's "ok" line, a failed test's output, build errors), plus one line for
// each top-level test that took a while, as it ends: so a package that runs for
// minutes (internal/runner) says what it is doing, and a CI log stays readable. It
// exits 1 when anything failed, as go test does, since a shell pipe loses go test's
// own status.
//
//	go test -json ./... | go run ./internal/tools/testprogress
package main

import (
	"errors"
	"fmt"
	"os"
)

func main() {
	if err := filter(os.Stdin, os.Stdout); err != nil {
		if !errors.Is(err, errFailed) {
			fmt.Fprintf(os.Stderr, "testprogress: %v\n", err)
		}
		os.Exit(1)
	}
}
