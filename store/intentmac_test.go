package store

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

func linkedIntent(n int) Intent {
	in := intentN(n, "ra:app-1:1")
	in.Centre = "c1"
	in.App = &AppLink{ID: "app-1", Version: 4, Attempt: 1, Actor: "token:op"}
	return in
}

func onlyPending(t *testing.T, s *Store) Intent {
	t.Helper()
	p, err := s.PendingIntents(ctx)
	if err != nil || len(p) != 1 {
		t.Fatalf("pending %+v %v", p, err)
	}
	return p[0]
}

// The MAC covers every field of the intent, the application link and
// the legacy flag included; without a MAC nothing verifies.
func TestIntentMACCoversContent(t *testing.T) {
	s := openAt(t, t.TempDir(), Options{AuditKey: testAuditKey(t, 1)})
	want := linkedIntent(1)
	mustPut(t, s, want)
	got := onlyPending(t, s)
	if len(got.MAC) != intentMACLen || !got.App.Equal(want.App) || got.Legacy {
		t.Fatalf("stored intent %+v", got)
	}
	if err := s.VerifyIntent(&got); err != nil {
		t.Fatal(err)
	}
	edits := map[string]func(in *Intent){
		"serial":      func(in *Intent) { in.Serial = serialN(2) },
		"issuer":      func(in *Intent) { in.IssuerID = "ca2" },
		"request id":  func(in *Intent) { in.RequestID = "ra:app-1:2" },
		"profile":     func(in *Intent) { in.Profile = "other" },
		"centre":      func(in *Intent) { in.Centre = "c2" },
		"key hash":    func(in *Intent) { in.KeyHash = keyN(2) },
		"created":     func(in *Intent) { in.CreatedAt = in.CreatedAt.Add(1) },
		"TBS":         func(in *Intent) { in.TBS = []byte("tbs 2") },
		"app id":      func(in *Intent) { in.App = &AppLink{ID: "app-2", Version: 4, Attempt: 1, Actor: "token:op"} },
		"app version": func(in *Intent) { in.App = &AppLink{ID: "app-1", Version: 5, Attempt: 1, Actor: "token:op"} },
		"app attempt": func(in *Intent) { in.App = &AppLink{ID: "app-1", Version: 4, Attempt: 2, Actor: "token:op"} },
		"app actor":   func(in *Intent) { in.App = &AppLink{ID: "app-1", Version: 4, Attempt: 1, Actor: "token:x"} },
		"no app":      func(in *Intent) { in.App = nil },
		"legacy":      func(in *Intent) { in.Legacy = true },
		"MAC bit":     func(in *Intent) { in.MAC = bytes.Clone(in.MAC); in.MAC[31] ^= 1 },
	}
	for name, edit := range edits {
		in := got
		edit(&in)
		if err := s.VerifyIntent(&in); !errors.Is(err, ErrIntentMAC) {
			t.Errorf("%s changed: %v, want ErrIntentMAC", name, err)
		}
	}
	in := got
	in.MAC = nil
	if err := s.VerifyIntent(&in); !errors.Is(err, ErrIntentNoMAC) {
		t.Fatalf("no MAC: %v", err)
	}
	// A caller cannot choose the MAC or the legacy flag.
	forged := linkedIntent(3)
	forged.RequestID = "ra:app-1:3"
	forged.KeyHash, forged.Legacy, forged.MAC = keyN(3), true, bytes.Repeat([]byte{1}, 32)
	mustPut(t, s, forged)
	p, _ := s.PendingIntents(ctx)
	for _, in := range p {
		if in.Legacy || bytes.Equal(in.MAC, forged.MAC) {
			t.Fatalf("caller's MAC or legacy flag stored: %+v", in)
		}
		if err := s.VerifyIntent(&in); err != nil {
			t.Fatal(err)
		}
	}
	// Failing keeps the record readable (version 3, MAC and all) and the
	// store consistent.
	if err := s.FailIntents(ctx, [][]byte{serialN(3)}, "test"); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, s)
}

// asV2 rewrites the pending intent of serial as schema 6 wrote it:
// record version 2, no link, no MAC.
func asV2(t *testing.T, s *Store, serial []byte) {
	t.Helper()
	v, err := s.get(s.db, intentKey(serial))
	if err != nil {
		t.Fatal(err)
	}
	r, err := decodeIntent(v)
	if err != nil {
		t.Fatal(err)
	}
	r.failed = false
	if err := s.db.Set(intentKey(serial), encodeIntentV2(r), pebble.Sync); err != nil {
		t.Fatal(err)
	}
}

