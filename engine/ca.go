package engine

import (
	"context"
	"crypto/rand"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/signer"
	"github.com/gostca/gostca/store"
)

// Layout of the data directory.
//
//	DATA/ca.json            the CA manifest: which certificates and keys make up the CA
//	                        (soft key files, or PKCS#11 keys by label and CKA_ID)
//	DATA/ca/ID.crt          CA certificates, PEM (root.crt and one per issuing CA)
//	DATA/keys/ID.key        soft keys, encrypted (hsm soft key file format)
//	DATA/keys/passphrase    the demo default passphrase (only without GOSTCA_KEY_PASSPHRASE
//	                        or keys.passphrase_file), mode 0600
//	DATA/db/                the Pebble store
//	DATA/tokens.json        API tokens, hashed
const (
	manifestFile = "ca.json"
	caDir        = "ca"
	keysDir      = "keys"
	dbDir        = "db"
	tokensFile   = "tokens.json"
	rootID       = "root"
)

// ErrCAExists is returned by Init when the data directory already holds a
// CA: init never overwrites one.
var ErrCAExists = errors.New("engine: a CA already exists in the data directory")

// ErrNoCA is returned by Open when the data directory holds no CA and
// Options.CreateDefault is off.
var ErrNoCA = errors.New("engine: no CA in the data directory (run gostca init)")

type manifest struct {
	Version       int             `json:"version"`
	Created       time.Time       `json:"created"`
	Root          manifestEntry   `json:"root"`
	Issuers       []manifestEntry `json:"issuers"`
	DefaultIssuer string          `json:"default_issuer"`
}

type manifestEntry struct {
	ID   string `json:"id"`
	Cert string `json:"cert"` // relative to the data directory
	Key  keyRef `json:"key"`
}

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
func Init(cfg Config, logger *slog.Logger) (*InitResult, error) {
	return InitContext(context.Background(), cfg, logger)
}

