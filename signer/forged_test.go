package signer

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// Stored tampers change an intent in the database after the CA wrote it
// (the store is closed, as after a crash), the way someone who can write
// the database but does not hold the audit key would. Each leaves an
// intent that is consistent in itself — its TBS has its serial, its key
// hash is its TBS's key, the issuer and profile are right — so only the
// intent's MAC can tell it from the one the CA wrote.
type storedTamper struct {
	name string
	want string
	edit func(t *testing.T, dir string, bad, swapped store.Intent)
}

var storedTampers = []storedTamper{
	{"consistent swap of subject and key hash", "intent MAC does not verify", func(t *testing.T, dir string, bad, swapped store.Intent) {
		// The CA's record with another subscriber's TBS (and so subject
		// and key) and that key's hash; the MAC is left as it was.
		editPebble(t, dir, func(db *pebble.DB) {
			k, v := storedIntent(t, db, bad.TBS)
			v = replaceOnce(t, v, bad.KeyHash[:], swapped.KeyHash[:])
			v = replaceOnce(t, v, lenPrefixed(bad.TBS), lenPrefixed(swapped.TBS))
			set(t, db, k, v)
			swapKeyIndex(t, db, bad.KeyHash, swapped.KeyHash)
		})
	}},
	{"re-MACed with a wrong key", "intent MAC does not verify", func(t *testing.T, dir string, bad, swapped store.Intent) {
		// The swapped intent written by a store of the same software with
		// a key of the forger's: a well-formed record, MAC and all.
		other := t.TempDir()
		wrong, err := store.NewAuditKey(bytes.Repeat([]byte{0x5a}, 32))
		if err != nil {
			t.Fatal(err)
		}
		fst, err := store.Open(other, store.Options{Logger: quietLog, AuditKey: wrong})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := fst.PutIntents(context.Background(), []store.Intent{swapped}); err != nil || res[0].Err != nil {
			t.Fatalf("forger's store: %v %v", err, res[0].Err)
		}
		if err := fst.Close(); err != nil {
			t.Fatal(err)
		}
		var forged []byte
		editPebble(t, other, func(db *pebble.DB) { _, forged = storedIntent(t, db, swapped.TBS) })
		editPebble(t, dir, func(db *pebble.DB) {
			k, _ := storedIntent(t, db, bad.TBS)
			set(t, db, k, forged)
			swapKeyIndex(t, db, bad.KeyHash, swapped.KeyHash)
		})
	}},
}

// otherSubject is a second subscriber (valid SNILS and INN).
func otherSubject() *pkix.Subject {
	return &pkix.Subject{CommonName: "Петров Пётр Петрович", Surname: "Петров", GivenName: "Пётр Петрович",
		Country: "RU", SNILS: "11223344696", INN: "770712345633"}
}

// swappedIntent is bad with another subscriber's subject and key: that
// subscriber's TBS as the builder made it, with bad's serial, and its
// key's hash.
func swappedIntent(t *testing.T, s *Signer, bad store.Intent) store.Intent {
	t.Helper()
	req := request(t, "ca", "tc26-256-A", "")
	req.Subject = otherSubject()
	j, _, err := s.prepare(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	out := bad
	out.TBS = replaceOnce(t, j.intent.TBS, j.intent.Serial, bad.Serial)
	out.KeyHash = j.intent.KeyHash
	if bytes.Equal(out.TBS, bad.TBS) || !bytes.Contains(out.TBS, []byte("Петров")) {
		t.Fatal("fixture: the swapped TBS is not another subscriber's")
	}
	return out
}

// keyedStore opens the store at dir with a fixed audit key, as the CA
// opens it with the key from its key store.
func keyedStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	key, err := store.NewAuditKey(bytes.Repeat([]byte{0xa5}, 32))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(dir, store.Options{Logger: quietLog, AuditKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// runStoredTamper writes a good and a to-be-tampered intent with a keyed
// store, closes it (the crash), tampers the stored record, reopens the
// store and the signer, and checks that only the good intent was signed
// and the other failed and audited.
func runStoredTamper(t *testing.T, tm storedTamper) {
	ca, caKey, _ := testCA(t, "tc26-256-A")
	f := newTamperFixture(t, ca, caKey, tamper{edit: func(*testing.T, *store.Intent, store.Intent) {}}, time.Now())
	is0, err := NewIssuer("ca", ca, caKey, qualifiedSettings, nil)
	if err != nil {
		t.Fatal(err)
	}
	s0 := &Signer{issuers: map[string]*Issuer{"ca": is0}, opts: Options{}}
	s0.opts.setDefaults()
	swapped := swappedIntent(t, s0, f.bad)

	dir := t.TempDir()
	st := keyedStore(t, dir)
	f.put(t, st)
	if err := st.Close(); err != nil { // the crash
		t.Fatal(err)
	}
	tm.edit(t, dir, f.bad, swapped)

	st = keyedStore(t, dir)
	defer st.Close()
	key := &countingKey{Key: caKey}
	is, err := NewIssuer("ca", ca, key, qualifiedSettings, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), st, []*Issuer{is}, Options{RecoverInterval: -1, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	f.check(t, st, key, is, tm.want)
	if got := s.Stats().Recovered; got != 1 {
		t.Fatalf("recovered %d, want 1", got)
	}
}

// editPebble opens the closed store's database directly.
func editPebble(t *testing.T, dir string, fn func(db *pebble.DB)) {
	t.Helper()
	db, err := pebble.Open(dir, &pebble.Options{Logger: quietPebble{}})
	if err != nil {
		t.Fatal(err)
	}
	fn(db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

type quietPebble struct{}

func (quietPebble) Infof(string, ...any)  {}
func (quietPebble) Errorf(string, ...any) {}
func (quietPebble) Fatalf(format string, args ...any) {
	panic("pebble: fatal")
}

// storedIntent finds the pending intent record (prefix 0x20) that holds
// tbs.
func storedIntent(t *testing.T, db *pebble.DB, tbs []byte) (key, value []byte) {
	t.Helper()
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: []byte{0x20}, UpperBound: []byte{0x21}})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		if bytes.Contains(it.Value(), tbs) {
			if key != nil {
				t.Fatal("two intents hold the TBS")
			}
			key, value = bytes.Clone(it.Key()), bytes.Clone(it.Value())
		}
	}
	if key == nil {
		t.Fatal("no pending intent holds the TBS")
	}
	return key, value
}

// swapKeyIndex moves the unique key index entry (prefix 0x12) of one key
// hash to another, as a consistent forger would.
func swapKeyIndex(t *testing.T, db *pebble.DB, from, to store.KeyHash) {
	t.Helper()
	oldKey := append([]byte{0x12}, from[:]...)
	v, closer, err := db.Get(oldKey)
	if err != nil {
		t.Fatalf("key index: %v", err)
	}
	serial := bytes.Clone(v)
	closer.Close()
	if err := db.Delete(oldKey, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	set(t, db, append([]byte{0x12}, to[:]...), serial)
}

func set(t *testing.T, db *pebble.DB, k, v []byte) {
	t.Helper()
	if err := db.Set(k, v, pebble.Sync); err != nil {
		t.Fatal(err)
	}
}

// lenPrefixed is b as records store byte strings: uvarint length ‖ b.
func lenPrefixed(b []byte) []byte {
	return append(binary.AppendUvarint(nil, uint64(len(b))), b...)
}
