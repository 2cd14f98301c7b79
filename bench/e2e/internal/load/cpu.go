package load

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// SelfCPU is the user plus system CPU time this process has used.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTick is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux architecture Go runs on.
const clockTick = 10 * time.Millisecond

// ProcCPU is the user plus system CPU time process pid has used, from
// /proc/PID/stat (Linux; 10 ms resolution, so measure over runs of
// seconds).
func ProcCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// count fields after its closing parenthesis. utime and stime are
	// fields 14 and 15, the 12th and 13th after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields after the name", pid, len(f))
	}
	ut, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	st, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime/stime are not numbers", pid)
	}
	return time.Duration(ut+st) * clockTick, nil
}

// CPUMeter measures the CPU time of this process (the load generator) and
// of the server process (pid 0: not known, e.g. attached by URL) over one
// run.
type CPUMeter struct {
	pid          int
	self, server time.Duration
	serverOK     bool
}

// StartCPU starts a measurement.
func StartCPU(pid int) *CPUMeter {
	m := &CPUMeter{pid: pid, self: SelfCPU()}
	if pid > 0 {
		t, err := ProcCPU(pid)
		m.server, m.serverOK = t, err == nil
	}
	return m
}

// CPUCost is the CPU time per successful operation, in microseconds, of
// the generator and the server (0: not measured).
type CPUCost struct {
	ClientUS float64 `json:"client_cpu_us_per_op,omitempty"`
	ServerUS float64 `json:"server_cpu_us_per_op,omitempty"`
}

// Per stops the measurement and divides by ok operations.
func (m *CPUMeter) Per(ok int) CPUCost {
	if ok <= 0 {
		return CPUCost{}
	}
	c := CPUCost{ClientUS: float64((SelfCPU() - m.self).Microseconds()) / float64(ok)}
	if m.serverOK {
		if t, err := ProcCPU(m.pid); err == nil {
			c.ServerUS = float64((t - m.server).Microseconds()) / float64(ok)
		}
	}
	return c
}
