package store

import (
	"errors"
	"iter"
	"strings"
	"testing"
	"time"
)

// bulkN is certificate n of a bulk load: every third revoked (keyCompromise),
// every seventh on hold, every fifth already expired.
func bulkN(n int, now time.Time) *BulkCert {
	c := &BulkCert{
		Serial: serialN(n), IssuerID: "ca1", Profile: "qualified", DER: []byte("cert"),
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyHash: keyN(n),
		Status: StatusChange{State: Valid},
	}
	if n%5 == 0 {
		c.NotBefore, c.NotAfter = now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0)
	}
	switch {
	case n%3 == 0:
		c.Status = StatusChange{State: Revoked, Reason: 1, At: now.Add(-time.Minute).Truncate(time.Second)}
	case n%7 == 0:
		c.Status = StatusChange{State: OnHold, At: now.Add(-time.Minute).Truncate(time.Second)}
	}
	if n%11 == 0 {
		c.Subject.SNILS = "11223344595"
	}
	return c
}

func bulkSeq(from, to int, now time.Time) iter.Seq2[*BulkCert, error] {
	return func(yield func(*BulkCert, error) bool) {
		for n := from; n < to; n++ {
			if !yield(bulkN(n, now), nil) {
				return
			}
		}
	}
}

func TestBulkLoadConsistent(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	rep, err := BulkLoad(ctx, dir, BulkOptions{Actor: "bench", BatchSize: 400, Options: Options{Logger: quiet()}}, bulkSeq(1, 1001, now))
	if err != nil {
		t.Fatal(err)
	}
	wantNotValid := 0
	for n := 1; n <= 1000; n++ {
		if n%3 == 0 || n%7 == 0 {
			wantNotValid++
		}
	}
	if rep.Certificates != 1000 || rep.NotValid != wantNotValid || rep.Batches != 3 {
		t.Fatalf("report %+v, want 1000 certificates, %d not valid, 3 batches", rep, wantNotValid)
	}
	s := openAt(t, dir, Options{})
	cr, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !cr.OK() || cr.Certificates != 1000 || cr.StatusLogRows != wantNotValid || cr.AuditEntries != uint64(1000+wantNotValid) {
		t.Fatalf("check: %+v", cr)
	}
	got := 0
	if err := s.Revoked(ctx, "ca1", func([]byte, time.Time, int, time.Time) bool { got++; return true }); err != nil {
		t.Fatal(err)
	}
	if got != wantNotValid {
		t.Fatalf("revocation index holds %d, want %d", got, wantNotValid)
	}
	rec, err := s.Certificate(ctx, serialN(3))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status.State != Revoked || rec.Status.Reason != 1 || rec.Status.Version != 1 {
		t.Fatalf("serial 3: %+v", rec.Status)
	}
	// The loaded store keeps working: a normal status change follows.
	if err := s.SetStatus(ctx, serialN(7), StatusChange{State: Revoked, Reason: 1, At: now}, AuditEntry{Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	if cr, err := s.Check(ctx); err != nil || !cr.OK() {
		t.Fatalf("check after SetStatus: %+v %v", cr, err)
	}
}

func TestBulkLoadRefusals(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	opts := BulkOptions{Actor: "bench", BatchSize: 10, Options: Options{Logger: quiet()}}
	if _, err := BulkLoad(ctx, dir, opts, bulkSeq(1, 21, now)); err != nil {
		t.Fatal(err)
	}
	// A serial already stored, and one repeated inside a batch.
	if _, err := BulkLoad(ctx, dir, opts, bulkSeq(20, 22, now)); !errors.Is(err, ErrSerialExists) {
		t.Fatalf("reloading serial 20: %v, want ErrSerialExists", err)
	}
	dup := func(yield func(*BulkCert, error) bool) {
		for range 2 {
			if !yield(bulkN(100, now), nil) {
				return
			}
		}
	}
	if _, err := BulkLoad(ctx, dir, opts, dup); !errors.Is(err, ErrSerialExists) {
		t.Fatalf("serial twice: %v, want ErrSerialExists", err)
	}
	// The same key under another serial.
	c := bulkN(200, now)
	c.KeyHash = keyN(1)
	one := func(yield func(*BulkCert, error) bool) { yield(c, nil) }
	if _, err := BulkLoad(ctx, dir, opts, one); !errors.Is(err, ErrKeyReused) {
		t.Fatalf("reused key: %v, want ErrKeyReused", err)
	}
	bad := bulkN(300, now)
	bad.Status = StatusChange{State: Revoked, Reason: 7, At: now}
	one = func(yield func(*BulkCert, error) bool) { yield(bad, nil) }
	if _, err := BulkLoad(ctx, dir, opts, one); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("reason 7: %v, want ErrInvalidInput", err)
	}
	if _, err := BulkLoad(ctx, dir+"/typo", opts, bulkSeq(400, 401, now)); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("missing directory: %v, want ErrInvalidInput", err)
	}
	if _, err := BulkLoad(ctx, dir, BulkOptions{}, bulkSeq(400, 401, now)); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("no actor: %v, want ErrInvalidInput", err)
	}
	// A store that is open (as a serving engine holds it) is refused.
	s := openAt(t, dir, Options{})
	_, err := BulkLoad(ctx, dir, opts, bulkSeq(500, 501, now))
	if err == nil || !strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("bulk load into an open store: %v", err)
	}
	cr, err := s.Check(ctx)
	if err != nil || !cr.OK() || cr.Certificates != 20 {
		t.Fatalf("after refusals: %+v %v", cr, err)
	}
}
