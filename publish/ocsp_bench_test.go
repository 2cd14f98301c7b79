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
// for clients that ask for fresh responses. Parallel, as the HTTP server
// runs it.
func BenchmarkOCSPNonce(b *testing.B) {
	cfg := catest.Config(b)
	e := catest.Open(b, cfg)
	ctx := context.Background()
	r := catest.Issue(b, e)
	id, err := e.Publisher().CertID("gost256", pkix.OCSPHashSHA1, r.Cert.Serial)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
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
}
