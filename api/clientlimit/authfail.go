package clientlimit

import (
	"net"
	"sync"
	"time"
)

// Failed authentication is slowed down per client address: after Limit
// failures with no quiet Window between them, the address is blocked
// (package api answers 429 too_many_auth_failures with Retry-After to
// every request of it that needs a token, without looking at the token)
// for 1 s, then 2 s, 4 s … up to MaxDelay with each further failure.
// At most Clients addresses are tracked; beyond that the quietest are
// forgotten first, so memory stays bounded whatever the number of
// addresses an attacker has.

// AuthFailureLimits configure the slow-down of clients that keep failing
// authentication. Limit 0 turns it off (failures are still logged and
// counted).
type AuthFailureLimits struct {
	Limit    int
	Window   time.Duration
	MaxDelay time.Duration
	Clients  int
}

// failState is one address's failures.
type failState struct {
	count int
	last  time.Time // last failure
	until time.Time // blocked until
}

// quietSince is when the address last failed or was last blocked.
func (f *failState) quietSince() time.Time {
	if f.until.After(f.last) {
		return f.until
	}
	return f.last
}

// AuthFailures tracks failures by client address.
type AuthFailures struct {
	lim       AuthFailureLimits
	mu        sync.Mutex
	clients   map[clientKey]*failState
	lastSweep time.Time
}

// NewAuthFailures makes the table of lim (off when lim.Limit is 0).
func NewAuthFailures(lim AuthFailureLimits) *AuthFailures {
	if lim.Limit <= 0 {
		return &AuthFailures{lim: lim}
	}
	return &AuthFailures{lim: lim, clients: make(map[clientKey]*failState, min(lim.Clients, 1024))}
}

// Blocked reports how long the client at ip must still wait (0: not
// blocked).
func (a *AuthFailures) Blocked(ip net.IP, now time.Time) time.Duration {
	k, ok := clientKeyOf(ip)
	if a.clients == nil || !ok {
		return 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if st := a.clients[k]; st != nil && now.Before(st.until) {
		return st.until.Sub(now)
	}
	return 0
}

// Fail records a failure of the client at ip and returns the address's
// failure count and the block it now has (0: none).
func (a *AuthFailures) Fail(ip net.IP, now time.Time) (int, time.Duration) {
	k, ok := clientKeyOf(ip)
	if !ok {
		return 0, 0
	}
	return a.fail(k, now)
}

func (a *AuthFailures) fail(k clientKey, now time.Time) (int, time.Duration) {
	if a.clients == nil {
		return 0, 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.clients[k]
	if st == nil {
		a.makeRoom(now)
		st = &failState{}
		a.clients[k] = st
	} else if now.Sub(st.quietSince()) > a.lim.Window {
		*st = failState{}
	}
	st.count++
	st.last = now
	if st.count < a.lim.Limit {
		return st.count, 0
	}
	d := a.lim.MaxDelay
	if shift := st.count - a.lim.Limit; shift < 32 {
		d = min(time.Second<<shift, a.lim.MaxDelay)
	}
	st.until = now.Add(d)
	return st.count, d
}

// makeRoom keeps the table under its bound: addresses quiet for a whole
// window are forgotten (at most one sweep a second); if none is, an
// arbitrary one goes.
func (a *AuthFailures) makeRoom(now time.Time) {
	if len(a.clients) < a.lim.Clients {
		return
	}
	if now.Sub(a.lastSweep) >= time.Second {
		a.lastSweep = now
		for k, st := range a.clients {
			if now.Sub(st.quietSince()) > a.lim.Window {
				delete(a.clients, k)
			}
		}
	}
	for k := range a.clients {
		if len(a.clients) < a.lim.Clients {
			break
		}
		delete(a.clients, k)
	}
}

// tracked is the number of addresses in the table (for tests and metrics).
func (a *AuthFailures) tracked() int {
	if a.clients == nil {
		return 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.clients)
}
