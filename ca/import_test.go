package ca_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
)

const testPassphrase = "correct horse battery staple"

// softCA makes a soft-key CA (GOST tc26-256-A) under the passphrase of
// GOSTCA_KEY_PASSPHRASE and returns its data directory.
func softCA(t *testing.T) string {
	t.Helper()
	cfg := catest.Config(t)
	if _, err := cadir.Init(cfg, catest.Quiet()); err != nil {
		t.Fatal(err)
	}
	return cfg.DataDir
}

func TestImportSoftCA(t *testing.T) {
	t.Setenv(config.PassphraseEnv, testPassphrase)
	a := softCA(t)
	cfg := catest.Config(t)
	spec := cadir.ImportSpec{
		RootCert: filepath.Join(a, "ca", "root.crt"), RootKey: "soft:" + filepath.Join(a, "keys", "root.key"),
		Issuers: []cadir.ImportIssuer{{Cert: filepath.Join(a, "ca", "gost256.crt"), Key: "soft:" + filepath.Join(a, "keys", "gost256.key")}},
	}
	res, err := cadir.Import(context.Background(), cfg, spec, catest.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Issuers, ",") != "gost256" {
		t.Fatalf("import: %+v", res)
	}
	if _, err := cadir.Import(context.Background(), cfg, spec, catest.Quiet()); !errors.Is(err, cadir.ErrCAExists) {
		t.Fatalf("second import: %v", err)
	}
	m, _ := readManifestT(t, cfg.DataDir)
	if m.Root.Key.Type != cadir.KeyTypeSoft || m.Issuers[0].Key.File != filepath.Join(keysDir, "gost256.key") {
		t.Fatalf("manifest %+v", m)
	}
	e := catest.Open(t, cfg)
	orig := mustReadFile(t, filepath.Join(a, "ca", "gost256.crt"))
	origCert, _ := pkix.ParseCertificate(orig)
	is := e.Issuers()[0]
	if !bytes.Equal(is.Cert.Raw, origCert.Raw) {
		t.Fatal("the imported issuer is not the original certificate")
	}
	r := catest.Issue(t, e)
	c, _ := pkix.ParseCertificate(r.Cert.DER)
	if err := c.CheckSignatureFrom(origCert); err != nil {
		t.Fatal(err)
	}

	// Without the root key (an offline root) the CA imports too.
	cfg2 := catest.Config(t)
	spec.RootKey = ""
	if _, err := cadir.Import(context.Background(), cfg2, spec, catest.Quiet()); err != nil {
		t.Fatal(err)
	}
	if m, _ := readManifestT(t, cfg2.DataDir); m.Root.Key.Type != cadir.KeyTypeNone {
		t.Fatalf("root key %+v", m.Root.Key)
	}
	catest.Open(t, cfg2)
}

