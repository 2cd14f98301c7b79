package signer

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/gostca/gostca/store"
)

// BenchmarkIssueCallers is the pipeline with its default options as
// gostca serve runs it (keyed store, fsync on), driven by 1 and by 64
// callers: the one-client latency and the throughput of issue 16.
func BenchmarkIssueCallers(b *testing.B) {
	for _, callers := range []int{1, 64} {
		b.Run(fmt.Sprintf("soft-tc26-256-A/callers=%d", callers), func(b *testing.B) {
			key, err := store.NewAuditKey(bytes.Repeat([]byte{0xa5}, 32))
			if err != nil {
				b.Fatal(err)
			}
			st, err := store.Open(b.TempDir(), store.Options{Logger: quietLog, AuditKey: key})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			s, err := Open(context.Background(), st, []*Issuer{newIssuer(b, "ca", "tc26-256-A")}, Options{Logger: quietLog})
			if err != nil {
				b.Fatal(err)
			}
			reqs := benchRequests(b, b.N, "tc26-256-A")
			var next atomic.Int64
			b.SetParallelism((callers + 1) / 2) // GOMAXPROCS 2
			if callers == 1 {
				b.SetParallelism(1)
			}
			b.ResetTimer()
			if callers == 1 {
				for i := range b.N {
					if _, err := s.Issue(context.Background(), reqs[i]); err != nil {
						b.Fatal(err)
					}
				}
			} else {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := s.Issue(context.Background(), reqs[next.Add(1)-1]); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
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
