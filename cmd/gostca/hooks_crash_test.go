package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hooks"
	"github.com/gostca/gostca/internal/hooksimtest"
	"github.com/gostca/gostca/store"
)

// The hooks crash test: `gostca serve` delivers ESIA registrations to the
// hook simulator (cmd/hooksim, a separate process) and takes its signed
// callbacks, while the parent issues over HTTP and kills the server with
// SIGKILL at random moments. Afterwards every acknowledged certificate's
// row is delivered, the simulator took each delivery id once as new, and
// every certificate's registration is SUCCEEDED from exactly one answer.

const hookCrashEnv = "GOSTCATEST_HOOK_CRASH" // data dir|config file|listen address

func TestHookCrashChild(t *testing.T) {
	v := os.Getenv(hookCrashEnv)
	if v == "" {
		t.Skip("run by TestHookCrash as a child process")
	}
	f := strings.Split(v, "|")
	onListening = func(a string) { os.Stdout.WriteString("LISTEN " + a + "\n") }
	code := runContext(context.Background(), []string{"serve", "--data", f[0], "--config", f[1], "--listen", f[2]}, os.Stdout, os.Stderr)
	t.Fatalf("serve returned %d", code)
}

func freeLoopback(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestHookCrash(t *testing.T) {
	hookCrash(t, false)
}

// TestHookPollCrash is TestHookCrash with a polling receiver (hooksim
// -poll 3, hooks.kind.esia mode = "poll"): SIGKILL while tickets are
// taken and asked about; afterwards every registration is SUCCEEDED
// after VALIDATING, each answer taken once however often it was asked
// for, and each request was taken once as new.
func TestHookPollCrash(t *testing.T) {
	hookCrash(t, true)
}

func hookCrash(t *testing.T, poll bool) {
	if testing.Short() {
		t.Skip("crash test is not short")
	}
	work := t.TempDir()
	dir, cfgFile, listen := filepath.Join(work, "data"), filepath.Join(work, "gostca.toml"), freeLoopback(t)
	sec := filepath.Join(work, "esia.key")
	if err := os.WriteFile(sec, []byte("whsec_"+base64.StdEncoding.EncodeToString([]byte("crash test secret of 32 bytes..."))), 0o600); err != nil {
		t.Fatal(err)
	}
	simArgs := []string{"-secret-file", sec, "-callback", "http://" + listen, "-esia", "validating"}
	if poll {
		simArgs = append(simArgs, "-poll", "3")
	}
	simAddr := strings.TrimPrefix(hooksimtest.Start(t, simArgs...).Base, "http://")
	toml := fmt.Sprintf("[hooks]\nallow_http_loopback = true\npoll_interval = \"50ms\"\nmin_backoff = \"20ms\"\nmax_backoff = \"200ms\"\n\n[hooks.kind.esia]\nurl = \"http://%s/esia\"\nsecret_files = [%q]\nmax_attempts = 1000\n", simAddr, sec)
	if poll {
		toml += fmt.Sprintf("mode = \"poll\"\npoll_url = \"http://%s/poll/{ticket}\"\npoll_interval = \"20ms\"\npoll_max_interval = \"100ms\"\n", simAddr)
	}
	if err := os.WriteFile(cfgFile, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}

	var token string
	client := &http.Client{Timeout: 10 * time.Second}
	var mu sync.Mutex
	issued := map[string]bool{}
	rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 12))
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHookCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), hookCrashEnv+"="+dir+"|"+cfgFile+"|"+listen, "GOSTCA_KEYS_SCRYPT_LOG_N=10")
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		up := make(chan struct{}, 1)
		go func() {
			sc := bufio.NewScanner(out)
			re := regexp.MustCompile(`gca_[0-9a-f]{16}_[A-Za-z0-9_-]+`)
			for sc.Scan() {
				if tok := re.FindString(sc.Text()); tok != "" {
					mu.Lock()
					token = tok
					mu.Unlock()
				}
				if strings.HasPrefix(sc.Text(), "LISTEN ") {
					up <- struct{}{}
				}
			}
		}()
		select {
		case <-up:
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatal("serve did not start")
		}
		return cmd
	}
	for kill := range 4 {
		cmd := start()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					body, _ := json.Marshal(personRequest(newCSR(t)))
					req, _ := http.NewRequest("POST", "http://"+listen+"/api/v1/certificates", bytes.NewReader(body))
					mu.Lock()
					req.Header.Set("Authorization", "Bearer "+token)
					mu.Unlock()
					req.Header.Set("Content-Type", "application/json")
					resp, err := client.Do(req)
					if err != nil {
						continue
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					var c struct{ Serial string }
					if resp.StatusCode == 201 && json.Unmarshal(b, &c) == nil {
						mu.Lock()
						issued[c.Serial] = true
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(200+rng.IntN(500)) * time.Millisecond)
		_ = cmd.Process.Kill() // SIGKILL: deliveries and callbacks in flight
		_ = cmd.Wait()
		close(stop)
		wg.Wait()
		t.Logf("kill %d: %d certificates acknowledged so far", kill+1, len(issued))
	}
	if len(issued) == 0 {
		t.Fatal("nothing was issued")
	}
	// A last start drains the outbox and takes the remaining callbacks.
	cmd := start()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + simAddr + "/stats")
		if err != nil {
			t.Fatal(err)
		}
		var st struct {
			Received, Duplicates map[string]float64
			Finals               float64
		}
		_ = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if int(st.Received["esia"]) >= len(issued) && (!poll || int(st.Finals) >= len(issued)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("simulator took %v new ESIA deliveries, %d certificates issued", st.Received["esia"], len(issued))
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // the last callbacks (VALIDATING, then SUCCEEDED 50 ms later)
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()

	cfg, err := config.LoadConfig(cfgFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = dir
	cfg.Hooks.Kinds = nil // look, do not deliver
	cfg.Keys.ScryptLogN = 10
	e, err := ca.Open(context.Background(), cfg, ca.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	pending, err := e.Store().OutboxList(ctx, hooks.HookESIA, store.OutboxPendingRows, 0, 1000)
	if err != nil || len(pending) != 0 {
		t.Errorf("%d ESIA rows still pending (%v)", len(pending), err)
	}
	for serial := range issued {
		b, _ := ca.ParseSerial(serial)
		st, err := e.Hooks().ESIAState(ctx, b)
		// VALIDATING, then SUCCEEDED (polled: each taken once, however
		// often the pending and final answers were asked for).
		if err != nil || st == nil || st.State != hooks.ESIASucceeded || st.Answers != 2 {
			t.Errorf("certificate %s: registration %+v (%v), want SUCCEEDED after VALIDATING: 2 answers", serial, st, err)
		}
	}
	rep, err := e.Store().Check(ctx)
	if err != nil || !rep.OK() {
		t.Errorf("store check: %v %+v", err, rep)
	}
}
