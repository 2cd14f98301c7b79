package load

import (
	"context"
	"testing"
	"time"
)

// TestOpenLoopCountsQueueing: a server that takes 50 ms per request,
// one at a time, offered 100 requests/s: latencies measured from the
// schedule grow with the queue, where the closed loop sees 50 ms.
func TestOpenLoopCountsQueueing(t *testing.T) {
	slow := func(ctx context.Context, i int) string { time.Sleep(50 * time.Millisecond); return "" }
	open := OpenLoop(context.Background(), 100, 8, 10*time.Second, 1, slow)
	closed := ClosedLoop(context.Background(), 1, 8, 10*time.Second, slow)
	if open.OK != 8 || closed.OK != 8 {
		t.Fatalf("open %+v closed %+v", open, closed)
	}
	// The 8th request is due at 70 ms and starts after 7×50 ms.
	if open.Max < 300 || closed.Max > 200 {
		t.Fatalf("open max %.0f ms (want ≥ 300), closed max %.0f ms (want ≈ 50)", open.Max, closed.Max)
	}
	bounded := OpenLoop(context.Background(), 100, 1000, 200*time.Millisecond, 1, slow)
	if bounded.Unsent == 0 || bounded.Requests+bounded.Unsent != 1000 {
		t.Fatalf("time limit: %+v", bounded)
	}
}
