package load

import (
	"os"
	"runtime"
	"testing"
	"time"
)

// TestCPUMeter: the meter reads this process's CPU time both ways
// (getrusage and /proc/PID/stat) and divides it by the run's requests.
func TestCPUMeter(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/PID/stat is Linux's")
	}
	m := StartCPU(os.Getpid())
	// Burn at least 100 ms of CPU (the /proc clock ticks are 10 ms).
	start, x := SelfCPU(), uint64(1)
	for SelfCPU()-start < 150*time.Millisecond {
		for range 100000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	s := Stats{Requests: 1000}
	m.Stop(&s)
	if x == 0 || s.ClientCPUus < 100 || s.ServerCPUus < 100 {
		t.Fatalf("per request: self %v µs, /proc %v µs; want ≥ 100 (150 ms over 1000)", s.ClientCPUus, s.ServerCPUus)
	}
	if r := s.ServerCPUus / s.ClientCPUus; r < 0.7 || r > 1.3 {
		t.Fatalf("/proc says %v µs, getrusage %v µs per request", s.ServerCPUus, s.ClientCPUus)
	}
	if _, err := ProcessCPU(1 << 30); err == nil {
		t.Fatal("no error for a process that does not exist")
	}
	if c := m.Per(1000); c.ClientUS < 100 || c.ServerUS < 100 {
		t.Fatalf("Per(1000): %+v, want ≥ 100 µs both ways", c)
	}
	if (&CPUMeter{}).Per(0) != (CPUCost{}) {
		t.Fatal("Per(0) is not zero")
	}
	none := Stats{}
	StartCPU(0).Stop(&none)
	if none.ClientCPUus != 0 || none.ServerCPUus != 0 {
		t.Fatalf("a run without requests: %+v", none)
	}
}
