package peers

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Peak memory of a peer process. The child's ru_maxrss from wait4 is
// not its own: Go starts children with vfork (CLONE_VM), and at exec the
// kernel folds the high-water mark of the memory the child shared until
// then — the suite's own, hundreds of MiB after a bulk load — into the
// child's maxrss. VmHWM in /proc/PID/status belongs to the process's own
// address space after exec, so the suite samples it while the process
// runs and keeps the largest value; it misses at most the growth of the
// last sampling interval before exit.

const peakSampleEvery = 2 * time.Millisecond

// runPeak runs openssl like run and returns its peak VmHWM (KiB) as
// sampled.
func (p *Peer) runPeak(ctx context.Context, args ...string) (int64, error) {
	cmd := exec.CommandContext(ctx, p.Bin, args...)
	cmd.Env = p.Env
	cmd.Dir = p.Dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("openssl %s: %w", args[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	pid := cmd.Process.Pid
	var peak int64
	t := time.NewTicker(peakSampleEvery)
	defer t.Stop()
	for {
		if kb, err := ProcStatusKB(pid, "VmHWM"); err == nil {
			peak = max(peak, kb)
		}
		select {
		case err := <-done:
			if err != nil {
				return peak, fmt.Errorf("openssl %s: %v: %s", args[0], err, LastLines(stderr.String(), 5))
			}
			return peak, nil
		case <-t.C:
		}
	}
}

// ProcStatusKB reads a "Name:   N kB" field of /proc/PID/status.
func ProcStatusKB(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				return strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}
