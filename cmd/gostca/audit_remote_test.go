package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ca/checkpoint"
	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
)

// While the server runs: `gostca audit checkpoint --server` fetches a
// signed checkpoint through the API (POST /api/v1/audit/checkpoint), the
// scheduled export (audit.checkpoint_interval, audit.checkpoint_file)
// appends its own, `gostca audit list --server` prints the escaped
// entries; once stopped, `gostca fsck` checks the store against the
// newest of both files.
func TestAuditOverAPIAndSchedule(t *testing.T) {
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	t.Setenv(apiclient.EnvURL, "")
	t.Setenv(apiclient.EnvToken, "")
	t.Setenv(apiclient.EnvTokenFile, "")
	work := t.TempDir()
	scheduled := filepath.Join(work, "scheduled.jsonl")
	t.Setenv("GOSTCA_AUDIT_CHECKPOINT_INTERVAL", "1s")
	t.Setenv("GOSTCA_AUDIT_CHECKPOINT_FILE", scheduled)
	dir := filepath.Join(work, "data")
	srv := startServe(t, "--data", dir)
	tokFile := filepath.Join(work, "token")
	if err := os.WriteFile(tokFile, []byte(srv.token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	api := []string{"--server", "http://" + srv.addr, "--token-file", tokFile}
	code, body := srv.do("POST", "/api/v1/certificates", srv.token, personRequest(newCSR(t)))
	if code != 201 {
		t.Fatalf("issue: %d %s", code, body)
	}
	manual := filepath.Join(work, "manual.jsonl")
	cli(t, 0, append([]string{"audit", "checkpoint", "--out", manual}, api...)...)
	cp, err := checkpoint.Read(manual)
	if err != nil || cp.Seq < 2 || cp.Signer != "gost256" {
		t.Fatalf("checkpoint over the API: %+v %v", cp, err)
	}
	// A comment with an escape, listed escaped.
	var c struct{ Serial string }
	json.Unmarshal(body, &c)
	cli(t, 0, append([]string{"revoke", c.Serial, "--reason", "superseded", "--comment", "new key\x1b]0;owned\x07"}, api...)...)
	list := cli(t, 0, append([]string{"audit", "list"}, api...)...)
	if strings.ContainsAny(list, "\x1b\x07") || !strings.Contains(list, `comment="new key\x1b]0;owned\a"`) {
		t.Fatalf("audit list over the API:\n%s", list)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		data, _ := os.ReadFile(scheduled)
		if n, err := checkpoint.Read(scheduled); err == nil && n.Seq > cp.Seq && bytes.HasSuffix(data, []byte("\n")) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no scheduled checkpoint after the revocation: %s", data)
		}
		time.Sleep(100 * time.Millisecond)
	}
	srv.stop()
	out := cli(t, 0, "fsck", "--data", dir, "--checkpoint", manual, "--checkpoint", scheduled)
	newest, _ := checkpoint.Read(scheduled)
	if !strings.Contains(out, "audit checkpoint: entry "+itoa(newest.Seq)+": ok") {
		t.Fatalf("fsck against the newest checkpoint:\n%s", out)
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
