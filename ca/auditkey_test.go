package ca_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/checkpoint"
	"github.com/gostca/gostca/ca/offline"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/cadir/secrets"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/internal/softhsmtest"
	"github.com/gostca/gostca/store"
)

func logTo(buf *bytes.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(buf, nil)) }

func openCA(t *testing.T, cfg config.Config, log *slog.Logger) (*ca.CA, error) {
	t.Helper()
	return ca.Open(context.Background(), cfg, ca.Options{Logger: log})
}

func fsck(t *testing.T, cfg config.Config, cp *store.Checkpoint) *store.CheckReport {
	t.Helper()
	rep, err := offline.Fsck(context.Background(), cfg, store.Options{Logger: catest.Quiet()}, offline.FsckOptions{Checkpoint: cp})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// A data directory of an earlier version (no audit key, an unkeyed
// chain with entries) gets its key on the first start, with a log line,
// and its chain is keyed from the next entry; from then on the key is
// required: the old unkeyed database put back in place is refused, not
// keyed again. A key created for a start whose store cannot be opened is
// removed again.
func TestAuditKeyUpgradeAndRequire(t *testing.T) {
	cfg := catest.Config(t)
	if _, err := cadir.Init(cfg, catest.Quiet()); err != nil {
		t.Fatal(err)
	}
	ref := filepath.Join(cfg.DataDir, secrets.AuditKeyRefFile)
	keyFile := filepath.Join(cfg.DataDir, "keys", "audit.key")
	// Make it an earlier version's directory: no key, an unkeyed chain.
	for _, f := range []string{ref, keyFile} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(cfg.DataDir, cadir.DBDir)
	st, err := store.Open(db, store.Options{Logger: catest.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AppendAudit(context.Background(), store.AuditEntry{Actor: "old", Action: "crl"}); err != nil {
		t.Fatal(err)
	}
	// While the store is held by another process, a start fails and
	// leaves no key behind.
	if _, err := openCA(t, cfg, catest.Quiet()); err == nil {
		t.Fatal("opened a store held by another process")
	}
	if _, err := os.Stat(ref); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed start left the audit key reference: %v", err)
	}
	st.Close()
	old := filepath.Join(t.TempDir(), "db-unkeyed")
	if err := os.CopyFS(old, os.DirFS(db)); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	e, err := openCA(t, cfg, logTo(&logs))
	if err != nil {
		t.Fatal(err)
	}
	catest.Issue(t, e)
	e.Close()
	if !strings.Contains(logs.String(), "audit key created") {
		t.Fatalf("no log line for the new key:\n%s", logs.String())
	}
	rep := fsck(t, cfg, nil)
	if !rep.OK() || !rep.AuditKeyed || rep.AuditKeyedFrom != 2 || rep.AuditEntries != 3 {
		t.Fatalf("after the upgrade: %+v", rep)
	}
	// The unkeyed database put back: refused (the key existed).
	if err := os.RemoveAll(db); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(db, os.DirFS(old)); err != nil {
		t.Fatal(err)
	}
	_, err = openCA(t, cfg, catest.Quiet())
	if !errors.Is(err, store.ErrAuditKey) || !strings.Contains(err.Error(), "checkpoint") {
		t.Fatalf("downgraded store: %v", err)
	}
}

// The scheduled export appends signed checkpoints to the configured
// file; fsck verifies the store against the newest, and a checkpoint
// from another CA's key is refused.
func TestScheduledCheckpoints(t *testing.T) {
	cfg := catest.Config(t)
	cfg.Audit.CheckpointInterval = time.Second
	cfg.Audit.CheckpointFile = filepath.Join(t.TempDir(), "audit.jsonl")
	e := catest.Open(t, cfg)
	catest.Issue(t, e)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if data, _ := os.ReadFile(cfg.Audit.CheckpointFile); bytes.Count(data, []byte("\n")) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint written")
		}
		time.Sleep(50 * time.Millisecond)
	}
	catest.Issue(t, e)
	for {
		if data, _ := os.ReadFile(cfg.Audit.CheckpointFile); bytes.Count(data, []byte("\n")) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no second checkpoint written")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// One more change, then Close: the last checkpoint is taken on the
	// way down.
	catest.Issue(t, e)
	e.Close()
	cp, err := checkpoint.Read(cfg.Audit.CheckpointFile)
	if err != nil || cp.Seq != 3 || cp.Signer != "gost256" {
		t.Fatalf("newest checkpoint %+v %v", cp, err)
	}
	if rep := fsck(t, cfg, cp); !rep.OK() || rep.CheckpointSeq != 3 {
		t.Fatalf("fsck: %+v", rep)
	}
	// The same checkpoint checked with another CA's certificate fails.
	other := catest.Config(t)
	if _, err := cadir.Init(other, catest.Quiet()); err != nil {
		t.Fatal(err)
	}
	verify, err := checkpoint.Verifier(other.DataDir, cp.Signer)
	if err != nil {
		t.Fatal(err)
	}
	if err := cp.Verify(verify); err == nil {
		t.Fatal("a checkpoint verified with another CA's key")
	}
}

// On a PKCS#11 CA the audit key is an HMAC key on the token: serve and
// the offline fsck (which opens the token for the key alone) chain with
// it; the data directory holds only its reference.
func TestAuditKeyOnToken(t *testing.T) {
	tok := softhsmtest.New(t, "gostca-audit")
	cfg := pkcs11Config(t, tok)
	if _, err := cadir.Init(cfg, catest.Quiet()); err != nil {
		t.Fatal(err)
	}
	ref, err := os.ReadFile(filepath.Join(cfg.DataDir, secrets.AuditKeyRefFile))
	if err != nil || !strings.Contains(string(ref), `"type": "pkcs11"`) || !strings.Contains(string(ref), "gostca-audit-") {
		t.Fatalf("reference %s %v", ref, err)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "keys", "audit.key")); err == nil {
		t.Fatal("a soft audit key next to a token CA")
	}
	e, err := openCA(t, cfg, catest.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	issueAndCheck(t, e, "svc.example.ru")
	cp, err := e.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	if rep := fsck(t, cfg, cp); !rep.OK() || !rep.AuditKeyed || rep.AuditEntries != 1 {
		t.Fatalf("fsck: %+v", rep)
	}
	// Without the token's key the store refuses to open.
	_, err = offline.Fsck(context.Background(), cfg, store.Options{Logger: catest.Quiet(), AuditKey: wrongKey(t)}, offline.FsckOptions{})
	if !errors.Is(err, store.ErrAuditKey) {
		t.Fatalf("another key: %v", err)
	}
}

func wrongKey(t *testing.T) store.AuditKey {
	k, err := store.NewAuditKey(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// With a long interval, the checkpoint taken when the CA closes is the
// one that covers the last changes.
func TestCheckpointOnClose(t *testing.T) {
	cfg := catest.Config(t)
	cfg.Audit.CheckpointInterval = time.Hour
	cfg.Audit.CheckpointFile = filepath.Join(t.TempDir(), "audit.jsonl")
	e := catest.Open(t, cfg)
	catest.Issue(t, e)
	catest.Issue(t, e)
	if _, err := os.Stat(cfg.Audit.CheckpointFile); err == nil {
		t.Fatal("a checkpoint before the interval")
	}
	e.Close()
	cp, err := checkpoint.Read(cfg.Audit.CheckpointFile)
	if err != nil || cp.Seq != 2 {
		t.Fatalf("checkpoint on close: %+v %v", cp, err)
	}
	if rep := fsck(t, cfg, cp); !rep.OK() {
		t.Fatalf("fsck: %+v", rep.Problems)
	}
}
