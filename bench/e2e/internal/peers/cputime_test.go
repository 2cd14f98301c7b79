package peers

import (
	"os"
	"syscall"
	"testing"
	"time"
)

func rusageCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestProcCPUTime: over a loop that burns 200 ms of CPU by getrusage's
// count (whatever the wall time on a busy machine), the suite's own
// /proc CPU time grows by as much, within its 10 ms ticks.
func TestProcCPUTime(t *testing.T) {
	before, err := ProcCPUTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	start := rusageCPU(t)
	x := 0
	for rusageCPU(t)-start < 200*time.Millisecond {
		x++
	}
	after, err := ProcCPUTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if d := after - before; d < 150*time.Millisecond || d > 2*time.Second {
		t.Fatalf("/proc CPU time grew by %v while getrusage counted 200 ms (%d turns)", d, x)
	}
}
