package ra_test

import (
	"testing"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/internal/ratest"
	"github.com/gostca/gostca/store"
)

// The RA's operations on a synced Pebble store in a temporary directory:
// each is one read and one synced batch (record, indexes, audit entry,
// outbox rows). Run in parallel to see the store's group commit.

func BenchmarkCreate(b *testing.B) {
	h := ratest.NewSynced(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := h.Svc.Create(ctx, ratest.ScActor, ra.CreateInput{CertType: "employee", Phone: h.NextPhone(), Organisation: ratest.OrgINN}); err != nil {
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
	h := ratest.NewSynced(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		a := h.Create(b, "natural-person", "")
		i := 0
		for pb.Next() {
			i++
			o := ratest.Owner()
			o.SNILS = []string{ratest.SNILS, "12345678964"}[i%2]
			var err error
			if a, err = h.Svc.UpdateData(ctx, ratest.ScActor, a.ID, a.Version, ra.Data{Phone: a.Phone, Owner: o}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkClaimUnclaim is the cost of one review action.
func BenchmarkClaimUnclaim(b *testing.B) {
	h := ratest.NewSynced(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		a := h.InState(b, store.AppSubmitted)
		for pb.Next() {
			var err error
			if a.State == store.AppSubmitted {
				a, err = h.Svc.Claim(ctx, ratest.Op1, a.ID, a.Version)
			} else {
				a, err = h.Svc.Unclaim(ctx, ratest.Op1, a.ID, a.Version)
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
