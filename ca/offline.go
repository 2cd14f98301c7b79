package ca

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/store"
)

// Admin operations on the data directory of a stopped CA (the store
// allows one process at a time).

// Fsck checks the store of cfg.DataDir (the server must be stopped): every
// index against its records and the audit chain. The CA manifest and
// certificates are read too, so a damaged one is reported.
func Fsck(ctx context.Context, cfg config.Config, opts store.Options) (*store.CheckReport, error) {
	if _, _, _, err := cadir.ReadCerts(cfg.DataDir); err != nil {
		return nil, err
	}
	st, err := store.Open(filepath.Join(cfg.DataDir, cadir.DBDir), opts)
	if err != nil {
		return nil, fmt.Errorf("ca: %w", err)
	}
	defer st.Close()
	rep, err := st.Check(ctx)
	if err != nil {
		return nil, fmt.Errorf("ca: check: %w", err)
	}
	return rep, nil
}

// ListTokens lists the API tokens of cfg.DataDir (the server must be
// stopped), moving in an earlier version's tokens.json first.
func ListTokens(ctx context.Context, cfg config.Config, opts store.Options) ([]auth.TokenInfo, error) {
	st, err := store.Open(filepath.Join(cfg.DataDir, cadir.DBDir), opts)
	if err != nil {
		return nil, fmt.Errorf("ca: %w", err)
	}
	defer st.Close()
	t, err := auth.OpenTokens(ctx, st, cfg.DataDir, opts.Logger)
	if err != nil {
		return nil, err
	}
	return t.List(ctx)
}
