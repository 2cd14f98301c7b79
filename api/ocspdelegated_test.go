package api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/pkix"
)

// TestDelegatedOCSPOpenSSL: with ocsp.delegated the responses — pre-signed
// and live (nonce), good and revoked — are signed by the responder
// certificate the issuing CA issued for itself, which travels in the
// response; `openssl ocsp` accepts it against the root ("Response verify
// OK"), and the CA key's hash is not the responder id.
func TestDelegatedOCSPOpenSSL(t *testing.T) {
	ts := startServer(t, func(c *config.Config) { c.OCSP.Delegated = true })
	o := newOSSL(t)
	ts.writeChain(t, o)
	csr := o.csr("leaf", "gost2012_256", "TCA")
	resp, body := ts.json(t, "POST", "/api/v1/certificates", auth.RoleCAOperator, issueBody(pkix.ProfileQualifiedPerson.Name, csr))
	wantStatus(t, resp, body, 201)
	leaf := decode[api.Certificate](t, body)
	o.write("leaf.pem", []byte(leaf.CertificatePEM))

	var caCert *pkix.Certificate
	for _, is := range ts.e.Issuers() {
		if is.ID == "gost256" {
			caCert = is.Cert
		}
	}
	caKeyHash, _ := pkix.ResponderKeyHash(caCert.PublicKey.Raw)
	check := func(status string, extra ...string) {
		t.Helper()
		args := append([]string{"ocsp", "-url", ts.base + "/ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem",
			"-CAfile", "root.pem", "-resp_text", "-respout", "resp.der"}, extra...)
		out := o.run(args...)
		for _, w := range []string{"Response verify OK", "leaf.pem: " + status, "OCSP Signing"} {
			if !strings.Contains(out, w) {
				t.Fatalf("openssl ocsp lacks %q:\n%s", w, out)
			}
		}
		r, err := pkix.ParseOCSPResponse(o.read("resp.der"))
		if err != nil || len(r.Certificates) != 1 || bytes.Equal(r.ResponderKeyHash, caKeyHash) {
			t.Fatalf("response %v: responder %x (CA %x), %d certificates", err, r.ResponderKeyHash, caKeyHash, len(r.Certificates))
		}
		responder, err := pkix.ParseCertificate(r.Certificates[0])
		if err != nil || responder.CheckSignatureFrom(caCert) != nil {
			t.Fatalf("responder certificate: %v", err)
		}
		if kh, _ := pkix.ResponderKeyHash(responder.PublicKey.Raw); !bytes.Equal(kh, r.ResponderKeyHash) {
			t.Fatal("the responder id is not the certificate's key")
		}
	}
	check("good")
	check("good", "-no_nonce") // pre-signed
	resp, body = ts.json(t, "POST", "/api/v1/certificates/"+leaf.Serial+"/revoke", auth.RoleCAOperator, api.StatusRequest{Reason: "keyCompromise"})
	wantStatus(t, resp, body, 200)
	check("revoked")
	check("revoked", "-no_nonce")
}
