package target

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/load"
)

// TestClientCapsConnections: an open loop far beyond the server's pace
// keeps to the client's connection budget (the server refuses more per
// address with 429), queueing in the client instead, and every request
// is answered.
func TestClientCapsConnections(t *testing.T) {
	var open, peak atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(10 * time.Millisecond)
		w.WriteHeader(200)
	}))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			n := open.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	srv.Start()
	defer srv.Close()
	cl := NewClient(srv.URL, "", 8)
	var mu sync.Mutex
	codes := map[int]int{}
	s := load.OpenLoop(context.Background(), 2000, 200, 30*time.Second, 4096, func(ctx context.Context, i int) string {
		st, _, err := cl.Do(ctx, "GET", "/", nil)
		mu.Lock()
		codes[st]++
		mu.Unlock()
		if err != nil || st != 200 {
			return "failed"
		}
		return ""
	})
	if s.OK != 200 {
		t.Fatalf("%d of 200 answered: %v %v", s.OK, s.Errors, codes)
	}
	if p := peak.Load(); p > 8 || p < 2 {
		t.Fatalf("peak connections %d, want 2 … 8", p)
	}
}
