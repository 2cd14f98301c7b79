package signer

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// The crash test: a child process issues continuously from several
// goroutines and prints each acknowledged serial; the parent kills it with
// SIGKILL at random moments, restarts it, and after the kills checks that
// every acknowledged certificate is durable, nothing is duplicated, no
// intent is left, the audit chain verifies and the store is consistent.

const (
	crashDirEnv = "GOSTCA_CRASH_DIR"
	crashKills  = 20
	crashPass   = "crash-test-passphrase"
)

func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestCrashRecovery as a child process")
	}
	ctx := context.Background()
	st, err := store.Open(filepath.Join(dir, "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key, err := hsm.LoadSoftKey(filepath.Join(dir, "ca.key"), []byte(crashPass))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "ca.der"))
	cert, err := pkix.ParseCertificate(raw)
	if err != nil {
		t.Fatal(err)
	}
	is, err := NewIssuer("ca", cert, key, qualifiedSettings, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, st, []*Issuer{is}, Options{MaxBatch: 16, MaxDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	say := func(line string) {
		mu.Lock()
		os.Stdout.WriteString(line + "\n") // one write per line: atomic on a pipe
		mu.Unlock()
	}
	say(fmt.Sprintf("RECOVERED %d", s.Stats().Recovered))
	say("READY")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				req := request(t, "ca", "tc26-256-A", fmt.Sprintf("p%d-g%d-%d", os.Getpid(), g, i))
				res, err := s.Issue(ctx, req)
				if err != nil {
					say("ERR " + err.Error())
					continue
				}
				say("ACK " + hex.EncodeToString(res.Serial))
			}
		}()
	}
	wg.Wait() // never returns: the parent kills the process
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test is not short")
	}
	dir := t.TempDir()
	ca, key, _ := testCA(t, "tc26-256-A")
	if err := os.WriteFile(filepath.Join(dir, "ca.der"), ca.Raw, 0o600); err != nil {
		t.Fatal(err)
	}
	soft := key.(*hsm.SoftKey)
	if err := hsm.WriteSoftKeyFile(filepath.Join(dir, "ca.key"), soft, []byte(crashPass), &hsm.SoftKeyFileOptions{ScryptLogN: 10}); err != nil {
		t.Fatal(err)
	}
	rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 7))
	acked := map[string]bool{}
	recovered := 0
	for kill := range crashKills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = nil
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Wait for READY (recovery done), then let it issue for a random
		// while and kill it mid-flight.
		ready := false
		deadline := time.After(60 * time.Second)
		for !ready {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("child %d exited before READY", kill)
				}
				ready = l == "READY"
				if n, ok := strings.CutPrefix(l, "RECOVERED "); ok {
					var v int
					fmt.Sscan(n, &v)
					recovered += v
				}
			case <-deadline:
				cmd.Process.Kill()
				t.Fatalf("child %d never became ready", kill)
			}
		}
		time.Sleep(time.Duration(50+rng.IntN(400)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for l := range lines {
			if serial, ok := strings.CutPrefix(l, "ACK "); ok {
				acked[serial] = true
			}
		}
		cmd.Wait()
	}
	if len(acked) < crashKills {
		t.Fatalf("only %d acknowledged certificates over %d runs", len(acked), crashKills)
	}

	// Recovery by a fresh signer, then the checks.
	ctx := context.Background()
	st, err := store.Open(filepath.Join(dir, "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pending, _ := st.PendingIntents(ctx)
	is, err := NewIssuer("ca", ca, key, qualifiedSettings, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, st, []*Issuer{is}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	t.Logf("%d kills, %d acknowledged certificates, %d intents completed by recovery on restarts, %d pending at the last kill",
		crashKills, len(acked), recovered, len(pending))
	if left, _ := st.PendingIntents(ctx); len(left) != 0 {
		t.Fatalf("%d intents unresolved after recovery", len(left))
	}
	for serial := range acked {
		b, _ := hex.DecodeString(serial)
		rec, err := st.Certificate(ctx, b)
		if err != nil {
			t.Fatalf("acknowledged serial %s lost: %v", serial, err)
		}
		c, err := pkix.ParseCertificate(rec.DER)
		if err != nil || c.CheckSignatureFrom(ca) != nil {
			t.Fatalf("acknowledged serial %s: bad certificate: %v", serial, err)
		}
	}
	// Every certificate, acknowledged or not: unique serials and keys.
	serials, keys := map[string]bool{}, map[store.KeyHash]bool{}
	for cursor := ""; ; {
		page, next, err := st.FindCertificates(ctx, store.Query{Field: store.BySNILS, Value: "11223344595", Cursor: cursor, Limit: store.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			if serials[string(r.Serial)] || keys[r.KeyHash] {
				t.Fatalf("serial %x or its key appears twice", r.Serial)
			}
			serials[string(r.Serial)], keys[r.KeyHash] = true, true
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(serials) < len(acked) {
		t.Fatalf("%d certificates stored, %d acknowledged", len(serials), len(acked))
	}
	if err := st.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	report, err := st.Check(ctx)
	if err != nil || !report.OK() {
		t.Fatalf("consistency check: %v %+v", err, report)
	}
}
