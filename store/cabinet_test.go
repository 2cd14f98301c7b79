package store

import (
	"crypto/sha256"
	"errors"
	"testing"
	"time"
)

func testChallenge(id byte, created time.Time) *Challenge {
	return &Challenge{ID: [ChallengeIDLen]byte{id}, Purpose: 1, Phone: "+79161234567", Client: "token:c/cabinet",
		Binding: sha256.Sum256([]byte("b")), Verifier: sha256.Sum256([]byte("v")), Created: created,
		Expires: created.Add(5 * time.Minute), ResendAfter: created.Add(2 * time.Minute), MaxTries: 2}
}

func auditHead(t *testing.T, s *Store) uint64 {
	t.Helper()
	seq, _, err := s.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// TestChallengeLifecycle: a challenge is written with its SMS row and
// audit entry; a second one for the phone and purpose is refused before
// the resend time; a wrong verifier or binding counts a try and writes
// no audit entry; at the limit even the right one is refused; the right
// one consumes it once, with the session and audit entry in its batch;
// an expired one is refused. Check finds every record sound.
func TestChallengeLifecycle(t *testing.T) {
	s := newStore(t)
	c := testChallenge(1, t0)
	if err := s.PutChallenge(ctx, c, []OutboxRow{{Kind: "sms", Payload: []byte(`{"nonce":"x"}`)}}, AuditEntry{Actor: "a", Action: "otp.send"}); err != nil {
		t.Fatal(err)
	}
	if rows, _ := s.OutboxPending(ctx, "sms", 10); len(rows) != 1 || auditHead(t, s) != 1 {
		t.Fatalf("rows %d, audit head %d", len(rows), auditHead(t, s))
	}
	if err := s.PutChallenge(ctx, testChallenge(2, t0.Add(time.Minute)), nil, AuditEntry{Actor: "a", Action: "otp.send"}); !errors.Is(err, ErrTooSoon) {
		t.Fatalf("too soon: %v", err)
	}
	other := testChallenge(3, t0.Add(time.Minute))
	other.Purpose = 2
	if err := s.PutChallenge(ctx, other, nil, AuditEntry{Actor: "a", Action: "otp.send"}); err != nil {
		t.Fatalf("another purpose: %v", err)
	}
	right := ChallengeUse{At: t0.Add(time.Minute), Verifier: c.Verifier, Binding: c.Binding, Audit: AuditEntry{Actor: "a", Action: "cabinet.login"},
		Session: &Session{Hash: sha256.Sum256([]byte("token")), Client: "token:c/cabinet", Created: t0, Expires: t0.Add(time.Hour)}}
	wrong := right
	wrong.Binding = sha256.Sum256([]byte("another request"))
	head := auditHead(t, s)
	if got, err := s.UseChallenge(ctx, c.ID, wrong); !errors.Is(err, ErrWrongCode) || got.Tries != 1 {
		t.Fatalf("wrong binding: %v %+v", err, got)
	}
	if auditHead(t, s) != head {
		t.Fatal("a wrong try wrote an audit entry")
	}
	if _, err := s.Session(ctx, right.Session.Hash); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a session after a wrong try: %v", err)
	}
	got, err := s.UseChallenge(ctx, c.ID, right)
	if err != nil || !got.Used {
		t.Fatalf("right: %v %+v", err, got)
	}
	ss, err := s.Session(ctx, right.Session.Hash)
	if err != nil || ss.Phone != c.Phone || ss.Client != "token:c/cabinet" || auditHead(t, s) != head+1 {
		t.Fatalf("session %+v %v", ss, err)
	}
	if _, err := s.UseChallenge(ctx, c.ID, right); !errors.Is(err, ErrChallengeUsed) {
		t.Fatalf("reuse: %v", err)
	}
	// Exhausted and expired.
	c4 := testChallenge(4, t0.Add(3*time.Minute))
	if err := s.PutChallenge(ctx, c4, nil, AuditEntry{Actor: "a", Action: "otp.send"}); err != nil {
		t.Fatal(err)
	}
	right.Verifier, right.Binding, right.Session, right.At = c4.Verifier, c4.Binding, nil, t0.Add(4*time.Minute)
	wrong = right
	wrong.Verifier[0] ^= 1
	for i := 0; i < 2; i++ {
		if _, err := s.UseChallenge(ctx, c4.ID, wrong); !errors.Is(err, ErrWrongCode) {
			t.Fatal(err)
		}
	}
	if _, err := s.UseChallenge(ctx, c4.ID, right); !errors.Is(err, ErrChallengeExhausted) {
		t.Fatalf("exhausted: %v", err)
	}
	c5 := testChallenge(5, t0.Add(6*time.Minute))
	if err := s.PutChallenge(ctx, c5, nil, AuditEntry{Actor: "a", Action: "otp.send"}); err != nil {
		t.Fatal(err)
	}
	right.Verifier, right.Binding, right.At = c5.Verifier, c5.Binding, c5.Expires
	if _, err := s.UseChallenge(ctx, c5.ID, right); !errors.Is(err, ErrChallengeExpired) {
		t.Fatalf("expired: %v", err)
	}
	// Logout.
	if err := s.DeleteSession(ctx, ss.Hash, AuditEntry{Actor: "a", Action: "cabinet.logout"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, ss.Hash, AuditEntry{Actor: "a", Action: "cabinet.logout"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second logout: %v", err)
	}
	rep, err := s.Check(ctx)
	if err != nil || len(rep.Problems) != 0 {
		t.Fatalf("check: %v %+v", err, rep)
	}
}

// TestConsentAndPayment: a consent goes in with the application's
// change, under the version it makes; a payment needs the application;
// Check is clean.
func TestConsentAndPayment(t *testing.T) {
	s := newStore(t)
	a := appN(1, "c1")
	put(t, s, a, 0, AppChange{Audit: AuditEntry{Actor: "x", Action: "app_create"}})
	if _, err := s.LatestConsent(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("consent before any: %v", err)
	}
	data := []byte(`{"subject":[]}`)
	put(t, s, a, 1, AppChange{Audit: AuditEntry{Actor: "x", Action: "application_consent"},
		Consent: &Consent{Application: a.ID, Data: data, Sum: sha256.Sum256(data), At: t0, Actor: "x"}})
	c, err := s.LatestConsent(ctx, a.ID)
	if err != nil || c.AppVersion != 2 || string(c.Data) != string(data) || c.Sum != sha256.Sum256(data) {
		t.Fatalf("consent %+v %v", c, err)
	}
	if err := s.PutApplication(ctx, a, 2, AppChange{Audit: AuditEntry{Actor: "x", Action: "application_consent"},
		Consent: &Consent{Application: "another", Data: data, Actor: "x"}}); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("another application's consent: %v", err)
	}
	if err := s.PutPayment(ctx, &Payment{Application: "nosuch", Paid: true, By: "b"}, AuditEntry{Actor: "b", Action: "application_payment"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("payment of no application: %v", err)
	}
	if err := s.PutPayment(ctx, &Payment{Application: a.ID, Paid: true, Invoice: "INV-1", By: "b"}, AuditEntry{Actor: "b", Action: "application_payment"}); err != nil {
		t.Fatal(err)
	}
	p, err := s.Payment(ctx, a.ID)
	if err != nil || !p.Paid || p.Invoice != "INV-1" || p.Updated.IsZero() {
		t.Fatalf("payment %+v %v", p, err)
	}
	rep, err := s.Check(ctx)
	if err != nil || len(rep.Problems) != 0 {
		t.Fatalf("check: %v %+v", err, rep)
	}
}

// TestPurgeCabinet: expired challenges and sessions go, with one audit
// entry; live ones stay; a phone whose last challenge was purged may ask
// again; nothing to purge writes nothing.
func TestPurgeCabinet(t *testing.T) {
	s := newStore(t)
	old := testChallenge(1, t0)
	live := testChallenge(2, t0.Add(time.Hour))
	live.Phone = "+79160000002"
	for _, c := range []*Challenge{old, live} {
		if err := s.PutChallenge(ctx, c, nil, AuditEntry{Actor: "a", Action: "otp.send"}); err != nil {
			t.Fatal(err)
		}
	}
	use := ChallengeUse{At: t0, Verifier: old.Verifier, Binding: old.Binding, Audit: AuditEntry{Actor: "a", Action: "cabinet.login"},
		Session: &Session{Hash: sha256.Sum256([]byte("s1")), Client: "c", Created: t0, Expires: t0.Add(30 * time.Minute)}}
	if _, err := s.UseChallenge(ctx, old.ID, use); err != nil {
		t.Fatal(err)
	}
	head := auditHead(t, s)
	ch, ss, err := s.PurgeCabinet(ctx, t0.Add(40*time.Minute), "system/cabinet")
	if err != nil || ch != 1 || ss != 1 || auditHead(t, s) != head+1 {
		t.Fatalf("purged %d challenges %d sessions: %v (audit %d → %d)", ch, ss, err, head, auditHead(t, s))
	}
	if _, err := s.Challenge(ctx, old.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the expired challenge: %v", err)
	}
	if _, err := s.Challenge(ctx, live.ID); err != nil {
		t.Fatalf("the live challenge: %v", err)
	}
	if err := s.PutChallenge(ctx, testChallenge(3, t0.Add(time.Minute)), nil, AuditEntry{Actor: "a", Action: "otp.send"}); err != nil {
		t.Fatalf("after the purge of the phone's last challenge: %v", err)
	}
	head = auditHead(t, s)
	if ch, ss, err := s.PurgeCabinet(ctx, t0, "system/cabinet"); err != nil || ch+ss != 0 || auditHead(t, s) != head {
		t.Fatalf("nothing to purge: %d %d %v", ch, ss, err)
	}
	if rep, err := s.Check(ctx); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("check: %v %+v", err, rep)
	}
}
