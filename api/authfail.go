package api

import (
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/gostca/gostca/api/wire"
	"github.com/valyala/fasthttp"
)

// Failed authentication is logged (client address, reason, the token id
// when the token is well-formed — never the secret part), counted on
// /metrics, and slowed down per client address: after Limit failures
// with no quiet Window between them, the address gets 429
// too_many_auth_failures with Retry-After for every request that needs a
// token, for 1 s, then 2 s, 4 s … up to MaxDelay with each further
// failure. The token is not even looked at meanwhile. A client address
// is the TCP peer's (behind a reverse proxy: the proxy's; no forwarding
// header is trusted): an IPv4 address, or the /64 an IPv6 address is in.
// At most Clients addresses are tracked; beyond that the quietest are
// forgotten first, so memory stays bounded whatever the number of
// addresses an attacker has.

// codeTooManyAuthFailures is the problem code of a throttled client.
const codeTooManyAuthFailures = "too_many_auth_failures"

func init() {
	wire.Register(codeTooManyAuthFailures, fasthttp.StatusTooManyRequests, "Too many failed authentications")
}

// AuthFailureLimits configure the slow-down of clients that keep failing
// authentication. Limit 0 turns it off (failures are still logged and
// counted).
type AuthFailureLimits struct {
	Limit    int
	Window   time.Duration
	MaxDelay time.Duration
	Clients  int
}

// Reasons of failed authentication (the label of
// gostca_http_auth_failures_total).
const (
	authMissing     = "missing"       // no Authorization header
	authNotBearer   = "not_bearer"    // another scheme
	authMalformed   = "malformed"     // not shaped like a token
	authUnknown     = "unknown"       // no such token, or a wrong secret
	authMetricsOnly = "metrics_token" // a wrong scraper token on /metrics
)

// clientKey is a client address: IPv4 (as IPv4-mapped IPv6) or an IPv6 /64.
type clientKey [16]byte

func clientKeyOf(ip net.IP) (clientKey, bool) {
	var k clientKey
	ip16 := ip.To16()
	if ip16 == nil {
		return k, false
	}
	copy(k[:], ip16)
	if ip.To4() == nil {
		clear(k[8:]) // the /64
	}
	return k, true
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

// authFailures tracks failures by client address.
type authFailures struct {
	lim       AuthFailureLimits
	mu        sync.Mutex
	clients   map[clientKey]*failState
	lastSweep time.Time
}

func newAuthFailures(lim AuthFailureLimits) *authFailures {
	if lim.Limit <= 0 {
		return &authFailures{lim: lim}
	}
	return &authFailures{lim: lim, clients: make(map[clientKey]*failState, min(lim.Clients, 1024))}
}

// blocked reports how long the address must still wait (0: not blocked).
func (a *authFailures) blocked(k clientKey, now time.Time) time.Duration {
	if a.clients == nil {
		return 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if st := a.clients[k]; st != nil && now.Before(st.until) {
		return st.until.Sub(now)
	}
	return 0
}

// fail records a failure and returns the address's failure count and the
// block it now has (0: none).
func (a *authFailures) fail(k clientKey, now time.Time) (int, time.Duration) {
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
func (a *authFailures) makeRoom(now time.Time) {
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
func (a *authFailures) tracked() int {
	if a.clients == nil {
		return 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.clients)
}

// throttled answers a blocked client: 429 with Retry-After.
func (s *Server) throttled(ctx *fasthttp.RequestCtx, wait time.Duration) {
	s.authThrottled.Inc()
	ctx.Response.Header.Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
	wire.WriteProblem(ctx, &wire.Error{Code: codeTooManyAuthFailures,
		Detail: "too many failed authentications from this address; retry after the time in Retry-After"})
}

// authFailed logs and counts a failed authentication of the request's
// client and records it for the slow-down.
func (s *Server) authFailed(ctx *fasthttp.RequestCtx, route, reason, tokenID string) {
	s.authFailures.WithLabelValues(reason).Inc()
	ip := ctx.RemoteIP()
	count, block := 0, time.Duration(0)
	if k, ok := clientKeyOf(ip); ok {
		count, block = s.failures.fail(k, time.Now())
	}
	attrs := []any{"client", ip.String(), "reason", reason, "route", route}
	if tokenID != "" {
		attrs = append(attrs, "token_id", tokenID)
	}
	if count > 0 {
		attrs = append(attrs, "failures", count)
	}
	if block > 0 {
		attrs = append(attrs, "blocked_for", block.String())
	}
	s.log.Warn("authentication failed", attrs...)
}
