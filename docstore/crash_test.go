package docstore

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

const crashDirEnv = "DOCSTORE_CRASH_DIR"

// TestCrashChild is the child of TestCrashKill9: it stores documents from
// four goroutines until killed, printing each hash once Put returned
// (the acknowledgement a caller would act on by writing metadata).
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestCrashKill9")
	}
	s, err := New(Options{Dir: dir})
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(2)
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(g)))
			for {
				body := make([]byte, 64<<10+rng.IntN(512<<10))
				for i := range body {
					body[i] = byte(rng.Uint32())
				}
				copy(body, "%PDF-1.7\n")
				copy(body[len(body)-7:], "\n%%EOF\n")
				st, err := s.Put(context.Background(), bytes.NewReader(body), tenMB)
				mu.Lock()
				if err != nil {
					fmt.Fprintln(out, "ERR", err)
				} else {
					fmt.Fprintln(out, hex.EncodeToString(st.SHA256[:]))
				}
				out.Flush()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// TestCrashKill9 kills a process storing documents with SIGKILL at random
// moments, then reopens the directory: every acknowledged document is
// there with its exact content (Check with Verify), and New removed the
// interrupted uploads.
func TestCrashKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir() + "/docs"
	acked := map[[32]byte]struct{}{}
	const kills = 8
	for range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// The kill comes 150–400 ms after the child's first acknowledged
		// document, not after its start: a loaded machine (a race build
		// starting slowly) must not turn runs into kills before any work.
		var deadline <-chan time.Time
		started := false
	read:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					break read
				}
				if strings.HasPrefix(l, "ERR") {
					t.Fatalf("child: %s", l)
				}
				var h [32]byte
				if n, err := hex.Decode(h[:], []byte(l)); err == nil && n == 32 {
					acked[h] = struct{}{}
					if !started {
						started = true
						deadline = time.After(time.Duration(150+rand.IntN(250)) * time.Millisecond)
					}
				}
			case <-deadline:
				cmd.Process.Kill()
				deadline = nil
			}
		}
		cmd.Wait()
	}
	if len(acked) < kills {
		t.Fatalf("only %d documents acknowledged over %d runs", len(acked), kills)
	}
	// Before reopening: at most the interrupted uploads are strays.
	s0 := &Store{dir: dir, maxPixels: DefaultMaxPixels}
	rep, err := s0.Check(acked, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range rep.Strays {
		if !strings.HasPrefix(st, tmpPrefix) {
			t.Fatalf("stray %q after the crashes", st)
		}
	}
	strays := len(rep.Strays)
	s, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	rep, err = s.Check(acked, CheckOptions{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Missing) != 0 || len(rep.Corrupt) != 0 || len(rep.Strays) != 0 {
		t.Fatalf("after %d kills: %d missing, %d corrupt, %d strays", kills, len(rep.Missing), len(rep.Corrupt), len(rep.Strays))
	}
	t.Logf("%d kills: %d acknowledged documents intact, %d unacknowledged complete (orphans), %d interrupted uploads removed",
		kills, len(acked), len(rep.Orphans), strays)
}
