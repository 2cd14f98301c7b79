package pkcs11

import (
	"sync"
	"sync/atomic"
	"time"
)

// BreakerState is the state of a Token's circuit breaker.
type BreakerState int32

const (
	// BreakerClosed: the token works; calls go through.
	BreakerClosed BreakerState = iota
	// BreakerOpen: the token is down; calls fail fast with
	// hsm.ErrUnavailable until the probe interval has passed.
	BreakerOpen
	// BreakerProbing: one call is re-establishing the token; the others
	// keep failing fast.
	BreakerProbing
)

func (s BreakerState) String() string {
	switch s {
	case BreakerClosed:
		return "closed"
	case BreakerOpen:
		return "open"
	case BreakerProbing:
		return "probing"
	}
	return "unknown"
}

// breaker fails calls fast while the token is down and lets one call
// probe it every interval. A fatal cause (the PIN was refused) keeps it
// open for good: probing would spend the token's PIN retries.
type breaker struct {
	interval time.Duration
	now      func() time.Time

	state atomic.Int32 // BreakerState; read lock-free on the hot path

	mu        sync.Mutex
	since     time.Time // when it last opened
	nextProbe time.Time
	lastErr   error
	fatal     bool
	trips     uint64
	probes    uint64
}

func newBreaker(interval time.Duration) *breaker {
	return &breaker{interval: interval, now: time.Now}
}

func (b *breaker) closed() bool { return BreakerState(b.state.Load()) == BreakerClosed }

// trip opens the breaker (or keeps it open) because of err; a fatal err
// stops probing.
func (b *breaker) trip(err error, fatal bool) (opened bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if BreakerState(b.state.Load()) == BreakerClosed {
		b.since = now
		b.trips++
		opened = true
	}
	b.state.Store(int32(BreakerOpen))
	b.nextProbe = now.Add(b.interval)
	b.lastErr = err
	b.fatal = b.fatal || fatal
	return opened
}

// reset closes the breaker after a successful probe or recovery.
func (b *breaker) reset() (wasOpen bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	wasOpen = BreakerState(b.state.Load()) != BreakerClosed
	b.state.Store(int32(BreakerClosed))
	return wasOpen
}

// breakerView is what a refused call reports.
type breakerView struct {
	state        BreakerState
	openFor      time.Duration
	nextProbeIn  time.Duration
	lastErr      error
	fatal        bool
	trips        uint64
	probes       uint64
	probeGranted bool
}

// admit decides for a call while the breaker is not closed: it either
// grants the probe (state becomes probing) or refuses the call.
func (b *breaker) admit() breakerView {
	b.mu.Lock()
	defer b.mu.Unlock()
	v := b.viewLocked()
	if v.state == BreakerOpen && !b.fatal && !b.now().Before(b.nextProbe) {
		b.state.Store(int32(BreakerProbing))
		b.probes++
		v.probeGranted = true
		v.state = BreakerProbing
	}
	return v
}

func (b *breaker) snapshot() breakerView {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.viewLocked()
}

func (b *breaker) viewLocked() breakerView {
	now := b.now()
	v := breakerView{
		state:   BreakerState(b.state.Load()),
		lastErr: b.lastErr,
		fatal:   b.fatal,
		trips:   b.trips,
		probes:  b.probes,
	}
	if v.state != BreakerClosed {
		v.openFor = now.Sub(b.since)
		if d := b.nextProbe.Sub(now); d > 0 {
			v.nextProbeIn = d
		}
	}
	return v
}
