package store

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// dueAt returns serial's OCSP-due entry among those before `before`:
// found, and its NextUpdate (zero: no response stored).
func dueAt(t *testing.T, s *Store, serial []byte, before time.Time) (bool, time.Time) {
	t.Helper()
	due, _, err := s.OCSPDue(ctx, before, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range due {
		if bytes.Equal(d.Serial, serial) {
			return true, d.NextUpdate
		}
	}
	return false, time.Time{}
}

// TestCommitIssuedWithOCSP: a certificate committed with its pre-signed
// response has it stored at status version 0, due at its nextUpdate and
// not before; one committed without is due at once with none stored; the
// checker finds both consistent; and a status change afterwards drops
// the committed response as it drops any other, so a "good" from the
// commit is never served for a revoked certificate.
func TestCommitIssuedWithOCSP(t *testing.T) {
	s := newStore(t)
	next := t0.Add(7 * 24 * time.Hour)
	with := issueN(t, s, 1, alice, func(is *Issued) { is.OCSP = &IssuedOCSP{DER: []byte("resp 1"), NextUpdate: next} })
	without := issueN(t, s, 2, alice, nil)

	r, err := s.OCSPResponse(ctx, with.Serial)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.DER, []byte("resp 1")) || !r.NextUpdate.Equal(next) || r.StatusVersion != 0 || r.StatusVersion != with.Status.Version || r.StoredAt.IsZero() {
		t.Fatalf("committed response: %+v", r)
	}
	if found, _ := dueAt(t, s, with.Serial, next); found {
		t.Fatal("certificate with a committed response is due before its nextUpdate")
	}
	if found, nu := dueAt(t, s, with.Serial, next.Add(time.Second)); !found || !nu.Equal(next) {
		t.Fatalf("due entry of the committed response: found %v at %v, want %v", found, nu, next)
	}
	if _, err := s.OCSPResponse(ctx, without.Serial); !isNotFound(err) {
		t.Fatalf("certificate committed without a response has one: %v", err)
	}
	if found, nu := dueAt(t, s, without.Serial, t0); !found || !nu.IsZero() {
		t.Fatalf("certificate committed without a response: due %v at %v, want due as missing", found, nu)
	}
	if rep := mustCheck(t, s); rep.OCSPResponses != 1 || rep.Certificates != 2 {
		t.Fatalf("check: %d responses, %d certificates", rep.OCSPResponses, rep.Certificates)
	}

	// A response built for version 0 is refused once the status moved on.
	if err := s.SetStatus(ctx, with.Serial, StatusChange{State: Revoked, Reason: 1, At: t0.Add(time.Hour)}, AuditEntry{Actor: "operator:7"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OCSPResponse(ctx, with.Serial); !isNotFound(err) {
		t.Fatalf("committed good response kept after a revocation: %v", err)
	}
	if found, nu := dueAt(t, s, with.Serial, t0); !found || !nu.IsZero() {
		t.Fatalf("revoked certificate not due as missing: %v %v", found, nu)
	}
	wantErr(t, s.PutOCSPResponse(ctx, OCSPRecord{Serial: with.Serial, DER: []byte("resp 1"), NextUpdate: next, StatusVersion: 0}), ErrStale)
	mustCheck(t, s)
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// TestCommitIssuedBadOCSP: a malformed response fails the whole commit
// before anything is written, like any other bad field.
func TestCommitIssuedBadOCSP(t *testing.T) {
	s := newStore(t)
	a, b := intentN(1, "ra"), intentN(2, "rb")
	mustPut(t, s, a, b)
	good := issuedFor(a, alice)
	good.OCSP = &IssuedOCSP{DER: []byte("resp a"), NextUpdate: t0.Add(time.Hour)}
	for name, o := range map[string]*IssuedOCSP{
		"no DER":        {NextUpdate: t0.Add(time.Hour)},
		"DER too large": {DER: make([]byte, maxDERLen+1), NextUpdate: t0.Add(time.Hour)},
		"no nextUpdate": {DER: []byte("resp b")},
	} {
		bad := issuedFor(b, alice)
		bad.OCSP = o
		wantErr(t, s.CommitIssued(ctx, []Issued{good, bad}), ErrInvalidInput)
		if _, err := s.OCSPResponse(ctx, a.Serial); !isNotFound(err) {
			t.Fatalf("%s: the failed commit stored a response: %v", name, err)
		}
	}
	if p, _ := s.PendingIntents(ctx); len(p) != 2 {
		t.Fatalf("%d intents pending, want 2", len(p))
	}
	if rep := mustCheck(t, s); rep.Certificates != 0 || rep.OCSPResponses != 0 {
		t.Fatalf("report %+v", rep)
	}
}

// TestCommitIssuedOCSPCrash: the response is in the commit's synced
// batch, so a crash right after the commit returns keeps it with the
// certificate (no certificate without its response, none due as
// missing), and a crash before the commit keeps neither.
func TestCommitIssuedOCSPCrash(t *testing.T) {
	mem := vfs.NewCrashableMem()
	opts := func(fs vfs.FS) Options {
		po := defaultPebbleOptions()
		po.FS = fs
		return Options{PebbleOptions: po, Logger: quiet()}
	}
	s := openAt(t, "db", opts(mem))
	const n = 8
	in := make([]Intent, n)
	for i := range in {
		in[i] = intentN(i+1, fmt.Sprintf("req-%d", i+1))
	}
	mustPut(t, s, in...)
	beforeCommit := mem.CrashClone(vfs.CrashCloneCfg{})
	issued := make([]Issued, n)
	for i := range in {
		issued[i] = issuedFor(in[i], Identifiers{})
		issued[i].OCSP = &IssuedOCSP{DER: fmt.Appendf(nil, "resp %d", i), NextUpdate: t0.Add(time.Hour)}
	}
	if err := s.CommitIssued(ctx, issued); err != nil {
		t.Fatal(err)
	}
	afterCommit := mem.CrashClone(vfs.CrashCloneCfg{})

	c, err := Open("db", opts(afterCommit))
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, c)
	for i := range in {
		if _, err := c.Certificate(ctx, in[i].Serial); err != nil {
			t.Fatalf("certificate %d lost in a crash after its commit: %v", i, err)
		}
		r, err := c.OCSPResponse(ctx, in[i].Serial)
		if err != nil || !bytes.Equal(r.DER, fmt.Appendf(nil, "resp %d", i)) {
			t.Fatalf("response %d after a crash after the commit: %v", i, err)
		}
	}
	if due, _, err := c.OCSPDue(ctx, t0, "", 0); err != nil || len(due) != 0 {
		t.Fatalf("due after the commit: %d, %v", len(due), err)
	}
	c.Close()

	c, err = Open("db", opts(beforeCommit))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	mustCheck(t, c)
	if p, _ := c.PendingIntents(ctx); len(p) != n {
		t.Fatalf("%d intents pending after a crash before the commit, want %d", len(p), n)
	}
	for i := range in {
		if _, err := c.OCSPResponse(ctx, in[i].Serial); !isNotFound(err) {
			t.Fatalf("response %d stored without its certificate: %v", i, err)
		}
	}
}
