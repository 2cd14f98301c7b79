package store

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// askStatus writes a status request's draft with its challenge (id) and
// consumes the code, answering the consumption's error.
func askStatus(t *testing.T, s *Store, id byte, serial []byte, action State, at time.Time) error {
	t.Helper()
	c := testChallenge(id, at)
	c.Purpose = 5
	r := &StatusRequest{ID: c.ID, Serial: serial, Phone: c.Phone, Action: action, Reason: "keyCompromise", State: ReqAwaitingCode, Created: at}
	if action == OnHold {
		r.Reason = "certificateHold"
	}
	if err := s.PutChallenge(ctx, c, nil, AuditEntry{Actor: "a", Action: "otp.send"}, StatusRequestDraft{Request: r}); err != nil {
		t.Fatal(err)
	}
	_, err := s.UseChallenge(ctx, c.ID, ChallengeUse{At: at, Verifier: c.Verifier, Binding: c.Binding,
		Audit: AuditEntry{Actor: "a", Action: "cabinet.status_request"}, Extra: StatusRequestConfirm{ID: c.ID,
			Outbox: []OutboxRow{{Kind: "sms", Payload: []byte(`{"v":1}`)}}}})
	return err
}

// TestStatusRequestBatches: a confirmed request is pending with its
// pointer; a second confirmation for the same certificate fails whole
// (the code stays unused, no audit entry, no row); an approval changes
// the certificate and the request together; an approval the
// certificate can no longer take writes nothing and leaves the request
// pending; Check finds the records sound.
func TestStatusRequestBatches(t *testing.T) {
	s := newStore(t)
	a := issueN(t, s, 1, Identifiers{}, nil)
	b := issueN(t, s, 2, Identifiers{}, nil)
	if err := askStatus(t, s, 1, a.Serial, Revoked, t0); err != nil {
		t.Fatal(err)
	}
	id, err := s.PendingStatusRequest(ctx, a.Serial)
	if err != nil || id != ([StatusRequestIDLen]byte{1}) {
		t.Fatalf("pending pointer %x %v", id, err)
	}
	head := auditSeq(t, s)
	rows, _ := s.OutboxPending(ctx, "sms", 100)
	if err := askStatus(t, s, 2, a.Serial, OnHold, t0.Add(3*time.Minute)); !errors.Is(err, ErrConflict) {
		t.Fatalf("a second pending request: %v", err)
	}
	if c, _ := s.Challenge(ctx, [ChallengeIDLen]byte{2}); c.Used {
		t.Fatal("the refused confirmation consumed its code")
	}
	if r, _ := s.StatusRequest(ctx, [StatusRequestIDLen]byte{2}); r.State != ReqAwaitingCode {
		t.Fatalf("the refused request is %s", r.State)
	}
	if rows2, _ := s.OutboxPending(ctx, "sms", 100); auditSeq(t, s) != head+1 || len(rows2) != len(rows) {
		// +1: the second challenge's own otp.send entry.
		t.Fatalf("the refused confirmation wrote: audit %d → %d, rows %d → %d", head, auditSeq(t, s), len(rows), len(rows2))
	}

	// Approval: the certificate and the request change together.
	now := t0.Add(time.Hour).Truncate(time.Second)
	r, err := s.DecideStatusRequest(ctx, id, Decision{Approve: true, At: now, By: "op", Change: StatusChange{State: Revoked, Reason: 1, At: now}},
		AuditEntry{Actor: "op", Action: "status_request.approve"})
	if err != nil || r.State != ReqApproved {
		t.Fatalf("approve: %v %+v", err, r)
	}
	if c, _ := s.Certificate(ctx, a.Serial); c.Status.State != Revoked || c.Status.Reason != 1 {
		t.Fatalf("approved, the certificate is %+v", c.Status)
	}
	if _, err := s.PendingStatusRequest(ctx, a.Serial); !errors.Is(err, ErrNotFound) {
		t.Fatalf("pointer after approval: %v", err)
	}

	// A request for b, then b revoked by an operator directly: approving
	// the hold fails whole.
	if err := askStatus(t, s, 3, b.Serial, OnHold, t0.Add(6*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(ctx, b.Serial, StatusChange{State: Revoked, Reason: 4, At: now}, AuditEntry{Actor: "op"}); err != nil {
		t.Fatal(err)
	}
	head = auditSeq(t, s)
	_, err = s.DecideStatusRequest(ctx, [StatusRequestIDLen]byte{3}, Decision{Approve: true, At: now, By: "op", Change: StatusChange{State: OnHold, At: now}},
		AuditEntry{Actor: "op", Action: "status_request.approve"})
	if !errors.Is(err, ErrInvalidTransition) || auditSeq(t, s) != head {
		t.Fatalf("approving a hold of a revoked certificate: %v, audit %d → %d", err, head, auditSeq(t, s))
	}
	if r, _ := s.StatusRequest(ctx, [StatusRequestIDLen]byte{3}); r.State != ReqPending {
		t.Fatalf("after the failed approval the request is %s", r.State)
	}
	r, err = s.DecideStatusRequest(ctx, [StatusRequestIDLen]byte{3}, Decision{At: now, By: "op", Rejection: "revoked already"},
		AuditEntry{Actor: "op", Action: "status_request.reject"})
	if err != nil || r.State != ReqRejected || r.Rejection != "revoked already" {
		t.Fatalf("reject: %v %+v", err, r)
	}
	if _, err := s.DecideStatusRequest(ctx, [StatusRequestIDLen]byte{3}, Decision{At: now, By: "op", Rejection: "again"},
		AuditEntry{Actor: "op", Action: "status_request.reject"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("deciding twice: %v", err)
	}

	// Listing by state, with a cursor.
	for st, want := range map[StatusRequestState][][StatusRequestIDLen]byte{ReqApproved: {{1}}, ReqRejected: {{3}}, ReqAwaitingCode: {{2}}, ReqPending: nil} {
		got, next, err := s.StatusRequests(ctx, st, "", 10)
		if err != nil || len(got) != len(want) || next != "" {
			t.Fatalf("%s: %d %q %v", st, len(got), next, err)
		}
		for i := range got {
			if got[i].ID != want[i] {
				t.Fatalf("%s: %x", st, got[i].ID)
			}
		}
	}
	if got, _ := s.StatusRequest(ctx, [StatusRequestIDLen]byte{1}); !bytes.Equal(got.Serial, a.Serial) {
		t.Fatal("serial")
	}
	if rep := mustCheck(t, s); len(rep.Problems) != 0 {
		t.Fatalf("check: %+v", rep.Problems)
	}
}

// TestPurgeStatusDrafts: an unconfirmed request older than the cut is
// deleted with one audit entry; a pending one and a newer draft stay.
func TestPurgeStatusDrafts(t *testing.T) {
	s := newStore(t)
	a := issueN(t, s, 1, Identifiers{}, nil)
	if err := askStatus(t, s, 1, a.Serial, Revoked, t0); err != nil { // pending
		t.Fatal(err)
	}
	for i, at := range []time.Time{t0.Add(3 * time.Minute), t0.Add(2 * time.Hour)} {
		c := testChallenge(byte(2+i), at)
		c.Purpose = 5
		r := &StatusRequest{ID: c.ID, Serial: a.Serial, Phone: c.Phone, Action: OnHold, Reason: "certificateHold", State: ReqAwaitingCode, Created: at}
		if err := s.PutChallenge(ctx, c, nil, AuditEntry{Actor: "a", Action: "otp.send"}, StatusRequestDraft{Request: r}); err != nil {
			t.Fatal(err)
		}
	}
	head := auditSeq(t, s)
	n, err := s.PurgeStatusDrafts(ctx, t0.Add(time.Hour), "system")
	if err != nil || n != 1 || auditSeq(t, s) != head+1 {
		t.Fatalf("purge: %d %v, audit %d → %d", n, err, head, auditSeq(t, s))
	}
	if _, err := s.StatusRequest(ctx, [StatusRequestIDLen]byte{2}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the old draft: %v", err)
	}
	for _, id := range []byte{1, 3} {
		if _, err := s.StatusRequest(ctx, [StatusRequestIDLen]byte{id}); err != nil {
			t.Fatalf("request %d: %v", id, err)
		}
	}
	if n, err := s.PurgeStatusDrafts(ctx, t0.Add(time.Hour), "system"); n != 0 || err != nil {
		t.Fatalf("second purge: %d %v", n, err)
	}
	if rep := mustCheck(t, s); len(rep.Problems) != 0 {
		t.Fatalf("check: %+v", rep.Problems)
	}
}
