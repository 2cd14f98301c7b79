package store

import (
	"sync"
	"testing"
	"time"
)

// A certificate read while a synced batch is visible but not yet durable
// is returned only once that batch's fsync has returned (without a WAL
// write of its own); with no batch in that window it returns at once.
// A batch whose apply failed holds nobody up, and after a failed fsync
// a read syncs the WAL itself.
func TestReadsWaitForDurability(t *testing.T) {
	s := newStore(t)
	rec := issueN(t, s, 1, Identifiers{SNILS: "11223344595"}, nil)
	d := &s.durability
	counts := func() (int64, int64) { return s.readWaits.Load(), s.readSyncs.Load() }
	w0, s0 := counts()
	if _, err := s.Certificate(ctx, rec.Serial); err != nil {
		t.Fatal(err)
	}
	if w, sy := counts(); s.unsynced.Load() != 0 || w != w0 || sy != s0 {
		t.Fatalf("idle store waited or synced on read (unsynced %d, waits %d, syncs %d)", s.unsynced.Load(), w-w0, sy-s0)
	}
	reads := []func() error{
		func() error { _, err := s.Certificate(ctx, rec.Serial); return err },
		func() error { _, err := s.CertificateByRequestID(ctx, rec.RequestID); return err },
		func() error {
			_, _, err := s.FindCertificates(ctx, Query{Field: BySNILS, Value: "11223344595"})
			return err
		},
		func() error { _, _, err := s.Expiring(ctx, rec.NotBefore, rec.NotAfter.Add(1), "", 10); return err },
	}
	// inFlight simulates a synced batch between apply and fsync; done
	// ends it, its fsync having succeeded or (synced false) its apply
	// having failed.
	inFlight := func() (done func(synced bool)) {
		ticket := d.tickets.Add(1)
		s.unsynced.Add(1)
		return func(synced bool) {
			if synced {
				d.synced(ticket, true)
			}
			s.unsynced.Add(-1)
			d.wake()
		}
	}
	blocked := func(i int, read func() error) chan error {
		t.Helper()
		out := make(chan error, 1)
		go func() { out <- read() }()
		select {
		case err := <-out:
			t.Fatalf("read %d returned (%v) while a batch it may see was not durable", i, err)
		case <-time.After(30 * time.Millisecond):
		}
		return out
	}
	for i, read := range reads {
		for _, synced := range []bool{true, false} {
			w0, s0 := counts()
			done := inFlight()
			out := blocked(i, read)
			done(synced)
			if err := <-out; err != nil {
				t.Fatalf("read %d: %v", i, err)
			}
			if w, sy := counts(); w != w0+1 || sy != s0 {
				t.Fatalf("read %d (synced %v): %d waits, %d syncs; want one wait, no sync", i, synced, w-w0, sy-s0)
			}
		}
	}
	// The issuer reading back what it just committed durably does not
	// wait.
	done := inFlight()
	w0, s0 = counts()
	if c, err := s.CommittedCertificate(ctx, rec.Serial); err != nil || string(c.DER) != string(rec.DER) {
		t.Fatalf("committed read: %v", err)
	}
	if w, sy := counts(); w != w0 || sy != s0 {
		t.Fatal("CommittedCertificate waited for the WAL")
	}
	done(true)
	// After a failed fsync a read syncs the WAL itself.
	d.failed.Store(true)
	done = inFlight()
	w0, s0 = counts()
	if _, err := s.Certificate(ctx, rec.Serial); err != nil {
		t.Fatal(err)
	}
	if w, sy := counts(); w != w0 || sy != s0+1 {
		t.Fatalf("after a failed fsync: %d waits, %d syncs; want one sync", w-w0, sy-s0)
	}
	done(true)
}

// A responder's read of a stored OCSP response waits only if the
// response's own commit is in flight (a new certificate's, registered
// with its batch's ticket); any other response is returned at once, even
// while other batches are in flight.
func TestCurrentOCSPResponseWaitsOnlyForItsCommit(t *testing.T) {
	s := newStore(t)
	a := issueN(t, s, 1, alice, nil)
	b := issueN(t, s, 2, alice, nil)
	for _, c := range []*CertRecord{a, b} {
		if err := s.PutOCSPResponse(ctx, OCSPRecord{Serial: c.Serial, DER: []byte{1}, NextUpdate: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	d := &s.durability
	// A batch in flight that commits a's response (as CommitIssued
	// would register it).
	ticket := d.tickets.Add(1)
	s.flight.add([][]byte{a.Serial}, ticket)
	s.unsynced.Add(1)
	if _, err := s.CurrentOCSPResponse(ctx, b.Serial); err != nil {
		t.Fatalf("a response not in flight: %v", err)
	}
	out := make(chan error, 1)
	go func() { _, err := s.CurrentOCSPResponse(ctx, a.Serial); out <- err }()
	select {
	case err := <-out:
		t.Fatalf("a response whose commit is in flight returned (%v) before its fsync", err)
	case <-time.After(30 * time.Millisecond):
	}
	d.synced(ticket, true)
	s.flight.remove([][]byte{a.Serial})
	s.unsynced.Add(-1)
	d.wake()
	if err := <-out; err != nil {
		t.Fatal(err)
	}
	if s.flight.n.Load() != 0 {
		t.Fatal("the flight table kept an entry")
	}
}

// CommitIssued registers the serials of the responses it commits for
// exactly as long as the batch is between apply and fsync.
func TestCommitRegistersOCSPInFlight(t *testing.T) {
	s := newStore(t)
	in := intentN(1, "flight")
	mustPut(t, s, in)
	is := issuedFor(in, alice)
	is.OCSP = &IssuedOCSP{DER: []byte{1}, NextUpdate: t0.Add(time.Hour)}
	seen := make(chan bool, 1)
	s.testBeforeSyncWait = func() { _, ok := s.flight.ticket(in.Serial); seen <- ok }
	if err := s.CommitIssued(ctx, []Issued{is}); err != nil {
		t.Fatal(err)
	}
	if !<-seen {
		t.Fatal("the response's serial was not registered while its batch was in flight")
	}
	if _, ok := s.flight.ticket(in.Serial); ok {
		t.Fatal("still registered after the commit returned")
	}
}

// Readers racing with synced writers (whose fsyncs they wait for) all
// return, with no lost wake-up: a read that saw a batch ends once that
// batch's fsync has, and the last writer leaving ends every wait.
func TestDurableReadsUnderWrites(t *testing.T) {
	s := newStore(t)
	var writers, readers sync.WaitGroup
	stop := make(chan struct{})
	for w := range 2 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range 60 {
				issueN(t, s, 1000*(w+1)+i, Identifiers{}, nil)
			}
		}()
	}
	found := make([]int, 4)
	for r := range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Certificate(ctx, serialN(1000*(1+(r+i)%2)+i%60)); err == nil {
					found[r]++
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	finished := make(chan struct{})
	go func() { readers.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("a reader is still waiting after every write has returned")
	}
	if s.unsynced.Load() != 0 {
		t.Fatalf("%d batches still counted in flight", s.unsynced.Load())
	}
	t.Logf("reads that found a certificate: %v; waits %d, syncs %d", found, s.readWaits.Load(), s.readSyncs.Load())
}
