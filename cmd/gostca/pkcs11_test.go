//go:build cgo

package main

import (
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/internal/softhsmtest"
	"github.com/gostca/gostca/internal/testlog"
)

// issueTLSClient asks the running server for a tls-client certificate
// (ECDSA P-256 key) and returns it as PEM.
func issueTLSClient(t *testing.T, s *server, token, cn string) []byte {
	t.Helper()
	csr := catest.ECDSACSR(t, cn)
	code, body := s.do("POST", "/api/v1/certificates", token, map[string]any{
		"csr": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr})), "profile": "tls-client",
		"subject": map[string]string{"common_name": cn, "country": "RU"}})
	if code != 201 && code != 200 {
		t.Fatalf("issue %s: %d %s", cn, code, body)
	}
	var r struct {
		CertificatePEM string `json:"certificate_pem"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.CertificatePEM == "" {
		t.Fatalf("issue %s: %v %s", cn, err, body)
	}
	return []byte(r.CertificatePEM)
}

// TestServePKCS11: `gostca init` makes the CA keys on a SoftHSM2 token
// (ECDSA P-256: SoftHSM has no GOST), `gostca serve` issues through the
// token over the HTTP API, OpenSSL verifies the chain; after a restart the
// keys are found again by reference; a wrong PIN fails clearly and the PIN
// appears nowhere.
func TestServePKCS11(t *testing.T) {
	tok := softhsmtest.New(t, "gostca-serve")
	o := newOpenSSL(t)
	dir := filepath.Join(t.TempDir(), "data")
	t.Setenv("GOSTCA_KEYS_BACKEND", "pkcs11")
	t.Setenv("GOSTCA_PKCS11_MODULE", tok.Lib)
	t.Setenv("GOSTCA_PKCS11_TOKEN_LABEL", tok.Label)
	t.Setenv("GOSTCA_PKCS11_PIN", softhsmtest.PIN) // from the environment this time
	t.Setenv("GOSTCA_CA_CURVE", "P-256")

	out := cli(t, 0, "init", "--data", dir)
	if !strings.Contains(out, "issuing CAs ecdsa256") || !strings.Contains(out, `keys generated on PKCS#11 token "gostca-serve"`) {
		t.Fatalf("init: %s", out)
	}
	if s := cli(t, 1, "init", "--data", dir); !strings.Contains(s, "already holds a CA") {
		t.Fatalf("init over a CA: %s", s)
	}
	root, ca := filepath.Join(dir, "ca", "root.crt"), filepath.Join(dir, "ca", "ecdsa256.crt")

	s := startServe(t, "--data", dir)
	if s.token == "" {
		t.Fatalf("no admin token printed: %s", s.out.String())
	}
	if code, body := s.do("GET", "/readyz", "", nil); code != 200 {
		t.Fatalf("readyz: %d %s", code, body)
	}
	o.verify(root, ca, issueTLSClient(t, s, s.token, "client-1"))
	// The CA certificates served are the ones on disk.
	if code, body := s.do("GET", "/ca/ecdsa256.crt", "", nil); code != 200 || len(body) == 0 {
		t.Fatalf("ca cert: %d", code)
	}
	s.stop()

	// Restart: the keys are found on the token by their references; the
	// admin token of the first start still holds.
	adminTok := s.token
	s = startServe(t, "--data", dir)
	if code, body := s.do("GET", "/readyz", "", nil); code != 200 {
		t.Fatalf("readyz after restart: %d %s", code, body)
	}
	o.verify(root, ca, issueTLSClient(t, s, adminTok, "client-2"))
	// The token's pool and breaker are on /metrics.
	if code, body := s.do("GET", "/metrics", "", nil); code != 200 || !strings.Contains(string(body), "gostca_hsm_breaker_open 0") ||
		!strings.Contains(string(body), "gostca_hsm_sessions ") {
		t.Fatalf("metrics: %d %s", code, body)
	}
	logs := s.errb.String() + s.out.String()
	s.stop()

	// A wrong PIN: a clear error, no PIN anywhere.
	const wrong = "Wrong-Pin-0000"
	t.Setenv("GOSTCA_PKCS11_PIN", wrong)
	var outb, errb testlog.Buffer
	code := runContext(t.Context(), []string{"serve", "--data", dir, "--listen", "127.0.0.1:0"}, &outb, &errb)
	msg := outb.String() + errb.String()
	if code != 1 || !strings.Contains(msg, "refused the PIN as incorrect") || !strings.Contains(msg, "PIN from environment variable GOSTCA_PKCS11_PIN") {
		t.Fatalf("wrong PIN: exit %d: %s", code, msg)
	}
	for _, text := range []string{msg, logs, out} {
		if strings.Contains(text, softhsmtest.PIN) || strings.Contains(text, wrong) {
			t.Fatalf("a PIN was printed: %s", text)
		}
	}
	manifest, _ := os.ReadFile(filepath.Join(dir, "ca.json"))
	if strings.Contains(string(manifest), softhsmtest.PIN) || !strings.Contains(string(manifest), `"type": "pkcs11"`) {
		t.Fatalf("manifest: %s", manifest)
	}
}
