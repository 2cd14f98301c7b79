//go:build unix

package gost3410

import (
	"syscall"
	"testing"
)

// cpuMetric, called after a benchmark's setup and deferred, reports the
// process's CPU time (user + system) per operation as cpu-ns/op: on a
// machine shared with other load the wall-clock ns/op grows with the
// load, the CPU time far less.
func cpuMetric(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
