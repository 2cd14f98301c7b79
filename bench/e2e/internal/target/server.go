// Package target is the gostca server under test as the end-to-end suite
// sees it: cmd/gostca built from this tree and run as its own process,
// its HTTP API through a client with its own JSON types (as any client
// sees it), the CSRs the workloads send and the signer's batch sizes
// scraped from /metrics.
package target

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Server is a gostca serve process the suite started (cmd != nil) or one
// it attached to by URL.
type Server struct {
	URL, Token string
	DataDir    string // empty when attached
	Bin        string
	Env        []string // added to the suite's environment
	LogPath    string
	// Port, when set, is the port to listen on (a hook simulator started
	// first needs the callback URL); Args are added to serve's.
	Port int
	Args []string

	cmd  *exec.Cmd
	done chan error
}

// BuildGostca builds cmd/gostca of the module the suite runs in into dir.
func BuildGostca(ctx context.Context, dir string) (string, error) {
	return BuildCmd(ctx, dir, "gostca")
}

// BuildCmd builds cmd/NAME of the module the suite runs in into dir.
func BuildCmd(ctx context.Context, dir, name string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/"+name)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/%s: %v\n%s", name, err, out)
	}
	return bin, nil
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the gostca module: run from the repository (go run ./bench/e2e)")
	}
	return filepath.Dir(mod), nil
}

// FreePort asks the kernel for a free port on 127.0.0.1.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

var tokenRE = regexp.MustCompile(`gca_[A-Za-z0-9_\-]+`)

// Start runs `gostca serve` on a fresh port of 127.0.0.1 over
// DataDir. On the first start of a data directory it reads the ca_admin
// token the server prints; later starts reuse s.Token.
func (s *Server) Start(ctx context.Context) error {
	port := s.Port
	if port == 0 {
		var err error
		if port, err = FreePort(); err != nil {
			return err
		}
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	s.URL = "http://" + addr
	cmd := exec.Command(s.Bin, append([]string{"serve", "--data", s.DataDir, "--listen", addr}, s.Args...)...)
	cmd.Env = append(os.Environ(), s.Env...)
	logf, err := os.OpenFile(s.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start gostca serve: %w", err)
	}
	s.cmd = cmd
	s.done = make(chan error, 1)
	var mu sync.Mutex
	tok := ""
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := tokenRE.FindString(sc.Text()); m != "" {
				mu.Lock()
				tok = m
				mu.Unlock()
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() { s.done <- cmd.Wait(); logf.Close() }()
	deadline := time.Now().Add(90 * time.Second)
	for {
		if time.Now().After(deadline) {
			s.Stop()
			return fmt.Errorf("gostca serve did not answer /healthz within 90 s (log: %s)", s.LogPath)
		}
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("gostca serve exited: %v (log: %s)", err, s.LogPath)
		case <-time.After(100 * time.Millisecond):
		}
		r, err := http.Get(s.URL + "/healthz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				break
			}
		}
	}
	if s.Token == "" {
		// The token is printed before the listener serves; give the pipe
		// a moment.
		for i := 0; i < 50; i++ {
			mu.Lock()
			t := tok
			mu.Unlock()
			if t != "" {
				s.Token = t
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if s.Token == "" {
			s.Stop()
			return errors.New("gostca serve printed no admin token: start the suite on an empty data directory or pass --url and --token-file")
		}
	}
	return nil
}

// Stop sends SIGTERM and waits (30 s, then SIGKILL).
func (s *Server) Stop() error {
	if s.cmd == nil {
		return nil
	}
	defer func() { s.cmd = nil }()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			return err
		}
		return nil
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		return errors.New("gostca serve did not stop within 30 s; killed")
	}
}

// PID is the server process's id, 0 when the suite did not start it.
func (s *Server) PID() int {
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}
