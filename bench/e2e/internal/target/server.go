package main

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

// server is a gostca serve process the suite started (cmd != nil) or one
// it attached to by URL.
type server struct {
	url, token string
	dataDir    string // empty when attached
	bin        string
	env        []string
	logPath    string
	// port, when set, is the port to listen on (a hook simulator started
	// first needs the callback URL); args are added to serve's.
	port int
	args []string

	cmd  *exec.Cmd
	done chan error
}

// buildGostca builds cmd/gostca of the module the suite runs in into dir.
func buildGostca(ctx context.Context, dir string) (string, error) {
	return buildCmd(ctx, dir, "gostca")
}

// buildCmd builds cmd/NAME of the module the suite runs in into dir.
func buildCmd(ctx context.Context, dir, name string) (string, error) {
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

// freePort asks the kernel for a free port on 127.0.0.1.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

var tokenRE = regexp.MustCompile(`gca_[A-Za-z0-9_\-]+`)

// startServer runs `gostca serve` on a fresh port of 127.0.0.1 over
// dataDir. On the first start of a data directory it reads the ca_admin
// token the server prints; later starts reuse s.token.
func (s *server) start(ctx context.Context) error {
	port := s.port
	if port == 0 {
		var err error
		if port, err = freePort(); err != nil {
			return err
		}
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	s.url = "http://" + addr
	cmd := exec.Command(s.bin, append([]string{"serve", "--data", s.dataDir, "--listen", addr}, s.args...)...)
	cmd.Env = append(os.Environ(), s.env...)
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
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
			s.stop()
			return fmt.Errorf("gostca serve did not answer /healthz within 90 s (log: %s)", s.logPath)
		}
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("gostca serve exited: %v (log: %s)", err, s.logPath)
		case <-time.After(100 * time.Millisecond):
		}
		r, err := http.Get(s.url + "/healthz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				break
			}
		}
	}
	if s.token == "" {
		// The token is printed before the listener serves; give the pipe
		// a moment.
		for i := 0; i < 50; i++ {
			mu.Lock()
			t := tok
			mu.Unlock()
			if t != "" {
				s.token = t
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if s.token == "" {
			s.stop()
			return errors.New("gostca serve printed no admin token: start the suite on an empty data directory or pass --url and --token-file")
		}
	}
	return nil
}

// stop sends SIGTERM and waits (30 s, then SIGKILL).
func (s *server) stop() error {
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

func (s *server) pid() int {
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}
