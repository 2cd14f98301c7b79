package peers

import (
	"context"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// TestRunPeakIsTheChildsOwn: with 300 MiB touched in this process, a
// child that holds about 40 MB has a sampled peak near 40 MB, where its
// ru_maxrss would include this process's 300 MiB (Go starts children
// with vfork).
func TestRunPeakIsTheChildsOwn(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	ballast := make([]byte, 300<<20)
	for i := range ballast {
		ballast[i] = byte(i)
	}
	// The command substitution keeps 40 MB of output in the shell's
	// memory while it sleeps.
	script := `x=$(head -c 40000000 /dev/zero | tr '\0' a); sleep 0.3; echo ${#x} >/dev/null`
	p := &Peer{Bin: sh, Dir: t.TempDir(), Env: os.Environ()}
	peak, err := p.runPeak(context.Background(), "-c", script)
	if err != nil {
		t.Fatal(err)
	}
	if peak < 30_000 || peak > 200_000 {
		t.Errorf("sampled peak %d KiB, want the shell's ~40 MB", peak)
	}
	// What wait4 says for the same kind of child: the ballast shows.
	c := exec.Command(sh, "-c", "true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss < 250_000 {
		t.Logf("ru_maxrss %d KiB: this kernel does not fold the parent's memory in", ru.Maxrss)
	}
	_ = ballast[len(ballast)-1]
}
