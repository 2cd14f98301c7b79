// Package storecmd holds the commands that check, repair and read the
// store's record of what the CA did: `gostca fsck` (indexes, the audit
// chain and its cross-checks, the document files), `gostca recover` (the
// intents a crash left) and `gostca audit` (signed checkpoints of the
// audit chain, and its entries).
package storecmd

import (
	"context"
	"fmt"
	"io"

	"github.com/gostca/gostca/ca/offline"
	"github.com/gostca/gostca/cmd/gostca/internal/command"
	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/store"
)

// Fsck is `gostca fsck [--checkpoint F]…`: the store's consistency
// check with the server stopped; it prints the counts, what it checked
// of the audit chain and of the documents, then each problem, and exits
// 1 when there is one.
func Fsck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, c := command.NewFlagSet("fsck", stderr)
	var checkpoints command.ListFlag
	fs.Var(&checkpoints, "checkpoint", "an audit checkpoint file (gostca audit checkpoint, audit.checkpoint_file; repeatable): the chain is verified against the newest")
	if _, err := command.ParseFlags(fs, args); err != nil {
		return 2
	}
	cfg, err := c.Load()
	if err != nil {
		fmt.Fprintf(stderr, "gostca fsck: %v\n", err)
		return 2
	}
	cp, err := fsckCheckpoint(checkpoints)
	if err != nil {
		fmt.Fprintf(stderr, "gostca fsck: %v\n", err)
		return 2
	}
	var docs docstore.Report
	rep, err := offline.Fsck(ctx, cfg, store.Options{Logger: command.NewLogger(cfg, stderr)}, offline.FsckOptions{Checkpoint: cp, Documents: &docs})
	if err != nil {
		fmt.Fprintf(stderr, "gostca fsck: %v\n%s\n", err, command.DataDirAdvice(err, false))
		return 1
	}
	fmt.Fprintf(stdout, "certificates %d, pending intents %d, failed intents %d, index entries %d, OCSP responses %d, outbox rows %d, audit entries %d\n",
		rep.Certificates, rep.PendingIntents, rep.FailedIntents, rep.IndexEntries, rep.OCSPResponses, rep.OutboxRows, rep.AuditEntries)
	printFsckAudit(stdout, rep)
	printFsckDocuments(stdout, &docs)
	if !rep.OK() {
		for _, p := range rep.Problems {
			fmt.Fprintln(stdout, "problem:", p.String())
		}
		fmt.Fprintf(stdout, "%d problems\n", rep.TotalProblems)
		return 1
	}
	fmt.Fprintln(stdout, "ok")
	return 0
}
