package cadir

import (
	"fmt"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
)

// The demo passphrase: with neither keys.passphrase_file nor
// GOSTCA_KEY_PASSPHRASE, soft keys are encrypted under a random
// passphrase that init writes to DATA/keys/passphrase, next to the keys
// it protects — whoever copies the data directory has the keys. Fit for
// a demo only: every start warns about it (`gostca serve`), and an
// instance configured with instance.production = true refuses to create
// or use it.

// passphraseSource is where the soft keys' passphrase comes from, and
// whether it is the demo file; in production the demo file is an error.
func passphraseSource(cfg *config.Config) (hsm.SecretSource, bool, error) {
	src, demo := cfg.PassphraseSource()
	if demo && cfg.Instance.Production {
		return src, demo, fmt.Errorf("cadir: instance.production is set, and the soft keys' passphrase would be the demo file %s kept next to the keys: "+
			"set keys.passphrase_file (a file outside the data directory, chmod 600) or %s", src.File, config.PassphraseEnv)
	}
	return src, demo, nil
}

// UsesDemoPassphrase reports whether the CA of cfg encrypts soft keys
// under the demo passphrase: no passphrase is configured, and a soft key
// is (or, for a data directory without a CA, init would be) in use — a
// soft CA key of the manifest, or a delegated OCSP responder's key.
func UsesDemoPassphrase(cfg *config.Config) bool {
	if _, demo := cfg.PassphraseSource(); !demo {
		return false
	}
	if cfg.OCSP.Delegated {
		return true
	}
	m, err := ReadManifest(cfg.DataDir)
	if err != nil {
		return cfg.Keys.Backend == config.BackendSoft
	}
	for _, e := range append([]ManifestEntry{m.Root}, m.Issuers...) {
		if e.Key.Type == KeyTypeSoft {
			return true
		}
	}
	return false
}
