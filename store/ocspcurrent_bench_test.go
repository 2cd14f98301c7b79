package store

import (
	"crypto/rand"
	"encoding/binary"
	"testing"
	"time"
)

// BenchmarkOCSPMissReads: what a responder's cache miss reads, for
// 20,000 certificates with stored responses, once everything is flushed
// and compacted (a store at rest, not one just written): the
// certificate record and then the response record (the general path),
// or the response record alone (CurrentOCSPResponse).
func BenchmarkOCSPMissReads(b *testing.B) {
	s := openAt(b, b.TempDir(), Options{NoSync: true})
	const n = 20000
	first := int(benchCounter.Load()) + 1
	der := make([]byte, 300)
	next := time.Now().Add(time.Hour)
	for i := 0; i < n; i += 100 {
		ins, iss := benchBatch(100)
		issueBatch(b, s, ins, iss)
		rs := make([]OCSPRecord, len(ins))
		for j, in := range ins {
			rs[j] = OCSPRecord{Serial: in.Serial, DER: der, NextUpdate: next}
		}
		if _, err := s.PutOCSPResponses(ctx, rs); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.db.Compact(ctx, []byte{0}, []byte{0xff}, false); err != nil {
		b.Fatal(err)
	}
	serial := func() []byte {
		var rnd [8]byte
		_, _ = rand.Read(rnd[:])
		return serialN(first + int(binary.BigEndian.Uint64(rnd[:])%n))
	}
	b.Run("certificate+response", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			k := serial()
			if _, err := s.Certificate(ctx, k); err != nil {
				b.Fatal(err)
			}
			if _, err := s.OCSPResponse(ctx, k); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("current-response", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := s.CurrentOCSPResponse(ctx, serial()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
