package store

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func pendingOp(id byte, created time.Time, ttl time.Duration, doc []byte) *CloudOperation {
	o := &CloudOperation{ID: [16]byte{id}, Key: "app-1", Phone: "+79161234567", Digest: bytes.Repeat([]byte{id}, 32),
		Description: "документ", Challenge: "00", Created: created, Expires: created.Add(ttl), State: CloudOpPending}
	if doc != nil {
		o.Attached, o.Document, o.DocSize = true, doc, uint64(len(doc))
	}
	return o
}

// TestPurgeCloudOperations: on a real store, with the purge's clock
// given, operations still pending past their expiry move to expired
// and lose their kept document, in one batch with one audit entry
// naming the counts; one expiring exactly at the cut-off, one not yet
// expired, and signed or refused ones are untouched; a second run
// writes nothing; an expired operation cannot be signed; Check is clean
// before (a pending operation past its expiry is normal state) and
// after.
func TestPurgeCloudOperations(t *testing.T) {
	s := newStore(t)
	t0 := time.Unix(1_800_000_000, 0).UTC()
	doc := []byte("договор поставки")
	ops := []*CloudOperation{
		pendingOp(1, t0, 5*time.Minute, doc),                  // attached, expires t0+5m
		pendingOp(2, t0, 5*time.Minute, nil),                  // detached, expires t0+5m
		pendingOp(3, t0.Add(5*time.Minute), time.Minute, doc), // expires t0+6m: exactly the cut-off below
		pendingOp(4, t0, 30*time.Minute, doc),                 // not expired
		pendingOp(5, t0, 5*time.Minute, doc),                  // signed in time
		pendingOp(6, t0, 5*time.Minute, doc),                  // refused in time
	}
	for _, o := range ops {
		if err := s.PutCloudOperation(ctx, o, AuditEntry{Actor: "t", Action: "cabinet.sign_request"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SignCloudOperation(ctx, ops[4].ID, t0.Add(time.Minute), []byte{1}, []byte{0x30, 0}, AuditEntry{Actor: "t", Action: "cabinet.sign"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishCloudOperation(ctx, ops[5].ID, t0.Add(time.Minute), CloudOpRefused, nil, AuditEntry{Actor: "t", Action: "cabinet.sign_refused"}); err != nil {
		t.Fatal(err)
	}
	if n := countPrefix(t, s, pCloudOpExpiry); n != 4 {
		t.Fatalf("%d expiry entries for 4 pending operations", n)
	}
	mustCheck(t, s)

	// Before anything expired: nothing written.
	head := auditSeq(t, s)
	if n, d, err := s.PurgeCloudOperations(ctx, t0.Add(5*time.Minute), "system/cabinet"); err != nil || n != 0 || d != 0 {
		t.Fatalf("purge at the expiry: %d %d %v", n, d, err)
	}
	if auditSeq(t, s) != head {
		t.Fatal("an empty purge wrote an audit entry")
	}

	cut := t0.Add(6 * time.Minute)
	n, d, err := s.PurgeCloudOperations(ctx, cut, "system/cabinet")
	if err != nil || n != 2 || d != 1 {
		t.Fatalf("purge: %d expired, %d documents, %v; want 2, 1", n, d, err)
	}
	if auditSeq(t, s) != head+1 {
		t.Fatalf("the purge wrote %d audit entries, want 1", auditSeq(t, s)-head)
	}
	entries, _, err := s.AuditEntries(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Action != "cabinet.purge_cloud_operations" || last.Actor != "system/cabinet" || !strings.HasPrefix(last.Details, "2 signing operations expired") || !strings.Contains(last.Details, "1 kept documents deleted") {
		t.Fatalf("purge audit entry %+v", last)
	}
	for _, c := range []struct {
		id    byte
		state byte
		doc   bool
	}{{1, CloudOpExpired, false}, {2, CloudOpExpired, false}, {3, CloudOpPending, true}, {4, CloudOpPending, true},
		{5, CloudOpSigned, false}, {6, CloudOpRefused, false}} {
		got, err := s.CloudOperation(ctx, [16]byte{c.id})
		if err != nil || got.State != c.state || (len(got.Document) > 0) != c.doc {
			t.Fatalf("operation %d: %+v, %v; want state %d, document %v", c.id, got, err, c.state, c.doc)
		}
		if c.state == CloudOpExpired && (!got.Done.Equal(got.Expires) || !bytes.Equal(got.Digest, ops[c.id-1].Digest) || got.Description != "документ" || len(got.Signature) != 0) {
			t.Fatalf("expired operation %d lost its record: %+v", c.id, got)
		}
	}
	if n := countPrefix(t, s, pCloudOpExpiry); n != 2 {
		t.Fatalf("%d expiry entries left, want 2 (the pending operations)", n)
	}
	_, err = s.SignCloudOperation(ctx, ops[0].ID, t0.Add(time.Minute), []byte{1}, nil, AuditEntry{Actor: "t", Action: "cabinet.sign"})
	wantErr(t, err, ErrCloudOpDone)
	mustCheck(t, s)

	head = auditSeq(t, s)
	if n, _, err := s.PurgeCloudOperations(ctx, cut, "system/cabinet"); err != nil || n != 0 || auditSeq(t, s) != head {
		t.Fatalf("second purge: %d %v, audit %d → %d", n, err, head, auditSeq(t, s))
	}
	if _, _, err := s.PurgeCloudOperations(ctx, cut, ""); err == nil {
		t.Fatal("a purge with no actor")
	}
}

// TestCloudOpExpiryIndex: Check reports a pending operation without its
// expiry entry and an entry of no pending operation; the next Open
// writes the missing entries of pending operations (as a store made
// before the index has none), after which the purge finds them.
func TestCloudOpExpiryIndex(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	t0 := time.Unix(1_800_000_000, 0).UTC()
	o := pendingOp(1, t0, 5*time.Minute, []byte("акт"))
	if err := s.PutCloudOperation(ctx, o, AuditEntry{Actor: "t", Action: "cabinet.sign_request"}); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Delete(cloudOpExpiryKey(o.Expires, o.ID), nil); err != nil {
		t.Fatal(err)
	}
	stray := cloudOpExpiryKey(t0, [16]byte{2})
	if err := s.db.Set(stray, nil, nil); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Check(ctx)
	if err != nil || len(rep.Problems) != 2 {
		t.Fatalf("check: %+v, %v", rep.Problems, err)
	}
	kinds := rep.Problems[0].Kind + " " + rep.Problems[1].Kind
	if !strings.Contains(kinds, "missing-index") || !strings.Contains(kinds, "dangling-index") {
		t.Fatalf("check problems %+v", rep.Problems)
	}
	if err := s.db.Delete(stray, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	s = openAt(t, dir, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if !bytes.Contains(logs.Bytes(), []byte("pending cloud operations indexed by expiry")) || !bytes.Contains(logs.Bytes(), []byte("count=1")) {
		t.Fatalf("the backfill's log: %s", logs.Bytes())
	}
	mustCheck(t, s)
	if n, d, err := s.PurgeCloudOperations(ctx, t0.Add(time.Hour), "system/cabinet"); err != nil || n != 1 || d != 1 {
		t.Fatalf("purge after the backfill: %d %d %v", n, d, err)
	}
	mustCheck(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	s = openAt(t, dir, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if bytes.Contains(logs.Bytes(), []byte("indexed by expiry")) {
		t.Fatalf("a second Open indexed again: %s", logs.Bytes())
	}
	_ = s
}

// TestPurgeCloudOperationsBound: one call expires at most maxCloudPurge
// operations, the oldest first; the next call takes the rest.
func TestPurgeCloudOperationsBound(t *testing.T) {
	defer func(n int) { maxCloudPurge = n }(maxCloudPurge)
	maxCloudPurge = 3
	s := newStore(t)
	t0 := time.Unix(1_800_000_000, 0).UTC()
	for i := range 5 {
		// Operation i+1 expires i minutes after t0+5m: 1, 2, 3 are the oldest.
		if err := s.PutCloudOperation(ctx, pendingOp(byte(i+1), t0.Add(time.Duration(i)*time.Minute), 5*time.Minute, nil), AuditEntry{Actor: "t", Action: "cabinet.sign_request"}); err != nil {
			t.Fatal(err)
		}
	}
	if n, _, err := s.PurgeCloudOperations(ctx, t0.Add(time.Hour), "system/cabinet"); err != nil || n != 3 {
		t.Fatalf("first run: %d %v, want 3", n, err)
	}
	for id := byte(1); id <= 5; id++ {
		o, err := s.CloudOperation(ctx, [16]byte{id})
		if err != nil || (o.State == CloudOpExpired) != (id <= 3) {
			t.Fatalf("operation %d after the first run: state %d, %v", id, o.State, err)
		}
	}
	if n, _, err := s.PurgeCloudOperations(ctx, t0.Add(time.Hour), "system/cabinet"); err != nil || n != 2 {
		t.Fatalf("second run: %d %v, want 2", n, err)
	}
	mustCheck(t, s)
}

// BenchmarkPurgeCloudOperations: one full run, 1,000 attached
// operations with a 64 KiB document each, expired.
func BenchmarkPurgeCloudOperations(b *testing.B) {
	s := newStore(b)
	t0 := time.Unix(1_800_000_000, 0).UTC()
	doc := bytes.Repeat([]byte{'x'}, 64<<10)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for j := range maxCloudPurge {
			o := pendingOp(0, t0, 5*time.Minute, doc)
			o.ID[0], o.ID[1], o.ID[2] = byte(i), byte(j>>8), byte(j)
			if err := s.PutCloudOperation(ctx, o, AuditEntry{Actor: "t", Action: "cabinet.sign_request"}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if n, d, err := s.PurgeCloudOperations(ctx, t0.Add(time.Hour), "system/cabinet"); err != nil || n != maxCloudPurge || d != n {
			b.Fatalf("purge: %d %d %v", n, d, err)
		}
	}
}
