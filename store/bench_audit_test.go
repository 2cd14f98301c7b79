package store

import (
	"fmt"
	"testing"
)

// BenchmarkAppendAudit: one audit entry per synced write, unkeyed
// (SHA-256) against keyed (HMAC-SHA256); nosync shows the CPU share.
func BenchmarkAppendAudit(b *testing.B) {
	for _, keyed := range []bool{false, true} {
		b.Run(fmt.Sprintf("keyed=%v/nosync", keyed), func(b *testing.B) {
			opts := Options{NoSync: true}
			if keyed {
				opts.AuditKey = testAuditKey(b, 1)
			}
			s := openAt(b, b.TempDir(), opts)
			e := AuditEntry{Actor: "token:ab12/ca_operator", Action: "token.create", Subject: "cd34",
				Attrs: []AuditAttr{{Key: "role", Value: "auditor"}, {Key: "name", Value: "backup"}}}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.AppendAudit(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheck: a full Check (indexes, keyed chain, audit
// cross-checks) of a store with 10,000 certificates, one in five
// revoked; ns/op is per Check.
func BenchmarkCheck(b *testing.B) {
	s := openAt(b, b.TempDir(), Options{NoSync: true, AuditKey: testAuditKey(b, 1)})
	for range 10000 / 64 {
		ins, iss := benchBatch(64)
		issueBatch(b, s, ins, iss)
		for i, is := range iss {
			if i%5 == 0 {
				if err := s.SetStatus(ctx, is.Serial, StatusChange{State: Revoked, Reason: 1, At: t0}, AuditEntry{Actor: "op"}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ResetTimer()
	for b.Loop() {
		rep, err := s.Check(ctx)
		if err != nil || !rep.OK() {
			b.Fatalf("%v %v", err, rep.Problems)
		}
	}
}
