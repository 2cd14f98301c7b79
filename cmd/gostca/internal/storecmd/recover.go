package storecmd

import (
	"context"
	"fmt"
	"io"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cmd/gostca/internal/command"
	"github.com/gostca/gostca/store"
)

// Recover opens the CA of the data directory with the server stopped,
// which completes the intents a crash left (the signer's recovery at
// open), and closes it. With --accept-unmacced, a store of schema 6 whose
// pending intents carry no MAC is migrated anyway: they are MACed as
// they stand, the acceptance is audited ("intent.accept-unmacced"), and
// recovery re-checks them by the schema 6 rules before it signs any.
func Recover(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, c := command.NewFlagSet("recover", stderr)
	accept := fs.Bool("accept-unmacced", false, "accept pending intents written before schema 7 (no MAC); "+
		"only once you trust the database as the previous version left it")
	if _, err := command.ParseFlags(fs, args); err != nil {
		return 2
	}
	cfg, err := c.Load()
	if err != nil {
		fmt.Fprintf(stderr, "gostca recover: %v\n", err)
		return 2
	}
	log := command.NewLogger(cfg, stderr)
	e, err := ca.Open(ctx, cfg, ca.Options{Logger: log, StoreOptions: store.Options{AcceptUnMACedIntents: *accept}})
	if err != nil {
		fmt.Fprintf(stderr, "gostca recover: %v\n%s\n", err, command.DataDirAdvice(err, true))
		return 1
	}
	if err := e.Close(); err != nil {
		fmt.Fprintf(stderr, "gostca recover: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "pending intents resolved (issued, or failed with the reason in the audit log); the store is at the current schema")
	return 0
}
