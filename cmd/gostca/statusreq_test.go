package main

import (
	"strings"
	"testing"
)

// TestStatusRequestsCLI: on a fresh CA `gostca status-requests list`
// shows nothing pending, approving or rejecting an unknown request is
// not found (exit 1), and bad arguments exit 2. The decisions themselves
// are covered over HTTP (api.TestCabinetStatusRequests) through the same
// ca.DecideStatusRequest.
func TestStatusRequestsCLI(t *testing.T) {
	dir := t.TempDir()
	cli(t, 0, "init", "--data", dir)
	if out := cli(t, 0, "status-requests", "list", "--data", dir); strings.Contains(out, "\tpending\t") {
		t.Fatalf("list on a fresh CA: %q", out)
	}
	const id = "0123456789abcdef0123456789abcdef"
	if s := cli(t, 1, "status-requests", "approve", id, "--data", dir); !strings.Contains(s, "no such status request") {
		t.Errorf("approve unknown: %s", s)
	}
	if s := cli(t, 1, "status-requests", "reject", id, "--reason", "no", "--data", dir); !strings.Contains(s, "no such status request") {
		t.Errorf("reject unknown: %s", s)
	}
	cli(t, 2, "status-requests", "reject", id, "--data", dir)
	cli(t, 2, "status-requests", "approve", "--data", dir)
	cli(t, 2, "status-requests", "frobnicate", "--data", dir)
	if s := cli(t, 1, "status-requests", "list", "--state", "sleeping", "--data", dir); !strings.Contains(s, "state") {
		t.Errorf("list --state sleeping: %s", s)
	}
}
