package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// slowTest is how long a top-level test runs before its end is worth a line.
const slowTest = 2 * time.Second

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string // build events
	Test       string
	Elapsed    float64
	Output     string
}

// errFailed says a test, a package or a build failed; its output was printed.
var errFailed = errors.New("tests failed")

// filter copies what plain go test would print from the events in r to w, with a
// progress line for each slow top-level test, and reports errFailed when anything
// failed.
func filter(r io.Reader, w io.Writer) error {
	failed, packages := false, 0
	// output holds each running test's lines until it ends: printed if it fails.
	output := map[string][]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// Not an event: the go command's own message (a bad flag, say).
			fmt.Fprintln(w, sc.Text())
			failed = true
			continue
		}
		key := e.Package + " " + e.Test
		switch {
		case e.Action == "build-output":
			fmt.Fprint(w, e.Output)
		case e.Action == "build-fail":
			failed = true
		case e.Test == "" && e.Action == "output":
			// The package's own lines: "ok  pkg 1.2s", "FAIL", a panic outside tests.
			if e.Output != "PASS\n" {
				fmt.Fprint(w, e.Output)
			}
		case e.Test == "" && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip"):
			packages++
			failed = failed || e.Action == "fail"
		case e.Action == "output":
			if !strings.HasPrefix(e.Output, "=== ") {
				output[key] = append(output[key], e.Output)
			}
		case e.Action == "fail":
			failed = true
			fmt.Fprint(w, strings.Join(output[key], ""))
			delete(output, key)
		case e.Action == "pass" || e.Action == "skip":
			delete(output, key)
			elapsed := time.Duration(e.Elapsed * float64(time.Second))
			if !strings.Contains(e.Test, "/") && elapsed >= slowTest {
				fmt.Fprintf(w, "    %s: %s %s (%s)\n", e.Package, e.Test, map[string]string{"pass": "passed", "skip": "skipped"}[e.Action], elapsed.Round(100*time.Millisecond))
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read go test -json: %w", err)
	}
	if failed || packages == 0 {
		return errFailed
	}
	return nil
}