// A pending record without a MAC in a schema 7 store (a downgrade of a
// MACed one) reads, but never verifies.
func TestIntentDowngradeRefused(t *testing.T) {
	s := openAt(t, t.TempDir(), Options{AuditKey: testAuditKey(t, 1)})
	mustPut(t, s, intentN(1, "r1"))
	asV2(t, s, serialN(1))
	in := onlyPending(t, s)
	if in.MAC != nil {
		t.Fatal("version 2 record with a MAC")
	}
	if err := s.VerifyIntent(&in); !errors.Is(err, ErrIntentNoMAC) {
		t.Fatalf("downgraded intent: %v, want ErrIntentNoMAC", err)
	}
	rep, err := s.Check(ctx)
	if err != nil || rep.OK() || len(rep.Problems) != 1 || rep.Problems[0].Kind != "intent-mac" {
		t.Fatalf("fsck of a downgraded intent: %v %+v", err, rep)
	}
}

// The 6 → 7 step: pending intents of schema 6 (no MAC) stop the store
// from opening, unchanged, unless the operator accepts them; accepted,
// they are MACed as Legacy with one audit entry naming them.
func TestMigrateIntentMACs(t *testing.T) {
	dir := t.TempDir()
	key := testAuditKey(t, 1)
	s := openAt(t, dir, Options{AuditKey: key})
	mustPut(t, s, intentN(1, "r1"), intentN(2, ""))
	mustPut(t, s, intentN(3, "r3"))
	if err := s.FailIntents(ctx, [][]byte{serialN(3)}, "test"); err != nil {
		t.Fatal(err)
	}
	asV2(t, s, serialN(1))
	asV2(t, s, serialN(2))
	if err := s.db.Set(keySchema, []byte{6}, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	seq := s.auditSeq
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	if s2, err := Open(dir, Options{Logger: quiet(), AuditKey: key}); !errors.Is(err, ErrUnMACedIntents) {
		if s2 != nil {
			_ = s2.Close()
		}
		t.Fatalf("open: %v, want ErrUnMACedIntents", err)
	} else if !strings.Contains(err.Error(), "--accept-unmacced") || !strings.Contains(err.Error(), "2 pending intents") {
		t.Fatalf("the error does not say what to do: %v", err)
	}
	db, err := pebble.Open(dir, &pebble.Options{Logger: pebbleLogger{quiet()}})
	if err != nil {
		t.Fatal(err)
	}
	v, closer, err := db.Get(keySchema)
	if err != nil || !bytes.Equal(v, []byte{6}) {
		t.Fatalf("schema after the refusal %x %v", v, err)
	}
	closer.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s = openAt(t, dir, Options{AuditKey: key, AcceptUnMACedIntents: true})
	p, err := s.PendingIntents(ctx)
	if err != nil || len(p) != 2 {
		t.Fatalf("pending %+v %v", p, err)
	}
	for _, in := range p {
		if !in.Legacy {
			t.Fatalf("accepted intent %x not marked legacy", in.Serial)
		}
		if err := s.VerifyIntent(&in); err != nil {
			t.Fatal(err)
		}
		in.Legacy = false
		if err := s.VerifyIntent(&in); !errors.Is(err, ErrIntentMAC) {
			t.Fatalf("legacy flag dropped: %v", err)
		}
	}
	entries, _, err := s.AuditEntries(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var accepted []AuditEntry
	for _, e := range entries {
		if e.Action == "intent.accept-unmacced" {
			accepted = append(accepted, e)
		}
	}
	if len(accepted) != 1 || accepted[0].Seq != seq+1 || !strings.Contains(accepted[0].Details, "2 pending intents") {
		t.Fatalf("acceptance entries %+v", accepted)
	}
	if v, _ := s.get(s.db, keySchema); !bytes.Equal(v, []byte{schemaVersion}) {
		t.Fatalf("schema %x", v)
	}
	mustCheck(t, s)
	// An accepted intent commits as any other.
	if err := s.CommitIssued(ctx, []Issued{issuedFor(p[0], alice)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{AuditKey: key})
	mustCheck(t, s)
}

// BenchmarkIntentMAC: the MAC PutIntents adds per intent (1 KiB TBS,
// software audit key).
func BenchmarkIntentMAC(b *testing.B) {
	s := openAt(b, b.TempDir(), Options{NoSync: true, AuditKey: testAuditKey(b, 1)})
	in := linkedIntent(1)
	in.TBS = bytes.Repeat([]byte{0x30}, 1024)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.intentMAC(&in); err != nil {
			b.Fatal(err)
		}
	}
}
