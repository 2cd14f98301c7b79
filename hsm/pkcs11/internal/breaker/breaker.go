// Package breaker is the circuit breaker of a PKCS#11 token: it fails
// calls fast while the token is down and lets one call probe it every
// interval. A fatal cause (the PIN was refused) keeps it open for good:
// probing would spend the token's PIN retries.
package breaker

import (
	"sync"
	"sync/atomic"
	"time"
)

// State is the state of a breaker.
type State int32

const (
	// Closed: the token works; calls go through.
	Closed State = iota
	// Open: the token is down; calls fail fast with hsm.ErrUnavailable
	// until the probe interval has passed.
	Open
	// Probing: one call is re-establishing the token; the others keep
	// failing fast.
	Probing
)

func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case Probing:
		return "probing"
	}
	return "unknown"
}

// Breaker fails calls fast while the token is down and lets one call
// probe it every interval.
type Breaker struct {
	interval time.Duration
	// Now is the clock; tests replace it before the first call.
	Now func() time.Time

	state atomic.Int32 // State; read lock-free on the hot path

	mu        sync.Mutex
	since     time.Time // when it last opened
	nextProbe time.Time
	lastErr   error
	fatal     bool
	trips     uint64
	probes    uint64
}

// New returns a closed breaker that probes every interval while open.
func New(interval time.Duration) *Breaker {
	return &Breaker{interval: interval, Now: time.Now}
}

// Closed reports whether calls go through without asking Admit.
func (b *Breaker) Closed() bool { return State(b.state.Load()) == Closed }

// Trip opens the breaker (or keeps it open) because of err; a fatal err
// stops probing. It reports whether the breaker was closed before.
func (b *Breaker) Trip(err error, fatal bool) (opened bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.Now()
	if State(b.state.Load()) == Closed {
		b.since = now
		b.trips++
		opened = true
	}
	b.state.Store(int32(Open))
	b.nextProbe = now.Add(b.interval)
	b.lastErr = err
	b.fatal = b.fatal || fatal
	return opened
}

// Reset closes the breaker after a successful probe or recovery.
func (b *Breaker) Reset() (wasOpen bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	wasOpen = State(b.state.Load()) != Closed
	b.state.Store(int32(Closed))
	return wasOpen
}

// View is what a refused call reports.
type View struct {
	State        State
	OpenFor      time.Duration
	NextProbeIn  time.Duration
	LastErr      error
	Fatal        bool
	Trips        uint64
	Probes       uint64
	ProbeGranted bool
}

// Admit decides for a call while the breaker is not closed: it either
// grants the probe (state becomes probing) or refuses the call.
func (b *Breaker) Admit() View {
	b.mu.Lock()
	defer b.mu.Unlock()
	v := b.viewLocked()
	if v.State == Open && !b.fatal && !b.Now().Before(b.nextProbe) {
		b.state.Store(int32(Probing))
		b.probes++
		v.ProbeGranted = true
		v.State = Probing
	}
	return v
}

// Snapshot returns the breaker's state without changing it.
func (b *Breaker) Snapshot() View {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.viewLocked()
}

func (b *Breaker) viewLocked() View {
	now := b.Now()
	v := View{
		State:   State(b.state.Load()),
		LastErr: b.lastErr,
		Fatal:   b.fatal,
		Trips:   b.trips,
		Probes:  b.probes,
	}
	if v.State != Closed {
		v.OpenFor = now.Sub(b.since)
		if d := b.nextProbe.Sub(now); d > 0 {
			v.NextProbeIn = d
		}
	}
	return v
}
