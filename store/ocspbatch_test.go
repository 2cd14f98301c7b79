package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// TestPutOCSPResponsesChecksEach: one batch stores the responses built
// for the current status and refuses, record by record, the one built
// for a status the certificate has left (a revocation between signing
// and storing: the stored revoked response stays) and the one for an
// unknown serial; a serial twice in a batch ends with one due entry,
// filed under the later response.
func TestPutOCSPResponsesChecksEach(t *testing.T) {
	s := newStore(t)
	a := issueN(t, s, 1, alice, nil)
	b := issueN(t, s, 2, alice, nil)
	c := issueN(t, s, 3, alice, nil)
	// b is revoked after its "good" response was signed, and its revoked
	// response stored, before the batch comes.
	if err := s.SetStatus(ctx, b.Serial, StatusChange{State: Revoked, Reason: 1, At: t0}, AuditEntry{Actor: "op"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutOCSPResponse(ctx, OCSPRecord{Serial: b.Serial, DER: []byte("revoked-b"), NextUpdate: t0.Add(time.Hour), StatusVersion: 1}); err != nil {
		t.Fatal(err)
	}
	errs, err := s.PutOCSPResponses(ctx, []OCSPRecord{
		{Serial: a.Serial, DER: []byte("good-a-1"), NextUpdate: t0.Add(time.Hour)},
		{Serial: b.Serial, DER: []byte("good-b"), NextUpdate: t0.Add(2 * time.Hour), StatusVersion: 0},
		{Serial: serialN(99), DER: []byte("nobody"), NextUpdate: t0.Add(time.Hour)},
		{Serial: c.Serial, DER: []byte("good-c"), NextUpdate: t0.Add(3 * time.Hour)},
		{Serial: a.Serial, DER: []byte("good-a-2"), NextUpdate: t0.Add(4 * time.Hour)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 5 || errs[0] != nil || !errors.Is(errs[1], ErrStale) || !errors.Is(errs[2], ErrNotFound) || errs[3] != nil || errs[4] != nil {
		t.Fatalf("per-record results %v", errs)
	}
	for _, w := range []struct {
		rec  *CertRecord
		der  string
		next time.Time
	}{{a, "good-a-2", t0.Add(4 * time.Hour)}, {b, "revoked-b", t0.Add(time.Hour)}, {c, "good-c", t0.Add(3 * time.Hour)}} {
		r, err := s.OCSPResponse(ctx, w.rec.Serial)
		if err != nil || string(r.DER) != w.der || !r.NextUpdate.Equal(w.next) {
			t.Fatalf("%x: stored %+v (%v), want %s", w.rec.Serial, r, err, w.der)
		}
	}
	due, _, err := s.OCSPDue(ctx, t0.Add(24*time.Hour), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 3 {
		t.Fatalf("%d due entries, want one per certificate: %+v", len(due), due)
	}
	mustCheck(t, s)

	// A bad record fails the whole batch before anything is written.
	_, err = s.PutOCSPResponses(ctx, []OCSPRecord{
		{Serial: c.Serial, DER: []byte("good-c-2"), NextUpdate: t0.Add(5 * time.Hour)},
		{Serial: a.Serial, DER: nil, NextUpdate: t0.Add(time.Hour)},
	})
	wantErr(t, err, ErrInvalidInput)
	if r, _ := s.OCSPResponse(ctx, c.Serial); string(r.DER) != "good-c" {
		t.Fatalf("a refused batch wrote %q", r.DER)
	}
	if errs, err := s.PutOCSPResponses(ctx, nil); err != nil || len(errs) != 0 {
		t.Fatalf("empty batch: %v %v", errs, err)
	}
}

// TestPutOCSPResponsesCrash: a crash at any point after an unsynced
// batch of responses leaves, for every certificate, either its response
// with the due entry moved to its nextUpdate, or no response and the
// certificate still due (the pre-signer signs it again): never a
// response without its due move, nor one lost with the certificate no
// longer due. The certificates themselves, synced, always survive.
func TestPutOCSPResponsesCrash(t *testing.T) {
	mem := vfs.NewCrashableMem()
	opts := func(fs vfs.FS) Options {
		po := defaultPebbleOptions()
		po.FS = fs
		return Options{PebbleOptions: po}
	}
	s := openAt(t, "db", opts(mem))
	const n = 40
	var certs []*CertRecord
	for i := 1; i <= n; i++ {
		certs = append(certs, issueN(t, s, i, Identifiers{}, nil))
	}
	for round := range 4 {
		var batch []OCSPRecord
		for i := round; i < n; i += 4 {
			batch = append(batch, OCSPRecord{Serial: certs[i].Serial, DER: fmt.Appendf(nil, "r%d", i), NextUpdate: t0.Add(time.Hour)})
		}
		if errs, err := s.PutOCSPResponses(ctx, batch); err != nil || errors.Join(errs...) != nil {
			t.Fatalf("round %d: %v %v", round, err, errs)
		}
	}
	// check reopens a crash clone and returns how many responses it kept.
	check := func(fs vfs.FS, what string) int {
		c, err := Open("db", Options{PebbleOptions: opts(fs).PebbleOptions, Logger: quiet()})
		if err != nil {
			t.Fatalf("reopen after a crash (%s): %v", what, err)
		}
		defer c.Close()
		mustCheck(t, c)
		due, _, err := c.OCSPDue(ctx, t0.Add(24*time.Hour), "", 0)
		if err != nil {
			t.Fatal(err)
		}
		missing := map[string]bool{}
		for _, d := range due {
			if d.NextUpdate.IsZero() {
				missing[string(d.Serial)] = true
			}
		}
		stored := 0
		for i, rec := range certs {
			if _, err := c.Certificate(ctx, rec.Serial); err != nil {
				t.Fatalf("%s: certificate %d lost: %v", what, i, err)
			}
			r, err := c.OCSPResponse(ctx, rec.Serial)
			switch {
			case err == nil && !bytes.Equal(r.DER, fmt.Appendf(nil, "r%d", i)):
				t.Fatalf("%s: certificate %d: response %q", what, i, r.DER)
			case err == nil && missing[string(rec.Serial)]:
				t.Fatalf("%s: certificate %d: response stored but still due as missing", what, i)
			case err == nil:
				stored++
			case !errors.Is(err, ErrNotFound):
				t.Fatal(err)
			case !missing[string(rec.Serial)]:
				t.Fatalf("%s: certificate %d: response lost and no longer due", what, i)
			}
		}
		return stored
	}
	if got := check(mem.CrashClone(vfs.CrashCloneCfg{}), "nothing unsynced kept"); got != 0 {
		t.Fatalf("%d unsynced responses survive a crash that keeps only synced data", got)
	}
	for _, pct := range []int{30, 70, 100} {
		for seed := range 3 {
			check(mem.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: pct, RNG: rand.New(rand.NewPCG(uint64(seed), 1))}),
				fmt.Sprintf("%d%% of unsynced data kept, seed %d", pct, seed))
		}
	}
	// The next synced write of anyone makes the batches durable.
	issueN(t, s, n+1, Identifiers{}, nil)
	if got := check(mem.CrashClone(vfs.CrashCloneCfg{}), "after a synced write"); got != n {
		t.Fatalf("%d of %d responses durable after a later synced write", got, n)
	}
}
