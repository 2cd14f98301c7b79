// Package api is GostCA's HTTP interface on fasthttp: the JSON API under
// /api/v1 (documented by openapi.json, served at /api/v1/openapi.json),
// status publication (CRLs, CA certificates, OCSP), /metrics, /healthz and
// /readyz. Handlers only authenticate, decode, bound and map errors; every
// rule lives in the packages under it (ca, auth, publish).
//
// This package is the server core: the server, the route table
// (routes.go, with every group's routes), authentication, connection
// limits (with api/clientlimit) and the certificate, issuer, token, audit and publication
// endpoints. Endpoint groups live in their own packages and are wired in
// here: the registration authority's in api/raapi (routes_ra.go), the
// hooks' callbacks and the outbox in api/hooksapi. What they share (the
// handler type, problem+json, strict decoding) is api/wire.
package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"github.com/gostca/gostca/api/clientlimit"
	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/publish"
)

//go:embed openapi.json
var openapiJSON []byte

// OpenAPI returns the OpenAPI 3 description of the API.
func OpenAPI() []byte { return bytes.Clone(openapiJSON) }

// Options configure the HTTP server.
type Options struct {
	MaxBodyBytes int
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration
	Logger       *slog.Logger
	// MetricsToken, when set, is the bearer token GET /metrics requires
	// (a scraper's secret, separate from the API tokens).
	MetricsToken []byte
	// Conns bound the open connections (clientlimit.Listen); zero: no
	// limits.
	Conns clientlimit.ConnLimits
	// AuthFailures slow down clients that keep failing authentication
	// (authfail.go, clientlimit.AuthFailures); zero: off.
	AuthFailures clientlimit.AuthFailureLimits
}

// Server serves the CA over HTTP.
type Server struct {
	e       *ca.CA
	pub     *publish.Publisher
	tokens  *auth.Tokens
	log     *slog.Logger
	opts    Options
	srv     *fasthttp.Server
	routes  routeTable
	metrics fasthttp.RequestHandler

	ocspMaxAge time.Duration // ocsp.max_age
	ocspCC     []byte        // the Cache-Control of an OCSP GET answer with max-age ocsp.max_age

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	series   httpSeries // their series, looked up once (httpseries.go)

	failures      *clientlimit.AuthFailures
	authFailures  *prometheus.CounterVec
	authThrottled prometheus.Counter
	connsRejected *prometheus.CounterVec
	refuser       *clientlimit.Refuser // answers connections over a limit
	requested     requestedConns

	pprofOn   bool        // server.pprof: the /debug/pprof routes exist (pprof.go)
	pprofBusy atomic.Bool // a CPU profile, trace or mutex/block window is running
}

// New makes a server for e. Register its metrics once per CA.
func New(e *ca.CA, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 30 * time.Second
	}
	s := &Server{e: e, pub: e.Publisher(), tokens: e.Tokens(), log: opts.Logger, opts: opts, ocspMaxAge: e.Config().OCSP.MaxAge,
		pprofOn: e.Config().Server.Pprof,
		refuser: clientlimit.NewRefuser(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gostca_http_requests_total", Help: "HTTP requests by route, method and status code."},
			[]string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gostca_http_request_duration_seconds", Help: "HTTP request handling time by route.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}},
			[]string{"route"}),
		failures: clientlimit.NewAuthFailures(opts.AuthFailures),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gostca_http_auth_failures_total", Help: "Failed authentications by reason (missing, not_bearer, malformed, unknown, metrics_token)."},
			[]string{"reason"}),
		authThrottled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gostca_http_auth_throttled_total", Help: "Requests refused with 429 because their client address kept failing authentication."}),
		connsRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gostca_http_connections_rejected_total", Help: "Connections closed at once because a connection limit was reached (per_client, total)."},
			[]string{"limit"}),
	}
	reg := e.Registry()
	for _, c := range []prometheus.Collector{s.requests, s.duration, s.authFailures, s.authThrottled, s.connsRejected} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				panic(err)
			}
		}
	}
	s.ocspCC = ocspCacheControl(int64(s.ocspMaxAge.Seconds()))
	s.routes = newRouteTable(s)
	s.metrics = fasthttpadaptor.NewFastHTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	s.srv = &fasthttp.Server{
		Handler:               s.handle,
		ErrorHandler:          s.transportError,
		ConnState:             s.requested.state, // connquiet.go
		Name:                  "gostca",
		ReadTimeout:           opts.ReadTimeout,
		WriteTimeout:          opts.WriteTimeout,
		IdleTimeout:           opts.IdleTimeout,
		MaxRequestBodySize:    opts.MaxBodyBytes,
		HeaderReceived:        s.requestConfig, // the upload route's own limit (bodylimit.go)
		StreamRequestBody:     true,            // uploads stream to docstore; other bodies are read by bufferBody
		NoDefaultServerHeader: true,
		NoDefaultContentType:  true,
		CloseOnShutdown:       true,
		Logger:                fasthttpLogger{opts.Logger},
		TLSConfig:             tlsConfig(),
	}
	return s
}

