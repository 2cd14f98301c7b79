package ca

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/cadir/secrets"
	"github.com/gostca/gostca/store"
)

// openStore opens the store of dataDir with the audit key held by the
// CA's key store (cadir.CA.AuditKey), creating the key when the data
// directory has none yet (a data directory of an earlier version: the
// chain is keyed from the next entry, and a log line says so). When the
// key existed before, the store must already be keyed with it
// (RequireKeyedAudit): a store rewritten as unkeyed is refused. A key
// created here is discarded again if the store does not open, so the
// next start does not require a key the store never saw. opts.AuditKey,
// when set (tests), is used as it is.
func openStore(ctx context.Context, keys *cadir.CA, dataDir string, opts store.Options, log *slog.Logger) (*store.Store, error) {
	var ak *secrets.AuditKey
	if opts.AuditKey == nil {
		var err error
		if ak, err = keys.AuditKey(ctx, log, true); err != nil {
			return nil, fmt.Errorf("ca: %w", err)
		}
		opts = ak.StoreOptions(opts)
	}
	st, err := store.Open(filepath.Join(dataDir, cadir.DBDir), opts)
	if err != nil {
		if derr := ak.Discard(context.WithoutCancel(ctx)); derr != nil {
			log.Error("the audit key created for this start could not be removed again", "err", derr)
		}
		return nil, fmt.Errorf("ca: %w", secrets.AuditKeyHint(err)) // "store: open DIR: …" says what failed
	}
	return st, nil
}
