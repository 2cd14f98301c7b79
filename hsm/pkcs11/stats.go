package pkcs11

import (
	"sync/atomic"

	"github.com/gostca/gostca/hsm/pkcs11/internal/latency"
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
var HistogramBounds = latency.Bounds

// DurationHistogram is a fixed-bucket histogram: Buckets[i] counts the
// observations ≤ HistogramBounds[i] (and > the previous bound); the last
// bucket counts the rest.
type DurationHistogram = latency.Snapshot

type counters struct {
	signs, keygens, sessionOpens, reestablishes, fastFails atomic.Uint64
	errors                                                 [numKinds]atomic.Uint64
	signTime, wait                                         latency.Histogram
}

// Stats returns a snapshot of the counters.
func (t *Token) Stats() Stats {
	s := Stats{
		Sessions:       t.cfg.Sessions,
		SessionsIdle:   len(t.free),
		Signs:          t.stats.signs.Load(),
		Keygens:        t.stats.keygens.Load(),
		Errors:         make(map[string]uint64, numKinds),
		SignTime:       t.stats.signTime.Snapshot(),
		Wait:           t.stats.wait.Snapshot(),
		SessionOpens:   t.stats.sessionOpens.Load(),
		Reestablishes:  t.stats.reestablishes.Load(),
		ModuleRestarts: t.mod.reinits.Load(),
		FastFails:      t.stats.fastFails.Load(),
		Generation:     t.gen.Load(),
	}
	for k := range numKinds {
		s.Errors[k.String()] = t.stats.errors[k].Load()
	}
	b := t.br.Snapshot()
	s.Breaker, s.BreakerTrips, s.BreakerProbes = b.State, b.Trips, b.Probes
	if b.LastErr != nil {
		s.BreakerLastErr = b.LastErr.Error()
	}
	return s
}
