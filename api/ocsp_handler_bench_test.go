package api_test

import (
	"bytes"
	"encoding/base64"
	"net"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/pkix"
)

// BenchmarkOCSPHandler is the server's own work for a pre-signed OCSP
// answer, without the network: the request handler (route, metrics,
// headers, the answer cache) called on a parsed request, GET and POST.
// The HTTP/1.1 parsing and the socket calls around it are
// BenchmarkHTTPOCSPModes's. Allocations here are the handler's per
// request; the cache hit path makes none.
func BenchmarkOCSPHandler(b *testing.B) {
	ts := startServer(b, nil)
	token := ts.tokens[auth.RoleCAOperator]
	nameHash, keyHash := ts.issuerHashes(b)
	serials := issueForBench(b, ts, token, 64)
	escaper := strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D")
	h := ts.srv.Handler()
	for _, get := range []bool{true, false} {
		name := "POST"
		if get {
			name = "GET"
		}
		var ctxs []*fasthttp.RequestCtx
		for _, serial := range serials {
			der, err := pkix.MarshalOCSPRequest([]pkix.CertID{{Hash: pkix.OCSPHashSHA1, IssuerNameHash: nameHash,
				IssuerKeyHash: keyHash, Serial: serial}}, nil)
			if err != nil {
				b.Fatal(err)
			}
			ctx := &fasthttp.RequestCtx{}
			ctx.Init(&fasthttp.Request{}, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}, nil)
			if get {
				ctx.Request.Header.SetMethod("GET")
				ctx.Request.SetRequestURI("/ocsp/" + escaper.Replace(base64.StdEncoding.EncodeToString(der)))
			} else {
				ctx.Request.Header.SetMethod("POST")
				ctx.Request.SetRequestURI("/ocsp")
				ctx.Request.Header.SetContentType("application/ocsp-request")
				ctx.Request.SetBody(der)
			}
			ctxs = append(ctxs, ctx)
		}
		b.Run(name, func(b *testing.B) {
			for i, ctx := range ctxs { // every answer once, checked, and cached
				h(ctx)
				r, err := pkix.ParseOCSPResponse(ctx.Response.Body())
				if err != nil || ctx.Response.StatusCode() != 200 || r.Status != pkix.OCSPSuccessful ||
					r.Responses[0].Status != pkix.OCSPGood || !bytes.Equal(r.Responses[0].CertID.Serial, serials[i]) {
					b.Fatalf("%s: %v %d %+v", name, err, ctx.Response.StatusCode(), r)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				ctx := ctxs[i%len(ctxs)]
				ctx.Response.Reset()
				h(ctx)
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			b.StopTimer()
			if ctx := ctxs[0]; ctx.Response.StatusCode() != 200 || len(ctx.Response.Body()) == 0 {
				b.Fatalf("%s: status %d", name, ctx.Response.StatusCode())
			}
		})
	}
}
