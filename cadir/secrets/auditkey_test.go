package secrets

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/config"
)

func testConfig(t *testing.T) config.Config {
	cfg := config.DefaultConfig()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Keys.ScryptLogN = 10
	t.Setenv(config.PassphraseEnv, "a cadir test passphrase")
	return cfg
}

// The soft audit key: created once (encrypted, mode 0600, a reference
// that holds no secret), opened again as the same key, never with
// another passphrase, and never replaced: a key file without its
// reference is an error that says what to do, not a new key.
func TestSoftAuditKey(t *testing.T) {
	cfg := testConfig(t)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	none, err := OpenAuditKey(ctx, &cfg, nil, log, false)
	if err != nil || none.Key != nil {
		t.Fatalf("no key and no create: %+v %v", none, err)
	}
	k, err := OpenAuditKey(ctx, &cfg, nil, log, true)
	if err != nil || k.Key == nil || k.Existed {
		t.Fatalf("create: %+v %v", k, err)
	}
	msg := []byte("entry")
	m1, _ := k.Key.MAC(msg)
	keyPath := filepath.Join(cfg.DataDir, "keys", "audit.key")
	if st, err := os.Stat(keyPath); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	raw, _ := os.ReadFile(keyPath)
	ref, _ := os.ReadFile(filepath.Join(cfg.DataDir, AuditKeyRefFile))
	var r auditKeyRefJSON
	if err := json.Unmarshal(ref, &r); err != nil || r.Key.Type != RefSoft || r.Key.File != filepath.Join("keys", "audit.key") {
		t.Fatalf("reference %s: %v", ref, err)
	}
	again, err := OpenAuditKey(ctx, &cfg, nil, log, true)
	if err != nil || !again.Existed {
		t.Fatalf("open again: %+v %v", again, err)
	}
	if m2, _ := again.Key.MAC(msg); !bytes.Equal(m1, m2) {
		t.Fatal("another key after reopening")
	}
	if s := again.Key.(interface{ String() string }).String(); strings.Contains(s, string(raw)) {
		t.Fatal("the key prints its secret")
	}
	t.Setenv(config.PassphraseEnv, "another passphrase here")
	if _, err := OpenAuditKey(ctx, &cfg, nil, log, true); err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("another passphrase: %v", err)
	}
	t.Setenv(config.PassphraseEnv, "a cadir test passphrase")
	if err := os.Remove(filepath.Join(cfg.DataDir, AuditKeyRefFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenAuditKey(ctx, &cfg, nil, log, true); err == nil || !strings.Contains(err.Error(), "move it aside") {
		t.Fatalf("orphan key file: %v", err)
	}
	if now, _ := os.ReadFile(keyPath); !bytes.Equal(now, raw) {
		t.Fatal("the key file was replaced")
	}
}
