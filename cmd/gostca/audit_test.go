package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/gostca/gostca/ca/checkpoint"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/cadir/secrets"
	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
	"github.com/gostca/gostca/cmd/gostca/internal/command"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/store"
)

// auditPrefix is the store's key prefix of audit entries (store/doc.go:
// 0x50 ‖ seq(8) → entry ‖ chain value(32)).
const auditPrefix = 0x50

// attacker edits the audit chain of a stopped CA directly in Pebble, as
// someone with write access to the database (and, for reMAC, the audit
// key) would.
type attacker struct {
	t   *testing.T
	dir string
}

func (a attacker) db() *pebble.DB {
	db, err := pebble.Open(filepath.Join(a.dir, cadir.DBDir), &pebble.Options{Logger: quietPebble{}})
	if err != nil {
		a.t.Fatal(err)
	}
	return db
}

type quietPebble struct{}

func (quietPebble) Infof(string, ...any)  {}
func (quietPebble) Errorf(string, ...any) {}
func (quietPebble) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}

func auditKeyOf(seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{auditPrefix}, seq)
}

// truncate deletes the entries from seq on.
func (a attacker) truncate(from uint64) {
	db := a.db()
	defer db.Close()
	if err := db.DeleteRange(auditKeyOf(from), []byte{auditPrefix + 1}, pebble.Sync); err != nil {
		a.t.Fatal(err)
	}
}

// rewrite replaces old by new (same length) in the encoding of entry
// seq and, with key, recomputes the chain values of it and every later
// entry (C_i = HMAC(key, C_{i-1} ‖ E_i)), so that the chain verifies by
// itself.
func (a attacker) rewrite(seq uint64, old, new string, key store.AuditKey) {
	a.t.Helper()
	if len(old) != len(new) {
		a.t.Fatal("same length only")
	}
	db := a.db()
	defer db.Close()
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: []byte{auditPrefix}, UpperBound: []byte{auditPrefix + 1}})
	if err != nil {
		a.t.Fatal(err)
	}
	b := db.NewBatch()
	prev := make([]byte, 32) // C_0
	for it.First(); it.Valid(); it.Next() {
		s := binary.BigEndian.Uint64(it.Key()[1:])
		v := bytes.Clone(it.Value())
		body, chain := v[:len(v)-32], v[len(v)-32:]
		if s < seq {
			prev = chain
			continue
		}
		if s == seq {
			if !bytes.Contains(body, []byte(old)) {
				a.t.Fatalf("entry %d does not hold %q", seq, old)
			}
			body = bytes.Replace(body, []byte(old), []byte(new), 1)
		}
		if key != nil {
			mac, err := key.MAC(append(bytes.Clone(prev), body...))
			if err != nil {
				a.t.Fatal(err)
			}
			chain = mac
		}
		prev = chain
		if err := b.Set(bytes.Clone(it.Key()), append(bytes.Clone(body), chain...), nil); err != nil {
			a.t.Fatal(err)
		}
		if key == nil {
			break
		}
	}
	it.Close()
	if err := b.Commit(pebble.Sync); err != nil {
		a.t.Fatal(err)
	}
}

