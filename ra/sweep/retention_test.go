package sweep_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/internal/ratest"
	"github.com/gostca/gostca/ra/sweep"
	"github.com/gostca/gostca/store"
)

// TestPurgeDocumentsDue: with an injected clock, retention drops the
// documents of cancelled and expired applications closed at least the
// retention period ago — one write each, with its history event and
// audit entry naming every document — and never those of issued,
// open or recently closed applications; zero retention drops nothing,
// a second sweep finds nothing, and only the system may sweep.
func TestPurgeDocumentsDue(t *testing.T) {
	h, ctx := ratest.Start(t)
	const retention = 365 * 24 * time.Hour
	cancelled := h.InState(t, store.AppFilling)
	cancelled = h.Must(t)(h.Svc.Cancel(ctx, ratest.ScActor, cancelled.ID, cancelled.Version, "передумал"))
	expiring := h.InState(t, store.AppFilling)
	issued := h.InState(t, store.AppIssued)
	open := h.InState(t, store.AppSubmitted)
	h.Advance(31 * 24 * time.Hour)
	expired := h.Must(t)(h.Svc.Expire(ctx, ratest.SystemActor, expiring.ID, 0))
	h.Advance(300 * 24 * time.Hour)
	late := h.InState(t, store.AppFilling)
	late = h.Must(t)(h.Svc.Cancel(ctx, ratest.ScActor, late.ID, late.Version, "передумал"))

	if n, err := sweep.PurgeDocumentsDue(ctx, h.Svc, ratest.SystemActor, time.Time{}); err != nil || n != 0 {
		t.Fatalf("zero retention: %d %v", n, err)
	}
	if _, err := sweep.PurgeDocumentsDue(ctx, h.Svc, ratest.Op1, h.Now().Add(-retention)); ra.CodeOf(err) != ra.CodeForbidden {
		t.Fatalf("an operator swept: %v", err)
	}
	// 331 days after the first cancellation: nothing due yet.
	if n, err := sweep.PurgeDocumentsDue(ctx, h.Svc, ratest.SystemActor, h.Now().Add(-retention)); err != nil || n != 0 {
		t.Fatalf("before retention: %d %v", n, err)
	}
	h.Advance(35 * 24 * time.Hour) // cancelled 366 days ago, expired 335, late 35
	if n, err := sweep.PurgeDocumentsDue(ctx, h.Svc, ratest.SystemActor, h.Now().Add(-retention)); err != nil || n != 1 {
		t.Fatalf("first due: %d %v, want 1", n, err)
	}
	h.Advance(31 * 24 * time.Hour) // expired 366 days ago
	if n, err := sweep.PurgeDocumentsDue(ctx, h.Svc, ratest.SystemActor, h.Now().Add(-retention)); err != nil || n != 1 {
		t.Fatalf("second due: %d %v, want 1", n, err)
	}
	if n, err := sweep.PurgeDocumentsDue(ctx, h.Svc, ratest.SystemActor, h.Now().Add(-retention)); err != nil || n != 0 {
		t.Fatalf("repeat: %d %v", n, err)
	}
	for _, c := range []struct {
		a    *store.Application
		docs bool
	}{{cancelled, false}, {expired, false}, {issued, true}, {open, true}, {late, true}} {
		got := h.Get(t, c.a.ID)
		if (len(got.Documents) > 0) != c.docs || len(c.a.Documents) == 0 {
			t.Errorf("%s (%s): %d documents, had %d, want kept=%v", got.ID, got.State, len(got.Documents), len(c.a.Documents), c.docs)
		}
		if c.docs {
			continue
		}
		if got.State != c.a.State || got.Version != c.a.Version+1 {
			t.Errorf("%s: state %s version %d after the purge (was %s, %d)", got.ID, got.State, got.Version, c.a.State, c.a.Version)
		}
		ev := h.LastEvent(t, got.ID)
		if ev.Action != string(ra.ActPurgeDocuments) || ev.Actor != ratest.SystemActor.ID {
			t.Errorf("%s: last event %+v", got.ID, ev)
		}
		for _, d := range c.a.Documents {
			if !strings.Contains(ev.Note, d.ID) {
				t.Errorf("%s: the purge's note does not name document %s: %q", got.ID, d.ID, ev.Note)
			}
		}
	}
}
