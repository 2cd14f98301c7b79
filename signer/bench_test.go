package signer

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// The pipeline's throughput next to the bare cryptography it must do per
// certificate (proof-of-possession verify + sign + verify-after-sign), in
// the same run on the same cores. Requests are made before the timer
// starts: subscriber key generation is the client's cost, not ours.

func benchRequests(b *testing.B, n int, curve string) []*Request {
	reqs := make([]*Request, n)
	for i := range reqs {
		reqs[i] = request(b, "ca", curve, fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i))
	}
	return reqs
}

func BenchmarkIssue(b *testing.B) {
	for _, c := range []struct{ batch, inflight int }{{1, 2}, {16, 2}, {64, 2}, {64, 3}, {64, 4}, {128, 2}, {256, 2}} {
		batch := c.batch
		b.Run(fmt.Sprintf("soft-tc26-256-A/batch=%d/inflight=%d", batch, c.inflight), func(b *testing.B) {
			// Keyed as the CA opens it: audit entries (and, from schema
			// 7, intents) are HMACed with the audit key.
			key, err := store.NewAuditKey(bytes.Repeat([]byte{0xa5}, 32))
			if err != nil {
				b.Fatal(err)
			}
			st, err := store.Open(b.TempDir(), store.Options{Logger: quietLog, AuditKey: key})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			s, err := Open(context.Background(), st, []*Issuer{newIssuer(b, "ca", "tc26-256-A")},
				Options{MaxBatch: batch, MaxDelay: time.Millisecond, Concurrency: c.inflight, Logger: quietLog})
			if err != nil {
				b.Fatal(err)
			}
			reqs := benchRequests(b, b.N, "tc26-256-A")
			var next atomic.Int64
			b.SetParallelism(128) // 256 callers on 2 cores: enough to fill batches
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.Issue(context.Background(), reqs[next.Add(1)-1]); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			s.Close()
			stats := s.Stats()
			b.ReportMetric(float64(stats.LatencyP50.Microseconds()), "p50-µs")
			b.ReportMetric(float64(stats.LatencyP99.Microseconds()), "p99-µs")
			if stats.Batches > 0 {
				b.ReportMetric(float64(stats.Issued)/float64(stats.Batches), "certs/batch")
			}
		})
	}
}

// BenchmarkBareCrypto is the cryptographic floor of one issuance.
func BenchmarkBareCrypto(b *testing.B) {
	is := newIssuer(b, "ca", "tc26-256-A")
	reqs := benchRequests(b, min(b.N, 256), "tc26-256-A")
	serial, _ := pkix.NewSerialNumber(rand.Reader)
	csr, _ := pkix.ParseCertificateRequest(reqs[0].CSR)
	tbs, err := pkix.BuildLintedTBS(&pkix.CertificateTemplate{Profile: pkix.ProfileQualifiedPerson, SerialNumber: serial,
		NotBefore: time.Now().Truncate(time.Second), Subject: personSubject(), PublicKey: csr.PublicKey, SubjectSignTool: "x"}, &is.Settings)
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := reqs[int(next.Add(1)-1)%len(reqs)]
			if _, err := pkix.ParseCertificateRequest(r.CSR); err != nil { // PoP verify
				b.Error(err)
				return
			}
			if _, err := is.signTBS(context.Background(), tbs); err != nil { // sign + verify
				b.Error(err)
				return
			}
		}
	})
}
