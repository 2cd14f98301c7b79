package api

import (
	"bytes"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/api/hooksapi"
	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
)

// The route table is built once (newRouteTable) and matched without
// allocating: a path is compared as bytes, and its one parameter, if any,
// is a subslice of it.

// HTTP methods the table knows; any other is 405.
const (
	mGet = iota
	mHead
	mPost
	mDelete
	mPut
	numMethods
)

var methodNames = [numMethods]string{mGet: "GET", mHead: "HEAD", mPost: "POST", mDelete: "DELETE", mPut: "PUT"}

// methodLabel is the metrics label of a request method: the methods the
// route table knows, and one value for every other, so that invented
// methods cannot make new series.
func methodLabel(m []byte) string {
	if i := methodIndex(m); i >= 0 {
		return methodNames[i]
	}
	return "other"
}

func methodIndex(m []byte) int {
	switch string(m) {
	case "GET":
		return mGet
	case "HEAD":
		return mHead
	case "POST":
		return mPost
	case "DELETE":
		return mDelete
	case "PUT":
		return mPut
	}
	return -1
}

// paramKind is how much of the path a route's parameter takes.
type paramKind uint8

const (
	noParam paramKind = iota
	segment           // one non-empty path segment (no '/')
	rest              // everything between prefix and suffix, '/' included
	// segmentPair is two segments around the route's infix
	// ("{id}/documents/{doc}"); the parameter is all of it, split with
	// wire.SplitPair.
	segmentPair
)

// endpoint is one method of a route: its handler and the roles that may
// call it (auth.RolesFor of its operation; nil: public).
type endpoint struct {
	h     wire.Handler
	op    auth.Operation
	roles []auth.Role
}

// route is prefix [param] suffix, with its endpoints by method.
type route struct {
	name    string
	prefix  string
	param   paramKind
	suffix  string
	infix   string // segmentPair only
	methods [numMethods]*endpoint
	allow   string      // the Allow header of a 405
	series  routeSeries // its metrics' series of successful requests (httpseries.go)
}

// match reports whether path is this route's, and its parameter.
func (r *route) match(path []byte) (bool, []byte) {
	if r.param == noParam {
		return string(path) == r.prefix, nil
	}
	if len(path) < len(r.prefix)+len(r.suffix) || string(path[:len(r.prefix)]) != r.prefix ||
		string(path[len(path)-len(r.suffix):]) != r.suffix {
		return false, nil
	}
	p := path[len(r.prefix) : len(path)-len(r.suffix)]
	if r.param == segment && (len(p) == 0 || bytes.IndexByte(p, '/') >= 0) {
		return false, nil
	}
	if r.param == segmentPair {
		if a, b, ok := wire.SplitPair(p, r.infix); !ok || len(a) == 0 || len(b) == 0 ||
			bytes.IndexByte(a, '/') >= 0 || bytes.IndexByte(b, '/') >= 0 {
			return false, nil
		}
	}
	return true, p
}

// routeTable is every route, tried in order: the first that matches wins.
type routeTable []*route

func (t routeTable) match(path []byte) (*route, []byte) {
	for _, r := range t {
		if ok, p := r.match(path); ok {
			return r, p
		}
	}
	return nil, nil
}

// on declares the handler of a method and the operation it performs.
type on struct {
	method int
	h      wire.Handler
	op     auth.Operation
}

func newRoute(name, prefix string, param paramKind, suffix string, ons ...on) *route {
	r := &route{name: name, prefix: prefix, param: param, suffix: suffix}
	var allow []string
	for _, o := range ons {
		r.methods[o.method] = &endpoint{h: o.h, op: o.op, roles: auth.RolesFor(o.op)}
		allow = append(allow, methodNames[o.method])
	}
	r.allow = strings.Join(sortedStrings(allow), ", ")
	return r
}

