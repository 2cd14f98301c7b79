package ca

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/store"
)

// Admin operations on the data directory of a stopped CA (the store
// allows one process at a time). Each opens the store with the audit key
// of the data directory, if it has one.

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
		verify, err := CheckpointVerifier(cfg.DataDir, fo.Checkpoint.Signer)
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
	dr, err := checkDocuments(ctx, &cfg, st, rep)
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

// AuditEntriesOffline pages through the audit log of a stopped CA.
func AuditEntriesOffline(ctx context.Context, cfg config.Config, opts store.Options, cursor string, limit int) ([]store.AuditEntry, string, error) {
	st, closeAll, err := openOfflineStore(ctx, auditKeyOf(&cfg, opts.Logger), cfg.DataDir, opts)
	if err != nil {
		return nil, "", err
	}
	defer closeAll()
	return st.AuditEntries(ctx, cursor, limit)
}

func auditKeyOf(cfg *config.Config, log *slog.Logger) keyOpener {
	return func(ctx context.Context, create bool) (*cadir.AuditKey, error) {
		return cadir.OpenAuditKey(ctx, cfg, log, create)
	}
}
