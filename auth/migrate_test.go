package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/store"
)

// oldTokenFile writes a tokens.json as versions before the store did,
// for the given tokens, and returns its path.
func oldTokenFile(t *testing.T, dir string, mode os.FileMode, toks map[string]TokenInfo) string {
	t.Helper()
	f := tokenFile{Version: 1}
	for tok, ti := range toks {
		sum := sha256.Sum256([]byte(tok))
		ti.SHA256 = hex.EncodeToString(sum[:])
		f.Tokens = append(f.Tokens, ti)
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, TokensFile)
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	oldAdmin  = "gca_00112233445566ff_0123456789abcdefghijklmnopqrstuvwxyzABCDEF"
	oldCentre = "gca_a0a1a2a3a4a5a6a7_ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlk"
)

// TestTokenFileMigration: an earlier version's tokens.json moves into the
// store on the first open: its tokens keep working, the file is renamed
// aside, one audit entry records the move; a second open does nothing;
// a file that reappears (a crash before the rename) adds nothing.
func TestTokenFileMigration(t *testing.T) {
	dir := t.TempDir()
	created := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	path := oldTokenFile(t, dir, 0o600, map[string]TokenInfo{
		oldAdmin:  {ID: "00112233445566ff", Role: RoleCAAdmin, Name: "bootstrap", Created: created},
		oldCentre: {ID: "a0a1a2a3a4a5a6a7", Role: RoleServiceCentre, Scope: "centre-1", Created: created},
	})
	st := openStore(t, dir)
	ts, err := OpenTokens(ctx, st, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := ts.Authenticate(ctx, oldAdmin); p == nil || p.Role != RoleCAAdmin || p.TokenID != "00112233445566ff" {
		t.Fatalf("old admin token: %+v", p)
	}
	if p := ts.Authenticate(ctx, oldCentre); p == nil || p.Role != RoleServiceCentre || p.Scope != "centre-1" {
		t.Fatalf("old centre token: %+v", p)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("tokens.json still there: %v", err)
	}
	moved, err := os.ReadFile(path + MigratedSuffix)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := ts.List(ctx)
	if len(list) != 2 || !list[0].Created.Equal(created) {
		t.Fatalf("list %+v", list)
	}
	entries, _, _ := st.AuditEntries(ctx, "", 100)
	if len(entries) != 1 || entries[0].Action != "token.migrate" || len(entries[0].Attrs) != 1 || entries[0].Attrs[0] != (store.AuditAttr{Key: "tokens", Value: "2"}) {
		t.Fatalf("audit %+v", entries)
	}

	// Second start: nothing to do.
	if _, err := OpenTokens(ctx, st, dir, nil); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(path + MigratedSuffix); string(again) != string(moved) {
		t.Fatal("the renamed file changed")
	}
	// The file again, as after a crash between import and rename: nothing
	// new, renamed again.
	if err := os.WriteFile(path, moved, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenTokens(ctx, st, dir, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("tokens.json back and not renamed: %v", err)
	}
	if entries, _, _ := st.AuditEntries(ctx, "", 100); len(entries) != 1 {
		t.Fatalf("%d audit entries after the repeats", len(entries))
	}
	if p := ts.Authenticate(ctx, oldAdmin); p == nil {
		t.Fatal("old token stopped working")
	}
}

// TestTokenFileMigrationRefusals: a file open to others, a damaged file
// and a token that clashes with the store are refused; nothing is
// written and the file stays where it is.
func TestTokenFileMigrationRefusals(t *testing.T) {
	for _, c := range []struct {
		name  string
		write func(t *testing.T, dir string) string
		want  string
	}{
		{"mode", func(t *testing.T, dir string) string {
			return oldTokenFile(t, dir, 0o644, map[string]TokenInfo{oldAdmin: {ID: "00112233445566ff", Role: RoleCAAdmin}})
		}, "chmod 600"},
		{"damaged", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, TokensFile)
			os.WriteFile(p, []byte(`{"version":1,"tokens":[{"id":"zz"}]}`), 0o600)
			return p
		}, `bad record "zz"`},
		{"unknown role", func(t *testing.T, dir string) string {
			return oldTokenFile(t, dir, 0o600, map[string]TokenInfo{oldAdmin: {ID: "00112233445566ff", Role: "root"}})
		}, "unknown role"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := c.write(t, dir)
			st := openStore(t, dir)
			if _, err := OpenTokens(ctx, st, dir, nil); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if list, _ := st.TokenList(ctx); len(list) != 0 {
				t.Fatalf("%d tokens stored", len(list))
			}
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("file moved: %v", err)
			}
		})
	}
	// A clash: the store has the id with another hash.
	dir := t.TempDir()
	st := openStore(t, dir)
	ts := NewTokens(st)
	_, ti, err := ts.Create(ctx, "admin", RoleCAAdmin, "", "")
	if err != nil {
		t.Fatal(err)
	}
	path := oldTokenFile(t, dir, 0o600, map[string]TokenInfo{oldAdmin: {ID: ti.ID, Role: RoleCAAdmin}})
	seq, _, _ := st.AuditHead(ctx)
	if _, err := OpenTokens(ctx, st, dir, nil); err == nil || !strings.Contains(err.Error(), "another hash") {
		t.Fatalf("clash: %v", err)
	}
	if seq2, _, _ := st.AuditHead(ctx); seq2 != seq {
		t.Fatal("a refused migration wrote an audit entry")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("file moved: %v", err)
	}
}
