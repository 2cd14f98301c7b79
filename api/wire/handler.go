// Package wire is how GostCA's HTTP API reads requests and writes
// answers, shared by the server core (package api) and its endpoint
// groups (api/raapi, api/hooksapi): the handler signature, problem+json
// with the stable codes of the HTTP layer, strict JSON decoding (one
// value, no unknown or repeated keys), JSON answers and the context a
// handler calls the CA with. It knows no route and no business rule.
package wire

import (
	"bytes"
	"context"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/auth"
)

// Handler serves one method of a route; param is the route's path
// parameter (nil for routes without one), valid during the request. p is
// the authenticated caller (nil on public routes).
type Handler func(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error

// SplitPair splits a two-segment path parameter ("{id}/documents/{doc}")
// at its infix.
func SplitPair(p []byte, infix string) (a, b []byte, ok bool) {
	i := bytes.Index(p, []byte(infix))
	if i < 0 {
		return nil, nil, false
	}
	return p[:i], p[i+len(infix):], true
}

// CallContext bounds a call into the CA by timeout (the server's write
// timeout). It is not tied to the connection: admitted issuance finishes
// even if the client or the server goes away (graceful shutdown waits for
// it).
func CallContext(timeout time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), timeout)
}
