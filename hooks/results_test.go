package hooks

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/store"
)

// TestResultBatcherGroups: 64 concurrent results are written in far
// fewer groups than results; each caller gets its own row's outcome, and
// none returns before the write that holds its result has finished; a
// caller whose context ended before handing over its result gets the
// context's error and nothing is written for it.
func TestResultBatcherGroups(t *testing.T) {
	var writes, written atomic.Int64
	var inWrite sync.Map // id → true while its group is being written
	finished := sync.Map{}
	b := newResultBatcher(func(_ context.Context, rs []store.OutboxResult) error {
		writes.Add(1)
		time.Sleep(5 * time.Millisecond) // an fsync
		for i := range rs {
			if rs[i].ID%7 == 0 {
				rs[i].Err = errors.New("refused")
			}
			if _, ok := finished.Load(rs[i].ID); ok {
				t.Errorf("result %d acknowledged before its write", rs[i].ID)
			}
			inWrite.Store(rs[i].ID, true)
		}
		written.Add(int64(len(rs)))
		return nil
	}, prometheus.NewHistogram(prometheus.HistogramOpts{Name: "x"}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.run(ctx); close(done) }()
	var wg sync.WaitGroup
	for i := 1; i <= 64; i++ {
		wg.Add(1)
		go func(id uint64) {
			defer wg.Done()
			res := b.submit(ctx, store.OutboxResult{ID: id, Delivered: true})
			if _, ok := inWrite.Load(id); !ok {
				t.Errorf("result %d returned but never written", id)
			}
			finished.Store(id, true)
			if (id%7 == 0) != (res.Err != nil) {
				t.Errorf("result %d: %v", id, res.Err)
			}
		}(uint64(i))
	}
	wg.Wait()
	if written.Load() != 64 || writes.Load() > 16 {
		t.Errorf("%d results in %d writes, want 64 in far fewer", written.Load(), writes.Load())
	}
	cancel()
	<-done
	if res := b.submit(ctx, store.OutboxResult{ID: 99}); !errors.Is(res.Err, context.Canceled) {
		t.Errorf("after the end: %v", res.Err)
	}
	if written.Load() != 64 {
		t.Error("a result was written after the writer stopped")
	}
}