// Handler returns the request handler (for tests and embedding).
func (s *Server) Handler() fasthttp.RequestHandler { return s.handle }

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.srv.Serve(s.limitListener(ln, true)) }

// limitListener bounds ln's connections by Options.Conns; plain: no TLS
// on top, so a refused connection's request is answered.
func (s *Server) limitListener(ln net.Listener, plain bool) net.Listener {
	return clientlimit.Listen(ln, clientlimit.ListenOptions{Limits: s.opts.Conns, Plain: plain, Refuser: s.refuser,
		Rejected: s.connsRejected, Logger: s.log})
}

// ServeTLS is Serve with TLS from PEM files.
func (s *Server) ServeTLS(ln net.Listener, certFile, keyFile string) error {
	return s.srv.ServeTLS(s.limitListener(ln, false), certFile, keyFile)
}

// Shutdown stops accepting, lets requests in flight finish (issuance
// included) and returns when every connection is closed or ctx expires.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.ShutdownWithContext(ctx) }

type fasthttpLogger struct{ l *slog.Logger }

func (f fasthttpLogger) Printf(format string, args ...any) {
	f.l.Debug("fasthttp: " + fmt.Sprintf(format, args...))
}

// transportError answers requests fasthttp could not read. A connection
// that timed out before sending anything is closed instead: there is no
// request to answer (connquiet.go). fasthttp's write of the error
// response then fails on the closed connection, which it ignores.
func (s *Server) transportError(ctx *fasthttp.RequestCtx, err error) {
	if s.requested.sentNothing(ctx.Conn()) {
		_ = ctx.Conn().Close()
		return
	}
	if errors.Is(err, fasthttp.ErrBodyTooLarge) {
		wire.WriteProblem(ctx, &wire.Error{Code: wire.CodeBodyTooLarge, Detail: fmt.Sprintf("request body larger than %d bytes", s.bodyLimit(&ctx.Request.Header))})
		s.requests.WithLabelValues("transport", "", "413").Inc()
		return
	}
	wire.WriteProblem(ctx, &wire.Error{Code: wire.CodeBadHTTP, Detail: "the request could not be read"})
	s.requests.WithLabelValues("transport", "", "400").Inc()
}

func (s *Server) handle(ctx *fasthttp.RequestCtx) {
	start := ctx.Time() // read by the server as the request came; zero when called directly
	if start.IsZero() {
		start = time.Now()
	}
	routeName := "unknown"
	var matched *route
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("panic in handler", "route", routeName, "panic", fmt.Sprint(v))
			ctx.ResetBody()
			wire.WriteProblem(ctx, &wire.Error{Code: caerr.CodeInternal, Detail: "internal error"})
		}
		s.countRoute(matched, routeName, ctx.Method(), ctx.Response.StatusCode(), time.Since(start).Seconds())
	}()
	ctx.Response.Header.SetCanonical(hdrNoSniff, valNoSniff)
	if pe := s.bufferBody(ctx); pe != nil {
		wire.WriteProblem(ctx, pe)
		return
	}
	if pe := wire.CheckUnambiguous(ctx); pe != nil {
		wire.WriteProblem(ctx, pe)
		return
	}
	r, param := s.routes.match(ctx.Path())
	if r == nil {
		wire.WriteProblem(ctx, &wire.Error{Code: wire.CodeNotFound, Detail: "no such endpoint"})
		return
	}
	routeName, matched = r.name, r
	var ep *endpoint
	if m := methodIndex(ctx.Method()); m >= 0 {
		ep = r.methods[m]
	}
	if ep == nil {
		ctx.Response.Header.Set("Allow", r.allow)
		wire.WriteProblem(ctx, &wire.Error{Code: wire.CodeMethodNotAllowed, Detail: string(ctx.Method()) + " is not allowed here"})
		return
	}
	var p *auth.Principal
	if ep.op != auth.Public || (r.name == "metrics" && len(s.opts.MetricsToken) > 0) {
		if wait := s.failures.Blocked(ctx.RemoteIP(), time.Now()); wait > 0 {
			s.throttled(ctx, wait)
			return
		}
	}
	if ep.op != auth.Public {
		var reason, tokenID string
		p, reason, tokenID = s.authenticate(ctx)
		if p == nil {
			s.authFailed(ctx, routeName, reason, tokenID)
			ctx.Response.Header.Set("WWW-Authenticate", `Bearer realm="gostca"`)
			wire.WriteProblem(ctx, &wire.Error{Code: wire.CodeUnauthorized, Detail: "a valid bearer token is required"})
			return
		}
		if !hasRole(ep.roles, p.Role) {
			wire.WriteProblem(ctx, &wire.Error{Code: caerr.CodeForbidden, Detail: "role " + string(p.Role) + " may not do this"})
			return
		}
	}
	if err := ep.h(ctx, p, param); err != nil {
		wire.Fail(ctx, s.log, err)
	}
}

