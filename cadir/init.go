package cadir

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

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
	stamp := time.Now().UTC().Format("20060102T150405Z")
	// A failed init leaves nothing behind: the key pairs it made on the
	// token are deleted and the files it wrote removed, so that it can
	// simply be run again.
	type tokenKey struct {
		label string
		id    []byte
	}
	var (
		generated []tokenKey // key pairs made on the token
		written   []string   // files written, under the data directory
		tok       caToken
	)
	defer func() {
		if err == nil {
			return
		}
		for i := len(written) - 1; i >= 0; i-- {
			if rerr := os.Remove(written[i]); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
				err = fmt.Errorf("%w (and %s could not be removed: %v)", err, written[i], rerr)
			}
		}
		var left []string
		for _, k := range generated {
			if derr := tok.Delete(context.WithoutCancel(ctx), k.label, k.id); derr != nil {
				logger.Error("init failed; a key pair it made stays on the token", "label", k.label, "err", derr)
				left = append(left, k.label)
			}
		}
		if len(left) > 0 {
			err = fmt.Errorf("%w (key pairs left on the token, unused; delete them: %s)", err, strings.Join(left, ", "))
		}
	}()

	// newKey makes the key of CA id on curve and says where it lives.
	var newKey func(id, curveName string) (hsm.Key, KeyRef, error)
	switch cfg.Keys.Backend {
	case config.BackendPKCS11:
		// The token first: a wrong PIN or a missing token changes nothing.
		if tok, err = kr.token(ctx); err != nil {
			return nil, fmt.Errorf("cadir: init: %w", err)
		}
		newKey = func(id, curveName string) (hsm.Key, KeyRef, error) {
			curve, err := hsm.CurveByName(curveName)
			if err != nil {
				return nil, KeyRef{}, fmt.Errorf("cadir: init: %w", err)
			}
			// A random CKA_ID; the label adds the time and a piece of the ID
			// so that CAs made on one token in the same second differ.
			kid := make([]byte, 16)
			if _, err := rand.Read(kid); err != nil {
				return nil, KeyRef{}, fmt.Errorf("cadir: init: %w", err)
			}
			label := "gostca-" + id + "-" + stamp + "-" + hex.EncodeToString(kid[:4])
			k, err := tok.Generate(ctx, label, kid, curve)
			if err != nil {
				return nil, KeyRef{}, fmt.Errorf("cadir: init: generate the %s key on the token: %s key pair: %w", id, curve, err)
			}
			generated = append(generated, tokenKey{label, kid})
			return k, KeyRef{Type: KeyTypePKCS11, Label: label, ID: hex.EncodeToString(kid)}, nil
		}
	default:
		if err := makeDataDirs(cfg.DataDir); err != nil {
			return nil, err
		}
		src, demo, err := passphraseSource(&cfg)
		if err != nil {
			return nil, err
		}
		if demo {
			created, err := EnsurePassphraseFile(src.File)
			if err != nil {
				return nil, err
			}
			if created {
				res.GeneratedPassphrase = src.File
				written = append(written, src.File)
			}
		}
		pass, err := src.Read()
		if err != nil {
			return nil, fmt.Errorf("cadir: init: passphrase from %s: %w", src, err)
		}
		defer clear(pass)
		if len(pass) < 12 {
			return nil, fmt.Errorf("cadir: init: the passphrase from %s is shorter than 12 bytes", src)
		}
		kopts := &hsm.SoftKeyFileOptions{ScryptLogN: cfg.Keys.ScryptLogN}
		newKey = func(id, curveName string) (hsm.Key, KeyRef, error) {
			curve, err := hsm.CurveByName(curveName)
			if err != nil {
				return nil, KeyRef{}, fmt.Errorf("cadir: init: %w", err)
			}
			k, err := hsm.GenerateSoftKeyInMemory(curve)
			if err != nil {
				return nil, KeyRef{}, fmt.Errorf("cadir: init: generate %s key: %w", id, err)
			}
			rel := filepath.Join(keysDir, id+".key")
			if err := hsm.WriteSoftKeyFile(filepath.Join(cfg.DataDir, rel), k, pass, kopts); err != nil {
				return nil, KeyRef{}, fmt.Errorf("cadir: init: write %s key: %w", id, err)
			}
			written = append(written, filepath.Join(cfg.DataDir, rel))
			return k, KeyRef{Type: KeyTypeSoft, File: rel}, nil
		}
	}

	now := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	subject := func(cn string) *pkix.Subject {
		return &pkix.Subject{CommonName: cn, Organization: cfg.CA.Organization, Country: cfg.CA.Country}
	}
	rootKey, rootRef, err := newKey(RootID, cfg.CA.Curve)
	if err != nil {
		return nil, err
	}
	rootDER, err := makeCACert(pkix.ProfileRootCA, subject(cfg.CA.RootCommonName), rootKey, nil, rootKey, now, 20*365*24*time.Hour)
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
	written = append(written, filepath.Join(cfg.DataDir, rootRel))
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
		der, err := makeCACert(pkix.ProfileIssuingCA, subject(w.cn), k, rootCert, rootKey, now, 10*365*24*time.Hour)
		if err != nil {
			return nil, err
		}
		rel, err := writeCACert(cfg.DataDir, w.id, der)
		if err != nil {
			return nil, err
		}
		written = append(written, filepath.Join(cfg.DataDir, rel))
		m.Issuers = append(m.Issuers, ManifestEntry{ID: w.id, Cert: rel, Key: ref})
		res.Issuers = append(res.Issuers, w.id)
	}
	m.DefaultIssuer = m.Issuers[0].ID
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

