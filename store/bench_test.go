package store

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"testing"
)

// benchIntents makes n intents with realistic sizes (1 KiB TBS) from a
// global counter, so serials and keys never repeat within a benchmark.
var benchCounter atomic.Int64

func benchBatch(n int) ([]Intent, []Issued) {
	tbs := make([]byte, 1024)
	_, _ = rand.Read(tbs)
	ins := make([]Intent, n)
	iss := make([]Issued, n)
	for i := range ins {
		k := int(benchCounter.Add(1))
		ins[i] = intentN(k, fmt.Sprintf("bench-%d", k))
		ins[i].TBS = tbs
		iss[i] = issuedFor(ins[i], alice)
		iss[i].DER = make([]byte, 1300)
		iss[i].Outbox = []OutboxRow{{Kind: "esia", Payload: make([]byte, 512)}}
	}
	return ins, iss
}

func issueBatch(b *testing.B, s *Store, ins []Intent, iss []Issued) {
	res, err := s.PutIntents(ctx, ins)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil || r.Duplicate {
			b.Fatal(r.Err)
		}
	}
	if err := s.CommitIssued(ctx, iss); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPutIntentsCommit: the store's share of issuing a batch, both
// synced writes, one caller at a time. ns/cert is per certificate; the
// nosync case shows how much of it is CPU rather than fsync.
func BenchmarkPutIntentsCommit(b *testing.B) {
	for _, bc := range []struct {
		size   int
		noSync bool
	}{{1, false}, {16, false}, {64, false}, {64, true}} {
		size, name := bc.size, fmt.Sprintf("batch=%d", bc.size)
		if bc.noSync {
			name += "/nosync" // the CPU share alone
		}
		b.Run(name, func(b *testing.B) {
			// Keyed as the CA opens it: audit entries and intents are
			// HMACed with the audit key.
			s := openAt(b, b.TempDir(), Options{NoSync: bc.noSync, AuditKey: testAuditKey(b, 1)})
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				ins, iss := benchBatch(size)
				b.StartTimer()
				issueBatch(b, s, ins, iss)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size), "ns/cert")
		})
	}
}

// BenchmarkPutIntentsCommitParallel: 8 concurrent signers, batch 16, to
// show fsyncs shared between writers (group commit).
func BenchmarkPutIntentsCommitParallel(b *testing.B) {
	const size = 16
	s := openAt(b, b.TempDir(), Options{})
	b.SetParallelism(8 / max(1, runtimeProcs()))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ins, iss := benchBatch(size)
			issueBatch(b, s, ins, iss)
		}
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size), "ns/cert")
}

func BenchmarkCertificateBySerial(b *testing.B) {
	s := openAt(b, b.TempDir(), Options{NoSync: true})
	const n = 10000
	first := int(benchCounter.Load()) + 1
	for i := 0; i < n; i += 100 {
		ins, iss := benchBatch(100)
		issueBatch(b, s, ins, iss)
	}
	var rnd [8]byte
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_, _ = rand.Read(rnd[:])
		k := first + int(binary.BigEndian.Uint64(rnd[:])%n)
		if _, err := s.Certificate(ctx, serialN(k)); err != nil {
			b.Fatal(err)
		}
	}
}