// InitContext is Init with a context bounding the token operations.
func InitContext(ctx context.Context, cfg Config, logger *slog.Logger) (res *InitResult, err error) {
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
	var newKey func(id, curveName string) (hsm.Key, keyRef, error)
	switch cfg.Keys.Backend {
	case BackendPKCS11:
		// The token first: a wrong PIN or a missing token changes nothing.
		if tok, err = kr.token(ctx); err != nil {
			return nil, fmt.Errorf("engine: init: %w", err)
		}
		newKey = func(id, curveName string) (hsm.Key, keyRef, error) {
			curve, err := hsm.CurveByName(curveName)
			if err != nil {
				return nil, keyRef{}, fmt.Errorf("engine: init: %w", err)
			}
			// A random CKA_ID; the label adds the time and a piece of the ID
			// so that CAs made on one token in the same second differ.
			kid := make([]byte, 16)
			if _, err := rand.Read(kid); err != nil {
				return nil, keyRef{}, fmt.Errorf("engine: init: %w", err)
			}
			label := "gostca-" + id + "-" + stamp + "-" + hex.EncodeToString(kid[:4])
			k, err := tok.Generate(ctx, label, kid, curve)
			if err != nil {
				return nil, keyRef{}, fmt.Errorf("engine: init: generate the %s key on the token: %s key pair: %w", id, curve, err)
			}
			generated = append(generated, tokenKey{label, kid})
			return k, keyRef{Type: keyTypePKCS11, Label: label, ID: hex.EncodeToString(kid)}, nil
		}
	default:
		if err := makeDataDirs(cfg.DataDir); err != nil {
			return nil, err
		}
		src, demo := cfg.passphraseSource(lookupEnv)
		if demo {
			created, err := ensurePassphraseFile(src.File)
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
			return nil, fmt.Errorf("engine: init: passphrase from %s: %w", src, err)
		}
		defer clear(pass)
		if len(pass) < 12 {
			return nil, fmt.Errorf("engine: init: the passphrase from %s is shorter than 12 bytes", src)
		}
		kopts := &hsm.SoftKeyFileOptions{ScryptLogN: cfg.Keys.ScryptLogN}
		newKey = func(id, curveName string) (hsm.Key, keyRef, error) {
			curve, err := hsm.CurveByName(curveName)
			if err != nil {
				return nil, keyRef{}, fmt.Errorf("engine: init: %w", err)
			}
			k, err := hsm.GenerateSoftKeyInMemory(curve)
			if err != nil {
				return nil, keyRef{}, fmt.Errorf("engine: init: generate %s key: %w", id, err)
			}
			rel := filepath.Join(keysDir, id+".key")
			if err := hsm.WriteSoftKeyFile(filepath.Join(cfg.DataDir, rel), k, pass, kopts); err != nil {
				return nil, keyRef{}, fmt.Errorf("engine: init: write %s key: %w", id, err)
			}
			written = append(written, filepath.Join(cfg.DataDir, rel))
			return k, keyRef{Type: keyTypeSoft, File: rel}, nil
		}
	}

	now := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	subject := func(cn string) *pkix.Subject {
		return &pkix.Subject{CommonName: cn, Organization: cfg.CA.Organization, Country: cfg.CA.Country}
	}
	rootKey, rootRef, err := newKey(rootID, cfg.CA.Curve)
	if err != nil {
		return nil, err
	}
	rootDER, err := makeCACert(pkix.ProfileRootCA, subject(cfg.CA.RootCommonName), rootKey, nil, rootKey, now, 20*365*24*time.Hour)
	if err != nil {
		return nil, err
	}
	rootCert, err := pkix.ParseCertificate(rootDER)
	if err != nil {
		return nil, fmt.Errorf("engine: init: %w", err)
	}
	// With token keys nothing is written before the token made the root
	// key: a token that cannot (no such mechanism) leaves no trace.
	if err := makeDataDirs(cfg.DataDir); err != nil {
		return nil, err
	}
	rootRel, err := writeCACert(cfg.DataDir, rootID, rootDER)
	if err != nil {
		return nil, err
	}
	written = append(written, filepath.Join(cfg.DataDir, rootRel))
	m := manifest{Version: 1, Created: time.Now().UTC(),
		Root: manifestEntry{ID: rootID, Cert: rootRel, Key: rootRef}}

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
		m.Issuers = append(m.Issuers, manifestEntry{ID: w.id, Cert: rel, Key: ref})
		res.Issuers = append(res.Issuers, w.id)
	}
	m.DefaultIssuer = m.Issuers[0].ID
	if err := writeManifest(cfg.DataDir, &m); err != nil {
		return nil, err
	}
	logger.Info("CA created", "data_dir", cfg.DataDir, "curve", cfg.CA.Curve, "keys", cfg.Keys.Backend, "issuers", strings.Join(res.Issuers, ","))
	return res, nil
}

// checkNoCA returns ErrCAExists when dataDir holds a CA manifest.
func checkNoCA(dataDir string) error {
	if _, err := os.Stat(filepath.Join(dataDir, manifestFile)); err == nil {
		return ErrCAExists
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("engine: init: %w", err)
	}
	return nil
}

func makeDataDirs(dataDir string) error {
	for _, d := range []string{dataDir, filepath.Join(dataDir, caDir), filepath.Join(dataDir, keysDir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("engine: init: %w", err)
		}
	}
	return nil
}

// writeCACert writes a CA certificate as DATA/ca/ID.crt (PEM), never
// overwriting, and returns its path relative to the data directory.
func writeCACert(dataDir, id string, der []byte) (string, error) {
	rel := filepath.Join(caDir, id+".crt")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := writeFileAtomic(filepath.Join(dataDir, rel), data, 0o644, true); err != nil {
		return "", fmt.Errorf("engine: init: %w", err)
	}
	return rel, nil
}

