package store

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

// A schema 1 store (no serial registry) is migrated on open: afterwards
// the serials of certificates, pending and failed intents are all known,
// so none can be reserved again, and the checker is clean.
func TestMigrateSchema1(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	busy(t, s)
	// Turn it into what schema 1 wrote: no registry, version 1.
	if err := s.db.DeleteRange([]byte{pSerial}, []byte{pSerial + 1}, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Set(keySchema, []byte{1}, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openAt(t, dir, Options{})
	rep := mustCheck(t, s)
	if rep.Certificates == 0 || rep.PendingIntents == 0 || rep.FailedIntents == 0 {
		t.Fatalf("report %+v", rep)
	}
	// An issued (3), a pending (100) and a failed (102) serial stay taken.
	for _, n := range []int{3, 100, 102} {
		in := intentN(5000+n, "")
		in.Serial = serialN(n)
		res, err := s.PutIntents(ctx, []Intent{in})
		if err != nil {
			t.Fatal(err)
		}
		if !errors.Is(res[0].Err, ErrSerialExists) {
			t.Fatalf("serial %d reusable after migration: %+v", n, res[0])
		}
	}
	v, err := s.get(s.db, keySchema)
	if err != nil || len(v) != 1 || v[0] != schemaVersion {
		t.Fatalf("schema after migration %x, %v", v, err)
	}
}

// asSchema2 turns a store into what schema 2 wrote: every certificate and
// intent record in version 1 (which has no centre), no centre index, no
// status-change log or CRL bases (schema 4), and version 2 in the meta
// key.
func asSchema2(t *testing.T, s *Store) {
	t.Helper()
	b := s.db.NewBatch()
	defer b.Close()
	for _, p := range []byte{pStatusLog, pCRLBase, pCRLParts} {
		if err := b.DeleteRange([]byte{p}, []byte{p + 1}, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []byte{pCert, pIntent, pFailed} {
		err := scanPrefix(ctx, s.db, []byte{p}, func(k, v []byte) (bool, error) {
			var old []byte
			if p == pCert {
				c, err := decodeCert(v)
				if err != nil || c.Centre != "" {
					return false, fmt.Errorf("certificate %x: centre %q, %v", k, c.Centre, err)
				}
				old = encodeCertV1(c)
			} else {
				r, err := decodeIntent(v)
				if err != nil || r.Centre != "" {
					return false, fmt.Errorf("intent %x: %v", k, err)
				}
				old = encodeIntentV1(r)
			}
			return true, b.Set(bytes.Clone(k), old, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Set(keySchema, []byte{2}, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		t.Fatal(err)
	}
}

// A schema 2 store (version 1 records, no centres) opens as schema 4:
// everything reads as before with no centre, the checker is clean, old
// records keep working (a status change rewrites one as version 2, a
// pending version 1 intent commits), and new certificates of a centre
// are indexed next to them.
func TestMigrateSchema2(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	busy(t, s)
	before, _, err := s.FindCertificates(ctx, Query{Field: BySNILS, Value: alice.SNILS, Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	asSchema2(t, s)
	if v, _ := s.get(s.db, certKey(serialN(1))); v[0] != certV1 {
		t.Fatalf("fixture: certificate record version %d", v[0])
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// The two pending intents were written without a MAC: schema 7
	// refuses them unless the operator accepts them.
	if s2, err := Open(dir, Options{Logger: quiet()}); !errors.Is(err, ErrUnMACedIntents) {
		if s2 != nil {
			_ = s2.Close()
		}
		t.Fatalf("open with un-MACed pending intents: %v, want ErrUnMACedIntents", err)
	}
	s = openAt(t, dir, Options{AcceptUnMACedIntents: true})
	if v, err := s.get(s.db, keySchema); err != nil || !bytes.Equal(v, []byte{schemaVersion}) {
		t.Fatalf("schema after migration %x, %v", v, err)
	}
	rep := mustCheck(t, s)
	if rep.Certificates != 40 || rep.PendingIntents != 2 || rep.FailedIntents != 1 {
		t.Fatalf("report %+v", rep)
	}
	after, _, err := s.FindCertificates(ctx, Query{Field: BySNILS, Value: alice.SNILS, Limit: MaxLimit})
	if err != nil || !reflect.DeepEqual(after, before) {
		t.Fatalf("certificates changed across the migration: %v", err)
	}
	// An old record changes status: rewritten as version 2, still no centre.
	mustSet(t, s, serialN(4), StatusChange{State: Revoked, Reason: 4, At: t0})
	if v, _ := s.get(s.db, certKey(serialN(4))); v[0] != certV2 {
		t.Fatalf("rewritten record is version %d", v[0])
	}
	// A pending version 1 intent (serial 100) commits without a centre;
	// a new one of a centre lands in the centre index.
	pending, err := s.PendingIntents(ctx)
	if err != nil || len(pending) != 2 {
		t.Fatalf("pending %+v %v", pending, err)
	}
	if err := s.CommitIssued(ctx, []Issued{issuedFor(pending[0], alice)}); err != nil {
		t.Fatal(err)
	}
	c := issueCentre(t, s, 500, "centre-1", alice, t0)
	got, _, err := s.FindCertificates(ctx, Query{Field: ByCentre, Value: "centre-1"})
	if err != nil || len(got) != 1 || !bytes.Equal(got[0].Serial, c.Serial) {
		t.Fatalf("centre list after migration: %v %v", got, err)
	}
	if got, _, _ := s.FindCertificates(ctx, Query{Field: BySNILS, Value: alice.SNILS, Centre: "centre-1", Limit: MaxLimit}); len(got) != 1 {
		t.Fatalf("old certificates leak into a centre's search: %d", len(got))
	}
	mustCheck(t, s)
	// Reopening a migrated store migrates nothing again.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{})
	mustCheck(t, s)
}

// A schema 2 store that already has keys under the centre prefix was
// written by something this code does not know: Open refuses it and
// leaves it at schema 2.
func TestMigrateSchema2RefusesStrayCentreKeys(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	issueN(t, s, 1, alice, nil)
	asSchema2(t, s)
	if err := s.db.Set([]byte{pCentre, 1, 'x'}, nil, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wantRefusedOpen(t, dir, 2)
}

// wantRefusedOpen checks that Open refuses the store in dir as corrupt
// and leaves it at schema version v.
func wantRefusedOpen(t *testing.T, dir string, v byte) {
	t.Helper()
	if s2, err := Open(dir, Options{Logger: quiet()}); !errors.Is(err, ErrCorrupt) {
		if s2 != nil {
			s2.Close()
		}
		t.Fatalf("open: %v", err)
	}
	db, err := pebble.Open(dir, &pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, closer, err := db.Get(keySchema)
	if err != nil || !bytes.Equal(got, []byte{v}) {
		t.Fatalf("schema %x %v, want %d", got, err, v)
	}
	closer.Close()
}
