//go:build cgo

package ca_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/internal/softhsmtest"
	"github.com/gostca/gostca/store"
)

// With the audit key on a token (a PKCS#11 CKM_SHA256_HMAC key), intents
// are MACed on the token: the MAC verifies after the store is closed and
// reopened with the key opened again by reference, and an intent with a
// changed key hash, or carrying a MAC made with another key, does not.
// The CA on that token issues (its intents MACed there) and starts again.
func TestIntentMACOnToken(t *testing.T) {
	ctx := context.Background()
	tok := softhsmtest.New(t, "gostca-intents")
	cfg := pkcs11Config(t, tok)
	if _, err := cadir.Init(cfg, catest.Quiet()); err != nil {
		t.Fatal(err)
	}
	e, err := ca.Open(ctx, cfg, ca.Options{Logger: catest.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	issueAndCheck(t, e, "intent-mac-1")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e, err = ca.Open(ctx, cfg, ca.Options{Logger: catest.Quiet()})
	if err != nil {
		t.Fatalf("restart with token-MACed intents committed: %v", err)
	}
	issueAndCheck(t, e, "intent-mac-2")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	openWithToken := func(dir string) (*store.Store, func()) {
		t.Helper()
		k, err := cadir.OpenAuditKey(ctx, &cfg, catest.Quiet(), false)
		if err != nil || k.Key == nil {
			t.Fatalf("audit key on the token: %v", err)
		}
		st, err := store.Open(dir, store.Options{Logger: catest.Quiet(), AuditKey: k.Key})
		if err != nil {
			t.Fatal(err)
		}
		return st, func() { st.Close(); k.Close() }
	}
	in := store.Intent{IssuerID: "ca", Serial: []byte{0x42, 0x01}, KeyHash: store.KeyHash{7}, TBS: []byte{0x30, 0x00},
		Profile: "tls-client", CreatedAt: time.Now(), App: &store.AppLink{ID: "app-1", Version: 3, Attempt: 1, Actor: "token:op"}}
	pending := func(st *store.Store) store.Intent {
		t.Helper()
		p, err := st.PendingIntents(ctx)
		if err != nil || len(p) != 1 {
			t.Fatalf("pending %v %v", p, err)
		}
		return p[0]
	}

	dir := t.TempDir()
	st, done := openWithToken(dir)
	if res, err := st.PutIntents(ctx, []store.Intent{in}); err != nil || res[0].Err != nil {
		t.Fatalf("put intent: %v %v", err, res[0].Err)
	}
	done()
	st, done = openWithToken(dir)
	defer done()
	got := pending(st)
	if len(got.MAC) != 32 {
		t.Fatalf("intent MAC %d bytes", len(got.MAC))
	}
	if err := st.VerifyIntent(&got); err != nil {
		t.Fatalf("token MAC after reopening: %v", err)
	}
	swapped := got
	swapped.KeyHash = store.KeyHash{8}
	if err := st.VerifyIntent(&swapped); !errors.Is(err, store.ErrIntentMAC) {
		t.Fatalf("changed key hash: %v, want ErrIntentMAC", err)
	}
	relinked := got
	relinked.App = &store.AppLink{ID: "app-2", Version: 3, Attempt: 1, Actor: "token:op"}
	if err := st.VerifyIntent(&relinked); !errors.Is(err, store.ErrIntentMAC) {
		t.Fatalf("changed application link: %v, want ErrIntentMAC", err)
	}

	// The same intent MACed by a store with a software key of the
	// forger's.
	soft, err := store.NewAuditKey(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	other, err := store.Open(t.TempDir(), store.Options{Logger: catest.Quiet(), AuditKey: soft})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if res, err := other.PutIntents(ctx, []store.Intent{in}); err != nil || res[0].Err != nil {
		t.Fatalf("put intent: %v %v", err, res[0].Err)
	}
	forged := got
	forged.MAC = pending(other).MAC
	if bytes.Equal(forged.MAC, got.MAC) {
		t.Fatal("the soft key and the token key gave the same MAC")
	}
	if err := st.VerifyIntent(&forged); !errors.Is(err, store.ErrIntentMAC) {
		t.Fatalf("MAC of another key: %v, want ErrIntentMAC", err)
	}
}

// BenchmarkPutIntentsTokenKey: the store's intent write of a batch of 64
// (1 KiB TBS, no fsync: the CPU and key share) with the audit key in
// software and on a SoftHSM2 token, where each intent's MAC is one
// C_Sign. ns/intent is per intent.
func BenchmarkPutIntentsTokenKey(b *testing.B) {
	ctx := context.Background()
	tok := softhsmtest.New(b, "gostca-bench")
	cfg := pkcs11Config(b, tok)
	if _, err := cadir.Init(cfg, catest.Quiet()); err != nil {
		b.Fatal(err)
	}
	k, err := cadir.OpenAuditKey(ctx, &cfg, catest.Quiet(), false)
	if err != nil || k.Key == nil {
		b.Fatalf("audit key on the token: %v", err)
	}
	defer k.Close()
	soft, err := store.NewAuditKey(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		b.Fatal(err)
	}
	tbs := bytes.Repeat([]byte{0x30}, 1024)
	for _, bc := range []struct {
		name string
		key  store.AuditKey
	}{{"soft", soft}, {"softhsm", k.Key}} {
		b.Run(bc.name, func(b *testing.B) {
			st, err := store.Open(b.TempDir(), store.Options{Logger: catest.Quiet(), AuditKey: bc.key, NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			n := 0
			b.ResetTimer()
			for range b.N {
				ins := make([]store.Intent, 64)
				for i := range ins {
					n++
					ins[i] = store.Intent{IssuerID: "ca", Serial: []byte{0x40, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)},
						KeyHash: store.KeyHash{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n), 1}, TBS: tbs, Profile: "tls-client"}
				}
				if res, err := st.PutIntents(ctx, ins); err != nil || res[0].Err != nil {
					b.Fatalf("%v %v", err, res[0].Err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*64), "ns/intent")
		})
	}
}
