package cadir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/gostca/gostca/cadir/secrets"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
)

// ImportSpec is an existing CA to adopt instead of generating one: its
// certificates and references to its keys (soft key files or keys on the
// configured PKCS#11 token):
//
//	soft:PATH                   an encrypted soft key file (GostCA format)
//	pkcs11:label=NAME[;id=HEX]  a key on the token of the [pkcs11] section
//	pkcs11:id=HEX
type ImportSpec struct {
	// RootCert is the self-signed root certificate (PEM or DER file).
	RootCert string
	// RootKey is the root key's reference; empty when the root key stays
	// outside this CA (an offline root): only issuing CA keys are needed
	// to issue.
	RootKey string
	// Issuers are the issuing CAs, the default first.
	Issuers []ImportIssuer
}

// ImportIssuer is one issuing CA to import.
type ImportIssuer struct {
	Cert string // PEM or DER file, signed by the root
	Key  string // key reference
	// ID names the issuing CA in URLs and the API; default after the key:
	// gost256, gost512, ecdsa256, ecdsa384.
	ID string
}

var issuerIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// Import adopts an existing CA into cfg.DataDir: it checks that each
// issuing CA certificate is a CA certificate allowed to sign certificates
// (basicConstraints cA, keyCertSign), signed by the root, currently valid,
// and that its key reference reaches a key whose public key is the
// certificate's; then it writes the certificates, the soft keys
// (re-encrypted under the configured passphrase) and the manifest. It
// refuses (ErrCAExists) when a CA is already there. Every check runs
// before anything is written: bad input changes nothing.
func Import(ctx context.Context, cfg config.Config, spec ImportSpec, logger *slog.Logger) (*InitResult, error) {
	if logger == nil {
		logger = slog.Default()
	}
	if err := checkNoCA(cfg.DataDir); err != nil {
		return nil, err
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("cadir: import: "+format, args...)
	}
	if spec.RootCert == "" {
		return nil, fail("the root certificate is required")
	}
	if len(spec.Issuers) == 0 {
		return nil, fail("at least one issuing CA (certificate and key reference) is required")
	}
	now := time.Now()
	root, err := readCertArg(spec.RootCert)
	if err != nil {
		return nil, fail("root certificate: %w", err)
	}
	if err := checkCACert(root, now); err != nil {
		return nil, fail("root certificate %s: %w", spec.RootCert, err)
	}
	if !bytes.Equal(root.RawIssuer, root.RawSubject) || root.CheckSignatureFrom(root) != nil {
		return nil, fail("root certificate %s is not self-signed (import the top of the chain as the root)", spec.RootCert)
	}

	kr := newKeyring(&cfg, logger)
	defer kr.close()
	src, demo, srcErr := secrets.PassphraseSource(&cfg)
	openKey := func(what, arg string) (KeyRef, hsm.Key, error) {
		ref, err := parseKeyRef(arg)
		if err != nil {
			return KeyRef{}, nil, fail("%s: %w", what, err)
		}
		if ref.Type == KeyTypeSoft && srcErr != nil {
			return KeyRef{}, nil, fail("%s: %w", what, srcErr)
		}
		if ref.Type == KeyTypeSoft && demo {
			if _, err := os.Stat(src.File); err != nil {
				return KeyRef{}, nil, fail("%s: a soft key is imported with the passphrase it is encrypted under: set %s or keys.passphrase_file", what, config.PassphraseEnv)
			}
		}
		k, err := kr.open(ctx, ref)
		if err != nil {
			return KeyRef{}, nil, fail("%s (%s): %w", what, ref, err)
		}
		return ref, k, nil
	}

	type imported struct {
		id   string
		cert *pkix.Certificate
		ref  KeyRef
		key  hsm.Key
	}
	var issuers []imported
	ids := map[string]bool{RootID: true}
	for i, is := range spec.Issuers {
		what := fmt.Sprintf("issuing CA %d", i+1)
		cert, err := readCertArg(is.Cert)
		if err != nil {
			return nil, fail("%s certificate: %w", what, err)
		}
		if bytes.Equal(cert.Raw, root.Raw) {
			return nil, fail("%s certificate %s is the root certificate", what, is.Cert)
		}
		if err := checkCACert(cert, now); err != nil {
			return nil, fail("%s certificate %s: %w", what, is.Cert, err)
		}
		if !bytes.Equal(cert.RawIssuer, root.RawSubject) {
			return nil, fail("%s certificate %s was issued by %q, not by the root %q", what, is.Cert, cert.Issuer, root.Subject)
		}
		if err := cert.CheckSignatureFrom(root); err != nil {
			return nil, fail("%s certificate %s is not signed by the root's key: %w", what, is.Cert, err)
		}
		if err := checkKeyUsagePeriod(cert, now, cfg.CA.KeyUsageWarnDays, logger); err != nil {
			return nil, fail("%s certificate %s: %w", what, is.Cert, err)
		}
		if is.Key == "" {
			return nil, fail("%s: a key reference is required", what)
		}
		ref, k, err := openKey(what+" key", is.Key)
		if err != nil {
			return nil, err
		}
		if !hsm.SamePublicKey(k.Public(), cert.PublicKey.Key) {
			return nil, fail("%s: key %s is not the key of certificate %s (the public keys differ)", what, ref, is.Cert)
		}
		id := is.ID
		if id == "" {
			id = issuerIDForAlg(k.Algorithm())
		}
		if !issuerIDPattern.MatchString(id) {
			return nil, fail("%s: id %q: want 1..64 of a-z, 0-9, -", what, id)
		}
		if ids[id] {
			return nil, fail("%s: id %q is taken; give each issuing CA its own id", what, id)
		}
		ids[id] = true
		issuers = append(issuers, imported{id: id, cert: cert, ref: ref, key: k})
	}
	rootRef := KeyRef{Type: KeyTypeNone}
	var rootKey hsm.Key
	if spec.RootKey != "" {
		ref, k, err := openKey("root key", spec.RootKey)
		if err != nil {
			return nil, err
		}
		if !hsm.SamePublicKey(k.Public(), root.PublicKey.Key) {
			return nil, fail("root key %s is not the key of certificate %s (the public keys differ)", ref, spec.RootCert)
		}
		rootRef, rootKey = ref, k
	}

	// Nothing is in the way of the files to write.
	targets := []string{filepath.Join(caDir, RootID+".crt")}
	if rootRef.Type == KeyTypeSoft {
		targets = append(targets, filepath.Join(keysDir, RootID+".key"))
	}
	for _, is := range issuers {
		targets = append(targets, filepath.Join(caDir, is.id+".crt"))
		if is.ref.Type == KeyTypeSoft {
			targets = append(targets, filepath.Join(keysDir, is.id+".key"))
		}
	}
	for _, rel := range targets {
		if _, err := os.Lstat(filepath.Join(cfg.DataDir, rel)); err == nil {
			return nil, fail("%s already exists in the data directory (left by an earlier attempt?); remove it or use an empty data directory", rel)
		}
	}
	var pass []byte
	needPass := rootRef.Type == KeyTypeSoft
	for _, is := range issuers {
		needPass = needPass || is.ref.Type == KeyTypeSoft
	}
	if needPass {
		if pass, err = src.Read(); err != nil {
			return nil, fail("passphrase from %s: %w", src, err)
		}
		defer clear(pass)
		if len(pass) < 12 {
			return nil, fail("the passphrase from %s is shorter than 12 bytes", src)
		}
	}

	// Write: keys, certificates, and the manifest last.
	if err := makeDataDirs(cfg.DataDir); err != nil {
		return nil, err
	}
	kopts := &hsm.SoftKeyFileOptions{ScryptLogN: cfg.Keys.ScryptLogN}
	store := func(id string, ref KeyRef, k hsm.Key) (KeyRef, error) {
		if ref.Type != KeyTypeSoft {
			ref.token = ""
			return ref, nil
		}
		sk, ok := k.(*hsm.SoftKey)
		if !ok {
			return KeyRef{}, fail("%s key: not a soft key", id)
		}
		rel := filepath.Join(keysDir, id+".key")
		if err := secrets.WriteSoftKeyFile(filepath.Join(cfg.DataDir, rel), sk, pass, kopts); err != nil {
			return KeyRef{}, fail("write %s key: %w", id, err)
		}
		return KeyRef{Type: KeyTypeSoft, File: rel}, nil
	}
	if rootKey != nil {
		if rootRef, err = store(RootID, rootRef, rootKey); err != nil {
			return nil, err
		}
	}
	rootRel, err := writeCACert(cfg.DataDir, RootID, root.Raw)
	if err != nil {
		return nil, err
	}
	m := Manifest{Version: 1, Created: time.Now().UTC(), Root: ManifestEntry{ID: RootID, Cert: rootRel, Key: rootRef}}
	res := &InitResult{}
	for _, is := range issuers {
		ref, err := store(is.id, is.ref, is.key)
		if err != nil {
			return nil, err
		}
		rel, err := writeCACert(cfg.DataDir, is.id, is.cert.Raw)
		if err != nil {
			return nil, err
		}
		m.Issuers = append(m.Issuers, ManifestEntry{ID: is.id, Cert: rel, Key: ref})
		res.Issuers = append(res.Issuers, is.id)
	}
	m.DefaultIssuer = m.Issuers[0].ID
	if err := writeManifest(cfg.DataDir, &m); err != nil {
		return nil, err
	}
	logger.Info("CA imported", "data_dir", cfg.DataDir, "root", root.Subject.String(), "issuers", strings.Join(res.Issuers, ","), "root_key", rootRef.Type)
	return res, nil
}

