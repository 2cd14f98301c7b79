package sweep_test

import (
	"testing"
	"time"

	"github.com/gostca/gostca/ra/internal/ratest"
	"github.com/gostca/gostca/ra/sweep"
	"github.com/gostca/gostca/store"
)

// TestExpireDue: the sweep closes exactly the open applications past
// their deadline, whatever their open state, leaves final ones and those
// still in time alone, and a second sweep finds nothing.
func TestExpireDue(t *testing.T) {
	h, ctx := ratest.Start(t)
	old := []*store.Application{h.InState(t, store.AppNew), h.InState(t, store.AppSubmitted), h.InState(t, store.AppReadyToIssue)}
	issued := h.InState(t, store.AppIssued)
	h.Advance(20 * 24 * time.Hour)
	young := h.InState(t, store.AppFilling)
	if n, err := sweep.ExpireDue(ctx, h.Svc, ratest.SystemActor); err != nil || n != 0 {
		t.Fatalf("before any deadline: %d %v", n, err)
	}
	h.Advance(11 * 24 * time.Hour) // the first ones are 31 days old, young 11
	n, err := sweep.ExpireDue(ctx, h.Svc, ratest.SystemActor)
	if err != nil || n != len(old) {
		t.Fatalf("sweep: %d %v, want %d", n, err, len(old))
	}
	for _, a := range old {
		if got := h.Get(t, a.ID); got.State != store.AppExpired {
			t.Errorf("%s: %s, want expired", a.ID, got.State)
		}
	}
	for want, a := range map[store.AppState]*store.Application{store.AppIssued: issued, store.AppFilling: young} {
		if got := h.Get(t, a.ID); got.State != want {
			t.Errorf("%s: %s, want %s", a.ID, got.State, want)
		}
	}
	if n, err := sweep.ExpireDue(ctx, h.Svc, ratest.SystemActor); err != nil || n != 0 {
		t.Fatalf("second sweep: %d %v", n, err)
	}
}
