package pkcs11

import (
	"sync/atomic"
	"time"
)

// Stats is a snapshot of a Token's pool and recovery counters. Counters
// only grow; a scraper derives rates from differences.
type Stats struct {
	Sessions     int // pool size
	SessionsIdle int // sessions waiting in the pool (open or to be re-opened)

	Signs    uint64            // signatures returned
	Errors   map[string]uint64 // failed attempts by ErrorKind name ("session", "device", "busy", …)
	SignTime DurationHistogram // time of successful Sign calls, wait included
	Wait     DurationHistogram // time spent waiting for a free session
	Keygens  uint64            // key pairs generated

	SessionOpens   uint64 // C_OpenSession for pool sessions
	Reestablishes  uint64 // times the token's sessions were re-established (new login)
	ModuleRestarts uint64 // C_Finalize + C_Initialize cycles (module-wide)
	Breaker        BreakerState
	BreakerTrips   uint64 // closed → open transitions
	BreakerProbes  uint64 // probes while open
	BreakerLastErr string // why the breaker last opened ("" if never)
	FastFails      uint64 // calls refused while the breaker was open
	Generation     uint64 // current session generation (grows with every re-establishment)
}

// Bucket upper bounds of DurationHistogram, in increasing order; the last
// bucket is unbounded.
var HistogramBounds = [...]time.Duration{
	50 * time.Microsecond,
	200 * time.Microsecond,
	time.Millisecond,
	5 * time.Millisecond,
	20 * time.Millisecond,
	100 * time.Millisecond,
	500 * time.Millisecond,
	2 * time.Second,
}

// DurationHistogram is a fixed-bucket histogram: Buckets[i] counts the
// observations ≤ HistogramBounds[i] (and > the previous bound); the last
// bucket counts the rest.
type DurationHistogram struct {
	Count   uint64
	Sum     time.Duration
	Max     time.Duration
	Buckets [len(HistogramBounds) + 1]uint64
}

// Mean returns Sum / Count, 0 when empty.
func (h DurationHistogram) Mean() time.Duration {
	if h.Count == 0 {
		return 0
	}
	return h.Sum / time.Duration(h.Count)
}

type histogram struct {
	count, sum, max atomic.Uint64
	buckets         [len(HistogramBounds) + 1]atomic.Uint64
}

func (h *histogram) observe(d time.Duration) {
	if d < 0 {
		d = 0
	}
	i := 0
	for i < len(HistogramBounds) && d > HistogramBounds[i] {
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

func (h *histogram) snapshot() DurationHistogram {
	var s DurationHistogram
	for i := range h.buckets {
		s.Buckets[i] = h.buckets[i].Load()
	}
	s.Count = h.count.Load()
	s.Sum = time.Duration(h.sum.Load())
	s.Max = time.Duration(h.max.Load())
	return s
}

type counters struct {
	signs, keygens, sessionOpens, reestablishes, fastFails atomic.Uint64
	errors                                                 [numKinds]atomic.Uint64
	signTime, wait                                         histogram
}

// Stats returns a snapshot of the counters.
func (t *Token) Stats() Stats {
	s := Stats{
		Sessions:       t.cfg.Sessions,
		SessionsIdle:   len(t.free),
		Signs:          t.stats.signs.Load(),
		Keygens:        t.stats.keygens.Load(),
		Errors:         make(map[string]uint64, numKinds),
		SignTime:       t.stats.signTime.snapshot(),
		Wait:           t.stats.wait.snapshot(),
		SessionOpens:   t.stats.sessionOpens.Load(),
		Reestablishes:  t.stats.reestablishes.Load(),
		ModuleRestarts: t.mod.reinits.Load(),
		FastFails:      t.stats.fastFails.Load(),
		Generation:     t.gen.Load(),
	}
	for k := range numKinds {
		s.Errors[k.String()] = t.stats.errors[k].Load()
	}
	b := t.br.snapshot()
	s.Breaker, s.BreakerTrips, s.BreakerProbes = b.state, b.trips, b.probes
	if b.lastErr != nil {
		s.BreakerLastErr = b.lastErr.Error()
	}
	return s
}
