package store

import (
	"bytes"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

func logRows(t *testing.T, s *Store, issuer string, after uint64) ([]StatusLogEntry, uint64) {
	t.Helper()
	var rows []StatusLogEntry
	head, err := s.StatusLog(ctx, issuer, after, func(r StatusLogEntry) bool {
		rows = append(rows, r)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows, head
}

// Every status change appends exactly one row, in order, with the status
// before and after; a refused change appends nothing; issuers have their
// own sequences; the head survives a reopen.
func TestStatusLogWrittenWithEachChange(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	c1 := issueN(t, s, 1, alice, nil)
	c2 := issueN(t, s, 2, alice, nil)
	c3 := issueN(t, s, 3, alice, func(is *Issued) { is.IssuerID = "ca2" })
	if _, head := logRows(t, s, "ca1", 0); head != 0 {
		t.Fatalf("issuance wrote status log rows: head %d", head)
	}

	t1 := t0.Add(time.Hour)
	mustSet(t, s, c1.Serial, StatusChange{State: OnHold, At: t0})
	mustSet(t, s, c2.Serial, StatusChange{State: Revoked, Reason: 1, At: t0, InvalidityDate: t0.Add(-time.Hour)})
	mustSet(t, s, c3.Serial, StatusChange{State: OnHold, At: t0})
	mustSet(t, s, c1.Serial, StatusChange{State: Valid})
	mustSet(t, s, c1.Serial, StatusChange{State: OnHold, At: t1})
	mustSet(t, s, c1.Serial, StatusChange{State: Revoked, Reason: 4, At: t1})

	// Refused changes: nothing written, not even a log row.
	audit := auditSeq(t, s)
	wantErr(t, s.SetStatus(ctx, c2.Serial, StatusChange{State: OnHold, At: t1}, AuditEntry{Actor: "op"}), ErrInvalidTransition)
	wantErr(t, s.SetStatus(ctx, c3.Serial, StatusChange{State: Revoked, Reason: 7, At: t1}, AuditEntry{Actor: "op"}), ErrInvalidInput)
	wantErr(t, s.SetStatus(ctx, c3.Serial, StatusChange{State: Revoked, Reason: 1, At: t1}, AuditEntry{}), ErrInvalidInput)
	if auditSeq(t, s) != audit {
		t.Fatal("a refused change wrote an audit entry")
	}

	rows, head := logRows(t, s, "ca1", 0)
	if head != 5 || len(rows) != 5 {
		t.Fatalf("ca1: head %d, %d rows, want 5", head, len(rows))
	}
	want := []struct {
		serial   []byte
		from, to State
		reason   int
	}{
		{c1.Serial, Valid, OnHold, ReasonCertificateHold},
		{c2.Serial, Valid, Revoked, 1},
		{c1.Serial, OnHold, Valid, 0},
		{c1.Serial, Valid, OnHold, ReasonCertificateHold},
		{c1.Serial, OnHold, Revoked, 4},
	}
	for i, w := range want {
		r := rows[i]
		if r.Seq != uint64(i+1) || !bytes.Equal(r.Serial, w.serial) || r.From.State != w.from || r.To.State != w.to || r.To.Reason != w.reason {
			t.Fatalf("row %d: %+v, want %+v", i+1, r, w)
		}
		if r.To.Version != r.From.Version+1 || r.ChangedAt.IsZero() {
			t.Fatalf("row %d: versions %d → %d, changed at %v", i+1, r.From.Version, r.To.Version, r.ChangedAt)
		}
	}
	if !rows[1].To.InvalidityDate.Equal(t0.Add(-time.Hour)) || !rows[4].From.At.Equal(t1) || !rows[2].From.At.Equal(t0) {
		t.Fatalf("row details: %+v / %+v / %+v", rows[1], rows[2], rows[4])
	}
	if rows, head := logRows(t, s, "ca1", 3); head != 5 || len(rows) != 2 || rows[0].Seq != 4 {
		t.Fatalf("after 3: head %d, rows %+v", head, rows)
	}
	if rows, head := logRows(t, s, "ca2", 0); head != 1 || len(rows) != 1 || !bytes.Equal(rows[0].Serial, c3.Serial) {
		t.Fatalf("ca2: head %d, rows %+v", head, rows)
	}
	_, err := s.StatusLog(ctx, "ca1", 6, func(StatusLogEntry) bool { return true })
	wantErr(t, err, ErrInvalidInput)
	_, err = s.StatusLog(ctx, "", 0, func(StatusLogEntry) bool { return true })
	wantErr(t, err, ErrInvalidInput)
	mustCheck(t, s)

	// The head is read back from disk after a reopen.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{})
	mustSet(t, s, c3.Serial, StatusChange{State: Valid})
	if rows, head := logRows(t, s, "ca2", 1); head != 2 || len(rows) != 1 || rows[0].To.State != Valid {
		t.Fatalf("ca2 after reopen: head %d, rows %+v", head, rows)
	}
	mustCheck(t, s)
}

// RevokedSnapshot returns the log position of the very view its entries
// came from.
func TestRevokedSnapshot(t *testing.T) {
	s := newStore(t)
	c1 := issueN(t, s, 1, alice, nil)
	c2 := issueN(t, s, 2, alice, nil)
	mustSet(t, s, c1.Serial, StatusChange{State: OnHold, At: t0})
	mustSet(t, s, c2.Serial, StatusChange{State: Revoked, Reason: 1, At: t0})
	mustSet(t, s, c1.Serial, StatusChange{State: Valid})
	n := 0
	pos, err := s.RevokedSnapshot(ctx, "ca1", func(serial []byte, _ time.Time, reason int, _ time.Time) bool {
		n++
		if !bytes.Equal(serial, c2.Serial) || reason != 1 {
			t.Errorf("entry %x reason %d", serial, reason)
		}
		return true
	})
	if err != nil || pos != 3 || n != 1 {
		t.Fatalf("position %d, %d entries, %v", pos, n, err)
	}
	if pos, err := s.RevokedSnapshot(ctx, "nobody", func([]byte, time.Time, int, time.Time) bool { return true }); err != nil || pos != 0 {
		t.Fatalf("empty issuer: %d %v", pos, err)
	}
}

func TestCRLBase(t *testing.T) {
	s := newStore(t)
	c1 := issueN(t, s, 1, alice, nil)
	mustSet(t, s, c1.Serial, StatusChange{State: OnHold, At: t0})
	base := func(n int64, seq uint64) CRLBase {
		return CRLBase{Number: big.NewInt(n), LogSeq: seq, ThisUpdate: t0, NextUpdate: t0.Add(time.Hour)}
	}
	_, err := s.CRLBase(ctx, "ca1", "full")
	wantErr(t, err, ErrNotFound)
	// A number never handed out is refused.
	wantErr(t, s.PutCRLBase(ctx, "ca1", "full", base(1, 1)), ErrInvalidInput)
	for range 3 {
		if _, err := s.NextCRLNumber(ctx, "ca1"); err != nil {
			t.Fatal(err)
		}
	}
	for name, tc := range map[string]struct {
		scope string
		b     CRLBase
	}{
		"beyond log head": {"full", base(2, 2)},
		"zero number":     {"full", base(0, 1)},
		"nil number":      {"full", CRLBase{LogSeq: 1, ThisUpdate: t0, NextUpdate: t0.Add(time.Hour)}},
		"no validity":     {"full", CRLBase{Number: big.NewInt(1), LogSeq: 1, ThisUpdate: t0, NextUpdate: t0}},
		"bad scope":       {"Full!", base(2, 1)},
		"empty scope":     {"", base(2, 1)},
	} {
		if err := s.PutCRLBase(ctx, "ca1", tc.scope, tc.b); !isInvalid(err) {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if err := s.PutCRLBase(ctx, "ca1", "full", base(2, 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCRLBase(ctx, "ca1", "p/0", base(1, 0)); err != nil {
		t.Fatal(err)
	}
	// An older number (a slower builder) never replaces a newer base.
	wantErr(t, s.PutCRLBase(ctx, "ca1", "full", base(1, 1)), ErrInvalidTransition)
	wantErr(t, s.PutCRLBase(ctx, "ca1", "full", base(2, 1)), ErrInvalidTransition)
	got, err := s.CRLBase(ctx, "ca1", "full")
	if err != nil || got.Number.Int64() != 2 || got.LogSeq != 1 || !got.ThisUpdate.Equal(t0) {
		t.Fatalf("base %+v, %v", got, err)
	}
	if err := s.PutCRLBase(ctx, "ca1", "full", base(3, 1)); err != nil {
		t.Fatal(err)
	}
	if rep := mustCheck(t, s); rep.CRLBases != 2 || rep.StatusLogRows != 1 {
		t.Fatalf("report %+v", rep)
	}
}

func isInvalid(err error) bool { return errors.Is(err, ErrInvalidInput) }

// The partition count is pinned by the first non-zero value and refuses
// any change after, including across reopen.
func TestPinCRLPartitions(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	op := AuditEntry{Actor: "system"}
	a := auditSeq(t, s)
	if n, err := s.PinCRLPartitions(ctx, "ca1", 0, op); err != nil || n != 0 {
		t.Fatalf("0 on a fresh store: %d %v", n, err)
	}
	if auditSeq(t, s) != a {
		t.Fatal("pinning nothing wrote an audit entry")
	}
	for _, bad := range []int{-1, MaxCRLPartitions + 1} {
		_, err := s.PinCRLPartitions(ctx, "ca1", bad, op)
		wantErr(t, err, ErrInvalidInput)
	}
	if n, err := s.PinCRLPartitions(ctx, "ca1", 8, op); err != nil || n != 8 {
		t.Fatalf("pin 8: %d %v", n, err)
	}
	if auditSeq(t, s) != a+1 {
		t.Fatal("no audit entry for pinning")
	}
	if n, err := s.PinCRLPartitions(ctx, "ca1", 8, op); err != nil || n != 8 {
		t.Fatalf("pin 8 again: %d %v", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{})
	for _, n := range []int{4, 0} {
		got, err := s.PinCRLPartitions(ctx, "ca1", n, op)
		wantErr(t, err, ErrInvalidTransition)
		if got != 8 {
			t.Fatalf("pinned %d reported as %d", 8, got)
		}
	}
	if n, err := s.PinCRLPartitions(ctx, "ca2", 4, op); err != nil || n != 4 {
		t.Fatalf("another issuer: %d %v", n, err)
	}
	if auditSeq(t, s) != a+2 {
		t.Fatal("refused changes wrote audit entries")
	}
	mustCheck(t, s)
}

// A schema 3 store (no status log) is migrated on open to schema 4: the
// checker is clean, and the log starts at 1 with the next change.
func TestMigrateSchema3(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	busy(t, s)
	for _, p := range []byte{pStatusLog, pCRLBase, pCRLParts} {
		if err := s.db.DeleteRange([]byte{p}, []byte{p + 1}, pebble.Sync); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.db.Set(keySchema, []byte{3}, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{})
	if v, err := s.get(s.db, keySchema); err != nil || len(v) != 1 || v[0] != schemaVersion {
		t.Fatalf("schema after migration %x, %v", v, err)
	}
	if rep := mustCheck(t, s); rep.StatusLogRows != 0 {
		t.Fatalf("report %+v", rep)
	}
	// Certificate 4 is valid in busy(); it is the first logged change.
	mustSet(t, s, serialN(4), StatusChange{State: OnHold, At: t0})
	rows, head := logRows(t, s, "ca1", 0)
	if head != 1 || len(rows) != 1 || !bytes.Equal(rows[0].Serial, serialN(4)) {
		t.Fatalf("after migration: head %d rows %+v", head, rows)
	}
	mustCheck(t, s)
}