// authenticate returns the principal of the request's bearer token, or
// nil with the reason and, for a well-formed token, its id.
func (s *Server) authenticate(ctx *fasthttp.RequestCtx) (*auth.Principal, string, string) {
	hv := ctx.Request.Header.Peek("Authorization")
	if len(hv) == 0 {
		return nil, authMissing, ""
	}
	scheme, tok, ok := strings.Cut(string(hv), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, authNotBearer, ""
	}
	tok = strings.TrimSpace(tok)
	id, ok := auth.TokenID(tok)
	if !ok {
		return nil, authMalformed, ""
	}
	// Not the request context: fasthttp cancels it when the server starts
	// shutting down, and requests in flight are still to be served.
	if p := s.tokens.Authenticate(context.Background(), tok); p != nil {
		return p, "", ""
	}
	return nil, authUnknown, id
}

func hasRole(roles []auth.Role, r auth.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

func sortedStrings(v []string) []string {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
	return v
}

// callCtx bounds a call into the CA by the write timeout
// (wire.CallContext).
func (s *Server) callCtx() (context.Context, context.CancelFunc) {
	return wire.CallContext(s.opts.WriteTimeout)
}

func (s *Server) healthz(ctx *fasthttp.RequestCtx, _ *auth.Principal, _ []byte) error {
	ctx.SetContentType("text/plain; charset=utf-8")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetBodyString("ok\n")
	return nil
}

func (s *Server) readyz(ctx *fasthttp.RequestCtx, _ *auth.Principal, _ []byte) error {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ctx.Response.Header.Set("Cache-Control", "no-store")
	if err := s.e.Ready(c); err != nil {
		s.log.Warn("not ready", "err", err)
		return &wire.Error{Code: wire.CodeNotReady, Detail: "not ready: " + readyReason(err)}
	}
	ctx.SetContentType("text/plain; charset=utf-8")
	ctx.SetBodyString("ready\n")
	return nil
}

func readyReason(err error) string {
	var ee *caerr.Error
	if errors.As(err, &ee) {
		return ee.Detail
	}
	return "internal"
}

func (s *Server) serveMetrics(ctx *fasthttp.RequestCtx, _ *auth.Principal, _ []byte) error {
	if len(s.opts.MetricsToken) > 0 {
		tok, ok := bytes.CutPrefix(ctx.Request.Header.Peek("Authorization"), []byte("Bearer "))
		// Compare digests, so that the comparison takes the same time
		// whatever the length of the guess.
		got, want := sha256.Sum256(tok), sha256.Sum256(s.opts.MetricsToken)
		if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			s.authFailed(ctx, "metrics", authMetricsOnly, "")
			ctx.Response.Header.Set("WWW-Authenticate", `Bearer realm="gostca-metrics"`)
			return &wire.Error{Code: wire.CodeUnauthorized, Detail: "/metrics needs the metrics bearer token"}
		}
	}
	s.metrics(ctx)
	return nil
}

func (s *Server) openapi(ctx *fasthttp.RequestCtx, _ *auth.Principal, _ []byte) error {
	ctx.SetContentType("application/json")
	ctx.Response.Header.Set("Cache-Control", "public, max-age=3600")
	ctx.SetBody(openapiJSON)
	return nil
}
