package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// Graceful shutdown in the middle of concurrent issuance: every request
// answered 201 has its certificate in the store afterwards, and no intent
// is left for recovery (in-flight batches were finished, not abandoned).
func TestGracefulShutdownUnderLoad(t *testing.T) {
	dir := t.TempDir()
	cfg := config.DefaultConfig()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Keys.ScryptLogN = 10
	e, err := ca.Open(context.Background(), cfg, ca.Options{Logger: quietLogger(), CreateDefault: true})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := e.CreateToken(context.Background(), "test", auth.RoleCabinet, "", "load")
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(e, api.Options{MaxBodyBytes: cfg.Server.MaxBodyBytes, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 10 * time.Second, Logger: quietLogger()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String() + "/api/v1/certificates"

	const workers, perWorker = 8, 40
	bodies := make([][][]byte, workers)
	for w := range bodies {
		for range perWorker {
			b := issueBody(pkix.ProfileQualifiedPerson.Name, nil)
			b.CSR = base64.StdEncoding.EncodeToString(goCSR(t))
			bodies[w] = append(bodies[w], mustJSON(t, b))
		}
	}
	var (
		mu       sync.Mutex
		acked    []string
		answered atomic.Int64
		wg       sync.WaitGroup
	)
	client := &http.Client{Timeout: 20 * time.Second}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, body := range bodies[w] {
				req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				var c api.Certificate
				ok := resp.StatusCode == http.StatusCreated && json.NewDecoder(resp.Body).Decode(&c) == nil
				resp.Body.Close()
				if ok {
					mu.Lock()
					acked = append(acked, c.Serial)
					mu.Unlock()
					answered.Add(1)
				}
			}
		}()
	}
	for deadline := time.Now().Add(60 * time.Second); answered.Load() < 20; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d certificates issued in a minute", answered.Load())
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	<-done
	wg.Wait()
	client.CloseIdleConnections()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	ak, err := cadir.OpenAuditKey(context.Background(), &cfg, quietLogger(), false)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(cfg.DataDir, "db"), ak.StoreOptions(store.Options{Logger: quietLogger()}))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mu.Lock()
	defer mu.Unlock()
	for _, s := range acked {
		serial, err := hex.DecodeString(s)
		if err != nil {
			t.Fatalf("serial %q: %v", s, err)
		}
		if _, err := st.Certificate(context.Background(), serial); err != nil {
			t.Fatalf("acknowledged certificate %s lost: %v", s, err)
		}
	}
	if pending, err := st.PendingIntents(context.Background()); err != nil || len(pending) != 0 {
		t.Fatalf("%d intents left after a graceful shutdown (%v)", len(pending), err)
	}
	if rep, err := st.Check(context.Background()); err != nil || !rep.OK() {
		t.Fatalf("check: %v %+v", err, rep)
	}
	t.Logf("%d certificates acknowledged before and during shutdown", len(acked))
}
