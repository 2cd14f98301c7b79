package hooks_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hooks"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/store"
)

// TestHookDrain (GOSTCATEST_HOOK_DRAIN=N, off by default) measures the
// delivery path alone: N queued sms rows are delivered to a loopback
// receiver that answers 200 at once, with 16 in flight, on a synced
// store; the results written in groups (the group commit) and, for
// comparison, one synced write per result. The two alternate
// (GOSTCATEST_HOOK_DRAIN_ROUNDS rounds, default 3) so that both see the
// same machine; each logs the rows per second and the writes per
// result is the ratio.
func TestHookDrain(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("GOSTCATEST_HOOK_DRAIN"))
	if n <= 0 {
		t.Skip("set GOSTCATEST_HOOK_DRAIN=N to run")
	}
	rounds, _ := strconv.Atoi(os.Getenv("GOSTCATEST_HOOK_DRAIN_ROUNDS"))
	if rounds <= 0 {
		rounds = 3
	}
	var mu sync.Mutex
	seen := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen++
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	sec := filepath.Join(t.TempDir(), "sms.key")
	if err := os.WriteFile(sec, []byte("a drain test secret of 32 bytes!"), 0o600); err != nil {
		t.Fatal(err)
	}
	var rate [2]float64
	for round := range rounds {
		for _, grouped := range []bool{true, false} {
			d := drain(t, n, srv.URL, sec, grouped)
			mode := 0
			if !grouped {
				mode = 1
			}
			rate[mode] += float64(n) / d.Seconds()
			t.Logf("round %d, grouped %v: %d rows delivered in %v (%.0f/s)", round+1, grouped, n, d.Round(time.Millisecond), float64(n)/d.Seconds())
		}
	}
	t.Logf("mean: grouped %.0f/s, one write per result %.0f/s, ratio %.2f", rate[0]/float64(rounds), rate[1]/float64(rounds), rate[0]/rate[1])
	if seen < 2*rounds*n {
		t.Errorf("receiver saw %d deliveries, want at least %d", seen, 2*rounds*n)
	}
}

// drain queues n rows in a fresh synced store and times their delivery.
func drain(t *testing.T, n int, url, sec string, grouped bool) time.Duration {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Logger: catest.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 16 {
				p := fmt.Appendf(nil, `{"v":1,"application":"A-%d","template":"application_cancelled","to":"+7916%07d"}`, i, i)
				if _, err := st.OutboxEnqueue(ctx, store.OutboxRow{Kind: hooks.HookSMS, Payload: p}, store.AuditEntry{Actor: "test", Action: "sms"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	cfg := config.DefaultConfig().Hooks
	cfg.AllowHTTPLoopback, cfg.PollInterval, cfg.MinBackoff = true, 20*time.Millisecond, 10*time.Millisecond
	cfg.Kinds = map[string]config.HookKindConfig{hooks.HookSMS: {URL: url, SecretFiles: []string{sec}, Concurrency: 16}}
	reg := prometheus.NewRegistry()
	d, err := hooks.New(&cfg, st, catest.Quiet(), reg)
	if err != nil {
		t.Fatal(err)
	}
	if !grouped {
		hooks.SetResultGroup(d, 1, 64)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	start := time.Now()
	go func() { d.Run(rctx); close(done) }()
	for {
		rows, err := st.OutboxPending(ctx, hooks.HookSMS, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	took := time.Since(start)
	cancel()
	<-done
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == "gostca_hook_result_group_size" {
			h := mf.GetMetric()[0].GetHistogram()
			t.Logf("grouped %v: %d writes, %.1f results per write", grouped, h.GetSampleCount(), h.GetSampleSum()/float64(h.GetSampleCount()))
		}
	}
	return took
}
