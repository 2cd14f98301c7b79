package engine

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

	"github.com/gostca/gostca/pkix"
)

const testPassphrase = "correct horse battery staple"

// softCA makes a soft-key CA (GOST tc26-256-A) under the passphrase of
// GOSTCA_KEY_PASSPHRASE and returns its data directory.
func softCA(t *testing.T) string {
	t.Helper()
	cfg := testConfig(t)
	if _, err := Init(cfg, quiet()); err != nil {
		t.Fatal(err)
	}
	return cfg.DataDir
}

func TestImportSoftCA(t *testing.T) {
	t.Setenv(PassphraseEnv, testPassphrase)
	a := softCA(t)
	cfg := testConfig(t)
	spec := ImportSpec{
		RootCert: filepath.Join(a, "ca", "root.crt"), RootKey: "soft:" + filepath.Join(a, "keys", "root.key"),
		Issuers: []ImportIssuer{{Cert: filepath.Join(a, "ca", "gost256.crt"), Key: "soft:" + filepath.Join(a, "keys", "gost256.key")}},
	}
	res, err := Import(context.Background(), cfg, spec, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Issuers, ",") != "gost256" {
		t.Fatalf("import: %+v", res)
	}
	if _, err := Import(context.Background(), cfg, spec, quiet()); !errors.Is(err, ErrCAExists) {
		t.Fatalf("second import: %v", err)
	}
	m, _ := readManifestT(t, cfg.DataDir)
	if m.Root.Key.Type != keyTypeSoft || m.Issuers[0].Key.File != filepath.Join(keysDir, "gost256.key") {
		t.Fatalf("manifest %+v", m)
	}
	e := openTest(t, cfg)
	orig := mustReadFile(t, filepath.Join(a, "ca", "gost256.crt"))
	origCert, _ := pkix.ParseCertificate(orig)
	is := e.Issuers()[0]
	if !bytes.Equal(is.Cert.Raw, origCert.Raw) {
		t.Fatal("the imported issuer is not the original certificate")
	}
	r, err := e.Issue(context.Background(), admin, personRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := pkix.ParseCertificate(r.Cert.DER)
	if err := c.CheckSignatureFrom(origCert); err != nil {
		t.Fatal(err)
	}

	// Without the root key (an offline root) the CA imports too.
	cfg2 := testConfig(t)
	spec.RootKey = ""
	if _, err := Import(context.Background(), cfg2, spec, quiet()); err != nil {
		t.Fatal(err)
	}
	if m, _ := readManifestT(t, cfg2.DataDir); m.Root.Key.Type != keyTypeNone {
		t.Fatalf("root key %+v", m.Root.Key)
	}
	openTest(t, cfg2)
}

// TestImportRefusesBadInput: every refusal is clear and leaves the data
// directory untouched (not even created).
func TestImportRefusesBadInput(t *testing.T) {
	t.Setenv(PassphraseEnv, testPassphrase)
	a, other := softCA(t), softCA(t)
	work := t.TempDir()
	// An end-entity certificate of CA a.
	cfgA := testConfig(t)
	cfgA.DataDir = a
	e, err := Open(context.Background(), cfgA, Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.Issue(context.Background(), admin, personRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	leaf := filepath.Join(work, "leaf.pem")
	os.WriteFile(leaf, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.Cert.DER}), 0o644)
	garbage := filepath.Join(work, "garbage.pem")
	os.WriteFile(garbage, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o644)

	f := func(dir, name string) string { return filepath.Join(dir, name) }
	rootA, issA := f(a, "ca/root.crt"), f(a, "ca/gost256.crt")
	keyA, rootKeyA := "soft:"+f(a, "keys/gost256.key"), "soft:"+f(a, "keys/root.key")
	good := func() ImportSpec {
		return ImportSpec{RootCert: rootA, Issuers: []ImportIssuer{{Cert: issA, Key: keyA}}}
	}
	cases := []struct {
		name   string
		mutate func(*ImportSpec)
		env    string // passphrase, if not the right one
		want   string
	}{
		{"key of another certificate", func(s *ImportSpec) { s.Issuers[0].Key = rootKeyA }, "",
			"is not the key of certificate"},
		{"root key mismatch", func(s *ImportSpec) { s.RootKey = keyA }, "", "root key soft:"},
		{"issuer of another root", func(s *ImportSpec) {
			s.Issuers[0] = ImportIssuer{Cert: f(other, "ca/gost256.crt"), Key: "soft:" + f(other, "keys/gost256.key")}
		}, "", "is not signed by the root's key"},
		{"end-entity certificate as issuer", func(s *ImportSpec) { s.Issuers[0].Cert = leaf }, "", "is not a CA certificate"},
		{"issuer as root", func(s *ImportSpec) { s.RootCert = issA }, "", "is not self-signed"},
		{"root as issuer", func(s *ImportSpec) { s.Issuers[0].Cert = rootA }, "", "is the root certificate"},
		{"garbage certificate", func(s *ImportSpec) { s.Issuers[0].Cert = garbage }, "", "issuing CA 1 certificate"},
		{"missing file", func(s *ImportSpec) { s.RootCert = f(work, "none.crt") }, "", "no such file"},
		{"wrong passphrase", func(*ImportSpec) {}, "another passphrase!", "wrong passphrase or damaged file"},
		{"unknown key kind", func(s *ImportSpec) { s.Issuers[0].Key = "file:" + f(a, "keys/gost256.key") }, "", `unknown kind "file"`},
		{"no key", func(s *ImportSpec) { s.Issuers[0].Key = "" }, "", "a key reference is required"},
		{"no issuers", func(s *ImportSpec) { s.Issuers = nil }, "", "at least one issuing CA"},
		{"duplicate ids", func(s *ImportSpec) { s.Issuers = append(s.Issuers, s.Issuers[0]) }, "", `id "gost256" is taken`},
		{"bad id", func(s *ImportSpec) { s.Issuers[0].ID = "../x" }, "", `id "../x"`},
		{"token key without [pkcs11]", func(s *ImportSpec) { s.Issuers[0].Key = "pkcs11:label=ca" }, "", "needs the [pkcs11] section"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv(PassphraseEnv, c.env)
			}
			cfg := testConfig(t)
			spec := good()
			c.mutate(&spec)
			_, err := Import(context.Background(), cfg, spec, quiet())
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
	os.Unsetenv(PassphraseEnv)
	cfg := testConfig(t)
	_, err = Import(context.Background(), cfg, good(), quiet())
	if err == nil || !strings.Contains(err.Error(), "set GOSTCA_KEY_PASSPHRASE or keys.passphrase_file") {
		t.Fatalf("demo passphrase: %v", err)
	}
}

func TestParseKeyRef(t *testing.T) {
	for in, want := range map[string]keyRef{
		"soft:/a/b.key":                     {Type: "soft", File: "/a/b.key"},
		"pkcs11:label=ca-2026":              {Type: "pkcs11", Label: "ca-2026"},
		"pkcs11:object=ca%202026;id=%01%ff": {Type: "pkcs11", Label: "ca 2026", ID: "01ff"},
		"pkcs11:id=0A0B;type=private":       {Type: "pkcs11", ID: "0a0b"},
		"pkcs11:token=GostCA;label=x":       {Type: "pkcs11", Label: "x", token: "GostCA"},
	} {
		got, err := parseKeyRef(in)
		if err != nil || got != want {
			t.Errorf("%q: %+v %v, want %+v", in, got, err, want)
		}
	}
	if _, err := parseKeyRef("pkcs11:id=zz;pin-value=1234"); err == nil || strings.Contains(err.Error(), "1234") {
		t.Errorf("PIN in a key reference: %v", err)
	}
	for _, in := range []string{"", "a.key", "soft:", "pkcs11:", "pkcs11:label=", "pkcs11:id=xyz", "pkcs11:type=public;id=01", "pkcs11:pin-value=1234;id=01", "hsm:label=x"} {
		if _, err := parseKeyRef(in); err == nil {
			t.Errorf("%q accepted", in)
		}
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

func readManifestT(t *testing.T, dir string) (*manifest, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return &m, string(raw)
}
