// Package hooksimtest runs the hook simulator (cmd/hooksim) as a real
// process on loopback for tests: the engine delivers to it, it answers
// and calls back as ESIA, the registries, the SMS gateway and the mail
// relay would.
package hooksimtest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds cmd/hooksim once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hooksim")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "hooksim")
		if out, err := exec.Command("go", "build", "-o", binPath, "github.com/gostca/gostca/cmd/hooksim").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build hooksim: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Sim is a running hooksim.
type Sim struct {
	Base string // http://127.0.0.1:port
	Cmd  *exec.Cmd
}

// Start runs hooksim with args (see cmd/hooksim: -callback, -secret-file,
// -listen, …), waits until it listens and kills it when the test ends.
func Start(t testing.TB, args ...string) *Sim {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "hooksim listening on ")
	if err != nil || !ok {
		t.Fatalf("hooksim did not start: %q %v", line, err)
	}
	return &Sim{Base: "http://" + addr, Cmd: cmd}
}

// Stats is the simulator's /stats document.
func (s *Sim) Stats(t testing.TB) map[string]any {
	t.Helper()
	resp, err := http.Get(s.Base + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Count is one per-kind number of Stats (group "received",
// "duplicates", …), 0 if absent.
func (s *Sim) Count(t testing.TB, group, kind string) float64 {
	t.Helper()
	m, _ := s.Stats(t)[group].(map[string]any)
	v, _ := m[kind].(float64)
	return v
}

// Control changes the simulator's behaviour (/control?query).
func (s *Sim) Control(t testing.TB, query string) {
	t.Helper()
	resp, err := http.Post(s.Base+"/control?"+query, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
