package cadir

import "github.com/gostca/gostca/config"

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
