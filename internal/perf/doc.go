// Package perf holds benchmarks of shared code that is hot in a run but whose own
// package belongs to other work: the filter grammar's parser, printer and oracle,
// which the filter steps, the walker and the fuzzer call for every expression and
// every item. It has no code of its own; `make bench` runs its benchmarks with the
// rest (see BENCHMARKS.md).
package perf
