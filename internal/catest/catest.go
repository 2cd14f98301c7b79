// Package catest makes what tests of the CA packages share: a test
// configuration, a running CA on it, CSRs and a qualified person's
// request.
package catest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/pkix"
)

// Config is the default configuration on a fresh data directory, with a
// cheap key-file encryption and a fixed public URL.
func Config(t testing.TB) config.Config {
	t.Helper()
	cfg := config.DefaultConfig()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Keys.ScryptLogN = 10
	cfg.Server.PublicURL = "http://127.0.0.1:1"
	return cfg
}

// Quiet is a logger that discards everything.
func Quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// Open runs the CA of cfg (creating the default CA) until the test ends.
func Open(t testing.TB, cfg config.Config) *ca.CA {
	t.Helper()
	c, err := ca.Open(context.Background(), cfg, ca.Options{Logger: Quiet(), CreateDefault: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Admin is a CA administrator's principal.
var Admin = &auth.Principal{TokenID: "t1", Role: auth.RoleCAAdmin}

// CSR is a PKCS#10 request (DER) for a fresh GOST key on curve.
func CSR(t testing.TB, curve string) []byte {
	t.Helper()
	c, _ := gost3410.CurveByName(curve)
	k, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := pkix.CreateCertificateRequest(rand.Reader, k, &pkix.Subject{CommonName: "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// PersonRequest is a qualified-person issuance with a valid subject.
func PersonRequest(t testing.TB) *ca.IssueRequest {
	return &ca.IssueRequest{Profile: pkix.ProfileQualifiedPerson.Name, CSR: CSR(t, "tc26-256-A"), SubjectSignTool: "tool",
		Subject: pkix.Subject{CommonName: "Иванов Иван", Surname: "Иванов", GivenName: "Иван", Country: "RU",
			SNILS: "112-233-445 95", INN: "500100123426"}}
}

// Issue issues PersonRequest as Admin on c.
func Issue(t testing.TB, c *ca.CA) *ca.IssueResult {
	t.Helper()
	r, err := c.Issue(context.Background(), Admin, PersonRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// RefreshOCSP runs one pass of c's OCSP pre-signing job with the
// configured refresh_before.
func RefreshOCSP(t testing.TB, c *ca.CA) {
	t.Helper()
	if err := c.Publisher().RefreshOCSP(context.Background(), c.Config().OCSP.RefreshBefore); err != nil {
		t.Fatal(err)
	}
}

// ECDSACSR is a PKCS#10 request (DER) for a fresh ECDSA P-256 key with
// common name cn (tls-client certificates; tokens without GOST).
func ECDSACSR(t testing.TB, cn string) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pkix.CreateCertificateRequest(rand.Reader, k, &pkix.Subject{CommonName: cn}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return csr
}

// Serial parses a serial as the API prints it.
func Serial(t testing.TB, s string) []byte {
	t.Helper()
	b, err := ca.ParseSerial(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
