package storecmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/checkpoint"
	"github.com/gostca/gostca/ca/offline"
	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
	"github.com/gostca/gostca/cmd/gostca/internal/command"
	"github.com/gostca/gostca/store"
)

var auditCmd = command.Subcommands{Name: "audit", Want: "checkpoint or list", Known: "want checkpoint or list"}

// Audit is `gostca audit checkpoint [--out F]` and `gostca audit list
// [--limit N] [--cursor C]`.
func Audit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s := auditCmd.Start(args, stderr)
	if s == nil {
		return 2
	}
	sub, fs, c, r := s.Name, s.Flags, s.Common, s.Remote
	switch sub {
	case "checkpoint":
		out := fs.String("out", "", "append the checkpoint (one JSON line) to this file; default standard output")
		if _, err := s.Parse(); err != nil {
			return 2
		}
		write := func(cp *store.Checkpoint) error {
			if *out != "" {
				if err := checkpoint.Append(*out, cp); err != nil {
					return err
				}
				fmt.Fprintf(stderr, "checkpoint of audit entry %d signed by %s appended to %s\n", cp.Seq, cp.Signer, *out)
				return nil
			}
			line, err := cp.MarshalJSON()
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(stdout, "%s\n", line)
			return err
		}
		if r.Enabled() {
			return command.WithServer(ctx, "audit checkpoint", r, stderr, func(cl *apiclient.Client) error {
				var raw json.RawMessage
				if err := cl.Do(ctx, "POST", "/api/v1/audit/checkpoint", nil, &raw); err != nil {
					return err
				}
				cp, err := store.ParseCheckpoint(raw)
				if err != nil {
					return fmt.Errorf("the server's checkpoint: %w", err)
				}
				return write(cp)
			})
		}
		return command.WithCA(ctx, "audit checkpoint", c, stderr, func(e *ca.CA) error {
			cp, err := e.Checkpoint(ctx)
			if err != nil {
				return err
			}
			return write(cp)
		})
	case "list":
		limit := fs.Int("limit", 100, "entries per page (1..1000)")
		cursor := fs.String("cursor", "", "continue after this cursor (printed after a full page)")
		if _, err := s.Parse(); err != nil {
			return 2
		}
		if *limit < 1 || *limit > 1000 {
			fmt.Fprintln(stderr, "gostca audit list: --limit must be 1..1000")
			return 2
		}
		if r.Enabled() {
			return command.WithServer(ctx, "audit list", r, stderr, func(cl *apiclient.Client) error {
				var page struct {
					Items      []wire.AuditEntry `json:"items"`
					NextCursor string            `json:"next_cursor"`
				}
				q := url.Values{"limit": {strconv.Itoa(*limit)}}
				if *cursor != "" {
					q.Set("cursor", *cursor)
				}
				if err := cl.Do(ctx, "GET", "/api/v1/audit?"+q.Encode(), nil, &page); err != nil {
					return err
				}
				for _, a := range page.Items {
					fmt.Fprintln(stdout, a.Line)
				}
				printNext(stderr, page.NextCursor)
				return nil
			})
		}
		cfg, err := c.Load()
		if err != nil {
			fmt.Fprintf(stderr, "gostca audit list: %v\n", err)
			return 2
		}
		log := command.WarnLogger(stderr)
		page, next, err := offline.AuditEntries(ctx, cfg, store.Options{Logger: log}, *cursor, *limit)
		if err != nil {
			fmt.Fprintf(stderr, "gostca audit list: %v\n(is the server running? then use --server)\n", err)
			return 1
		}
		for i := range page {
			fmt.Fprintln(stdout, page[i].String())
		}
		printNext(stderr, next)
		return 0
	}
	return auditCmd.Unknown(stderr, sub)
}

func printNext(w io.Writer, next string) {
	if next != "" {
		fmt.Fprintf(w, "more: --cursor %s\n", next)
	}
}

// fsckCheckpoint reads the newest checkpoint of the files given to
// `fsck --checkpoint` (each one checkpoint or many, one per line).
func fsckCheckpoint(files []string) (*store.Checkpoint, error) {
	var newest *store.Checkpoint
	for _, f := range files {
		cp, err := checkpoint.Read(f)
		if err != nil {
			return nil, err
		}
		if newest == nil || cp.Seq > newest.Seq || (cp.Seq == newest.Seq && cp.At.After(newest.At)) {
			newest = cp
		}
	}
	return newest, nil
}

// printFsckAudit prints what fsck checked of the audit log.
func printFsckAudit(w io.Writer, rep *store.CheckReport) {
	keyed := "NOT keyed (SHA-256 only: give the store its audit key)"
	if rep.AuditKeyed {
		keyed = fmt.Sprintf("keyed (HMAC-SHA256) from entry %d", rep.AuditKeyedFrom)
	}
	fmt.Fprintf(w, "audit chain: %d entries, %s\n", rep.AuditEntries, keyed)
	n := map[string]int{}
	for _, p := range rep.Problems {
		n[p.Kind]++
	}
	verdict := func(kind string) string {
		if n[kind] == 0 {
			return "ok"
		}
		return fmt.Sprintf("%d problems", n[kind])
	}
	fmt.Fprintf(w, "audit cross-check (every certificate has its issuance entry, every status change its entry, every entry that names a certificate matches it): %d certificates, %d failed intents: %s\n",
		rep.Certificates, rep.FailedIntents, verdict("audit-record"))
	if rep.CheckpointSeq == 0 {
		fmt.Fprintln(w, "audit checkpoint: none given (--checkpoint F finds truncation and rewriting)")
	} else {
		fmt.Fprintf(w, "audit checkpoint: entry %d: %s\n", rep.CheckpointSeq, verdict("checkpoint"))
	}
}
