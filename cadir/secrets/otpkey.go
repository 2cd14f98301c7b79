package secrets

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
)

// The one-time code secret (package otp) derives the subscribers' SMS
// codes and keys their verifiers. It is kept outside the database, so
// that a copy of the database gives nothing to try codes against: 32
// random bytes in DATA/keys/otp.key, a soft secret file (mode 0600,
// scrypt + AES-256-GCM under the soft keys' passphrase, like the audit
// key's soft secret). It is made on the first start that needs it and
// never replaced; losing it only invalidates the codes in flight (at
// most a few minutes' worth) — so, unlike the audit key, it is a soft
// secret even when the CA keys are on a token.
const otpKeyFile = "otp.key"

// OTPKeyPath is where the code secret of a data directory is.
func OTPKeyPath(dataDir string) string { return filepath.Join(dataDir, KeysDir, otpKeyFile) }

// OTPSecret opens the code secret of cfg's data directory, making it
// first if there is none. The caller clears the bytes when done.
func OTPSecret(cfg *config.Config, log *slog.Logger) ([]byte, error) {
	if log == nil {
		log = slog.Default()
	}
	path := OTPKeyPath(cfg.DataDir)
	src, demo, err := PassphraseSource(cfg)
	if err != nil {
		return nil, err
	}
	_, err = os.Lstat(path)
	switch {
	case err == nil:
		if err := hsm.CheckPrivateFile(path); err != nil {
			return nil, fmt.Errorf("cadir: code secret: %w", err)
		}
		secret, err := OpenSoftSecret(path, src)
		if err != nil {
			return nil, fmt.Errorf("cadir: code secret (passphrase from %s): %w", src, err)
		}
		return secret, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("cadir: code secret: %w", err)
	}
	pass, err := sealingPassphrase(cfg, src, demo, "code secret")
	if err != nil {
		return nil, err
	}
	defer clear(pass)
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("cadir: code secret: %w", err)
	}
	if err := WriteSoftSecretFile(path, secret, pass, &hsm.SoftKeyFileOptions{ScryptLogN: cfg.Keys.ScryptLogN}); err != nil {
		clear(secret)
		return nil, fmt.Errorf("cadir: code secret: %w", err)
	}
	log.Info("one-time code secret created", "file", path)
	return secret, nil
}

// sealingPassphrase readies the keys directory and reads the passphrase
// a new secret (what: "audit key", "code secret") is sealed under,
// making the demo passphrase file first where the demo one is in use.
// The caller clears the bytes.
func sealingPassphrase(cfg *config.Config, src hsm.SecretSource, demo bool, what string) ([]byte, error) {
	if err := makeKeysDir(cfg.DataDir); err != nil {
		return nil, err
	}
	if demo {
		if _, err := EnsurePassphraseFile(src.File); err != nil {
			return nil, err
		}
	}
	pass, err := src.Read()
	if err != nil {
		return nil, fmt.Errorf("cadir: %s: passphrase from %s: %w", what, src, err)
	}
	return pass, nil
}
