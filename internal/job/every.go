// Package job runs the background jobs of a CA on its lifetime context.
package job

import (
	"context"
	"time"
)

// Every runs fn on every tick of d and on every kick (nil: none) until
// ctx is done. A run of fn is never interrupted by the next tick: ticks
// that fall during a run are dropped, as time.Ticker drops them.
func Every(ctx context.Context, d time.Duration, kick <-chan struct{}, fn func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-kick:
		}
		fn()
	}
}
