// Package latency is the fixed-bucket duration histogram behind a PKCS#11
// token's signing and wait times: lock-free to observe, copied out as a
// plain value for a scraper.
package latency

import (
	"sync/atomic"
	"time"
)

// Bounds are the bucket upper bounds of Snapshot, in increasing order; the
// last bucket is unbounded.
var Bounds = [...]time.Duration{
	50 * time.Microsecond,
	200 * time.Microsecond,
	time.Millisecond,
	5 * time.Millisecond,
	20 * time.Millisecond,
	100 * time.Millisecond,
	500 * time.Millisecond,
	2 * time.Second,
}

// Snapshot is a fixed-bucket histogram: Buckets[i] counts the
// observations ≤ Bounds[i] (and > the previous bound); the last bucket
// counts the rest.
type Snapshot struct {
	Count   uint64
	Sum     time.Duration
	Max     time.Duration
	Buckets [len(Bounds) + 1]uint64
}

// Mean returns Sum / Count, 0 when empty.
func (h Snapshot) Mean() time.Duration {
	if h.Count == 0 {
		return 0
	}
	return h.Sum / time.Duration(h.Count)
}

// Histogram counts durations; the zero value is ready and safe for
// concurrent use.
type Histogram struct {
	count, sum, max atomic.Uint64
	buckets         [len(Bounds) + 1]atomic.Uint64
}

// Observe counts d (a negative d counts as 0).
func (h *Histogram) Observe(d time.Duration) {
	if d < 0 {
		d = 0
	}
	i := 0
	for i < len(Bounds) && d > Bounds[i] {
		i++
	}
	h.buckets[i].Add(1)
	h.count.Add(1)
	h.sum.Add(uint64(d))
	for {
		m := h.max.Load()
		if uint64(d) <= m || h.max.CompareAndSwap(m, uint64(d)) {
			break
		}
	}
}

// Snapshot copies the counts out.
func (h *Histogram) Snapshot() Snapshot {
	var s Snapshot
	for i := range h.buckets {
		s.Buckets[i] = h.buckets[i].Load()
	}
	s.Count = h.count.Load()
	s.Sum = time.Duration(h.sum.Load())
	s.Max = time.Duration(h.max.Load())
	return s
}
