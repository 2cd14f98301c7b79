package api

import (
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/wire"
)

// Failed authentication is logged (client address, reason, the token id
// when the token is well-formed — never the secret part), counted on
// /metrics, and slowed down per client address (clientlimit.AuthFailures):
// a blocked address gets 429 too_many_auth_failures with Retry-After for
// every request that needs a token, and the token is not even looked at.

// codeTooManyAuthFailures is the problem code of a throttled client.
const codeTooManyAuthFailures = "too_many_auth_failures"

func init() {
	wire.Register(codeTooManyAuthFailures, fasthttp.StatusTooManyRequests, "Too many failed authentications")
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
	count, block := s.failures.Fail(ip, time.Now())
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
