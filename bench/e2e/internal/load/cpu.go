package load

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// CPU per request: the load generator and the server share the machine's
// cores, so a run's throughput says little about either alone. A CPUMeter
// reads both processes' CPU time (user + system) around a run.

// CPUMeter measures the CPU time of this process and of the server's
// (pid 0: not measured) over a run.
type CPUMeter struct {
	pid          int
	self, server time.Duration
	serverOK     bool
}

// StartCPU takes the first reading; pid is the server's process (0: none).
func StartCPU(pid int) *CPUMeter {
	m := &CPUMeter{pid: pid, self: SelfCPU()}
	if pid > 0 {
		t, err := ProcessCPU(pid)
		m.server, m.serverOK = t, err == nil
	}
	return m
}

// Stop sets s's CPU per request (of s.Requests) from a second reading.
func (m *CPUMeter) Stop(s *Stats) {
	if s.Requests == 0 {
		return
	}
	c := m.Per(s.Requests)
	s.ClientCPUus, s.ServerCPUus = c.ClientUS, c.ServerUS
}

// ProcessCPU is the CPU time (user + system, every thread) of process pid
// so far, from /proc/PID/stat (Linux; clock ticks of 10 ms).
func ProcessCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: fields count from ")".
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3 (state): utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	u, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	st, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q stime %q", pid, f[11], f[12])
	}
	// USER_HZ is 100 on every Linux the suite runs on.
	return time.Duration(u+st) * (time.Second / 100), nil
}

// CPUCost is the CPU time per successful operation, in microseconds, of
// the generator and the server (0: not measured).
type CPUCost struct {
	ClientUS float64 `json:"client_cpu_us_per_op,omitempty"`
	ServerUS float64 `json:"server_cpu_us_per_op,omitempty"`
}

// Per takes the second reading and divides by ok operations (for runs
// whose operations are not a Stats's requests, like issuance's successes).
func (m *CPUMeter) Per(ok int) CPUCost {
	if ok <= 0 {
		return CPUCost{}
	}
	c := CPUCost{ClientUS: float64((SelfCPU() - m.self).Microseconds()) / float64(ok)}
	if m.serverOK {
		if t, err := ProcessCPU(m.pid); err == nil {
			c.ServerUS = float64((t - m.server).Microseconds()) / float64(ok)
		}
	}
	return c
}
