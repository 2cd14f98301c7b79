package pkix

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"
)

// ocspOpenSSLStatus is one certificate status to answer and what OpenSSL
// must print for it.
type ocspOpenSSLStatus struct {
	name   string
	status OCSPStatus
	reason CRLReason
	want   []string // in `openssl ocsp -resp_text` and the status summary
}

var ocspOpenSSLStatuses = []ocspOpenSSLStatus{
	{"good", OCSPGood, 0, []string{"Cert Status: good", "leaf.pem: good"}},
	{"revoked", OCSPRevoked, ReasonKeyCompromise, []string{"Cert Status: revoked", "Revocation Time:",
		"Revocation Reason: keyCompromise (0x1)", "leaf.pem: revoked", "Reason: keyCompromise"}},
	{"hold", OCSPRevoked, ReasonCertificateHold, []string{"Cert Status: revoked",
		"Revocation Reason: certificateHold (0x6)", "Reason: certificateHold"}},
	{"revoked no reason", OCSPRevoked, 0, []string{"Cert Status: revoked", "leaf.pem: revoked"}},
	{"unknown", OCSPUnknown, 0, []string{"Cert Status: unknown", "leaf.pem: unknown"}},
}

// TestOCSPOpenSSL: requests made by `openssl ocsp` parse with the right
// CertID and nonce, and responses built here for them pass `openssl ocsp`
// verification (signature, nonce, status), signed by the CA itself and by
// a delegated responder.
func TestOCSPOpenSSL(t *testing.T) {
	for _, curve := range []string{"tc26-256-A", "tc26-512-A"} {
		t.Run(curve, func(t *testing.T) {
			t.Parallel()
			o := newCRLOSSL(t)
			ca := o.ca("ca", curve)
			leaf := o.issue(ca, "leaf", "tc26-256-B", "7a1b2c3d4e5f60718293", "")
			resp := o.issue(ca, "responder", curve, "0100", "basicConstraints=critical,CA:FALSE\n"+
				"keyUsage=critical,digitalSignature\nextendedKeyUsage=OCSPSigning\n")
			iss, err := NewOCSPIssuer(ca.subject, ca.spki)
			if err != nil {
				t.Fatal(err)
			}
			for _, md := range []struct {
				flag string
				hash OCSPHash
			}{
				{"-sha1", OCSPHashSHA1}, {"-sha256", OCSPHashSHA256},
				{"-md_gost12_256", OCSPHashStreebog256}, {"-md_gost12_512", OCSPHashStreebog512},
			} {
				for _, nonce := range []bool{true, false} {
					name := md.flag[1:]
					args := []string{"ocsp", md.flag, "-issuer", "ca.pem", "-cert", "leaf.pem", "-reqout", "req.der"}
					if !nonce {
						name += "-no_nonce"
						args = append(args, "-no_nonce")
					}
					t.Run(name, func(t *testing.T) {
						o.run(args...)
						req, err := ParseOCSPRequest(o.read("req.der"))
						if err != nil {
							t.Fatal(err)
						}
						if len(req.CertIDs) != 1 {
							t.Fatalf("%d CertIDs", len(req.CertIDs))
						}
						id := req.CertIDs[0]
						if id.Hash != md.hash || !iss.Matches(&id) || !bytes.Equal(id.Serial, leaf.cert.SerialNumber.Bytes()) {
							t.Fatalf("CertID %+v", id)
						}
						if nonce != (len(req.Nonce) == 16) {
							t.Fatalf("nonce %x", req.Nonce)
						}
						mine, err := MarshalOCSPRequest([]CertID{{Hash: id.Hash, IssuerNameHash: id.IssuerNameHash,
							IssuerKeyHash: id.IssuerKeyHash, Serial: id.Serial}}, req.Nonce)
						if err != nil || !bytes.Equal(mine, req.Raw) {
							t.Fatalf("MarshalOCSPRequest: %v\n%x\nOpenSSL wrote\n%x", err, mine, req.Raw)
						}
						ocspOpenSSLRespond(t, o, ca, resp, req, md.flag)
					})
				}
			}
		})
	}
}

