package store

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

// A keyed store chains every entry with HMAC-SHA256 under its key: the
// stored chain values are exactly HMAC(key, prev ‖ entry), which nobody
// without the key can compute.
func TestAuditKeyedChain(t *testing.T) {
	secret := bytes.Repeat([]byte{0x42}, 32)
	k, _ := NewAuditKey(secret)
	s := openAt(t, t.TempDir(), Options{AuditKey: k})
	added := appendN(t, s, 5)
	var prev [32]byte
	for _, e := range added {
		m := hmac.New(sha256.New, secret)
		m.Write(prev[:])
		m.Write(encodeAudit(&e))
		if !bytes.Equal(m.Sum(nil), e.Hash[:]) {
			t.Fatalf("entry %d: chain value is not HMAC-SHA256 under the key", e.Seq)
		}
		if e.Hash == chainHash(prev, encodeAudit(&e)) {
			t.Fatal("keyed entry carries the unkeyed hash")
		}
		prev = e.Hash
	}
	rep := mustCheck(t, s)
	if !rep.AuditKeyed || rep.AuditKeyedFrom != 1 || rep.AuditEntries != 5 {
		t.Fatalf("report %+v", rep)
	}
	if _, err := NewAuditKey(secret[:31]); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("short key: %v", err)
	}
	if fmt.Sprintf("%v %+v %#v", k, k, k) != "store.AuditKey(HMAC-SHA256) store.AuditKey(HMAC-SHA256) store.AuditKey(HMAC-SHA256)" {
		t.Fatal("formatting the key shows more than its kind")
	}
}

// The acceptance test of the keyed chain: an entry (who issued a
// certificate) is rewritten in Pebble and every later entry re-chained
// by a forger without the key — with the old unkeyed SHA-256, with a
// guessed key, or with the whole chain turned back into version 1
// entries. VerifyAudit and Check find each, without any checkpoint.
func TestAuditRewriteWithoutKeyFound(t *testing.T) {
	for _, tc := range []struct {
		name  string
		chain func(t testing.TB) chainFunc
		asV1  bool
	}{
		{"sha256", func(testing.TB) chainFunc { return sha256Chain }, false},
		{"guessed key", func(t testing.TB) chainFunc { return keyedChain(t, testAuditKey(t, 0x66), 1) }, false},
		{"downgraded to version 1", func(testing.TB) chainFunc { return sha256Chain }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			k := testAuditKey(t, 0x42)
			s := openAt(t, dir, Options{AuditKey: k})
			busy(t, s)
			mustCheck(t, s)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			n := 0
			forge(t, dir, tc.chain(t), tc.asV1, func(a *AuditEntry) bool {
				if a.Action == "issue" && n == 0 {
					n++
					a.Actor = "token:forged/ca_admin"
				}
				return true
			})
			s = openAt(t, dir, Options{AuditKey: k})
			err := s.VerifyAudit(ctx)
			wantErr(t, err, ErrCorrupt)
			if !tc.asV1 && !strings.Contains(err.Error(), "MAC mismatch") {
				t.Errorf("VerifyAudit: %v", err)
			}
			rep, kinds := problemsOf(t, s, nil, nil)
			if kinds["audit"] != 1 {
				t.Fatalf("Check missed the rewrite: %v", rep.Problems)
			}
		})
	}
}

// A store is bound to its key: another key, or none, is refused at open
// (not reported later as thousands of forged entries).
func TestAuditKeyMismatchRefused(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{AuditKey: testAuditKey(t, 1)})
	appendN(t, s, 2)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, k := range []AuditKey{testAuditKey(t, 2), nil} {
		_, err := Open(dir, Options{Logger: quiet(), AuditKey: k})
		wantErr(t, err, ErrAuditKey)
		if strings.Contains(err.Error(), strings.Repeat("\x01", 4)) {
			t.Fatal("error carries key bytes")
		}
	}
	s = openAt(t, dir, Options{AuditKey: testAuditKey(t, 1)})
	mustCheck(t, s)
}