// TestImportRefusesBadInput: every refusal is clear and leaves the data
// directory untouched (not even created).
func TestImportRefusesBadInput(t *testing.T) {
	t.Setenv(config.PassphraseEnv, testPassphrase)
	a, other := softCA(t), softCA(t)
	work := t.TempDir()
	// An end-entity certificate of CA a.
	cfgA := catest.Config(t)
	cfgA.DataDir = a
	e, err := ca.Open(context.Background(), cfgA, ca.Options{Logger: catest.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	r := catest.Issue(t, e)
	e.Close()
	leaf := filepath.Join(work, "leaf.pem")
	os.WriteFile(leaf, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.Cert.DER}), 0o644)
	garbage := filepath.Join(work, "garbage.pem")
	os.WriteFile(garbage, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o644)

	f := func(dir, name string) string { return filepath.Join(dir, name) }
	rootA, issA := f(a, "ca/root.crt"), f(a, "ca/gost256.crt")
	keyA, rootKeyA := "soft:"+f(a, "keys/gost256.key"), "soft:"+f(a, "keys/root.key")
	good := func() cadir.ImportSpec {
		return cadir.ImportSpec{RootCert: rootA, Issuers: []cadir.ImportIssuer{{Cert: issA, Key: keyA}}}
	}
	cases := []struct {
		name   string
		mutate func(*cadir.ImportSpec)
		env    string // passphrase, if not the right one
		want   string
	}{
		{"key of another certificate", func(s *cadir.ImportSpec) { s.Issuers[0].Key = rootKeyA }, "",
			"is not the key of certificate"},
		{"root key mismatch", func(s *cadir.ImportSpec) { s.RootKey = keyA }, "", "root key soft:"},
		{"issuer of another root", func(s *cadir.ImportSpec) {
			s.Issuers[0] = cadir.ImportIssuer{Cert: f(other, "ca/gost256.crt"), Key: "soft:" + f(other, "keys/gost256.key")}
		}, "", "is not signed by the root's key"},
		{"end-entity certificate as issuer", func(s *cadir.ImportSpec) { s.Issuers[0].Cert = leaf }, "", "is not a CA certificate"},
		{"issuer as root", func(s *cadir.ImportSpec) { s.RootCert = issA }, "", "is not self-signed"},
		{"root as issuer", func(s *cadir.ImportSpec) { s.Issuers[0].Cert = rootA }, "", "is the root certificate"},
		{"garbage certificate", func(s *cadir.ImportSpec) { s.Issuers[0].Cert = garbage }, "", "issuing CA 1 certificate"},
		{"missing file", func(s *cadir.ImportSpec) { s.RootCert = f(work, "none.crt") }, "", "no such file"},
		{"wrong passphrase", func(*cadir.ImportSpec) {}, "another passphrase!", "wrong passphrase or damaged file"},
		{"unknown key kind", func(s *cadir.ImportSpec) { s.Issuers[0].Key = "file:" + f(a, "keys/gost256.key") }, "", `unknown kind "file"`},
		{"no key", func(s *cadir.ImportSpec) { s.Issuers[0].Key = "" }, "", "a key reference is required"},
		{"no issuers", func(s *cadir.ImportSpec) { s.Issuers = nil }, "", "at least one issuing CA"},
		{"duplicate ids", func(s *cadir.ImportSpec) { s.Issuers = append(s.Issuers, s.Issuers[0]) }, "", `id "gost256" is taken`},
		{"bad id", func(s *cadir.ImportSpec) { s.Issuers[0].ID = "../x" }, "", `id "../x"`},
		{"token key without [pkcs11]", func(s *cadir.ImportSpec) { s.Issuers[0].Key = "pkcs11:label=ca" }, "", "needs the [pkcs11] section"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv(config.PassphraseEnv, c.env)
			}
			cfg := catest.Config(t)
			spec := good()
			c.mutate(&spec)
			_, err := cadir.Import(context.Background(), cfg, spec, catest.Quiet())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if strings.Contains(err.Error(), testPassphrase) {
				t.Fatal("passphrase in the error")
			}
			if _, serr := os.Stat(cfg.DataDir); !errors.Is(serr, os.ErrNotExist) {
				t.Fatalf("data directory touched: %v", serr)
			}
			t.Log(err)
		})
	}

	// The demo default passphrase cannot decrypt a key made elsewhere:
	// say what to set instead.
	os.Unsetenv(config.PassphraseEnv)
	cfg := catest.Config(t)
	_, err = cadir.Import(context.Background(), cfg, good(), catest.Quiet())
	if err == nil || !strings.Contains(err.Error(), "set GOSTCA_KEY_PASSPHRASE or keys.passphrase_file") {
		t.Fatalf("demo passphrase: %v", err)
	}
}

func mustReadFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Directories of the data directory.
const (
	keysDir = "keys"
	caDir   = "ca"
)

func readManifestT(t *testing.T, dir string) (*cadir.Manifest, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, cadir.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m cadir.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return &m, string(raw)
}