// ocspOpenSSLRespond answers req in every status, signed by the CA and by
// the delegated responder, and has OpenSSL check each answer.
func ocspOpenSSLRespond(t *testing.T, o *crlOSSL, ca, responder *crlOSSLCert, req *OCSPRequest, md string) {
	now := time.Now().UTC().Truncate(time.Second)
	for _, st := range ocspOpenSSLStatuses {
		sr := SingleResponse{CertID: req.CertIDs[0], Status: st.status, ThisUpdate: now, NextUpdate: now.Add(time.Hour)}
		if st.status == OCSPRevoked {
			sr.RevokedAt, sr.Reason = now.Add(-24*time.Hour), st.reason
		}
		for _, signer := range []*crlOSSLCert{ca, responder} {
			tmpl := &OCSPResponseTemplate{ProducedAt: now, Responses: []SingleResponse{sr}, Nonce: req.Nonce}
			trust := []string{"-CAfile", "ca.pem"}
			if signer == ca {
				// Signed by the CA, no certificate included: the
				// verifier is told the responder's certificate.
				trust = append(trust, "-VAfile", "ca.pem")
			} else {
				tmpl.Certificates = [][]byte{signer.der}
			}
			der, err := CreateOCSPResponse(rand.Reader, signer.key, tmpl)
			if err != nil {
				t.Fatal(err)
			}
			o.write("resp.der", der)
			// Against the very request: signature, chain and nonce.
			out := o.run(append([]string{"ocsp", "-respin", "resp.der", "-reqin", "req.der", "-resp_text"}, trust...)...)
			// Against a request rebuilt from the certificate: the status
			// summary per certificate (this request has its own nonce,
			// hence -no_nonce).
			out += o.run(append([]string{"ocsp", "-respin", "resp.der", md, "-issuer", "ca.pem", "-cert", "leaf.pem", "-no_nonce"}, trust...)...)
			for _, w := range append([]string{"Response verify OK"}, st.want...) {
				if !strings.Contains(out, w) {
					t.Errorf("%s by %s: openssl output lacks %q:\n%s", st.name, signer.name, w, out)
				}
			}
			for _, bad := range []string{"Nonce Verify error", "WARNING", "ERROR"} {
				if strings.Contains(out, bad) {
					t.Errorf("%s by %s: openssl says %q:\n%s", st.name, signer.name, bad, out)
				}
			}
		}
	}
	if req.Nonce == nil {
		return
	}
	// Negative checks: a wrong nonce and a wrong signer are caught.
	tmpl := &OCSPResponseTemplate{ProducedAt: now, Nonce: []byte("not the nonce"),
		Responses: []SingleResponse{{CertID: req.CertIDs[0], Status: OCSPGood, ThisUpdate: now}}}
	der, err := CreateOCSPResponse(rand.Reader, ca.key, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	o.write("resp.der", der)
	if out, err := o.try("ocsp", "-respin", "resp.der", "-reqin", "req.der", "-CAfile", "ca.pem", "-VAfile", "ca.pem"); err == nil || !strings.Contains(out, "Nonce Verify error") {
		t.Errorf("wrong nonce accepted: %v\n%s", err, out)
	}
	tmpl.Nonce = req.Nonce
	der, err = CreateOCSPResponse(rand.Reader, responder.key, tmpl) // no certificate: unknown signer
	if err != nil {
		t.Fatal(err)
	}
	o.write("resp.der", der)
	if out, err := o.try("ocsp", "-respin", "resp.der", "-reqin", "req.der", "-CAfile", "ca.pem"); err == nil || strings.Contains(out, "Response verify OK") {
		t.Errorf("response by an unknown signer accepted: %v\n%s", err, out)
	}
}