// An unkeyed store (no key given so far) opened with a key is keyed from
// its next entry on: an "audit.keyed" entry chained with the key marks
// the start, and the SHA-256 entries before it still verify.
func TestAuditUnkeyedStoreAdoptsKey(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	busy(t, s)
	head := auditSeq(t, s)
	if rep := mustCheck(t, s); rep.AuditKeyed {
		t.Fatal("unkeyed store reported keyed")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	k := testAuditKey(t, 9)
	s = openAt(t, dir, Options{AuditKey: k})
	// The two pending intents were checksummed without a key: keyed now,
	// they no longer verify, and recovery would fail them.
	rep, err := s.Check(ctx)
	if err != nil || rep.TotalProblems != 2 || rep.Problems[0].Kind != "intent-mac" || rep.Problems[1].Kind != "intent-mac" {
		t.Fatalf("check of unkeyed intents under a key: %v %+v", err, rep)
	}
	if err := s.FailIntents(ctx, [][]byte{serialN(100), serialN(101)}, "recovery: intent MAC does not verify"); err != nil {
		t.Fatal(err)
	}
	rep = mustCheck(t, s)
	// audit.keyed, then the two intent.fail entries
	if !rep.AuditKeyed || rep.AuditKeyedFrom != head+1 || rep.AuditEntries != head+3 {
		t.Fatalf("report %+v (head was %d)", rep, head)
	}
	es, _, _ := s.AuditEntries(ctx, "", MaxLimit)
	if keyed := es[head]; keyed.Action != "audit.keyed" || keyed.Seq != head+1 {
		t.Fatalf("keyed entry %v", keyed)
	}
	appendN(t, s, 3)
	mustCheck(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// From now on the key is required.
	_, err = Open(dir, Options{Logger: quiet()})
	wantErr(t, err, ErrAuditKey)
}

// A schema 5 store, whose entries are all version 1 (SHA-256 chain), is
// migrated to schema 6 on open with the key: the old entries stay and
// verify, the keyed chain starts right after them with "audit.keyed",
// and Check — cross-checks included, on the legacy entries — is clean.
// A schema 4 store goes through 5 on the way.
func TestMigrateAuditKeySchema6(t *testing.T) {
	for _, from := range []byte{4, 5} {
		t.Run(fmt.Sprintf("from %d", from), func(t *testing.T) {
			dir := t.TempDir()
			s := openAt(t, dir, Options{})
			busy(t, s)
			head := auditSeq(t, s)
			asV2(t, s, serialN(100)) // pending intents as schemas 3–6 wrote them: no MAC
			asV2(t, s, serialN(101))
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			forge(t, dir, sha256Chain, true, func(*AuditEntry) bool { return true }) // what schemas 1–5 wrote
			db, err := pebble.Open(dir, &pebble.Options{Logger: pebbleLogger{quiet()}})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Delete(keyAuditKey, pebble.Sync); err != nil {
				t.Fatal(err)
			}
			if err := db.Set(keySchema, []byte{from}, pebble.Sync); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}

			s = openAt(t, dir, Options{AuditKey: testAuditKey(t, 7), AcceptUnMACedIntents: true})
			if v, err := s.get(s.db, keySchema); err != nil || !bytes.Equal(v, []byte{schemaVersion}) {
				t.Fatalf("schema %x, %v", v, err)
			}
			rep := mustCheck(t, s)
			if !rep.AuditKeyed || rep.AuditKeyedFrom != head+1 {
				t.Fatalf("report %+v, head was %d", rep, head)
			}
			es, _, _ := s.AuditEntries(ctx, "", MaxLimit)
			if es[head-1].Serial != nil || es[head].Action != "audit.keyed" {
				t.Fatalf("entries %d, %d: %v / %v", head, head+1, es[head-1], es[head])
			}
			// Changes after the migration are keyed and cross-checked.
			mustSet(t, s, serialN(4), StatusChange{State: Revoked, Reason: 1, At: t0})
			mustCheck(t, s)
		})
	}
}

// A version 1 entry inside the keyed range is corruption even if its
// SHA-256 chain value is right.
func TestAuditV1EntryInKeyedRangeRefused(t *testing.T) {
	c := auditChain{key: testAuditKey(t, 1), rec: auditKeyRec{KeyedFrom: 3}}
	body := encodeAuditV1(&AuditEntry{Seq: 3, Actor: "a", Action: "b"})
	if _, err := c.value(3, [32]byte{}, body); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("value: %v", err)
	}
	if _, err := c.value(2, [32]byte{}, body); err != nil {
		t.Fatalf("before the keyed range: %v", err)
	}
}

// A database that lost its schema version but holds records is not
// "created" afresh (which would start a new keyed chain over old
// entries).
func TestOpenRefusesRecordsWithoutSchema(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	appendN(t, s, 1)
	if err := s.db.Delete(keySchema, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir, Options{Logger: quiet()})
	wantErr(t, err, ErrCorrupt)
}

// Deleting the keyed part of the chain altogether (back to before the
// entry the keyed chain starts at) is refused at open: the next entry
// would otherwise be chained without the key.
func TestOpenRefusesChainEndingBeforeKeyedStart(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	appendN(t, s, 5)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	k := testAuditKey(t, 4)
	s = openAt(t, dir, Options{AuditKey: k}) // keyed from 6 ("audit.keyed")
	appendN(t, s, 2)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	forge(t, dir, nil, false, func(a *AuditEntry) bool { return a.Seq <= 4 })
	_, err := Open(dir, Options{Logger: quiet(), AuditKey: k})
	wantErr(t, err, ErrCorrupt)
	if !strings.Contains(err.Error(), "keyed from entry 6 but ends at entry 4") {
		t.Fatal(err)
	}
}
