package api

import (
	"crypto/tls"
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
// connrefuse.go for the bounds), under TLS at once (no handshake is made
// for it) — so a client that keeps reconnecting cannot exhaust the
// server's file descriptors. The limits sit under TLS and fasthttp, on
// the listener. 0 turns a limit off.

// ConnLimits bound the open connections.
type ConnLimits struct {
	PerClient int
	Total     int
}

// limitListener enforces ConnLimits on a listener.
type limitListener struct {
	net.Listener
	lim      ConnLimits
	plain    bool // answer before closing (no TLS on top)
	rejected *prometheus.CounterVec
	log      *slog.Logger
	refuser  *refuser

	mu      sync.Mutex
	open    map[clientKey]int
	n       int
	lastLog time.Time
}

func (s *Server) limitListener(ln net.Listener, plain bool) net.Listener {
	if s.opts.Conns.PerClient <= 0 && s.opts.Conns.Total <= 0 {
		return ln
	}
	return &limitListener{Listener: ln, lim: s.opts.Conns, plain: plain, rejected: s.connsRejected, log: s.log,
		refuser: s.refuser, open: map[clientKey]int{}}
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
// answering its request (connrefuse.go), off the accept loop.
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

// tlsConfig is the server's TLS: 1.2 at least, and for TLS 1.2 only
// ECDHE key exchange with AEAD ciphers (AES-GCM, ChaCha20-Poly1305). No
// CBC suite (Lucky13-style padding oracles, SHA-1 MACs) and no static-RSA
// key exchange (no forward secrecy) is offered; TLS 1.3's suites are all
// AEAD.
func tlsConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	}
}
