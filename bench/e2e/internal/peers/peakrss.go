package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
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
func (p *peer) runPeak(ctx context.Context, args ...string) (int64, error) {
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.Env = p.env
	cmd.Dir = p.dir
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
		if kb, err := procStatusKB(pid, "VmHWM"); err == nil {
			peak = max(peak, kb)
		}
		select {
		case err := <-done:
			if err != nil {
				return peak, fmt.Errorf("openssl %s: %v: %s", args[0], err, lastLines(stderr.String(), 5))
			}
			return peak, nil
		case <-t.C:
		}
	}
}
