// Command accessctk is the conformance test kit's binary; everything it does lives in
// packages that tests call in-process.
package main

import (
	"os"

	"github.com/accessctk/accessctk/internal/cli"
)

func main() {
	os.Exit(cli.Main(cli.State{Args: os.Args[1:], Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
}
