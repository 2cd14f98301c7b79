package store

import (
	"bytes"
	"errors"
	"log/slog"
	"testing"
	"time"
)

// draftOf writes a status request's draft of phone with its challenge.
func draftOf(t *testing.T, s *Store, id byte, phone string, serial []byte, at time.Time) {
	t.Helper()
	c := testChallenge(id, at)
	c.Purpose, c.Phone = 5, phone
	r := &StatusRequest{ID: c.ID, Serial: serial, Phone: phone, Action: OnHold, Reason: "certificateHold", State: ReqAwaitingCode, Created: at}
	if err := s.PutChallenge(ctx, c, nil, AuditEntry{Actor: "a", Action: "otp.send"}, StatusRequestDraft{Request: r}); err != nil {
		t.Fatal(err)
	}
}

func idsOf(rs []StatusRequest) []byte {
	var out []byte
	for _, r := range rs {
		out = append(out, r.ID[0])
	}
	return out
}

// countPrefix counts the keys under one prefix byte.
func countPrefix(t *testing.T, s *Store, p byte) int {
	t.Helper()
	n := 0
	if err := scanPrefix(ctx, s.db, []byte{p}, func(_, _ []byte) (bool, error) { n++; return true, nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStatusRequestsOfPhone: each phone lists its own requests only,
// newest first, page by page; a decision changes the state the list
// shows without moving the entry; the purge deletes the entry with its
// draft; a malformed cursor is refused.
func TestStatusRequestsOfPhone(t *testing.T) {
	s := newStore(t)
	a := issueN(t, s, 1, Identifiers{}, nil)
	const p1, p2 = "+79161234567", "+79031112233"
	draftOf(t, s, 1, p1, a.Serial, t0)
	draftOf(t, s, 2, p2, a.Serial, t0.Add(time.Minute))
	draftOf(t, s, 3, p1, a.Serial, t0.Add(3*time.Minute))
	draftOf(t, s, 4, p1, a.Serial, t0.Add(2*time.Hour))

	got, next, err := s.StatusRequestsOfPhone(ctx, p1, "", 10)
	if err != nil || next != "" || !bytes.Equal(idsOf(got), []byte{4, 3, 1}) {
		t.Fatalf("phone 1: %v %q %v", idsOf(got), next, err)
	}
	if got, _, err := s.StatusRequestsOfPhone(ctx, p2, "", 10); err != nil || !bytes.Equal(idsOf(got), []byte{2}) {
		t.Fatalf("phone 2: %v %v", idsOf(got), err)
	}
	if got, _, err := s.StatusRequestsOfPhone(ctx, "+79990000000", "", 10); err != nil || len(got) != 0 {
		t.Fatalf("a phone without requests: %v %v", idsOf(got), err)
	}
	var pages [][]byte
	for cur := ""; ; {
		got, next, err := s.StatusRequestsOfPhone(ctx, p1, cur, 2)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, idsOf(got))
		if next == "" {
			break
		}
		cur = next
	}
	if len(pages) != 2 || !bytes.Equal(pages[0], []byte{4, 3}) || !bytes.Equal(pages[1], []byte{1}) {
		t.Fatalf("pages of 2: %v", pages)
	}
	if _, _, err := s.StatusRequestsOfPhone(ctx, p1, "zz", 2); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("a malformed cursor: %v", err)
	}

	// Confirmed and rejected: the same entry, the new state.
	c := testChallenge(3, t0.Add(3*time.Minute))
	if _, err := s.UseChallenge(ctx, c.ID, ChallengeUse{At: c.Created, Verifier: c.Verifier, Binding: c.Binding,
		Audit: AuditEntry{Actor: "a", Action: "cabinet.status_request"}, Extra: StatusRequestConfirm{ID: c.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecideStatusRequest(ctx, c.ID, Decision{At: t0.Add(time.Hour), By: "op", Rejection: "нет"},
		AuditEntry{Actor: "op", Action: "status_request.reject"}); err != nil {
		t.Fatal(err)
	}
	got, _, _ = s.StatusRequestsOfPhone(ctx, p1, "", 10)
	if !bytes.Equal(idsOf(got), []byte{4, 3, 1}) || got[1].State != ReqRejected || got[1].Rejection != "нет" || got[0].State != ReqAwaitingCode {
		t.Fatalf("after the decision: %+v", got)
	}

	// The purge takes the old drafts (1 and 2) with their entries.
	if n, err := s.PurgeStatusDrafts(ctx, t0.Add(time.Hour), "system"); err != nil || n != 2 {
		t.Fatalf("purge: %d %v", n, err)
	}
	if got, _, _ := s.StatusRequestsOfPhone(ctx, p1, "", 10); !bytes.Equal(idsOf(got), []byte{4, 3}) {
		t.Fatalf("phone 1 after the purge: %v", idsOf(got))
	}
	if got, _, _ := s.StatusRequestsOfPhone(ctx, p2, "", 10); len(got) != 0 {
		t.Fatalf("phone 2 after the purge: %v", idsOf(got))
	}
	if n := countPrefix(t, s, pStatusReqByPhone); n != 2 {
		t.Fatalf("%d phone entries after the purge, want 2", n)
	}
	if rep := mustCheck(t, s); len(rep.Problems) != 0 {
		t.Fatalf("check: %+v", rep.Problems)
	}
}

// TestStatusRequestPhoneBackfill: requests written before the phone index
// (their entries deleted, as a store of the previous version has none)
// are listed after the next Open, which writes their entries in one
// batch; another Open writes nothing. Check reports the missing entry in
// between, and a dangling or misplaced one.
func TestStatusRequestPhoneBackfill(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	a := issueN(t, s, 1, Identifiers{}, nil)
	const p1 = "+79161234567"
	draftOf(t, s, 1, p1, a.Serial, t0)
	draftOf(t, s, 2, p1, a.Serial, t0.Add(3*time.Minute))
	for _, id := range []byte{1, 2} {
		r, err := s.StatusRequest(ctx, [StatusRequestIDLen]byte{id})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.db.Delete(r.phoneKey(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if got, _, _ := s.StatusRequestsOfPhone(ctx, p1, "", 10); len(got) != 0 {
		t.Fatalf("listed without entries: %v", idsOf(got))
	}
	rep, err := s.Check(ctx)
	if err != nil || len(rep.Problems) != 2 || rep.Problems[0].Kind != "missing-index" {
		t.Fatalf("check without entries: %+v", rep.Problems)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	s = openAt(t, dir, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if got, _, err := s.StatusRequestsOfPhone(ctx, p1, "", 10); err != nil || !bytes.Equal(idsOf(got), []byte{2, 1}) {
		t.Fatalf("after the backfill: %v %v", idsOf(got), err)
	}
	if !bytes.Contains(logs.Bytes(), []byte("status requests indexed by phone")) || !bytes.Contains(logs.Bytes(), []byte("count=2")) {
		t.Fatalf("the backfill's log: %s", logs.Bytes())
	}
	if rep := mustCheck(t, s); len(rep.Problems) != 0 {
		t.Fatalf("check after the backfill: %+v", rep.Problems)
	}
	head := auditSeq(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	logs.Reset()
	s = openAt(t, dir, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if bytes.Contains(logs.Bytes(), []byte("indexed by phone")) || countPrefix(t, s, pStatusReqByPhone) != 2 || auditSeq(t, s) != head {
		t.Fatalf("a second open wrote: %s", logs.Bytes())
	}

	// A dangling entry and one under another phone.
	if err := s.db.Set(statusReqPhoneKey(p1, t0.UnixNano(), [StatusRequestIDLen]byte{9}), nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Set(statusReqPhoneKey("+79031112233", t0.UnixNano(), [StatusRequestIDLen]byte{1}), nil, nil); err != nil {
		t.Fatal(err)
	}
	_, kinds := problemsOf(t, s, nil, nil)
	if kinds["dangling-index"] != 1 || kinds["mismatch"] != 1 || len(kinds) != 2 {
		t.Fatalf("check with a dangling and a misplaced entry: %v", kinds)
	}
}