// writeManifest writes the manifest last: its presence is what "a CA
// exists" means, so a crash part-way leaves no half CA that serve would
// use.
func writeManifest(dataDir string, m *manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("engine: init: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dataDir, manifestFile), append(data, '\n'), 0o644, true); err != nil {
		return fmt.Errorf("engine: init: %w", err)
	}
	return nil
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
		return nil, fmt.Errorf("engine: init: %w", err)
	}
	spki, err := pkix.ParsePublicKeyInfo(spkiDER)
	if err != nil {
		return nil, fmt.Errorf("engine: init: %w", err)
	}
	serial, err := pkix.NewSerialNumber(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("engine: init: %w", err)
	}
	alg, err := pkix.SignatureAlgorithmFor(signerKey.Public())
	if err != nil {
		return nil, fmt.Errorf("engine: init: %w", err)
	}
	der, err := pkix.CreateCertificate(rand.Reader, &pkix.CertificateTemplate{
		Profile: p, SerialNumber: serial, NotBefore: notBefore, NotAfter: notBefore.Add(life),
		Subject: sub, PublicKey: spki,
	}, &pkix.Issuer{Cert: parent, SignatureAlgorithm: alg}, hsm.AsSigner(signerKey))
	if err != nil {
		return nil, fmt.Errorf("engine: init: %s certificate: %w", p.Name, err)
	}
	return der, nil
}

// ensurePassphraseFile creates the demo passphrase file (32 random bytes,
// base64url) unless it exists. It reports whether it created it.
func ensurePassphraseFile(path string) (bool, error) {
	if _, err := os.Stat(path); err == nil {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("engine: passphrase file: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return false, fmt.Errorf("engine: passphrase file: %w", err)
	}
	val := []byte(base64.RawURLEncoding.EncodeToString(raw) + "\n")
	clear(raw)
	defer clear(val)
	if err := writeFileAtomic(path, val, 0o600, true); err != nil {
		return false, fmt.Errorf("engine: passphrase file: %w", err)
	}
	return true, nil
}

// loadedCA is the CA of a data directory, ready for the signer.
type loadedCA struct {
	root          *pkix.Certificate
	issuers       []*signer.Issuer
	defaultIssuer string
}

func readManifest(dataDir string) (*manifest, error) {
	data, err := os.ReadFile(filepath.Join(dataDir, manifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoCA
	}
	if err != nil {
		return nil, fmt.Errorf("engine: read CA manifest: %w", err)
	}
	var m manifest
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("engine: CA manifest %s: %w", manifestFile, err)
	}
	if m.Version != 1 || len(m.Issuers) == 0 {
		return nil, fmt.Errorf("engine: CA manifest: version %d with %d issuers not supported", m.Version, len(m.Issuers))
	}
	return &m, nil
}

func loadCertFile(path string) (*pkix.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return pkix.ParseCertificate(data)
}

// readCACerts reads the manifest, the root certificate and each issuing
// CA's certificate (in manifest order), checking that the root signed it.
func readCACerts(dataDir string) (*manifest, *pkix.Certificate, []*pkix.Certificate, error) {
	m, err := readManifest(dataDir)
	if err != nil {
		return nil, nil, nil, err
	}
	root, err := loadCertFile(filepath.Join(dataDir, m.Root.Cert))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("engine: root certificate: %w", err)
	}
	certs := make([]*pkix.Certificate, len(m.Issuers))
	for i, e := range m.Issuers {
		cert, err := loadCertFile(filepath.Join(dataDir, e.Cert))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("engine: issuer %s certificate: %w", e.ID, err)
		}
		if err := cert.CheckSignatureFrom(root); err != nil {
			return nil, nil, nil, fmt.Errorf("engine: issuer %s certificate is not signed by the root: %w", e.ID, err)
		}
		certs[i] = cert
	}
	return m, root, certs, nil
}

