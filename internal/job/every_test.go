package job

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestEvery: fn runs on ticks and on kicks, and Every returns once ctx
// is done.
func TestEvery(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	kick := make(chan struct{})
	var runs atomic.Int64
	done := make(chan struct{})
	go func() { Every(ctx, time.Hour, kick, func() { runs.Add(1) }); close(done) }()
	kick <- struct{}{}
	kick <- struct{}{} // taken only after the first run ended
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Every did not return after ctx was done")
	}
	if n := runs.Load(); n < 1 || n > 2 {
		t.Fatalf("%d runs for two kicks", n)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	ticked := make(chan struct{}, 1)
	go Every(ctx, time.Millisecond, nil, func() {
		select {
		case ticked <- struct{}{}:
		default:
		}
	})
	select {
	case <-ticked:
	case <-time.After(10 * time.Second):
		t.Fatal("no run on ticks")
	}
}
