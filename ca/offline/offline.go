// Package offline is the administration of a stopped CA's data
// directory (the store allows one process at a time): fsck, the API
// token list and the audit log. Each opens the store with the audit key
// of the data directory, if it has one, and never creates one; none
// loads the CA keys. A running CA is package ca's.
package offline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca/checkpoint"
	"github.com/gostca/gostca/ca/docsweep"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/cadir/secrets"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/store"
)

// FsckOptions are the optional inputs of Fsck.
type FsckOptions struct {
	// Checkpoint is the newest audit checkpoint kept outside the store
	// (gostca audit checkpoint); its signature is checked with the CA
	// certificate it names.
	Checkpoint *store.Checkpoint
	// Documents, when set, receives the check of ra.documents_dir
	// against the applications' document metadata (orphans and strays
	// are reported there; missing and corrupt files are problems of the
	// returned report too).
	Documents *docstore.Report
}

// Fsck checks the store of cfg.DataDir (the server must be stopped): every
// index against its records, the audit chain (keyed with the CA's audit
// key), the audit cross-checks (every certificate and status change has
// its entry, every entry that names a certificate matches it) and, with
// a checkpoint, the chain against it (truncation, rewriting). The CA
// manifest and certificates are read too, so a damaged one is reported.
func Fsck(ctx context.Context, cfg config.Config, opts store.Options, fo FsckOptions) (*store.CheckReport, error) {
	if _, _, _, err := cadir.ReadCerts(cfg.DataDir); err != nil {
		return nil, err
	}
	var co store.CheckOptions
	if fo.Checkpoint != nil {
		verify, err := checkpoint.Verifier(cfg.DataDir, fo.Checkpoint.Signer)
		if err != nil {
			return nil, err
		}
		co = store.CheckOptions{Checkpoint: fo.Checkpoint, Verify: verify}
	}
	st, closeAll, err := openOfflineStore(ctx, auditKeyOf(&cfg, opts.Logger), cfg.DataDir, opts)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	rep, err := st.CheckWith(ctx, co)
	if err != nil {
		return nil, fmt.Errorf("ca: check: %w", err)
	}
	dr, err := docsweep.Check(ctx, &cfg, st, rep)
	if err != nil {
		return nil, err
	}
	if fo.Documents != nil {
		*fo.Documents = dr
	}
	return rep, nil
}

// ListTokens lists the API tokens of cfg.DataDir (the server must be
// stopped), moving in an earlier version's tokens.json first.
func ListTokens(ctx context.Context, cfg config.Config, opts store.Options) ([]auth.TokenInfo, error) {
	st, closeAll, err := openOfflineStore(ctx, auditKeyOf(&cfg, opts.Logger), cfg.DataDir, opts)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	t, err := auth.OpenTokens(ctx, st, cfg.DataDir, opts.Logger)
	if err != nil {
		return nil, err
	}
	return t.List(ctx)
}

// AuditEntries pages through the audit log of a stopped CA.
func AuditEntries(ctx context.Context, cfg config.Config, opts store.Options, cursor string, limit int) ([]store.AuditEntry, string, error) {
	st, closeAll, err := openOfflineStore(ctx, auditKeyOf(&cfg, opts.Logger), cfg.DataDir, opts)
	if err != nil {
		return nil, "", err
	}
	defer closeAll()
	return st.AuditEntries(ctx, cursor, limit)
}

func auditKeyOf(cfg *config.Config, log *slog.Logger) keyOpener {
	return func(ctx context.Context, create bool) (*secrets.AuditKey, error) {
		return cadir.OpenAuditKey(ctx, cfg, log, create)
	}
}

// openOfflineStore opens the store of a stopped CA for a command that
// does not load the CA keys (fsck, token list, audit list): with the
// audit key if the data directory has one (never creating it). The
// returned function closes the store and the key's token.
func openOfflineStore(ctx context.Context, keys keyOpener, dataDir string, opts store.Options) (*store.Store, func() error, error) {
	var ak *secrets.AuditKey
	if opts.AuditKey == nil {
		var err error
		if ak, err = keys(ctx, false); err != nil {
			return nil, nil, fmt.Errorf("ca: %w", err)
		}
		opts = ak.StoreOptions(opts)
	}
	st, err := store.Open(filepath.Join(dataDir, cadir.DBDir), opts)
	if err != nil {
		ak.Close()
		return nil, nil, fmt.Errorf("ca: %w", secrets.AuditKeyHint(err)) // "store: open DIR: …" says what failed
	}
	return st, func() error { return errors.Join(st.Close(), ak.Close()) }, nil
}

// keyOpener opens the audit key of a data directory (cadir.OpenAuditKey
// bound to a configuration).
type keyOpener func(ctx context.Context, create bool) (*secrets.AuditKey, error)
