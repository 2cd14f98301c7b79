// Package secrets is what the data directory keeps beside the CA keys:
// the passphrase soft keys and secrets are sealed under (and the demo
// one, refused in production), the sealing of soft key and secret files
// with the KDF's memory given back, the audit chain's HMAC key (a sealed
// file, or a secret key on the CA keys' PKCS#11 token) and the one-time
// code secret. The CA keys themselves, the manifest and the token are
// package cadir's.
package secrets

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/internal/atomicfile"
)

// KeysDir is the directory of the data directory that holds the soft
// keys and the secrets beside them (DATA/keys, mode 0700).
const KeysDir = "keys"

// makeKeysDir makes DATA/keys (and the data directory) 0700.
func makeKeysDir(dataDir string) error {
	if err := os.MkdirAll(filepath.Join(dataDir, KeysDir), 0o700); err != nil {
		return fmt.Errorf("cadir: init: %w", err)
	}
	return nil
}

// The demo passphrase: with neither keys.passphrase_file nor
// GOSTCA_KEY_PASSPHRASE, soft keys are encrypted under a random
// passphrase that init writes to DATA/keys/passphrase, next to the keys
// it protects — whoever copies the data directory has the keys. Fit for
// a demo only: every start warns about it (`gostca serve`), and an
// instance configured with instance.production = true refuses to create
// or use it.

// PassphraseSource is where the soft keys' passphrase comes from, and
// whether it is the demo file; in production the demo file is an error.
func PassphraseSource(cfg *config.Config) (hsm.SecretSource, bool, error) {
	src, demo := cfg.PassphraseSource()
	if demo && cfg.Instance.Production {
		return src, demo, fmt.Errorf("cadir: instance.production is set, and the soft keys' passphrase would be the demo file %s kept next to the keys: "+
			"set keys.passphrase_file (a file outside the data directory, chmod 600) or %s", src.File, config.PassphraseEnv)
	}
	return src, demo, nil
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
	if err := atomicfile.Write(path, val, 0o600, true); err != nil {
		return false, fmt.Errorf("cadir: passphrase file: %w", err)
	}
	return true, nil
}
