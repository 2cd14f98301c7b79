package statusreq

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

var ctx = context.Background()

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// noApps finds no application: the reads of a subscriber's requests
// never ask whose a certificate is (the request names its phone).
type noApps struct{}

func (noApps) List(context.Context, ra.Actor, ra.ListQuery) ([]store.Application, string, error) {
	return nil, "", errors.New("not asked")
}

func newService(t *testing.T, clk *clock) (*Service, *store.Store) {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	st, err := store.Open(t.TempDir(), store.Options{Logger: quiet, NoSync: true, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	sec, err := otp.NewSecret(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	codes, err := otp.New(st, sec, otp.Options{Now: clk.now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(st, noApps{}, codes, Options{Now: clk.now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return s, st
}

// draft writes a request awaiting its code as Ask does: with its
// challenge (one try), in the challenge's batch.
func draft(t *testing.T, st *store.Store, id byte, phone string, at time.Time) [store.StatusRequestIDLen]byte {
	t.Helper()
	c := &store.Challenge{ID: [store.ChallengeIDLen]byte{id}, Purpose: byte(otp.StatusChange), Phone: phone, Client: "token:c/cabinet",
		Binding: sha256.Sum256([]byte("b")), Verifier: sha256.Sum256([]byte("v")), Created: at, Expires: at.Add(5 * time.Minute),
		ResendAfter: at.Add(30 * time.Second), MaxTries: 1}
	r := &store.StatusRequest{ID: c.ID, Serial: []byte{id}, Phone: phone, Action: store.Revoked, Reason: "superseded",
		State: store.ReqAwaitingCode, Created: at}
	if err := st.PutChallenge(ctx, c, nil, store.AuditEntry{Actor: "a", Action: "otp.send"}, store.StatusRequestDraft{Request: r}); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func statesOf(ms []Mine) []string {
	var out []string
	for _, m := range ms {
		out = append(out, string(rune('0'+m.ID[0]))+":"+m.State)
	}
	return out
}

// TestMine: a draft is awaiting_code with its code's expiry while the
// code can confirm it, and expired once the code has expired or its
// tries are used up (the store keeps it awaiting_code); each phone lists
// its own, newest first; another phone's id, a malformed one and an
// unknown one answer the same; a bad cursor is the caller's error.
func TestMine(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clk := &clock{t: t0}
	s, st := newService(t, clk)
	const a, b = "+79161234567", "+79031112233"
	id1 := draft(t, st, 1, a, t0)
	id2 := draft(t, st, 2, a, t0.Add(time.Minute))
	id3 := draft(t, st, 3, b, t0.Add(2*time.Minute))
	subA, subB := &cabinet.Subscriber{Phone: a}, &cabinet.Subscriber{Phone: b}

	// One wrong try uses up request 2's code.
	if _, err := st.UseChallenge(ctx, id2, store.ChallengeUse{At: t0.Add(time.Minute), Audit: store.AuditEntry{Actor: "a", Action: "x"}}); !errors.Is(err, store.ErrWrongCode) {
		t.Fatalf("a wrong try: %v", err)
	}
	clk.add(3 * time.Minute)
	got, next, err := s.List(ctx, subA, "", 10)
	if err != nil || next != "" || len(got) != 2 || got[0].ID != id2 || got[0].State != StateExpired || got[1].ID != id1 ||
		got[1].State != "awaiting_code" || !got[1].CodeExpires.Equal(t0.Add(5*time.Minute)) {
		t.Fatalf("phone a at +3m: %v %q %v", statesOf(got), next, err)
	}
	if r, _ := st.StatusRequest(ctx, id2); r.State != store.ReqAwaitingCode {
		t.Fatalf("the store's state changed: %s", r.State)
	}
	clk.add(2 * time.Minute) // request 1's code expires at +5m
	if m, err := s.Get(ctx, subA, hexID(id1)); err != nil || m.State != StateExpired {
		t.Fatalf("request 1 at +5m: %+v %v", m, err)
	}
	if got, _, err := s.List(ctx, subB, "", 10); err != nil || len(got) != 1 || got[0].ID != id3 || got[0].State != "awaiting_code" {
		t.Fatalf("phone b: %v %v", statesOf(got), err)
	}

	// Pages of one.
	p1, next, err := s.List(ctx, subA, "", 1)
	if err != nil || len(p1) != 1 || p1[0].ID != id2 || next == "" {
		t.Fatalf("first page: %v %q %v", statesOf(p1), next, err)
	}
	p2, next2, err := s.List(ctx, subA, next, 1)
	if err != nil || len(p2) != 1 || p2[0].ID != id1 || next2 != "" {
		t.Fatalf("second page: %v %q %v", statesOf(p2), next2, err)
	}
	var ce *caerr.Error
	if _, _, err := s.List(ctx, subA, "zz", 1); !errors.As(err, &ce) || ce.Code != caerr.CodeInvalidRequest || ce.Field != "cursor" {
		t.Fatalf("a bad cursor: %v", err)
	}

	// Unknown, malformed and another phone's ids answer alike.
	var first string
	for _, id := range []string{hexID(id3), "00" + hexID(id1)[2:], "zz", ""} {
		_, err := s.Get(ctx, subA, id)
		var oe *otp.Error
		if !errors.As(err, &oe) || oe.Code != otp.CodeUnknown {
			t.Fatalf("id %q: %v", id, err)
		}
		if first == "" {
			first = err.Error()
		} else if err.Error() != first {
			t.Fatalf("id %q answers %q, another phone's %q", id, err, first)
		}
	}
}

func hexID(id [store.StatusRequestIDLen]byte) string { return hex.EncodeToString(id[:]) }
