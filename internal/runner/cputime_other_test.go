//go:build !unix

package runner_test

import "time"

// processCPU is unknown off unix; the benchmarks then report 0 CPU seconds.
func processCPU() time.Duration { return 0 }