// copyDir copies a stopped CA's data directory (no secret files in it:
// the passphrase comes from the environment).
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "data")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	// CopyFS makes directories 0755; keep the modes (the documents
	// directory must stay 0700).
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		return os.Chmod(filepath.Join(dst, rel), fi.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// The audit log end to end on a real data directory: the chain is keyed
// with the CA's audit key (a soft secret file next to the CA keys, never
// in the database); `gostca audit checkpoint` signs its head with the
// issuing CA key; and `gostca fsck --checkpoint` finds, directly in
// Pebble, (1) the newest entries deleted, (2) an entry rewritten and the
// rest re-MACed by someone holding the key — both of which the chain
// alone cannot show — (3) a byte changed without the key, and (4) a
// status-change entry that no longer matches its certificate (the
// cross-check). `gostca audit list` prints the structured entries
// escaped.
func TestAuditCheckpointFsckEndToEnd(t *testing.T) {
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	t.Setenv("GOSTCA_KEY_PASSPHRASE", "an audit test passphrase")
	t.Setenv(apiclient.EnvURL, "")
	t.Setenv(apiclient.EnvToken, "")
	t.Setenv(apiclient.EnvTokenFile, "")
	work := t.TempDir()
	dir := filepath.Join(work, "data")
	cli(t, 0, "init", "--data", dir)
	for _, f := range []string{secrets.AuditKeyRefFile, "keys/audit.key"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("init made no audit key: %v", err)
		}
	}
	csr, subj := issueFiles(t, work)
	out := cli(t, 0, "issue", "--data", dir, "--csr", csr, "--subject", subj)
	serial := regexp.MustCompile(`issued serial ([0-9A-Fa-f]+)`).FindStringSubmatch(out)
	if serial == nil {
		t.Fatalf("issue: %s", out)
	}
	comment := "lost laptop\x1b[2J role=ca_admin"
	cli(t, 0, "revoke", serial[1], "--data", dir, "--reason", "keyCompromise", "--comment", comment)
	cli(t, 0, "token", "create", "--data", dir, "--role", "auditor", "--name", "audit desk")
	cli(t, 0, "token", "create", "--data", dir, "--role", "auditor", "--name", "night shift")

	cpFile := filepath.Join(work, "checkpoints.jsonl")
	cli(t, 0, "audit", "checkpoint", "--data", dir, "--out", cpFile)
	cp, err := checkpoint.Read(cpFile)
	if err != nil || cp.Seq != 4 || cp.Signer != "gost256" {
		t.Fatalf("checkpoint %+v %v", cp, err)
	}
	// The store is keyed with the CA's audit key (the key's fingerprint).
	out = cli(t, 0, "fsck", "--data", dir, "--checkpoint", cpFile)
	for _, want := range []string{"audit chain: 4 entries, keyed (HMAC-SHA256) from entry 1",
		"audit cross-check (every certificate has its issuance entry", "1 certificates, 0 failed intents: ok",
		"audit checkpoint: entry 4: ok", "\nok\n"} {
		if !strings.Contains(out, want) {
			t.Fatalf("clean fsck lacks %q:\n%s", want, out)
		}
	}
	list := cli(t, 0, "audit", "list", "--data", dir)
	if strings.ContainsRune(list, 0x1b) || !strings.Contains(list, `comment="lost laptop\x1b[2J role=ca_admin"`) ||
		!strings.Contains(list, `reason="keyCompromise"`) || !strings.Contains(list, `attr.role="auditor" attr.name="night shift"`) {
		t.Fatalf("audit list:\n%s", list)
	}

	cfg := config.DefaultConfig()
	cfg.DataDir = dir
	ak, err := cadir.OpenAuditKey(context.Background(), &cfg, slog.New(slog.DiscardHandler), false)
	if err != nil || ak.Key == nil || !ak.Existed {
		t.Fatalf("audit key: %+v %v", ak, err)
	}
	user := strings.TrimPrefix(command.Actor(), "cli:")
	fake := strings.Repeat("x", len(user))
	if fake == user {
		fake = strings.Repeat("y", len(user))
	}
	for _, c := range []struct {
		name    string
		attack  func(a attacker)
		alone   string // what fsck says without the checkpoint ("" = ok)
		withCP  string
		exitCP  int
		listing bool
	}{
		{"newest entries deleted", func(a attacker) { a.truncate(3) }, "",
			"the audit chain ends at entry 2, the checkpoint of", 1, false},
		{"issuer rewritten, chain re-MACed with the key", func(a attacker) { a.rewrite(1, "cli:"+user, "cli:"+fake, ak.Key) }, "",
			"entry 4 does not have the checkpoint's chain value: entries up to it were rewritten", 1, true},
		{"byte changed without the key", func(a attacker) { a.rewrite(2, "lost laptop", "lost tablet", nil) },
			"MAC mismatch at seq 2", "MAC mismatch at seq 2", 1, false},
		{"revocation entry made a resumption", func(a attacker) { a.rewrite(2, "revoke", "resume", ak.Key) },
			"problem: audit-record", "entries up to it were rewritten", 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := copyDir(t, dir)
			c.attack(attacker{t, d})
			var o, e bytes.Buffer
			code := run([]string{"fsck", "--data", d}, &o, &e)
			switch {
			case c.alone == "" && code != 0:
				t.Fatalf("without a checkpoint fsck should not see this (exit %d):\n%s%s", code, o.String(), e.String())
			case c.alone != "" && (code != 1 || !strings.Contains(o.String(), c.alone)):
				t.Fatalf("fsck without a checkpoint: exit %d, want %q:\n%s%s", code, c.alone, o.String(), e.String())
			}
			o.Reset()
			e.Reset()
			code = run([]string{"fsck", "--data", d, "--checkpoint", cpFile}, &o, &e)
			if code != c.exitCP || !strings.Contains(o.String(), c.withCP) || !strings.Contains(o.String(), "audit checkpoint: entry 4:") {
				t.Fatalf("fsck --checkpoint: exit %d, want %q:\n%s%s", code, c.withCP, o.String(), e.String())
			}
		})
	}
}
