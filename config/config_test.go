package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeConf(t *testing.T, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "gostca.toml")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfig(t *testing.T) {
	p := writeConf(t, `
data_dir = "/var/lib/gostca"
[server]
listen = "0.0.0.0:9000"
read_timeout = "5s"
[ca]
classes = ["KC1", "KC2"]
[ocsp]
live_concurrency = 4
[crl]
delta = true
delta_validity = "30m"
`)
	cfg, err := LoadConfig(p, []string{"GOSTCA_SERVER_WRITE_TIMEOUT=7s", "GOSTCA_OCSP_LIVE_CONCURRENCY=9",
		"GOSTCA_CA_ISSUER_512=true", "GOSTCA_CRL_PARTITIONS=16", "GOSTCA_KEY_PASSPHRASE=secret", "GOSTCA_CONFIG=/x", "PATH=/bin"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/var/lib/gostca" || cfg.Server.Listen != "0.0.0.0:9000" || cfg.Server.ReadTimeout != 5*time.Second ||
		cfg.Server.WriteTimeout != 7*time.Second || cfg.OCSP.LiveConcurrency != 9 || !cfg.CA.Issuer512 ||
		len(cfg.CA.Classes) != 2 || cfg.CRL.Validity != 24*time.Hour || !cfg.CRL.Delta ||
		cfg.CRL.DeltaValidity != 30*time.Minute || cfg.CRL.Partitions != 16 {
		t.Fatalf("config %+v", cfg)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	for _, c := range []struct {
		conf string
		env  []string
		want string
	}{
		{"listen = \"x\"\n", nil, "unknown keys: listen"},
		{"[server]\nlisten = \"x\"\nlisen = 1\n", nil, "unknown keys: server.lisen"},
		{"[sever]\n", nil, "unknown keys: sever"},
		{"", []string{"GOSTCA_SERVER_LISEN=1"}, "unknown environment variables: GOSTCA_SERVER_LISEN"},
		{"", []string{"GOSTCA_SERVER_READ_TIMEOUT=soon"}, "GOSTCA_SERVER_READ_TIMEOUT"},
		{"[server]\nread_timeout = \"-1s\"\n", nil, "server.read_timeout must be positive"},
		{"[ca]\ncurve = \"P-521\"\n", nil, "ca.curve"},
		{"[ca]\ncurve = \"prime256v1\"\n", nil, "ca.curve"},
		{"[keys]\nbackend = \"tpm\"\n", nil, "keys.backend"},
		{"[keys]\nbackend = \"pkcs11\"\n", nil, "needs pkcs11.module"},
		{"[keys]\nbackend = \"pkcs11\"\n[pkcs11]\nmodule = \"/x.so\"\n", nil, "needs pkcs11.token_label or pkcs11.slot"},
		{"[pkcs11]\npin = \"1234\"\n", nil, "unknown keys: pkcs11.pin"},
		{"[pkcs11]\nsessions = 0\n", nil, "pkcs11.sessions"},
		{"[ca]\nclasses = [\"KC9\"]\n", nil, "ca.classes"},
		{"[server]\ntls_cert_file = \"a\"\n", nil, "go together"},
		{"[log]\nlevel = \"loud\"\n", nil, "log.level"},
		{"[crl]\ndelta_validity = \"48h\"\n", nil, "crl.delta_validity must not exceed crl.validity"},
		{"[crl]\ndelta_validity = \"0s\"\n", nil, "crl.delta_validity must be positive"},
		{"[crl]\npartitions = -1\n", nil, "crl.partitions must be 0..4096"},
		{"", []string{"GOSTCA_CRL_PARTITIONS=5000"}, "crl.partitions must be 0..4096"},
		{"", []string{"GOSTCA_CRL_DELTA=maybe"}, "GOSTCA_CRL_DELTA"},
		{"[crl]\ndeltas = true\n", nil, "unknown keys: crl.deltas"},
	} {
		_, err := LoadConfig(writeConf(t, c.conf), c.env)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q %v: %v, want %q", c.conf, c.env, err, c.want)
		}
	}
}

// TestEnvKeysCoverEveryOption: every option has its variable (the README
// table is generated from this list by `gostca config`).
func TestEnvKeysCoverEveryOption(t *testing.T) {
	keys := EnvKeys()
	seen := map[string]bool{}
	for _, kv := range keys {
		seen[kv[1]] = true
		if !strings.HasPrefix(kv[0], "GOSTCA_") {
			t.Errorf("%v", kv)
		}
	}
	for _, k := range []string{"data_dir", "server.listen", "server.tls_key_file", "keys.passphrase_file", "ocsp.live_wait", "crl.delta", "crl.delta_validity", "crl.partitions", "signer.max_batch", "log.format"} {
		if !seen[k] {
			t.Errorf("no variable for %s", k)
		}
	}
}

func TestLoadConfigPKCS11(t *testing.T) {
	p := writeConf(t, `
[keys]
backend = "pkcs11"
[pkcs11]
module = "/usr/lib/softhsm/libsofthsm2.so"
token_label = "GostCA-1"
pin_file = "/run/secrets/pin"
sessions = 8
`)
	cfg, err := LoadConfig(p, []string{"GOSTCA_PKCS11_PIN=not-config", "GOSTCA_PKCS11_SLOT=3", "GOSTCA_PKCS11_PROBE_INTERVAL=2s"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Keys.Backend != BackendPKCS11 || cfg.PKCS11.TokenLabel != "GostCA-1" || cfg.PKCS11.Slot != 3 || cfg.PKCS11.Sessions != 8 ||
		cfg.PKCS11.ProbeInterval != 2*time.Second || cfg.PKCS11.MaxWait != 5*time.Second || cfg.PKCS11.MaxAttempts != 3 {
		t.Fatalf("config %+v", cfg.PKCS11)
	}
	if src := cfg.PINSource(); src.File != "/run/secrets/pin" {
		t.Fatalf("PIN source %v", src)
	}
	cfg.PKCS11.PINFile = ""
	if src := cfg.PINSource(); src.Env != PINEnv {
		t.Fatalf("PIN source %v", src)
	}
	def := DefaultConfig()
	if def.Keys.Backend != BackendSoft || def.PKCS11.Slot != -1 {
		t.Fatalf("defaults %+v %+v", def.Keys, def.PKCS11)
	}
}

func TestHooksConfigValidate(t *testing.T) {
	for _, c := range []struct {
		url  string
		conc int
		ok   bool
	}{{"", 4, true}, {"https://127.0.0.1:9/esia", 4, true}, {"https://connector/x", 1, true},
		{"ftp://x/y", 4, false}, {"127.0.0.1:9", 4, false}, {"https://", 4, false}, {"https://x", 0, false}} {
		cfg := DefaultConfig()
		cfg.Hooks.ESIAURL, cfg.Hooks.Concurrency = c.url, c.conc
		if err := cfg.Validate(); (err == nil) != c.ok {
			t.Errorf("%q/%d: %v", c.url, c.conc, err)
		}
	}
}
