// Package cadir is the CA's data directory: the manifest that says which
// certificates and keys make up the CA, the CA certificates, the soft key
// files, and references to keys on a PKCS#11 token. It creates a CA (Init),
// adopts an existing one (Import) and loads one for serving (Load). The
// secrets kept beside the CA keys (the passphrase, sealed files, the
// audit key, the one-time code secret) are package cadir/secrets'; the
// audit key on a token goes through the CA keys' token, opened here. It
// knows nothing of issuance, publication or HTTP.
package cadir

import (
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gostca/gostca/cadir/secrets"
	"github.com/gostca/gostca/internal/atomicfile"
	"github.com/gostca/gostca/pkix"
)

// Layout of the data directory.
//
//	DATA/ca.json            the CA manifest: which certificates and keys make up the CA
//	                        (soft key files, or PKCS#11 keys by label and CKA_ID)
//	DATA/ca/ID.crt          CA certificates, PEM (root.crt and one per issuing CA)
//	DATA/keys/ID.key        soft keys, encrypted (hsm soft key file format)
//	DATA/keys/audit.key     the audit chain's HMAC key with soft keys (soft secret file, package secrets)
//	DATA/audit-key.json     where the audit key lives (soft file or PKCS#11 label and CKA_ID), never the key
//	DATA/keys/passphrase    the demo default passphrase (only without GOSTCA_KEY_PASSPHRASE
//	                        or keys.passphrase_file), mode 0600
//	DATA/db/                the Pebble store
//	DATA/spool/             large CRLs while served, in unlinked files (package publish)
//	DATA/tokens.json        API tokens of versions before the store kept them
//	                        (moved into the store and renamed tokens.json.migrated)
const (
	// ManifestFile is the CA manifest: its presence means "a CA exists".
	ManifestFile = "ca.json"
	caDir        = "ca"
	keysDir      = secrets.KeysDir
	// DBDir is the store's directory in the data directory.
	DBDir = "db"
	// RootID names the root CA in URLs (/ca/root.crt).
	RootID = "root"
)

// ErrCAExists is returned by Init when the data directory already holds a
// CA: init never overwrites one.
var ErrCAExists = errors.New("cadir: a CA already exists in the data directory")

// ErrNoCA is returned by ca.Open when the data directory holds no CA and
// Options.CreateDefault is off.
var ErrNoCA = errors.New("cadir: no CA in the data directory (run gostca init)")

// Manifest is ca.json: which certificates and keys make up the CA. It is
// written once, by Init or Import, and never holds a secret.
type Manifest struct {
	Version       int             `json:"version"`
	Created       time.Time       `json:"created"`
	Root          ManifestEntry   `json:"root"`
	Issuers       []ManifestEntry `json:"issuers"`
	DefaultIssuer string          `json:"default_issuer"`
}

// ManifestEntry is one CA of the manifest: its id, certificate file and
// key reference.
type ManifestEntry struct {
	ID   string `json:"id"`
	Cert string `json:"cert"` // relative to the data directory
	Key  KeyRef `json:"key"`
}

// checkNoCA returns ErrCAExists when dataDir holds a CA manifest.
func checkNoCA(dataDir string) error {
	if _, err := os.Stat(filepath.Join(dataDir, ManifestFile)); err == nil {
		return ErrCAExists
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cadir: init: %w", err)
	}
	return nil
}

func makeDataDirs(dataDir string) error {
	// The database directory too: Pebble would make it 0755.
	for _, d := range []string{dataDir, filepath.Join(dataDir, caDir), filepath.Join(dataDir, keysDir), filepath.Join(dataDir, DBDir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("cadir: init: %w", err)
		}
	}
	return nil
}

// writeCACert writes a CA certificate as DATA/ca/ID.crt (PEM), never
// overwriting, and returns its path relative to the data directory.
func writeCACert(dataDir, id string, der []byte) (string, error) {
	rel := filepath.Join(caDir, id+".crt")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := atomicfile.Write(filepath.Join(dataDir, rel), data, 0o644, true); err != nil {
		return "", fmt.Errorf("cadir: init: %w", err)
	}
	return rel, nil
}

// writeManifest writes the manifest last: its presence is what "a CA
// exists" means, so a crash part-way leaves no half CA that serve would
// use.
func writeManifest(dataDir string, m *Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("cadir: init: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(dataDir, ManifestFile), append(data, '\n'), 0o644, true); err != nil {
		return fmt.Errorf("cadir: init: %w", err)
	}
	return nil
}

// ReadManifest reads and checks the manifest of dataDir (ErrNoCA when
// there is none).
func ReadManifest(dataDir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dataDir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoCA
	}
	if err != nil {
		return nil, fmt.Errorf("cadir: read CA manifest: %w", err)
	}
	var m Manifest
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("cadir: CA manifest %s: %w", ManifestFile, err)
	}
	if m.Version != 1 || len(m.Issuers) == 0 {
		return nil, fmt.Errorf("cadir: CA manifest: version %d with %d issuers not supported", m.Version, len(m.Issuers))
	}
	return &m, nil
}

func LoadCertFile(path string) (*pkix.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return pkix.ParseCertificate(data)
}

// ReadCerts reads the manifest, the root certificate and each issuing
// CA's certificate (in manifest order), checking that the root signed it.
func ReadCerts(dataDir string) (*Manifest, *pkix.Certificate, []*pkix.Certificate, error) {
	m, err := ReadManifest(dataDir)
	if err != nil {
		return nil, nil, nil, err
	}
	root, err := LoadCertFile(filepath.Join(dataDir, m.Root.Cert))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("cadir: root certificate: %w", err)
	}
	certs := make([]*pkix.Certificate, len(m.Issuers))
	for i, e := range m.Issuers {
		cert, err := LoadCertFile(filepath.Join(dataDir, e.Cert))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("cadir: issuer %s certificate: %w", e.ID, err)
		}
		if err := cert.CheckSignatureFrom(root); err != nil {
			return nil, nil, nil, fmt.Errorf("cadir: issuer %s certificate is not signed by the root: %w", e.ID, err)
		}
		certs[i] = cert
	}
	return m, root, certs, nil
}
