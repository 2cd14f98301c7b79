//go:build cgo

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/internal/softhsmtest"
)

// TestInitCSRPKCS11: `gostca init --csr` with keys.backend = "pkcs11"
// makes the issuing CA key pair on the token (ECDSA P-256: SoftHSM has no
// GOST) and writes the request; the OpenSSL root certifies it, the import
// finds the key by the printed reference, and the server issues through
// the token a certificate OpenSSL verifies.
func TestInitCSRPKCS11(t *testing.T) {
	tok := softhsmtest.New(t, "gostca-csr")
	o := newOpenSSL(t)
	t.Setenv("GOSTCA_KEYS_BACKEND", "pkcs11")
	t.Setenv("GOSTCA_PKCS11_MODULE", tok.Lib)
	t.Setenv("GOSTCA_PKCS11_TOKEN_LABEL", tok.Label)
	t.Setenv("GOSTCA_PKCS11_PIN", softhsmtest.PIN)
	t.Setenv("GOSTCA_CA_CURVE", "P-256")
	root := newOpenSSLRoot(o)
	data := filepath.Join(t.TempDir(), "data")
	conf := caConfig(t, data)
	csr, ref := initCSR(t, conf)
	if !strings.HasPrefix(ref, "pkcs11:label=gostca-ecdsa256-") || !strings.Contains(ref, ";id=") {
		t.Fatalf("key reference %q", ref)
	}
	if keys, _ := filepath.Glob(filepath.Join(data, "keys", "*.key")); len(keys) != 0 {
		t.Fatalf("soft keys written: %v", keys)
	}
	ica := root.sign(csr, time.Now().AddDate(1, 0, 0))
	cli(t, 0, "init", "--config", conf, "--import-root", root.cert, "--import-issuer", ica, "--issuer-key", ref)
	s := startServe(t, "--config", conf)
	leaf := issueTLSClient(t, s, s.token, "client-csr")
	o.verify(root.cert, ica, leaf)
	if b, _ := os.ReadFile(filepath.Join(data, "ca.json")); !strings.Contains(string(b), `"type": "pkcs11"`) {
		t.Fatalf("manifest: %s", b)
	}
}
