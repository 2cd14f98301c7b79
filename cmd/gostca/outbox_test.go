package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
)

// TestOutboxCLI: an issuance leaves its ESIA row pending (no hooks
// configured); `gostca outbox list` shows it, `show` its state,
// `cancel` gives it up (audited), after which `redrive` is refused and
// `list` no longer shows it as pending. Bad arguments exit 2.
func TestOutboxCLI(t *testing.T) {
	dir := t.TempDir()
	cli(t, 0, "init", "--data", dir)
	issueCLI(t, dir)
	out := cli(t, 0, "outbox", "list", "--data", dir)
	var id string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Split(line, "\t"); len(f) >= 4 && f[1] == "esia" && f[2] == "pending" {
			id = f[0]
		}
	}
	if id == "" {
		t.Fatalf("no pending esia row in:\n%s", out)
	}
	var row struct {
		ID    uint64 `json:"id"`
		State string `json:"state"`
	}
	show := cli(t, 0, "outbox", "show", id, "--data", dir)
	if err := json.Unmarshal([]byte(show[:strings.LastIndexByte(show, '}')+1]), &row); err != nil || row.State != "pending" {
		t.Fatalf("show: %v %s", err, show)
	}
	cancel := cli(t, 0, "outbox", "cancel", id, "--data", dir)
	if !strings.Contains(cancel, `"state": "cancelled"`) {
		t.Fatalf("cancel: %s", cancel)
	}
	if s := cli(t, 1, "outbox", "redrive", id, "--data", dir); !strings.Contains(s, "invalid transition") {
		t.Errorf("redrive of a cancelled row: %s", s)
	}
	if s := cli(t, 0, "outbox", "list", "--data", dir); strings.Contains(s, "\tesia\tpending") {
		t.Errorf("still pending: %s", s)
	}
	if s := cli(t, 0, "outbox", "list", "--state", "all", "--data", dir); !strings.Contains(s, "\tesia\tcancelled") {
		t.Errorf("list all: %s", s)
	}
	cli(t, 2, "outbox", "list", "--state", "sleeping", "--data", dir)
	cli(t, 2, "outbox", "show", "x1", "--data", dir)
	cli(t, 2, "outbox", "frobnicate", "--data", dir)
	if s := cli(t, 1, "outbox", "show", "999", "--data", dir); !strings.Contains(s, "not found") {
		t.Errorf("show 999: %s", s)
	}
}

// TestOutboxCLIOverAPI: the same commands through a running server's API
// with an administrator's token.
func TestOutboxCLIOverAPI(t *testing.T) {
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	t.Setenv(apiclient.EnvURL, "")
	t.Setenv(apiclient.EnvToken, "")
	t.Setenv(apiclient.EnvTokenFile, "")
	dir := filepath.Join(t.TempDir(), "data")
	srv := startServe(t, "--data", dir)
	tokFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokFile, []byte(srv.token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	remote := []string{"--server", "http://" + srv.addr, "--token-file", tokFile}
	work := t.TempDir()
	csrFile, subjFile := issueFiles(t, work)
	cli(t, 0, append([]string{"issue", "--csr", csrFile, "--subject", subjFile, "--out", filepath.Join(work, "c.pem")}, remote...)...)
	out := cli(t, 0, append([]string{"outbox", "list", "--kind", "esia"}, remote...)...)
	f := strings.Split(strings.TrimSpace(out), "\t")
	if len(f) < 3 || f[1] != "esia" || f[2] != "pending" {
		t.Fatalf("list over the API: %q", out)
	}
	if s := cli(t, 0, append([]string{"outbox", "cancel", f[0]}, remote...)...); !strings.Contains(s, `"state": "cancelled"`) {
		t.Fatalf("cancel over the API: %s", s)
	}
	if s := cli(t, 1, append([]string{"outbox", "redrive", f[0]}, remote...)...); !strings.Contains(s, "409") && !strings.Contains(s, "invalid_transition") {
		t.Errorf("redrive of a cancelled row over the API: %s", s)
	}
}
