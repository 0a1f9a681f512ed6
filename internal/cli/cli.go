// Package cli is the accessctk command line: it parses flags and environment into
// options, calls the runner or the reference server, prints results and maps them to
// exit codes. It is the only code that touches process I/O, through State, so the
// whole CLI runs in-process in tests.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/accessctk/accessctk/internal/runner"
)

// Version is the tool version; release builds set it with -ldflags.
var Version = "0.1.0-dev"

// State is the process I/O the CLI may use.
type State struct {
	Args   []string
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Context is cancelled on SIGINT/SIGTERM when Main sets it up; tests pass their own.
	Context context.Context
	// IsTerminal reports whether a writer is a terminal (for colour and the updating
	// progress line); nil means: an *os.File on a terminal.
	IsTerminal func(io.Writer) bool
}

func (st *State) terminal(w io.Writer) bool {
	if st.IsTerminal != nil {
		return st.IsTerminal(w)
	}
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// colour reports whether output to w may use ANSI colours: only on a terminal, and
// never when NO_COLOR is set (https://no-color.org).
func (st *State) colour(w io.Writer) bool {
	return st.Getenv("NO_COLOR") == "" && st.terminal(w)
}

// Main runs the CLI and returns the process exit code.
func Main(st State) int {
	ctx := st.Context
	if ctx == nil {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		defer stop()
	}
	root := newRoot(&st)
	root.SetArgs(st.Args)
	root.SetOut(st.Stdout)
	root.SetErr(st.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return runner.ExitConformant
	}
	var coded *runner.Error
	var exit *exitStatus
	switch {
	case errors.As(err, &exit):
		return exit.code
	case errors.As(err, &coded):
		msg := err.Error()
		if coded.Code == runner.ExitUsage {
			// A configuration mistake is one line, whatever the wrapped errors hold.
			msg = strings.Join(strings.Fields(msg), " ")
		}
		fmt.Fprintf(st.Stderr, "accessctk: %s\n", msg)
		return coded.Code
	default:
		// Cobra's own errors are flag and argument mistakes.
		fmt.Fprintf(st.Stderr, "accessctk: %v\nRun 'accessctk --help' for usage.\n", err)
		return runner.ExitUsage
	}
}

// usage marks err as a usage or configuration error (exit 2).
func usage(err error) error { return &runner.Error{Code: runner.ExitUsage, Err: err} }

// exitStatus ends a command with a code after it has printed its own output.
type exitStatus struct{ code int }

func (e *exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func newRoot(st *State) *cobra.Command {
	root := &cobra.Command{
		Use:   "accessctk",
		Short: "Conformance test kit for access-management HTTP APIs",
		Long: `accessctk certifies an implementation of the Skylark Access Management API against
its rule catalogue. It runs Gherkin scenarios against a target URL, validates every
response against the OpenAPI description, and judges each requirement PASS, FAIL,
WARN, SKIP or ERROR, ending in CONFORMANT (every MUST judged and kept: a
certification), PASSED-PARTIAL (nothing judged failed, but the run's scope or
selection left MUST rules unjudged), NON-CONFORMANT or INCOMPLETE.

Without --target, 'accessctk run' starts its embedded reference server and certifies
that, which shows what a conformant run looks like.`,
		Example: `  # Certify the embedded reference server and write the reports to ./accessctk-report
  accessctk run

  # Certify a vendor server (token from the variable the fixtures name)
  ACCESSCTK_TOKEN=... accessctk run --target https://sam.example.com --fixtures fixtures.yaml

  # Compare two runs, merge CI shards, re-render a results.json
  accessctk report diff old/results.json new/results.json
  accessctk report merge shard-*/results.json --out merged
  accessctk report render results.json --format html`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newRunCommand(st), newReportCommand(st), newServeCommand(st), newVersionCommand(st))
	root.AddCommand(newFuzzCommand(st), newFixturesCommand(st))
	return root
}

func newVersionCommand(st *State) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the accessctk version",
		Example: "  accessctk version",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(st.Stdout, "accessctk %s\n", Version)
			return err
		},
	}
}

func newLogger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
