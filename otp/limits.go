package otp

import (
	"sync"
	"time"
)

// Rate is at most Max codes per Window; Max 0 is no limit.
type Rate struct {
	Max    int
	Window time.Duration
}

// windows counts sends per key in fixed windows. It is in memory: a
// restart forgets the counts (the store's resend pause and try limit are
// durable). The table is bounded by pruning windows that have ended.
type windows struct {
	mu   sync.Mutex
	rate Rate
	m    map[string]*window
	// lastPrune bounds how often the table is swept.
	lastPrune time.Time
}

type window struct {
	start time.Time
	n     int
}

func newWindows(r Rate) *windows { return &windows{rate: r, m: map[string]*window{}} }

// reserve counts one send for key at now, or reports when the key may
// send again.
func (w *windows) reserve(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	if w.rate.Max <= 0 || w.rate.Window <= 0 {
		return true, 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if now.Sub(w.lastPrune) > w.rate.Window {
		for k, e := range w.m {
			if now.Sub(e.start) >= w.rate.Window {
				delete(w.m, k)
			}
		}
		w.lastPrune = now
	}
	e := w.m[key]
	if e == nil || now.Sub(e.start) >= w.rate.Window {
		e = &window{start: now}
		w.m[key] = e
	}
	if e.n >= w.rate.Max {
		return false, e.start.Add(w.rate.Window).Sub(now)
	}
	e.n++
	return true, 0
}

// release gives back a reservation whose send did not happen.
func (w *windows) release(key string) {
	if w.rate.Max <= 0 || w.rate.Window <= 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if e := w.m[key]; e != nil && e.n > 0 {
		e.n--
	}
}
