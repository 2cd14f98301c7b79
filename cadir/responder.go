package cadir

import (
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gostca/gostca/cadir/secrets"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/internal/atomicfile"
	"github.com/gostca/gostca/pkix"
)

// Delegated OCSP responders (ocsp.delegated) keep their soft key in
// DATA/keys/ocsp-ID.key, encrypted like the soft CA keys, and their
// certificate in DATA/ca/ocsp-ID.crt (PEM).

// ResponderPaths are the key and certificate files of issuer id's
// delegated OCSP responder.
func ResponderPaths(dataDir, id string) (key, cert string) {
	return filepath.Join(dataDir, keysDir, "ocsp-"+id+".key"), filepath.Join(dataDir, caDir, "ocsp-"+id+".crt")
}

// LoadResponder reads issuer id's responder key and certificate: all nil
// when there is no certificate on disk. It does not check that they
// belong together.
func LoadResponder(cfg *config.Config, id string) (hsm.Key, *pkix.Certificate, error) {
	keyPath, certPath := ResponderPaths(cfg.DataDir, id)
	if _, err := os.Stat(certPath); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	cert, err := LoadCertFile(certPath)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", certPath, err)
	}
	src, _, err := secrets.PassphraseSource(cfg)
	if err != nil {
		return nil, nil, err
	}
	key, err := secrets.OpenSoftKey(keyPath, src)
	if err != nil {
		return nil, nil, fmt.Errorf("%s (passphrase from %s): %w", keyPath, src, err)
	}
	return key, cert, nil
}

// SaveResponder writes issuer id's responder key (encrypted under the
// configured passphrase, the demo one made if needed) and then its
// certificate: a key without its certificate is simply replaced at the
// next start.
func SaveResponder(cfg *config.Config, id string, key *hsm.SoftKey, cert *pkix.Certificate) error {
	src, demo, err := secrets.PassphraseSource(cfg)
	if err != nil {
		return err
	}
	if demo {
		if _, err := secrets.EnsurePassphraseFile(src.File); err != nil {
			return err
		}
	}
	pass, err := src.Read()
	if err != nil {
		return fmt.Errorf("passphrase from %s: %w", src, err)
	}
	defer clear(pass)
	keyPath, certPath := ResponderPaths(cfg.DataDir, id)
	data, err := secrets.EncryptSoftKey(key, pass, &hsm.SoftKeyFileOptions{ScryptLogN: cfg.Keys.ScryptLogN})
	if err != nil {
		return err
	}
	if err := atomicfile.Write(keyPath, data, 0o600, false); err != nil {
		return err
	}
	return atomicfile.Write(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644, false)
}
