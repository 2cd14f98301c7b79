package store

import (
	"errors"
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
