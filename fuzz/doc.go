// Package fuzz searches the Skylark filter grammar for disagreements between a live
// target and the catalogue's semantics (SAM-FZ-01 to SAM-FZ-03): rapid generators for
// valid, adversarial and malformed expressions, the properties that compare the
// target's answers with the oracle of package filter and with each other, and a
// driver that runs rapid from a binary with a bounded budget and reports every
// counterexample shrunk, with its seed and a command line that replays it.
//
// The target is reached through a Querier, so the properties never talk HTTP: the
// step library and the CLI hand in a ClientQuerier over the harness's target client.
package fuzz
