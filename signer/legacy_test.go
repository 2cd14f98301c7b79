package signer

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/gostca/gostca/store"
)

// schema6Intent is in as schema 6 stored a pending intent: record
// version 2 (state, serial, issuer, request id, profile, centre, key
// hash, created, TBS), no application link, no MAC.
func schema6Intent(in store.Intent) []byte {
	b := []byte{2, 1}
	str := func(p []byte) { b = append(binary.AppendUvarint(b, uint64(len(p))), p...) }
	str(in.Serial)
	for _, s := range []string{in.IssuerID, in.RequestID, in.Profile, in.Centre} {
		str([]byte(s))
	}
	b = append(b, in.KeyHash[:]...)
	b = binary.AppendVarint(b, in.CreatedAt.Unix())
	b = binary.AppendUvarint(b, uint64(in.CreatedAt.Nanosecond()))
	str(in.TBS)
	return b
}

// An upgrade with intents a schema 6 process left pending: the store
// does not open until the operator accepts them; accepted, recovery
// re-checks them by the old rules (the TBS against the intent, the
// lints) and signs the one that passes, says so in its "issue" entry,
// and fails the one that does not.
func TestRecoveryOfSchema6Intents(t *testing.T) {
	ca, caKey, _ := testCA(t, "tc26-256-A")
	f := newTamperFixture(t, ca, caKey, tampers[1], time.Now()) // bad: another serial in its TBS
	dir := t.TempDir()
	st := keyedStore(t, dir)
	f.put(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	editPebble(t, dir, func(db *pebble.DB) {
		for _, in := range []store.Intent{f.good, f.bad} {
			k, _ := storedIntent(t, db, in.TBS)
			set(t, db, k, schema6Intent(in))
		}
		set(t, db, []byte("\x01schema"), []byte{6})
	})

	key, err := store.NewAuditKey(bytes.Repeat([]byte{0xa5}, 32))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(dir, store.Options{Logger: quietLog, AuditKey: key}); !errors.Is(err, store.ErrUnMACedIntents) {
		t.Fatalf("open with schema 6 intents pending: %v, want ErrUnMACedIntents", err)
	}
	st, err = store.Open(dir, store.Options{Logger: quietLog, AuditKey: key, AcceptUnMACedIntents: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	counting := &countingKey{Key: caKey}
	is, err := NewIssuer("ca", ca, counting, qualifiedSettings, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), st, []*Issuer{is}, Options{RecoverInterval: -1, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	f.check(t, st, counting, is, tampers[1].want)
	var accepted, legacyIssue int
	for _, e := range auditOf(t, st) {
		switch {
		case e.Action == "intent.accept-unmacced" && strings.Contains(e.Details, "2 pending intents"):
			accepted++
		case e.Action == "issue" && bytes.Equal(e.Serial, f.good.Serial) && strings.Contains(e.Details, "accepted without a MAC"):
			legacyIssue++
		}
	}
	if accepted != 1 || legacyIssue != 1 {
		t.Fatalf("acceptance entries %d, legacy issue entries %d; want 1 and 1", accepted, legacyIssue)
	}
}
