package hooks

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/store"
)

// countingStore counts the due-row reads; countDue uses nothing else.
type countingStore struct {
	Store
	reads atomic.Int64
}

func (c *countingStore) OutboxPending(context.Context, string, int) ([]store.OutboxRow, error) {
	c.reads.Add(1)
	return make([]store.OutboxRow, 3), nil
}

// A stream of issuances (kicks) makes the due count of an undelivered
// kind refresh at most once per dueKickInterval, not once per issuance,
// and the last kick of the stream is still counted.
func TestCountDueCoalescesKicks(t *testing.T) {
	st := &countingStore{}
	d := &Deliverer{cfg: &config.HooksConfig{PollInterval: time.Hour}, st: st, log: slog.Default(), m: newMetrics(prometheus.NewRegistry())}
	h := &hookTarget{kind: HookESIA, kick: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.countDue(ctx, h) }()
	defer func() { cancel(); <-done }()

	start := time.Now()
	for time.Since(start) < 3*dueKickInterval/2 {
		select {
		case h.kick <- struct{}{}:
		default:
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	// At start, then at most one per interval begun (plus the one a kick
	// left pending).
	if n, limit := st.reads.Load(), int64(elapsed/dueKickInterval)+2; n > limit {
		t.Fatalf("%d reads for ~%d kicks in %v, want at most %d", n, elapsed/time.Millisecond, elapsed, limit)
	}
	before := st.reads.Load()
	deadline := time.Now().Add(10 * dueKickInterval)
	for st.reads.Load() == before {
		if time.Now().After(deadline) {
			t.Fatal("the last kick was never counted")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
