package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Every command documents itself with examples, and --help works on each.
func TestEveryCommandHasHelpWithExamples(t *testing.T) {
	st := &State{Getenv: func(string) string { return "" }}
	var walk func(c *cobra.Command)
	seen := 0
	walk = func(c *cobra.Command) {
		seen++
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no examples", c.CommandPath())
		}
		if c.Short == "" {
			t.Errorf("%q has no short description", c.CommandPath())
		}
		args := append(strings.Fields(c.CommandPath())[1:], "--help")
		var out bytes.Buffer
		code := Main(State{Args: args, Stdout: &out, Stderr: &out, Getenv: st.Getenv, Context: context.Background()})
		if code != 0 || !strings.Contains(out.String(), "Examples:") {
			t.Errorf("%v: exit %d, help without examples:\n%s", args, code, out.String())
		}
		for _, sub := range c.Commands() {
			if sub.Name() != "help" && sub.Name() != "completion" {
				walk(sub)
			}
		}
	}
	walk(newRoot(st))
	if seen < 8 {
		t.Errorf("walked %d commands, want root, run, report (diff, merge, render), serve, version", seen)
	}
}

// No flag takes a credential: tokens come only from the files and variables the
// fixtures name.
func TestNoFlagTakesAToken(t *testing.T) {
	st := &State{Getenv: func(string) string { return "" }}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			name := strings.ToLower(f.Name)
			if (strings.Contains(name, "token") && name != "token-dir") || strings.Contains(name, "password") || strings.Contains(name, "secret") {
				t.Errorf("%s --%s looks like a credential flag", c.CommandPath(), f.Name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRoot(st))
}
