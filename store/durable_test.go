package store

import "testing"

// A certificate read while some batch is visible but not yet fsynced is
// made durable (one synced WAL record) before it is returned; with no
// batch in that window nothing extra is written.
func TestReadsWaitForDurability(t *testing.T) {
	s := newStore(t)
	rec := issueN(t, s, 1, Identifiers{SNILS: "11223344595"}, nil)
	base := s.readSyncs.Load()
	if _, err := s.Certificate(ctx, rec.Serial); err != nil {
		t.Fatal(err)
	}
	if s.unsynced.Load() != 0 || s.readSyncs.Load() != base {
		t.Fatalf("idle store synced on read (unsynced %d, syncs %d)", s.unsynced.Load(), s.readSyncs.Load()-base)
	}
	// Simulate a batch between apply and fsync.
	s.unsynced.Add(1)
	defer s.unsynced.Add(-1)
	reads := []func() error{
		func() error { _, err := s.Certificate(ctx, rec.Serial); return err },
		func() error { _, err := s.CertificateByRequestID(ctx, rec.RequestID); return err },
		func() error {
			_, _, err := s.FindCertificates(ctx, Query{Field: BySNILS, Value: "11223344595"})
			return err
		},
		func() error { _, _, err := s.Expiring(ctx, rec.NotBefore, rec.NotAfter.Add(1), "", 10); return err },
	}
	for i, read := range reads {
		before := s.readSyncs.Load()
		if err := read(); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		if s.readSyncs.Load() != before+1 {
			t.Fatalf("read %d returned a possibly undurable certificate without syncing", i)
		}
	}
	// The issuer reading back what it just committed durably does not sync.
	before := s.readSyncs.Load()
	if c, err := s.CommittedCertificate(ctx, rec.Serial); err != nil || string(c.DER) != string(rec.DER) {
		t.Fatalf("committed read: %v", err)
	}
	if s.readSyncs.Load() != before {
		t.Fatal("CommittedCertificate synced the WAL")
	}
}
