package store

import (
	"bytes"
	"sync/atomic"
	"testing"
	"time"
)

func TestOCSPResponses(t *testing.T) {
	s := newStore(t)
	a := issueN(t, s, 1, alice, nil)
	b := issueN(t, s, 2, alice, nil)

	_, err := s.OCSPResponse(ctx, a.Serial)
	wantErr(t, err, ErrNotFound)
	due, _, _ := s.OCSPDue(ctx, t0, "", 0)
	if len(due) != 2 {
		t.Fatalf("%d due, want both new certificates", len(due))
	}

	put := func(c *CertRecord, der string, next time.Time, version uint32) error {
		return s.PutOCSPResponse(ctx, OCSPRecord{Serial: c.Serial, DER: []byte(der), NextUpdate: next, StatusVersion: version})
	}
	if err := put(a, "good-1", t0.Add(time.Hour), 0); err != nil {
		t.Fatal(err)
	}
	if err := put(b, "good-b", t0.Add(3*time.Hour), 0); err != nil {
		t.Fatal(err)
	}
	if err := put(a, "good-2", t0.Add(2*time.Hour), 0); err != nil { // refresh
		t.Fatal(err)
	}
	r, err := s.OCSPResponse(ctx, a.Serial)
	if err != nil || string(r.DER) != "good-2" || !r.NextUpdate.Equal(t0.Add(2*time.Hour)) || r.StoredAt.IsZero() {
		t.Fatalf("response %+v, %v", r, err)
	}
	due, _, _ = s.OCSPDue(ctx, t0.Add(150*time.Minute), "", 0)
	if len(due) != 1 || !bytes.Equal(due[0].Serial, a.Serial) || !due[0].NextUpdate.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("due %+v", due)
	}
	mustCheck(t, s)

	// A status change drops the response and makes the certificate due.
	if err := s.SetStatus(ctx, b.Serial, StatusChange{State: Revoked, Reason: 1, At: t0}, AuditEntry{Actor: "op"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.OCSPResponse(ctx, b.Serial)
	wantErr(t, err, ErrNotFound)
	due, _, _ = s.OCSPDue(ctx, t0, "", 0)
	if len(due) != 1 || !bytes.Equal(due[0].Serial, b.Serial) || !due[0].NextUpdate.IsZero() {
		t.Fatalf("due after revocation %+v", due)
	}
	// A response signed for the old status is refused.
	wantErr(t, put(b, "good-b-late", t0.Add(time.Hour), 0), ErrStale)
	if err := put(b, "revoked-b", t0.Add(time.Hour), 1); err != nil {
		t.Fatal(err)
	}

	wantErr(t, put(&CertRecord{Serial: serialN(9)}, "x", t0, 0), ErrNotFound)
	wantErr(t, put(a, "", t0, 0), ErrInvalidInput)
	wantErr(t, put(a, "x", time.Time{}, 0), ErrInvalidInput)
	mustCheck(t, s)
}

func TestOCSPDuePagination(t *testing.T) {
	s := newStore(t)
	for i := 1; i <= 12; i++ {
		c := issueN(t, s, i, Identifiers{}, nil)
		if i%2 == 0 {
			if err := s.PutOCSPResponse(ctx, OCSPRecord{Serial: c.Serial, DER: []byte("r"), NextUpdate: t0.Add(time.Duration(i) * time.Minute)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var all []OCSPDue
	cursor := ""
	for {
		page, next, err := s.OCSPDue(ctx, t0.Add(time.Hour), cursor, 5)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if cursor = next; next == "" {
			break
		}
	}
	if len(all) != 12 {
		t.Fatalf("%d due", len(all))
	}
	for i := 1; i < len(all); i++ { // missing first, then by nextUpdate
		if all[i].NextUpdate.Before(all[i-1].NextUpdate) {
			t.Fatalf("due out of order at %d", i)
		}
	}
	if !all[5].NextUpdate.IsZero() || all[6].NextUpdate.IsZero() {
		t.Fatal("missing responses do not come first")
	}
}

// TestOCSPRetire: an expired certificate leaves the due index (with or
// without a stored response), a valid one cannot, the checker accepts
// both, and a status change brings it back.
func TestOCSPRetire(t *testing.T) {
	var now atomic.Int64
	now.Store(t0.Unix())
	s := openAt(t, t.TempDir(), Options{Now: func() time.Time { return time.Unix(now.Load(), 0).UTC() }})
	a := issueN(t, s, 1, alice, nil)
	b := issueN(t, s, 2, alice, nil)
	if err := s.PutOCSPResponse(ctx, OCSPRecord{Serial: b.Serial, DER: []byte("b"), NextUpdate: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.OCSPRetire(ctx, a.Serial), ErrInvalidInput) // still valid
	wantErr(t, s.OCSPRetire(ctx, serialN(9)), ErrNotFound)
	if due, _, _ := s.OCSPDue(ctx, t0.AddDate(2, 0, 0), "", 0); len(due) != 2 {
		t.Fatalf("%d due before expiry", len(due))
	}
	now.Store(a.NotAfter.Add(time.Second).Unix())
	for _, c := range []*CertRecord{a, b, a} {
		if err := s.OCSPRetire(ctx, c.Serial); err != nil {
			t.Fatal(err)
		}
	}
	if due, _, _ := s.OCSPDue(ctx, t0.AddDate(2, 0, 0), "", 0); len(due) != 0 {
		t.Fatalf("%d due after retiring", len(due))
	}
	if r, err := s.OCSPResponse(ctx, b.Serial); err != nil || string(r.DER) != "b" {
		t.Fatalf("stored response of a retired certificate: %v", err)
	}
	mustCheck(t, s)
	if err := s.SetStatus(ctx, a.Serial, StatusChange{State: Revoked, Reason: 1, At: t0}, AuditEntry{Actor: "op"}); err != nil {
		t.Fatal(err)
	}
	if due, _, _ := s.OCSPDue(ctx, t0, "", 0); len(due) != 1 || !bytes.Equal(due[0].Serial, a.Serial) {
		t.Fatalf("due after a status change: %+v", due)
	}
	mustCheck(t, s)
}
