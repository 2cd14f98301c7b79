package main

import (
	"encoding/json"
	"strings"
	"testing"
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