// loadCA reads the manifest, the certificates and the issuing CAs' keys,
// PKCS#11 ones through kr's token. An issuing CA whose key is not GOST
// gets only the non-qualified profiles: qualified certificates are GOST
// signed (63-FZ).
func loadCA(ctx context.Context, cfg *Config, kr *keyring, wrap func(id string, k hsm.Key) hsm.Key) (*loadedCA, error) {
	m, root, certs, err := readCACerts(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	settings, err := issuerSettings(cfg)
	if err != nil {
		return nil, err
	}
	ca := &loadedCA{root: root, defaultIssuer: m.DefaultIssuer}
	for i, e := range m.Issuers {
		cert := certs[i]
		k, err := kr.open(ctx, e.Key)
		if err != nil {
			return nil, fmt.Errorf("engine: issuer %s key (%s): %w", e.ID, e.Key, err)
		}
		s := settings
		id := e.ID
		s.CRLURLs = []string{cfg.publicURL() + crlPath(id, fullScope, false)}
		if cfg.CRL.Delta {
			s.FreshestCRLURLs = []string{cfg.publicURL() + crlPath(id, fullScope, true)}
		}
		s.OCSPURLs = []string{cfg.publicURL() + "/ocsp"}
		s.CAIssuersURLs = []string{cfg.publicURL() + "/ca/" + id + ".crt"}
		is, err := signer.NewIssuer(id, cert, wrap(id, k), s, profilesFor(k.Algorithm()))
		if err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
		ca.issuers = append(ca.issuers, is)
	}
	return ca, nil
}

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
func issuerSettings(cfg *Config) (pkix.Issuer, error) {
	pol, err := classPolicies(cfg.CA.Classes)
	if err != nil {
		return pkix.Issuer{}, fmt.Errorf("engine: ca.classes: %w", err)
	}
	return pkix.Issuer{
		SignTool: &pkix.IssuerSignTool{SignTool: cfg.CA.SignTool, CATool: cfg.CA.CATool,
			SignToolCert: cfg.CA.SignToolCert, CAToolCert: cfg.CA.CAToolCert},
		Policies: pol,
	}, nil
}

var classOIDs = map[string]asn1.ObjectIdentifier{
	"KC1": pkix.OIDPolicyKC1, "KC2": pkix.OIDPolicyKC2, "KC3": pkix.OIDPolicyKC3,
	"KB1": pkix.OIDPolicyKB1, "KB2": pkix.OIDPolicyKB2, "KA1": pkix.OIDPolicyKA1,
}

func classPolicies(names []string) ([]asn1.ObjectIdentifier, error) {
	if len(names) == 0 {
		return nil, errors.New("at least one class (KC1 …) is required")
	}
	out := make([]asn1.ObjectIdentifier, 0, len(names))
	for _, n := range names {
		oid, ok := classOIDs[strings.ToUpper(n)]
		if !ok {
			return nil, fmt.Errorf("unknown class %q (want KC1 KC2 KC3 KB1 KB2 KA1)", n)
		}
		out = append(out, oid)
	}
	return out, nil
}

// writeFileAtomic writes data to path through a synced temporary file and
// a rename (exclusive: fail if path exists), so readers see all or
// nothing.
func writeFileAtomic(path string, data []byte, mode os.FileMode, exclusive bool) error {
	if exclusive {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s: %w", path, fs.ErrExist)
		}
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(mode); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if exclusive {
		// A hard link fails if the target exists, unlike rename.
		if err := os.Link(tmp, path); err != nil {
			return err
		}
		os.Remove(tmp)
	} else if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Fsck checks the store of cfg.DataDir (the server must be stopped): every
// index against its records and the audit chain. The CA manifest and
// certificates are read too, so a damaged one is reported.
func Fsck(ctx context.Context, cfg Config, opts store.Options) (*store.CheckReport, error) {
	if _, _, _, err := readCACerts(cfg.DataDir); err != nil {
		return nil, err
	}
	st, err := store.Open(filepath.Join(cfg.DataDir, dbDir), opts)
	if err != nil {
		return nil, fmt.Errorf("engine: open store: %w", err)
	}
	defer st.Close()
	rep, err := st.Check(ctx)
	if err != nil {
		return nil, fmt.Errorf("engine: check: %w", err)
	}
	return rep, nil
}
