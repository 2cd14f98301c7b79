package main

import (
	"context"
	"encoding/binary"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/store"
)

// An upgrade that finds intents a schema 6 process left pending (no
// MAC): every command that opens the store refuses, saying what to do;
// `gostca recover --accept-unmacced` takes them, audits that, and
// recovery re-checks each by the old rules (here it fails: the TBS is
// not a certificate's), after which the store is clean.
func TestRecoverAcceptUnMACed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cli(t, 0, "init", "--data", dir)
	cli(t, 0, "recover", "--data", dir) // nothing pending: the store is made at schema 7

	ctx := context.Background()
	cfg := config.DefaultConfig()
	cfg.DataDir = dir
	ak, err := cadir.OpenAuditKey(ctx, &cfg, slog.New(slog.DiscardHandler), false)
	if err != nil || ak.Key == nil {
		t.Fatalf("audit key: %v", err)
	}
	db := filepath.Join(dir, cadir.DBDir)
	st, err := store.Open(db, ak.StoreOptions(store.Options{Logger: slog.New(slog.DiscardHandler)}))
	if err != nil {
		t.Fatal(err)
	}
	in := store.Intent{RequestID: "legacy-1", IssuerID: "gost256", Serial: []byte{0x41, 0x02, 0x03}, KeyHash: store.KeyHash{9},
		TBS: []byte{0x30, 0x03, 0x02, 0x01, 0x01}, Profile: "qualified-person", CreatedAt: time.Unix(1700000000, 0)}
	if res, err := st.PutIntents(ctx, []store.Intent{in}); err != nil || res[0].Err != nil {
		t.Fatalf("intent: %v %v", err, res[0].Err)
	}
	st.Close()
	ak.Close()
	// What schema 6 wrote: record version 2, no link, no MAC.
	rec := []byte{2, 1}
	str := func(p []byte) { rec = append(binary.AppendUvarint(rec, uint64(len(p))), p...) }
	str(in.Serial)
	for _, s := range []string{in.IssuerID, in.RequestID, in.Profile, in.Centre} {
		str([]byte(s))
	}
	rec = append(rec, in.KeyHash[:]...)
	rec = binary.AppendVarint(rec, in.CreatedAt.Unix())
	rec = binary.AppendUvarint(rec, 0)
	str(in.TBS)
	pdb, err := pebble.Open(db, &pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string][]byte{"\x20\x03\x41\x02\x03": rec, "\x01schema": {6}} {
		if err := pdb.Set([]byte(k), v, pebble.Sync); err != nil {
			t.Fatal(err)
		}
	}
	if err := pdb.Close(); err != nil {
		t.Fatal(err)
	}

	for _, cmd := range [][]string{{"recover", "--data", dir}, {"fsck", "--data", dir}} {
		if out := cli(t, 1, cmd...); !strings.Contains(out, "1 pending intents were written before schema 7") ||
			!strings.Contains(out, "gostca recover --accept-unmacced") {
			t.Fatalf("gostca %s with an un-MACed intent:\n%s", cmd[0], out)
		}
	}
	cli(t, 0, "recover", "--data", dir, "--accept-unmacced")
	list := cli(t, 0, "audit", "list", "--data", dir)
	if !strings.Contains(list, "action=intent.accept-unmacced") || !strings.Contains(list, "410203") ||
		!strings.Contains(list, "action=intent.fail") || !strings.Contains(list, "stored TBS refused") {
		t.Fatalf("audit after --accept-unmacced:\n%s", list)
	}
	if out := cli(t, 0, "fsck", "--data", dir); !strings.Contains(out, "pending intents 0, failed intents 1") {
		t.Fatalf("fsck:\n%s", out)
	}
}
