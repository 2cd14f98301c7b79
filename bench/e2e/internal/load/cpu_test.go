package load

import (
	"os"
	"runtime"
	"testing"
	"time"
)

// Spinning until getrusage has counted 200 ms of CPU: /proc/PID/stat of
// this process counts the same time (within its 10 ms ticks and the
// other goroutines' bit), and Per divides it by the operations.
func TestCPUReadingsAgree(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/PID/stat is Linux's")
	}
	m := StartCPU(os.Getpid())
	p0, err := ProcCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	s0 := SelfCPU()
	x := 0
	for deadline := time.Now().Add(30 * time.Second); SelfCPU()-s0 < 200*time.Millisecond; x++ {
		if time.Now().After(deadline) {
			t.Fatal("getrusage counted under 200 ms of CPU in 30 s of spinning")
		}
	}
	s1 := SelfCPU()
	p1, _ := ProcCPU(os.Getpid())
	ds, dp := s1-s0, p1-p0
	if dp < ds-50*time.Millisecond || dp > ds+100*time.Millisecond {
		t.Errorf("/proc/PID/stat counted %v where getrusage counted %v", dp, ds)
	}
	c := m.Per(1000)
	if c.ClientUS < 200 || c.ServerUS < 150 {
		t.Errorf("per-op cost %+v, want ≥ 200 µs (getrusage) and ≥ 150 µs (/proc) for ≥ 200 ms over 1000 ops", c)
	}
	if (&CPUMeter{}).Per(0) != (CPUCost{}) {
		t.Error("Per(0) is not zero")
	}
	if _, err := ProcCPU(-1); err == nil {
		t.Error("ProcCPU(-1) did not fail")
	}
}
