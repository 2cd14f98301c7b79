package store

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// close waits for the calls in flight, refuses every call after it, and
// says whether it was the first; calls racing with it either finish
// before it returns or are refused.
func TestGate(t *testing.T) {
	var g gate
	g.idle.L = &g.mu
	if !g.enter() {
		t.Fatal("an open gate refused a call")
	}
	closed := make(chan bool)
	go func() { closed <- g.close() }()
	select {
	case <-closed:
		t.Fatal("close returned with a call in flight")
	case <-time.After(20 * time.Millisecond):
	}
	if g.enter() {
		t.Fatal("a closing gate admitted a call")
	}
	g.leave()
	if !<-closed {
		t.Fatal("the first close said it was not")
	}
	if g.close() {
		t.Fatal("a second close said it was the first")
	}

	// Many callers racing with close: none is inside once close returns.
	var h gate
	h.idle.L = &h.mu
	var inside atomic.Int64
	var after atomic.Bool
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !after.Load() {
				if !h.enter() {
					continue
				}
				inside.Add(1)
				if after.Load() {
					t.Error("a call was admitted after close returned")
				}
				inside.Add(-1)
				h.leave()
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	h.close()
	if n := inside.Load(); n != 0 {
		t.Errorf("%d calls inside after close returned", n)
	}
	after.Store(true)
	wg.Wait()
}
