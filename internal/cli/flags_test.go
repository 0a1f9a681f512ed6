package cli

import (
	"testing"

	"github.com/spf13/pflag"

	"github.com/accessctk/accessctk/internal/config"
)

// run and fuzz take the same target options, from the one binding: same names, same
// help, same defaults.
func TestRunAndFuzzShareTheTargetFlags(t *testing.T) {
	shared := pflag.NewFlagSet("shared", pflag.ContinueOnError)
	s, path := config.Defaults(), ""
	bindTargetFlags(shared, &s, &path)
	for _, want := range []string{"config", "target", "fixtures", "timeout", "rps", "ca-cert", "client-cert", "client-key", "insecure-skip-verify", "data-seed"} {
		if shared.Lookup(want) == nil {
			t.Errorf("bindTargetFlags lacks --%s", want)
		}
	}
	st := &State{Getenv: func(string) string { return "" }}
	for _, cmd := range []*pflag.FlagSet{newRunCommand(st).Flags(), newFuzzCommand(st).Flags()} {
		shared.VisitAll(func(f *pflag.Flag) {
			got := cmd.Lookup(f.Name)
			if got == nil || got.Usage != f.Usage || got.DefValue != f.DefValue || got.Shorthand != f.Shorthand {
				t.Errorf("%s: --%s differs from the shared binding: %+v", cmd.Name(), f.Name, got)
			}
		})
	}
}