// readCertArg reads a certificate file given on the command line.
func readCertArg(path string) (*pkix.Certificate, error) {
	if path == "" {
		return nil, errors.New("no file given")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := pkix.ParseCertificate(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// checkCACert requires a CA certificate allowed to sign certificates and
// valid at now.
func checkCACert(c *pkix.Certificate, now time.Time) error {
	if !c.BasicConstraintsValid || !c.IsCA {
		return fmt.Errorf("%q is not a CA certificate (no basicConstraints cA=TRUE)", c.Subject)
	}
	if c.KeyUsage&pkix.KeyUsageCertSign == 0 {
		return fmt.Errorf("%q may not sign certificates (keyUsage lacks keyCertSign)", c.Subject)
	}
	if now.Before(c.NotBefore) {
		return fmt.Errorf("%q is not valid before %s", c.Subject, c.NotBefore.UTC().Format(time.RFC3339))
	}
	if now.After(c.NotAfter) {
		return fmt.Errorf("%q expired on %s", c.Subject, c.NotAfter.UTC().Format(time.RFC3339))
	}
	if _, err := pkix.SignatureAlgorithmFor(c.PublicKey.Key); err != nil {
		return fmt.Errorf("%q: %w", c.Subject, err)
	}
	return nil
}

// checkKeyUsagePeriod refuses an issuing CA whose key may no longer sign
// certificates (its privateKeyUsagePeriod has ended: importing it would
// make a CA that can only publish status) and warns when the period has
// not begun or ends within warnDays.
func checkKeyUsagePeriod(c *pkix.Certificate, now time.Time, warnDays int, logger *slog.Logger) error {
	nb, na, err := c.SigningWindow()
	if err != nil {
		return fmt.Errorf("privateKeyUsagePeriod: %w", err)
	}
	if now.After(na) {
		return fmt.Errorf("its key may sign certificates only until %s (privateKeyUsagePeriod), which has passed: this CA could no longer issue; import an issuing CA whose key-usage period is current",
			na.UTC().Format(time.RFC3339))
	}
	if now.Before(nb) {
		logger.Warn("the imported issuing CA's key may sign certificates only from "+nb.UTC().Format(time.RFC3339)+" (privateKeyUsagePeriod); until then issuance is refused",
			"subject", c.Subject.String())
	} else if left := na.Sub(now); left < time.Duration(warnDays)*24*time.Hour {
		logger.Warn("the imported issuing CA's key-usage period ends soon", "subject", c.Subject.String(),
			"key_usage_end", na.UTC().Format(time.RFC3339), "days_left", int(left.Hours()/24))
	}
	return nil
}
