package api_test

import (
	"context"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/hooks"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/store"
)

// TestHooksLoad (GOSTCATEST_HOOK_LOAD=N, off by default): N qualified
// certificates issued at once; every ESIA row is delivered to the
// simulator and answered SUCCEEDED. It logs the issuance time, the time
// until the last registration succeeded, the delivery throughput and the
// lag (issuance → delivered) percentiles.
func TestHooksLoad(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("GOSTCATEST_HOOK_LOAD"))
	if n <= 0 {
		t.Skip("set GOSTCATEST_HOOK_LOAD=N to run")
	}
	dir := t.TempDir()
	sec := writeSecret(t, dir, "esia.key", key(9))
	ts, sim := startHookServer(t, hookSetup{simArgs: []string{"-secret-file", sec}, engineFiles: []string{sec}, concurrency: 16})
	_ = sim
	ctx := context.Background()
	reqs := make(chan struct{}, n)
	for range n {
		reqs <- struct{}{}
	}
	close(reqs)
	var serials sync.Map
	var failed atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range reqs {
				r, err := ts.e.Issue(ctx, catest.Admin, catest.PersonRequest(t))
				if err != nil {
					failed.Add(1)
					continue
				}
				serials.Store(string(r.Cert.Serial), true)
			}
		}()
	}
	wg.Wait()
	issued := time.Since(start)
	if failed.Load() > 0 {
		t.Fatalf("%d issuances failed", failed.Load())
	}
	deadline := time.Now().Add(10 * time.Minute)
	for {
		rows, err := ts.e.Store().OutboxList(ctx, hooks.HookESIA, store.OutboxPendingRows, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("ESIA rows still pending after 10 minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
	delivered := time.Since(start)
	var lags []time.Duration
	after := uint64(0)
	for {
		rows, err := ts.e.Store().OutboxList(ctx, hooks.HookESIA, store.OutboxAny, after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			if !r.Done {
				t.Fatalf("row %d not delivered", r.ID)
			}
			lags = append(lags, r.DoneAt.Sub(r.CreatedAt))
			after = r.ID
		}
	}
	for {
		missing := 0
		serials.Range(func(k, _ any) bool {
			st, err := ts.e.Hooks().ESIAState(ctx, []byte(k.(string)))
			if err != nil || st == nil || st.State != hooks.ESIASucceeded {
				missing++
			}
			return true
		})
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d registrations not SUCCEEDED", missing)
		}
		time.Sleep(100 * time.Millisecond)
	}
	answered := time.Since(start)
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	p := func(q float64) time.Duration { return lags[int(q*float64(len(lags)-1))] }
	t.Logf("%d certificates: issued in %v (%.0f/s); all delivered after %v (%.0f deliveries/s); all SUCCEEDED after %v",
		n, issued.Round(time.Millisecond), float64(n)/issued.Seconds(), delivered.Round(time.Millisecond),
		float64(len(lags))/delivered.Seconds(), answered.Round(time.Millisecond))
	t.Logf("lag issuance → delivered: p50 %v, p90 %v, p99 %v, max %v", p(.5).Round(time.Millisecond), p(.9).Round(time.Millisecond),
		p(.99).Round(time.Millisecond), p(1).Round(time.Millisecond))
}
