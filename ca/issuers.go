package ca

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// profilesFor lists the profiles an issuing CA with a key of alg issues
// under: every end-entity profile for GOST, the non-qualified ones
// otherwise.
func profilesFor(alg hsm.Algorithm) []*pkix.Profile {
	var out []*pkix.Profile
	for _, p := range pkix.Profiles() {
		if !p.CA && (alg.IsGOST() || !p.Qualified) {
			out = append(out, p)
		}
	}
	return out
}

// issuerSettings are the CA-wide extension values from the configuration.
func issuerSettings(cfg *config.Config) (pkix.Issuer, error) {
	pol, err := cfg.CA.Policies()
	if err != nil {
		return pkix.Issuer{}, fmt.Errorf("ca: ca.classes: %w", err)
	}
	return pkix.Issuer{
		SignTool: &pkix.IssuerSignTool{SignTool: cfg.CA.SignTool, CATool: cfg.CA.CATool,
			SignToolCert: cfg.CA.SignToolCert, CAToolCert: cfg.CA.CAToolCert},
		Policies: pol,
	}, nil
}

// Fsck checks the store of cfg.DataDir (the server must be stopped): every
// index against its records and the audit chain. The CA manifest and
// certificates are read too, so a damaged one is reported.
func Fsck(ctx context.Context, cfg config.Config, opts store.Options) (*store.CheckReport, error) {
	if _, _, _, err := cadir.ReadCerts(cfg.DataDir); err != nil {
		return nil, err
	}
	st, err := store.Open(filepath.Join(cfg.DataDir, cadir.DBDir), opts)
	if err != nil {
		return nil, fmt.Errorf("ca: open store: %w", err)
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
		return nil, fmt.Errorf("ca: open store: %w", err)
	}
	defer st.Close()
	t, err := auth.OpenTokens(ctx, st, cfg.DataDir, opts.Logger)
	if err != nil {
		return nil, err
	}
	return t.List(ctx)
}
