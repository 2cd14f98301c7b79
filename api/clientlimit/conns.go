package clientlimit

import (
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Connection limits: at most ConnLimits.PerClient connections open from
// one client address (an IPv4 address or an IPv6 /64) and at most
// ConnLimits.Total in all. A connection over a limit is accepted and
// closed — on plain HTTP after answering its request (429 for the
// per-client limit, 503 for the total, Connection: close; see
// refuse.go for the bounds), under TLS at once (no handshake is made
// for it) — so a client that keeps reconnecting cannot exhaust the
// server's file descriptors. The limits sit under TLS and fasthttp, on
// the listener. 0 turns a limit off.

// ConnLimits bound the open connections.
type ConnLimits struct {
	PerClient int
	Total     int
}

// ListenOptions are the limits of a listener and what it does with a
// connection over them.
type ListenOptions struct {
	Limits ConnLimits
	// Plain: no TLS on top, so a refused connection's request is
	// answered (by Refuser) before it is closed.
	Plain   bool
	Refuser *Refuser
	// Rejected counts refused connections by the limit reached
	// (per_client, total).
	Rejected *prometheus.CounterVec
	Logger   *slog.Logger
}

// limitListener enforces ConnLimits on a listener.
type limitListener struct {
	net.Listener
	lim      ConnLimits
	plain    bool // answer before closing (no TLS on top)
	rejected *prometheus.CounterVec
	log      *slog.Logger
	refuser  *Refuser

	mu      sync.Mutex
	open    map[clientKey]int
	n       int
	lastLog time.Time
}

// Listen enforces o.Limits on ln; without limits it returns ln.
func Listen(ln net.Listener, o ListenOptions) net.Listener {
	if o.Limits.PerClient <= 0 && o.Limits.Total <= 0 {
		return ln
	}
	return &limitListener{Listener: ln, lim: o.Limits, plain: o.Plain, rejected: o.Rejected, log: o.Logger,
		refuser: o.Refuser, open: map[clientKey]int{}}
}

// Accept returns the next connection within the limits; the others are
// refused here.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		var key clientKey
		keyed := false
		if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
			key, keyed = clientKeyOf(ta.IP)
		}
		l.mu.Lock()
		reason := ""
		switch {
		case l.lim.Total > 0 && l.n >= l.lim.Total:
			reason = "total"
		case keyed && l.lim.PerClient > 0 && l.open[key] >= l.lim.PerClient:
			reason = "per_client"
		default:
			l.n++
			if keyed {
				l.open[key]++
			}
		}
		logIt := reason != "" && time.Since(l.lastLog) >= 10*time.Second
		if logIt {
			l.lastLog = time.Now()
		}
		l.mu.Unlock()
		if reason == "" {
			return &limitedConn{Conn: c, l: l, key: key, keyed: keyed}, nil
		}
		l.rejected.WithLabelValues(reason).Inc()
		if logIt {
			l.log.Warn("connection refused: limit reached (logged at most every 10 s; see gostca_http_connections_rejected_total)",
				"client", c.RemoteAddr().String(), "limit", reason, "per_client", l.lim.PerClient, "total", l.lim.Total)
		}
		l.refuse(c, reason)
	}
}

// refuse closes a connection over a limit: on plain HTTP after
// answering its request (refuse.go), off the accept loop.
func (l *limitListener) refuse(c net.Conn, reason string) {
	if l.plain {
		l.refuser.refuse(c, reason)
		return
	}
	_ = c.Close()
}

func (l *limitListener) release(key clientKey, keyed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n--
	if keyed {
		if l.open[key]--; l.open[key] <= 0 {
			delete(l.open, key)
		}
	}
}

// limitedConn gives its slot back when closed (once).
type limitedConn struct {
	net.Conn
	l     *limitListener
	key   clientKey
	keyed bool
	once  sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.key, c.keyed) })
	return err
}
