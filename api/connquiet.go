package api

import (
	"net"
	"sync"

	"github.com/valyala/fasthttp"
)

// A connection that has not sent a byte has asked nothing, so nothing
// may be written to it (RFC 9112 §9.3: a response answers a request).
// fasthttp answers a new connection whose ReadTimeout expires before its
// first byte with its error handler's response (our 400
// bad_http_request), which a client finds on a connection it has not
// used yet — Go's client logs "Unsolicited response received on idle
// HTTP channel" and may take it for the answer to its next request. Go's
// own server closes such a connection without a word, and so do we:
// fasthttp reports a connection active once its first byte is read
// (ConnState), and transportError closes a connection never seen active
// instead of answering it. A keep-alive connection idle past
// IdleTimeout is closed silently by fasthttp itself.
type requestedConns struct{ m sync.Map } // net.Conn → struct{}

// state is the server's ConnState hook.
func (r *requestedConns) state(c net.Conn, st fasthttp.ConnState) {
	switch st {
	case fasthttp.StateActive:
		if _, ok := r.m.Load(c); !ok { // once per connection, not per request
			r.m.Store(c, struct{}{})
		}
	case fasthttp.StateClosed, fasthttp.StateHijacked:
		r.m.Delete(c)
	}
}

// sentNothing reports a connection that has not sent a byte.
func (r *requestedConns) sentNothing(c net.Conn) bool {
	if c == nil {
		return false
	}
	_, ok := r.m.Load(c)
	return !ok
}
