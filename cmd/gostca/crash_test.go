package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostca/gostca/ca/offline"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/internal/testlog"
	"github.com/gostca/gostca/store"
)

// The end-to-end crash test: `gostca serve` runs as a child process while
// clients issue and revoke over HTTP; the parent kills it with SIGKILL at
// random moments and starts it again. Afterwards every certificate the
// server answered 201 for is there, every revocation it answered 200 for
// is still a revocation, and the store is consistent: what the API
// acknowledges is durable, whatever the moment of the crash.

const (
	serveCrashDirEnv = "GOSTCATEST_SERVE_CRASH_DIR" // not GOSTCA_: those are configuration
	serveCrashKills  = 6
)

// TestServeCrashChild is the server of TestServeCrash.
func TestServeCrashChild(t *testing.T) {
	dir := os.Getenv(serveCrashDirEnv)
	if dir == "" {
		t.Skip("run by TestServeCrash as a child process")
	}
	onListening = func(a string) { os.Stdout.WriteString("LISTEN " + a + "\n") }
	code := runContext(context.Background(), []string{"serve", "--data", dir, "--listen", "127.0.0.1:0"}, os.Stdout, os.Stderr)
	t.Fatalf("serve returned %d", code) // it never should: it is killed
}

type crashServer struct {
	cmd  *exec.Cmd
	addr string
}

func startCrashChild(t *testing.T, dir string, token *string) *crashServer {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), serveCrashDirEnv+"="+dir, "GOSTCA_KEYS_SCRYPT_LOG_N=10")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr testlog.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		tokenRE := regexp.MustCompile(`gca_[0-9a-f]{16}_[A-Za-z0-9_-]+`)
		for sc.Scan() {
			line := sc.Text()
			if tok := tokenRE.FindString(line); tok != "" {
				*token = tok
			}
			if a, ok := strings.CutPrefix(line, "LISTEN "); ok {
				addrc <- a
			}
		}
	}()
	select {
	case a := <-addrc:
		return &crashServer{cmd: cmd, addr: a}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the server did not start: %s", stderr.String())
	}
	return nil
}

func TestServeCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test is not short")
	}
	dir := filepath.Join(t.TempDir(), "data")
	var token string
	newBody := func() []byte {
		b, _ := json.Marshal(personRequest(newCSR(t)))
		return b
	}
	client := &http.Client{Timeout: 10 * time.Second}
	post := func(url string, body []byte) (int, []byte, error) {
		req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}

	var mu sync.Mutex
	issued := map[string]bool{}  // serial → acknowledged (201)
	revoked := map[string]bool{} // serial → revocation acknowledged (200)
	rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 11))
	for kill := range serveCrashKills {
		srv := startCrashChild(t, dir, &token)
		if token == "" {
			t.Fatal("no admin token from the first start")
		}
		base := "http://" + srv.addr
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					code, body, err := post(base+"/api/v1/certificates", newBody())
					if err != nil || code != 201 {
						continue // killed mid-request: no acknowledgement
					}
					var c struct{ Serial string }
					json.Unmarshal(body, &c)
					mu.Lock()
					issued[c.Serial] = true
					mu.Unlock()
					if i%3 == 0 {
						code, _, err := post(base+"/api/v1/certificates/"+c.Serial+"/revoke", []byte(`{"reason":"keyCompromise"}`))
						if err == nil && code == 200 {
							mu.Lock()
							revoked[c.Serial] = true
							mu.Unlock()
						}
					}
				}
			}()
		}
		time.Sleep(time.Duration(300+rng.IntN(900)) * time.Millisecond)
		srv.cmd.Process.Signal(syscall.SIGKILL)
		srv.cmd.Wait()
		close(stop)
		wg.Wait()
		client.CloseIdleConnections()
		mu.Lock()
		t.Logf("kill %d: %d certificates and %d revocations acknowledged so far", kill+1, len(issued), len(revoked))
		mu.Unlock()
	}
	if len(issued) < 20 || len(revoked) < 5 {
		t.Fatalf("too little was acknowledged to prove anything: %d issued, %d revoked", len(issued), len(revoked))
	}

	// Everything acknowledged is there after the last crash.
	srv := startCrashChild(t, dir, &token)
	base := "http://" + srv.addr
	for serial := range issued {
		req, _ := http.NewRequest("GET", base+"/api/v1/certificates/"+serial, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var c struct{ Status string }
		json.NewDecoder(resp.Body).Decode(&c)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("acknowledged certificate %s: HTTP %d after the crashes", serial, resp.StatusCode)
		}
		if revoked[serial] && c.Status != "revoked" {
			t.Fatalf("acknowledged revocation of %s lost: status %q", serial, c.Status)
		}
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := srv.cmd.Wait(); err != nil {
		t.Logf("server exit after SIGTERM: %v", err)
	}
	cfg := config.DefaultConfig()
	cfg.DataDir = dir
	rep, err := offline.Fsck(context.Background(), cfg, store.Options{Logger: slog.New(slog.DiscardHandler)}, offline.FsckOptions{})
	if err != nil || !rep.OK() {
		t.Fatalf("fsck after the crashes: %v %+v", err, rep)
	}
	if rep.PendingIntents != 0 {
		t.Fatalf("%d intents left", rep.PendingIntents)
	}
	t.Logf("%d certificates, %d revocations acknowledged and found after %d SIGKILLs; fsck clean", len(issued), len(revoked), serveCrashKills)
}
