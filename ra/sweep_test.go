package ra

import (
	"testing"
	"time"

	"github.com/gostca/gostca/store"
)

// TestExpireDue: the sweep closes exactly the open applications past
// their deadline, whatever their open state, leaves final ones and those
// still in time alone, and a second sweep finds nothing.
func TestExpireDue(t *testing.T) {
	h := newHarness(t, false)
	old := []*store.Application{h.inState(t, store.AppNew), h.inState(t, store.AppSubmitted), h.inState(t, store.AppReadyToIssue)}
	issued := h.inState(t, store.AppIssued)
	h.advance(20 * 24 * time.Hour)
	young := h.inState(t, store.AppFilling)
	if n, err := h.svc.ExpireDue(ctx, systemActor); err != nil || n != 0 {
		t.Fatalf("before any deadline: %d %v", n, err)
	}
	h.advance(11 * 24 * time.Hour) // the first ones are 31 days old, young 11
	n, err := h.svc.ExpireDue(ctx, systemActor)
	if err != nil || n != len(old) {
		t.Fatalf("sweep: %d %v, want %d", n, err, len(old))
	}
	for _, a := range old {
		if got := must(t)(h.svc.Get(ctx, op1, a.ID)); got.State != store.AppExpired {
			t.Errorf("%s: %s, want expired", a.ID, got.State)
		}
	}
	for want, a := range map[store.AppState]*store.Application{store.AppIssued: issued, store.AppFilling: young} {
		if got := must(t)(h.svc.Get(ctx, op1, a.ID)); got.State != want {
			t.Errorf("%s: %s, want %s", a.ID, got.State, want)
		}
	}
	if n, err := h.svc.ExpireDue(ctx, systemActor); err != nil || n != 0 {
		t.Fatalf("second sweep: %d %v", n, err)
	}
}