// newRouteTable is the API: every path, method, handler and operation.
// The endpoint groups' handlers are made here, once.
func newRouteTable(s *Server) routeTable {
	hk := hooksapi.New(s.e, s.opts.WriteTimeout)
	status := func(a ca.StatusAction) wire.Handler {
		return func(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
			return s.setStatus(ctx, p, param, a)
		}
	}
	const v1 = "/api/v1/"
	t := append(routeTable{
		newRoute("healthz", "/healthz", noParam, "", on{mGet, s.healthz, auth.Public}, on{mHead, s.healthz, auth.Public}),
		newRoute("readyz", "/readyz", noParam, "", on{mGet, s.readyz, auth.Public}, on{mHead, s.readyz, auth.Public}),
		newRoute("metrics", "/metrics", noParam, "", on{mGet, s.serveMetrics, auth.Public}),
		newRoute("ocsp", "/ocsp", noParam, "", on{mPost, s.ocspPost, auth.Public}),
		newRoute("ocsp", "/ocsp/", noParam, "", on{mPost, s.ocspPost, auth.Public}),
		newRoute("ocsp", "/ocsp/", rest, "", on{mGet, s.ocspGet, auth.Public}, on{mHead, s.ocspGet, auth.Public}),
		newRoute("crl", "/crl/", rest, ".crl", on{mGet, s.crl, auth.Public}, on{mHead, s.crl, auth.Public}),
		newRoute("ca", "/ca/", rest, ".crt", on{mGet, s.caCert, auth.Public}, on{mHead, s.caCert, auth.Public}),
		newRoute("openapi", v1+"openapi.json", noParam, "", on{mGet, s.openapi, auth.Public}),
		newRoute("certificates", v1+"certificates", noParam, "", on{mPost, s.issue, auth.OpIssue}, on{mGet, s.search, auth.OpRead}),
		newRoute("certificate", v1+"certificates/", segment, "", on{mGet, s.getCert, auth.OpRead}),
		newRoute("certificate_revoke", v1+"certificates/", segment, "/revoke", on{mPost, status(ca.Revoke), auth.OpSuspendRevoke}),
		newRoute("certificate_suspend", v1+"certificates/", segment, "/suspend", on{mPost, status(ca.Suspend), auth.OpSuspendRevoke}),
		newRoute("certificate_resume", v1+"certificates/", segment, "/resume", on{mPost, status(ca.Resume), auth.OpResume}),
		newRoute("issuers", v1+"issuers", noParam, "", on{mGet, s.listIssuers, auth.OpListIssuers}),
		newRoute("issuer_crl", v1+"issuers/", segment, "/crl", on{mPost, s.generateCRL, auth.OpGenerateCRL}),
		newRoute("tokens", v1+"tokens", noParam, "", on{mPost, s.createToken, auth.OpTokens}, on{mGet, s.listTokens, auth.OpTokens}),
		newRoute("token", v1+"tokens/", segment, "", on{mDelete, s.revokeToken, auth.OpTokens}),
		newRoute("audit", v1+"audit", noParam, "", on{mGet, s.audit, auth.OpAudit}),
		newRoute("audit_checkpoint", v1+"audit/checkpoint", noParam, "", on{mPost, s.auditCheckpoint, auth.OpAudit}),
		newRoute("hook_callback", v1+"hooks/", segment, "", on{mPost, hk.Callback, auth.Public}), // signed (api/hooksapi/hooks.go)
		newRoute("outbox", v1+"outbox", noParam, "", on{mGet, hk.ListOutbox, auth.OpOutbox}),
		newRoute("outbox_row", v1+"outbox/", segment, "", on{mGet, hk.GetOutbox, auth.OpOutbox}),
		newRoute("outbox_redrive", v1+"outbox/", segment, "/redrive", on{mPost, hk.RedriveOutbox, auth.OpOutbox}),
		newRoute("outbox_cancel", v1+"outbox/", segment, "/cancel", on{mPost, hk.CancelOutbox, auth.OpOutbox}),
		newRoute("certificate_esia", v1+"certificates/", segment, "/esia", on{mGet, hk.GetESIA, auth.OpOutbox}),
		newRoute("certificate_esia_redrive", v1+"certificates/", segment, "/esia/redrive", on{mPost, hk.RedriveESIA, auth.OpOutbox}),
	}, append(cabinetRoutes(v1, cabinetapi.New(s.e, s.log, s.opts.WriteTimeout)), applicationRoutes(v1, raapi.New(s.e, s.log, s.opts.WriteTimeout))...)...)
	if s.pprofOn {
		t = append(t, pprofRoutes(s)...) // server.pprof (pprof.go)
	}
	return t
}
