package cadir

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/gostca/gostca/cadir/secrets"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
)

// InitResult describes a CA that Init created.
type InitResult struct {
	Issuers []string // issuing CA ids, the default first
	// GeneratedPassphrase is the path of the demo passphrase file when
	// Init generated one (empty otherwise).
	GeneratedPassphrase string
}

// Init creates a CA in cfg.DataDir: a root and an issuing CA on
// cfg.CA.Curve (and a second issuing CA on tc26-512-A with
// cfg.CA.Issuer512). The keys are made where keys.backend says: soft keys
// encrypted under the configured passphrase, or key pairs generated on the
// PKCS#11 token (sensitive, not extractable), which also signs the CA
// certificates. It refuses (ErrCAExists) when a CA is already there.
func Init(cfg config.Config, logger *slog.Logger) (*InitResult, error) {
	return InitContext(context.Background(), cfg, logger)
}

// InitContext is Init with a context bounding the token operations.
func InitContext(ctx context.Context, cfg config.Config, logger *slog.Logger) (res *InitResult, err error) {
	if logger == nil {
		logger = slog.Default()
	}
	if err := checkNoCA(cfg.DataDir); err != nil {
		return nil, err
	}
	res = &InitResult{}
	kr := newKeyring(&cfg, logger)
	defer kr.close()
	km, err := newKeyMaker(ctx, &cfg, kr, logger)
	if err != nil {
		return nil, err
	}
	defer km.close()
	// A failed init leaves nothing behind (keyMaker.undo).
	defer func() {
		if err != nil {
			err = km.undo(err)
		}
	}()
	res.GeneratedPassphrase = km.generatedPassphrase
	newKey := func(id, curveName string) (hsm.Key, KeyRef, error) { return km.newKey(id, id, curveName) }

	now := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	cc, err := newCACerts(&cfg)
	if err != nil {
		return nil, err
	}
	rootKey, rootRef, err := newKey(RootID, cfg.CA.Curve)
	if err != nil {
		return nil, err
	}
	rootDER, err := cc.root(rootKey, now)
	if err != nil {
		return nil, err
	}
	rootCert, err := pkix.ParseCertificate(rootDER)
	if err != nil {
		return nil, fmt.Errorf("cadir: init: %w", err)
	}
	// With token keys nothing is written before the token made the root
	// key: a token that cannot (no such mechanism) leaves no trace.
	if err := makeDataDirs(cfg.DataDir); err != nil {
		return nil, err
	}
	rootRel, err := writeCACert(cfg.DataDir, RootID, rootDER)
	if err != nil {
		return nil, err
	}
	km.wrote(filepath.Join(cfg.DataDir, rootRel))
	m := Manifest{Version: 1, Created: time.Now().UTC(),
		Root: ManifestEntry{ID: RootID, Cert: rootRel, Key: rootRef}}

	type want struct{ id, curve, cn string }
	wants := []want{{issuerIDFor(cfg.CA.Curve), cfg.CA.Curve, cfg.CA.IssuerCommonName}}
	if cfg.CA.Issuer512 && issuerIDFor(cfg.CA.Curve) != "gost512" {
		wants = append(wants, want{"gost512", "tc26-512-A", cfg.CA.IssuerCommonName + " 512"})
	}
	for _, w := range wants {
		k, ref, err := newKey(w.id, w.curve)
		if err != nil {
			return nil, err
		}
		der, err := cc.issuing(w.cn, k, rootCert, rootKey, now)
		if err != nil {
			return nil, err
		}
		rel, err := writeCACert(cfg.DataDir, w.id, der)
		if err != nil {
			return nil, err
		}
		km.wrote(filepath.Join(cfg.DataDir, rel))
		m.Issuers = append(m.Issuers, ManifestEntry{ID: w.id, Cert: rel, Key: ref})
		res.Issuers = append(res.Issuers, w.id)
	}
	m.DefaultIssuer = m.Issuers[0].ID
	// The audit chain's key, next to the CA keys (package secrets).
	ak, err := secrets.CreateAuditKey(ctx, &cfg, kr.secretToken, time.Now().UTC())
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			ak.Discard(context.WithoutCancel(ctx))
		}
	}()
	if err := writeManifest(cfg.DataDir, &m); err != nil {
		return nil, err
	}
	logger.Info("CA created", "data_dir", cfg.DataDir, "curve", cfg.CA.Curve, "keys", cfg.Keys.Backend, "issuers", strings.Join(res.Issuers, ","))
	return res, nil
}

// issuerIDFor names the default issuing CA after its key.
func issuerIDFor(curve string) string {
	c, err := hsm.CurveByName(curve)
	if err != nil {
		return "gost256"
	}
	return issuerIDForAlg(c.Algorithm())
}

// issuerIDForAlg names an issuing CA after its key's algorithm.
func issuerIDForAlg(a hsm.Algorithm) string {
	switch a {
	case hsm.GOST512:
		return "gost512"
	case hsm.ECDSAP256:
		return "ecdsa256"
	case hsm.ECDSAP384:
		return "ecdsa384"
	}
	return "gost256"
}
