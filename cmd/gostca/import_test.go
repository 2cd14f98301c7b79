package main

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// issueCLI issues a qualified-person certificate from a fresh GOST
// tc26-256-A key with `gostca issue` and returns it as PEM.
func issueCLI(t *testing.T, dir string) []byte {
	t.Helper()
	work := t.TempDir()
	csrFile, subjFile := issueFiles(t, work)
	out := filepath.Join(work, "cert.pem")
	s := cli(t, 0, "issue", "--data", dir, "--csr", csrFile, "--subject", subjFile, "--out", out)
	if !regexp.MustCompile(`issued serial [0-9a-f]+`).MatchString(s) {
		t.Fatalf("issue: %s", s)
	}
	return mustRead(t, out)
}

// TestInitImport: a GOST CA made by `gostca init` with soft keys is
// adopted by `gostca init --import-…` into a fresh data directory; a
// certificate issued there verifies with OpenSSL's gost engine against the
// original root. A key that is not the certificate's, an end-entity
// certificate posing as a CA and conflicting flags are refused, and the
// refused data directories are never created.
func TestInitImport(t *testing.T) {
	o := newOpenSSL(t)
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	t.Setenv("GOSTCA_KEY_PASSPHRASE", "an import passphrase")
	base := t.TempDir()
	a := filepath.Join(base, "a")
	cli(t, 0, "init", "--data", a)
	rootA, issA := filepath.Join(a, "ca", "root.crt"), filepath.Join(a, "ca", "gost256.crt")
	keyA, rootKeyA := "soft:"+filepath.Join(a, "keys", "gost256.key"), "soft:"+filepath.Join(a, "keys", "root.key")

	b := filepath.Join(base, "b")
	out := cli(t, 0, "init", "--data", b, "--import-root", rootA, "--import-issuer", issA, "--issuer-key", keyA)
	if !strings.Contains(out, "CA imported in") || !strings.Contains(out, "issuing CAs gost256") {
		t.Fatalf("import: %s", out)
	}
	if s := cli(t, 1, "init", "--data", b, "--import-root", rootA, "--import-issuer", issA, "--issuer-key", keyA); !strings.Contains(s, "already holds a CA") {
		t.Fatalf("import over a CA: %s", s)
	}
	leaf := issueCLI(t, b)
	o.verify(rootA, issA, leaf)
	o.verify(filepath.Join(b, "ca", "root.crt"), filepath.Join(b, "ca", "gost256.crt"), leaf)
	leafFile := filepath.Join(base, "leaf.pem")
	os.WriteFile(leafFile, leaf, 0o644)

	for i, c := range []struct {
		code int
		args []string
		want string
	}{
		{1, []string{"--import-root", rootA, "--import-issuer", issA, "--issuer-key", rootKeyA}, "is not the key of certificate"},
		{1, []string{"--import-root", rootA, "--import-issuer", leafFile, "--issuer-key", keyA}, "is not a CA certificate"},
		{1, []string{"--import-root", rootA, "--root-key", keyA, "--import-issuer", issA, "--issuer-key", keyA}, "root key soft:"},
		{1, []string{"--import-root", rootA, "--import-issuer", issA, "--issuer-key", "pkcs11:label=x;pin-value=Pin-9876-secret"}, "a PIN never goes into a key reference"},
		{2, []string{"--import-issuer", issA, "--issuer-key", keyA}, "needs --import-root"},
		{2, []string{"--import-root", rootA, "--import-issuer", issA}, "one --issuer-key per --import-issuer"},
		{2, []string{"--import-root", rootA, "--import-issuer", issA, "--issuer-key", keyA, "--curve", "tc26-512-A"}, "not both"},
		{2, []string{"--keys", "tpm"}, "keys.backend"},
	} {
		dir := filepath.Join(base, "bad", string(rune('a'+i)))
		s := cli(t, c.code, append([]string{"init", "--data", dir}, c.args...)...)
		if !strings.Contains(s, c.want) || strings.Contains(s, "Pin-9876-secret") {
			t.Errorf("%v: %s, want %q", c.args, s, c.want)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%v: data directory created", c.args)
		}
	}
}
