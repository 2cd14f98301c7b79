package ra

import (
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/store"
)

func (h *harness) now() time.Time { return time.Unix(0, h.clock.Load()).UTC() }

// TestPurgeDocumentsDue: with an injected clock, retention drops the
// documents of cancelled and expired applications closed at least the
// retention period ago — one write each, with its history event and
// audit entry naming every document — and never those of issued,
// open or recently closed applications; zero retention drops nothing,
// a second sweep finds nothing, and only the system may sweep.
func TestPurgeDocumentsDue(t *testing.T) {
	h := newHarness(t, false)
	const retention = 365 * 24 * time.Hour
	cancelled := h.filled(t, h.create(t, "natural-person", ""))
	cancelled = must(t)(h.svc.Cancel(ctx, scActor, cancelled.ID, cancelled.Version, "передумал"))
	expiring := h.filled(t, h.create(t, "natural-person", ""))
	issued := h.inState(t, store.AppIssued)
	open := h.inState(t, store.AppSubmitted)
	h.advance(31 * 24 * time.Hour)
	expired := must(t)(h.svc.Expire(ctx, systemActor, expiring.ID, 0))
	h.advance(300 * 24 * time.Hour)
	late := h.filled(t, h.create(t, "natural-person", ""))
	late = must(t)(h.svc.Cancel(ctx, scActor, late.ID, late.Version, "передумал"))

	if n, err := h.svc.PurgeDocumentsDue(ctx, systemActor, time.Time{}); err != nil || n != 0 {
		t.Fatalf("zero retention: %d %v", n, err)
	}
	if _, err := h.svc.PurgeDocumentsDue(ctx, op1, h.now().Add(-retention)); CodeOf(err) != CodeForbidden {
		t.Fatalf("an operator swept: %v", err)
	}
	// 331 days after the first cancellation: nothing due yet.
	if n, err := h.svc.PurgeDocumentsDue(ctx, systemActor, h.now().Add(-retention)); err != nil || n != 0 {
		t.Fatalf("before retention: %d %v", n, err)
	}
	h.advance(35 * 24 * time.Hour) // cancelled 366 days ago, expired 335, late 35
	if n, err := h.svc.PurgeDocumentsDue(ctx, systemActor, h.now().Add(-retention)); err != nil || n != 1 {
		t.Fatalf("first due: %d %v, want 1", n, err)
	}
	h.advance(31 * 24 * time.Hour) // expired 366 days ago
	if n, err := h.svc.PurgeDocumentsDue(ctx, systemActor, h.now().Add(-retention)); err != nil || n != 1 {
		t.Fatalf("second due: %d %v, want 1", n, err)
	}
	if n, err := h.svc.PurgeDocumentsDue(ctx, systemActor, h.now().Add(-retention)); err != nil || n != 0 {
		t.Fatalf("repeat: %d %v", n, err)
	}
	for _, c := range []struct {
		a    *store.Application
		docs bool
	}{{cancelled, false}, {expired, false}, {issued, true}, {open, true}, {late, true}} {
		got := must(t)(h.svc.Get(ctx, op1, c.a.ID))
		if (len(got.Documents) > 0) != c.docs || len(c.a.Documents) == 0 {
			t.Errorf("%s (%s): %d documents, had %d, want kept=%v", got.ID, got.State, len(got.Documents), len(c.a.Documents), c.docs)
		}
		if c.docs {
			continue
		}
		if got.State != c.a.State || got.Version != c.a.Version+1 {
			t.Errorf("%s: state %s version %d after the purge (was %s, %d)", got.ID, got.State, got.Version, c.a.State, c.a.Version)
		}
		ev := h.lastEvent(t, got.ID)
		if ev.Action != string(ActPurgeDocuments) || ev.Actor != systemActor.ID {
			t.Errorf("%s: last event %+v", got.ID, ev)
		}
		for _, d := range c.a.Documents {
			if !strings.Contains(ev.Note, d.ID) {
				t.Errorf("%s: the purge's note does not name document %s: %q", got.ID, d.ID, ev.Note)
			}
		}
	}
}
