//go:build unix

package load

import (
	"syscall"
	"time"
)

// SelfCPU is this process's CPU time (user + system) so far; 0 when the
// system does not say.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
