package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestSubcommandPrologue: each command with subcommands answers no
// subcommand and an unknown one, locally and with --server, with its own
// message on stderr word for word, nothing on stdout and exit 2, before
// opening anything (no data directory, no server at the address); where
// the flags are read before the subcommand is looked at, an unknown flag
// is reported first, with the flag set named after the subcommand.
func TestSubcommandPrologue(t *testing.T) {
	t.Setenv("GOSTCA_URL", "")
	t.Setenv("GOSTCA_CONFIG", "")
	const server = "http://127.0.0.1:1" // nothing listens: nothing may be asked
	for _, tc := range []struct {
		args   []string
		stderr string // the whole of it, or its first line when it ends with "\n…"
	}{
		{[]string{"outbox"}, "gostca outbox: want list, show ID, redrive ID or cancel ID\n"},
		{[]string{"outbox", "frobnicate"}, "gostca outbox: unknown subcommand \"frobnicate\" (list, show, redrive, cancel)\n"},
		{[]string{"outbox", "frobnicate", "--server", server}, "gostca outbox: unknown subcommand \"frobnicate\" (list, show, redrive, cancel)\n"},
		{[]string{"outbox", "frobnicate", "--nope"}, "flag provided but not defined: -nope\nUsage of outbox frobnicate:\n…"},
		{[]string{"token"}, "gostca token: want create, list or revoke\n"},
		{[]string{"token", "frobnicate"}, "gostca token: unknown subcommand \"frobnicate\"\n"},
		{[]string{"token", "frobnicate", "--server", server}, "gostca token: unknown subcommand \"frobnicate\"\n"},
		{[]string{"token", "frobnicate", "--nope"}, "flag provided but not defined: -nope\nUsage of token frobnicate:\n…"},
		{[]string{"audit"}, "gostca audit: want checkpoint or list\n"},
		{[]string{"audit", "frobnicate"}, "gostca audit: unknown subcommand \"frobnicate\" (want checkpoint or list)\n"},
		{[]string{"audit", "frobnicate", "--nope"}, "gostca audit: unknown subcommand \"frobnicate\" (want checkpoint or list)\n"},
		{[]string{"audit", "frobnicate", "--server", server}, "gostca audit: unknown subcommand \"frobnicate\" (want checkpoint or list)\n"},
		{[]string{"audit", "list", "--nope"}, "flag provided but not defined: -nope\nUsage of audit list:\n…"},
		{[]string{"status-requests"}, "gostca status-requests: want list, approve ID or reject ID --reason TEXT\n"},
		{[]string{"status-requests", "frobnicate"}, "gostca status-requests: unknown subcommand \"frobnicate\" (list, approve, reject)\n"},
		{[]string{"status-requests", "frobnicate", "--server", server}, "gostca status-requests: unknown subcommand \"frobnicate\" (list, approve, reject)\n"},
		{[]string{"status-requests", "frobnicate", "--nope"}, "flag provided but not defined: -nope\nUsage of status-requests frobnicate:\n…"},
	} {
		var o, e bytes.Buffer
		code := run(tc.args, &o, &e)
		got := e.String()
		if want, ok := strings.CutSuffix(tc.stderr, "…"); ok {
			if !strings.HasPrefix(got, want) || !strings.Contains(got, "  -config string\n") {
				t.Errorf("gostca %s: stderr %q, want it to start %q and list the flags", strings.Join(tc.args, " "), got, want)
			}
		} else if got != tc.stderr {
			t.Errorf("gostca %s: stderr %q, want %q", strings.Join(tc.args, " "), got, tc.stderr)
		}
		if code != 2 || o.Len() != 0 {
			t.Errorf("gostca %s: exit %d, stdout %q; want 2 and nothing", strings.Join(tc.args, " "), code, o.String())
		}
	}
}
