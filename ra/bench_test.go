package ra_test

import (
	"fmt"
	"testing"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

// The RA's operations on a synced Pebble store in a temporary directory:
// each is one read and one synced batch (record, indexes, audit entry,
// outbox rows). Run in parallel to see the store's group commit.

func BenchmarkCreate(b *testing.B) {
	h := newHarness(b, true)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := h.phone.Add(1)
			if _, err := h.svc.Create(ctx, scActor, ra.CreateInput{CertType: "employee", Phone: fmt.Sprintf("+7916%07d", n), Organisation: testOrgINN}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkUpdateData saves owner data again and again on an
// application of its own (each save changes a checked field: three
// registry rows). The history lives outside the record, so the cost
// does not grow with the number of changes.
func BenchmarkUpdateData(b *testing.B) {
	h := newHarness(b, true)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		a := h.create(b, "natural-person", "")
		i := 0
		for pb.Next() {
			i++
			o := owner()
			o.SNILS = []string{testSNILS, "12345678964"}[i%2]
			var err error
			if a, err = h.svc.UpdateData(ctx, scActor, a.ID, a.Version, ra.Data{Phone: a.Phone, Owner: o}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkClaimUnclaim is the cost of one review action.
func BenchmarkClaimUnclaim(b *testing.B) {
	h := newHarness(b, true)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		a := h.inState(b, store.AppSubmitted)
		for pb.Next() {
			var err error
			if a.State == store.AppSubmitted {
				a, err = h.svc.Claim(ctx, op1, a.ID, a.Version)
			} else {
				a, err = h.svc.Unclaim(ctx, op1, a.ID, a.Version)
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