// makeCACert issues a CA certificate for key's public key, signed by
// signerKey under parent (nil: self-signed).
func makeCACert(p *pkix.Profile, sub *pkix.Subject, key hsm.Key, parent *pkix.Certificate, signerKey hsm.Key, notBefore time.Time, life time.Duration) ([]byte, error) {
	spkiDER, err := pkix.MarshalPublicKeyInfo(key.Public())
	if err != nil {
		return nil, fmt.Errorf("cadir: init: %w", err)
	}
	spki, err := pkix.ParsePublicKeyInfo(spkiDER)
	if err != nil {
		return nil, fmt.Errorf("cadir: init: %w", err)
	}
	serial, err := pkix.NewSerialNumber(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("cadir: init: %w", err)
	}
	alg, err := pkix.SignatureAlgorithmFor(signerKey.Public())
	if err != nil {
		return nil, fmt.Errorf("cadir: init: %w", err)
	}
	der, err := pkix.CreateCertificate(rand.Reader, &pkix.CertificateTemplate{
		Profile: p, SerialNumber: serial, NotBefore: notBefore, NotAfter: notBefore.Add(life),
		Subject: sub, PublicKey: spki,
	}, &pkix.Issuer{Cert: parent, SignatureAlgorithm: alg}, hsm.AsSigner(signerKey))
	if err != nil {
		return nil, fmt.Errorf("cadir: init: %s certificate: %w", p.Name, err)
	}
	return der, nil
}

// EnsurePassphraseFile creates the demo passphrase file (32 random bytes,
// base64url) unless it exists. It reports whether it created it.
func EnsurePassphraseFile(path string) (bool, error) {
	if _, err := os.Stat(path); err == nil {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("cadir: passphrase file: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return false, fmt.Errorf("cadir: passphrase file: %w", err)
	}
	val := []byte(base64.RawURLEncoding.EncodeToString(raw) + "\n")
	clear(raw)
	defer clear(val)
	if err := WriteFileAtomic(path, val, 0o600, true); err != nil {
		return false, fmt.Errorf("cadir: passphrase file: %w", err)
	}
	return true, nil
}
