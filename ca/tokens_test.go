package ca_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca/offline"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/store"
)

// TestOpenMigratesTokenFile: a data directory of an earlier version, with
// its tokens in tokens.json, opens with the tokens in the store: the old
// token authenticates, the file is renamed aside, and a restart changes
// nothing. Token list (CLI) sees them too.
func TestOpenMigratesTokenFile(t *testing.T) {
	cfg := catest.Config(t)
	if _, err := cadir.Init(cfg, catest.Quiet()); err != nil {
		t.Fatal(err)
	}
	const tok = "gca_0123456789abcdef_abcdefghijklmnopqrstuvwxyz0123456789ABCD"
	sum := sha256.Sum256([]byte(tok))
	file := `{"version":1,"tokens":[{"id":"0123456789abcdef","role":"ca_operator","name":"desk","created":"2026-01-02T03:04:05Z","sha256":"` +
		hex.EncodeToString(sum[:]) + `"}]}`
	path := filepath.Join(cfg.DataDir, auth.TokensFile)
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 2 {
		e := catest.Open(t, cfg)
		if p := e.Tokens().Authenticate(ctx, tok); p == nil || p.Role != auth.RoleCAOperator || p.Name != "desk" {
			t.Fatalf("old token after open: %+v", p)
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("tokens.json: %v", err)
		}
		if _, err := os.Stat(path + auth.MigratedSuffix); err != nil {
			t.Fatal(err)
		}
		entries, _, err := e.AuditEntries(ctx, "", 100)
		if err != nil || len(entries) != 1 || entries[0].Action != "token.migrate" {
			t.Fatalf("audit %+v %v", entries, err)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}
	list, err := offline.ListTokens(ctx, cfg, catestStoreOptions())
	if err != nil || len(list) != 1 || list[0].ID != "0123456789abcdef" {
		t.Fatalf("list %+v %v", list, err)
	}
}

func catestStoreOptions() store.Options { return store.Options{Logger: catest.Quiet()} }
