package cadir

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
)

// CA is the CA of a data directory, ready to sign: the root certificate
// and each issuing CA with its key. Close it (after every use of the keys)
// to close the PKCS#11 token, if one was opened.
type CA struct {
	Root *pkix.Certificate
	// RootKey is the root's key when this CA holds it (it then signs the
	// root CRL); nil for an offline root, whose CRL is uploaded.
	RootKey hsm.Key
	Issuers []Issuer // the default first
	keys    *keyring
}

// Issuer is an issuing CA: its id (in URLs and the API), certificate and
// key. The key reports every signature's duration and failures on the
// registry Load was given.
type Issuer struct {
	ID   string
	Cert *pkix.Certificate
	Key  hsm.Key
}

// Load reads the manifest, the certificates and the issuing CAs' keys,
// PKCS#11 ones through one token (one login, one session pool). It
// registers the CA keys' signing metrics and, with a token, the token's
// pool and circuit breaker on reg.
func Load(ctx context.Context, cfg *config.Config, log *slog.Logger, reg prometheus.Registerer) (ca *CA, err error) {
	m, root, certs, err := ReadCerts(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	kr := newKeyring(cfg, log)
	defer func() {
		if err != nil {
			kr.close()
		}
	}()
	km := newKeyMetrics()
	ca = &CA{Root: root, keys: kr}
	for i, e := range m.Issuers {
		k, err := kr.open(ctx, e.Key)
		if err != nil {
			return nil, fmt.Errorf("cadir: issuer %s key (%s): %w", e.ID, e.Key, err)
		}
		is := Issuer{ID: e.ID, Cert: certs[i], Key: km.wrap(e.ID, k)}
		if e.ID == m.DefaultIssuer {
			ca.Issuers = append([]Issuer{is}, ca.Issuers...)
		} else {
			ca.Issuers = append(ca.Issuers, is)
		}
	}
	if m.Root.Key.Type != KeyTypeNone && m.Root.Key.Type != "" {
		k, err := kr.open(ctx, m.Root.Key)
		if err != nil {
			return nil, fmt.Errorf("cadir: root key (%s): %w", m.Root.Key, err)
		}
		if !hsm.SamePublicKey(k.Public(), root.PublicKey.Key) {
			return nil, fmt.Errorf("cadir: root key (%s) is not the root certificate's key", m.Root.Key)
		}
		ca.RootKey = km.wrap(RootID, k)
	}
	km.register(reg)
	if kr.tok != nil {
		reg.MustRegister(newTokenCollector(kr.tok))
	}
	return ca, nil
}

// Close closes the PKCS#11 token, if any.
func (c *CA) Close() error {
	if err := c.keys.close(); err != nil {
		return fmt.Errorf("cadir: close the token: %w", err)
	}
	return nil
}
