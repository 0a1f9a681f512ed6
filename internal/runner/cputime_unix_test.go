//go:build unix

package runner_test

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) the whole process has used: the
// harness and the in-process reference server together.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
