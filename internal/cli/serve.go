package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/accessctk/accessctk/internal/config"
	"github.com/accessctk/accessctk/internal/reference"
	"github.com/accessctk/accessctk/internal/runner"
)

type serveOptions struct {
	addr, db, fixturesOut, tokenDir string
	seed                            int64
	bulk                            int
	faults                          []string
	listFaults, verbose             bool
	chaos                           reference.Chaos
}

func newServeCommand(st *State) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the reference Skylark server (a conformant target, or a faulty one on demand)",
		Long: `Run the reference implementation of the Skylark Access Management API with its
seeded data set: two tenants, adversarial filter data and disposable fixtures.

Each tenant's bearer token is read from ACCESSCTK_SERVE_TOKEN_<TENANT> (e.g.
ACCESSCTK_SERVE_TOKEN_EOS) or generated, and written to <token-dir>/<tenant>.token
(mode 0600). Tokens are never printed. --fixtures-out writes a fixtures file that
'accessctk run --fixtures' reads.`,
		Example: `  accessctk serve --addr 127.0.0.1:8080 --fixtures-out ref/fixtures.yaml
  accessctk run --target http://127.0.0.1:8080 --fixtures ref/fixtures.yaml

  # A deliberately non-conformant server
  accessctk serve --list-faults
  accessctk serve --fault read-leaks-password --fixtures-out ref/fixtures.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			changed, err := changedFlags(st, cmd.Flags())
			if err != nil {
				return usage(err)
			}
			if err := chaosConflict(o.chaos.Mode, changed); err != nil {
				return usage(err)
			}
			if o.listFaults {
				return listFaults(st)
			}
			return serve(cmd.Context(), st, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.StringVar(&o.db, "db", "", "SQLite database file (default: in memory)")
	f.Int64Var(&o.seed, "data-seed", 1, "seed of the generated data set")
	f.IntVar(&o.bulk, "bulk-accesses", 0, "add this many plain accesses to the primary tenant (about 530 without), to try the harness on a large tenant")
	bindRenamedFlag(f, "seed", "data-seed")
	f.StringVar(&o.fixturesOut, "fixtures-out", "", "write the fixtures file here")
	f.StringVar(&o.tokenDir, "token-dir", "", "directory for the token files (default: beside --fixtures-out, else a new temporary directory)")
	f.StringSliceVar(&o.faults, "fault", nil, "switch on a deliberate deviation from the catalogue (repeatable)")
	f.BoolVar(&o.listFaults, "list-faults", false, "list the available faults and the requirement each breaks")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "log each request to stderr")
	f.StringVar((*string)(&o.chaos.Mode), "chaos", "", "misbehave below the API: "+chaosHelp())
	f.Float64Var(&o.chaos.Share, "chaos-share", reference.DefaultChaosShare, "share of requests hit by --chaos reset, garbage and ratelimit, in (0, 1]; which ones follows from --data-seed")
	f.DurationVar(&o.chaos.Delay, "chaos-delay", reference.DefaultChaosDelay, "delay of each response under --chaos slow")
	f.DurationVar(&o.chaos.RetryAfter, "chaos-retry-after", reference.DefaultChaosRetryAfter, "wait each 429 asks for under --chaos ratelimit")
	return cmd
}

// chaosConflict refuses a --chaos-* tuning flag that the chosen --chaos mode does not
// use: it would be silently ignored.
func chaosConflict(mode reference.ChaosMode, changed func(string) bool) error {
	for _, tuning := range []struct {
		flag  string
		modes []reference.ChaosMode
	}{
		{"chaos-share", []reference.ChaosMode{reference.ChaosReset, reference.ChaosGarbage, reference.ChaosRateLimit}},
		{"chaos-delay", []reference.ChaosMode{reference.ChaosSlow}},
		{"chaos-retry-after", []reference.ChaosMode{reference.ChaosRateLimit}},
	} {
		if changed(tuning.flag) && !slices.Contains(tuning.modes, mode) {
			var names []string
			for _, m := range tuning.modes {
				names = append(names, string(m))
			}
			return fmt.Errorf("--%s tunes --chaos %s only; with --chaos %q it would do nothing", tuning.flag, strings.Join(names, ", "), mode)
		}
	}
	return nil
}

// chaosHelp lists the chaos modes for the flag's help.
func chaosHelp() string {
	var parts []string
	for _, c := range reference.ChaosModes() {
		parts = append(parts, fmt.Sprintf("%s: %s", c.Mode, c.Summary))
	}
	return strings.Join(parts, "; ")
}

func listFaults(st *State) error {
	tw := tabwriter.NewWriter(st.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FAULT\tBREAKS\tWHAT IT DOES")
	for _, f := range reference.Faults() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Name, f.Requirement, f.Summary)
	}
	return tw.Flush()
}

func serve(ctx context.Context, st *State, o serveOptions) error {
	tokenDir, err := resolveTokenDir(o)
	if err != nil {
		return err
	}
	primary, secondary := reference.DefaultTenants()
	tokens := map[string]string{}
	tenants := map[string]config.Tenant{}
	for _, name := range []string{primary, secondary} {
		tok := st.Getenv("ACCESSCTK_SERVE_TOKEN_" + strings.ToUpper(name))
		if tok == "" {
			tok = "ref-" + randomHex(24)
		}
		path := filepath.Join(tokenDir, name+".token")
		if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
			return &runner.Error{Code: runner.ExitUsage, Err: fmt.Errorf("write token file: %w", err)}
		}
		tokens[name] = tok
		tenants[name] = config.Tenant{Name: name, TokenFile: path}
	}
	srv, err := reference.New(ctx, reference.Options{DBPath: o.db, Seed: o.seed, BulkAccesses: o.bulk, Tokens: tokens, Faults: o.faults, Chaos: o.chaos, Logger: newLogger(st.Stderr, o.verbose)})
	if err != nil {
		return &runner.Error{Code: runner.ExitUsage, Err: fmt.Errorf("reference server: %w", err)}
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return &runner.Error{Code: runner.ExitUsage, Err: fmt.Errorf("listen on %s: %w", o.addr, err)}
	}
	base := "http://" + ln.Addr().String()
	if o.fixturesOut != "" {
		fx := srv.Fixtures(base)
		fx.Tenants.Primary = tenants[primary]
		sec := tenants[secondary]
		fx.Tenants.Secondary = &sec
		data, err := fx.Marshal()
		if err == nil {
			err = os.WriteFile(o.fixturesOut, data, 0o644)
		}
		if err != nil {
			_ = ln.Close()
			return &runner.Error{Code: runner.ExitUsage, Err: fmt.Errorf("write fixtures: %w", err)}
		}
	}
	fmt.Fprintf(st.Stderr, "accessctk reference server listening on %s (tenants %s, %s; tokens in %s)\n", base, primary, secondary, tokenDir)
	if len(o.faults) > 0 {
		fmt.Fprintf(st.Stderr, "deliberate faults on: %s\n", strings.Join(o.faults, ", "))
	}
	if o.chaos.Mode != "" {
		fmt.Fprintf(st.Stderr, "chaos on: %s\n", o.chaos.Mode)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second,
		// Requests end with the command: a --chaos hang must not hold up the shutdown.
		BaseContext: func(net.Listener) context.Context { return ctx }}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return hs.Shutdown(sctx)
	}
}

func resolveTokenDir(o serveOptions) (string, error) {
	dir := o.tokenDir
	switch {
	case dir != "":
	case o.fixturesOut != "":
		dir = filepath.Dir(o.fixturesOut)
	default:
		d, err := os.MkdirTemp("", "accessctk-tokens-")
		if err != nil {
			return "", fmt.Errorf("create token directory: %w", err)
		}
		return d, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", &runner.Error{Code: runner.ExitUsage, Err: fmt.Errorf("create token directory: %w", err)}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("token directory: %w", err)
	}
	return abs, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
