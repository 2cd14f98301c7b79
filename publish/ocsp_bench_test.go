package publish_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
)

// BenchmarkOCSPNonce answers a request with a nonce, which is signed live
// (and verified after signing) on every call: the responder's hot path
// for clients that ask for fresh responses, per issuer curve. Parallel,
// as the HTTP server runs it; cpu-ns/op is the process's CPU time per
// answer (wall-clock ns/op grows with other load on the machine).
func BenchmarkOCSPNonce(b *testing.B) {
	cfg := catest.Config(b)
	cfg.CA.Issuer512 = true
	e := catest.Open(b, cfg)
	ctx := context.Background()
	for _, c := range []struct{ issuer, curve string }{{"gost256", "tc26-256-A"}, {"gost512", "tc26-512-A"}} {
		req := catest.PersonRequest(b)
		req.Issuer, req.CSR = c.issuer, catest.CSR(b, c.curve)
		r, err := e.Issue(ctx, catest.Admin, req)
		if err != nil {
			b.Fatal(err)
		}
		id, err := e.Publisher().CertID(c.issuer, pkix.OCSPHashSHA1, r.Cert.Serial)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.curve, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				n := 0
				for pb.Next() {
					n++
					req := &pkix.OCSPRequest{CertIDs: []pkix.CertID{id}, Nonce: fmt.Appendf(nil, "nonce-%012d", n)}
					a := e.Publisher().Respond(ctx, req)
					if a.Result != "good" || a.Presigned {
						b.Fatalf("answer %s (presigned %v)", a.Result, a.Presigned)
					}
				}
			})
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op") // cpuTime: ocspfreshbatch_test.go
		})
	}
}
