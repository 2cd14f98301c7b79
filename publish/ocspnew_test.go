package publish_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/internal/openssltest"
	"github.com/gostca/gostca/pkix"
)

// TestNewCertificateResponseCommitted: a certificate's pre-signed
// response is committed with it: stored the moment Issue returns, in the
// certificate's own batch (its StoredAt is the certificate's IssuedAt),
// at status version 0 and not due; it is a "good" answer for the serial
// signed by the responder of the moment (the CA key, or the delegated
// responder), which `openssl ocsp` verifies against the root; the
// responder serves it pre-signed; and a revocation right after is
// answered "revoked", never with the committed "good".
func TestNewCertificateResponseCommitted(t *testing.T) {
	o := openssltest.Gost(t)
	for _, delegated := range []bool{false, true} {
		name := "ca-key"
		if delegated {
			name = "delegated"
		}
		t.Run(name, func(t *testing.T) {
			cfg := catest.Config(t)
			cfg.OCSP.RefreshInterval = time.Hour
			cfg.OCSP.Delegated = delegated
			e := catest.Open(t, cfg)
			ctx := context.Background()
			pub := e.Publisher()
			if err := pub.EnsureResponders(ctx); err != nil {
				t.Fatal(err)
			}
			r := catest.Issue(t, e)
			serial := r.Cert.Serial
			rec, err := e.Store().OCSPResponse(ctx, serial)
			if err != nil {
				t.Fatalf("no response stored when Issue returned: %v", err)
			}
			if !rec.StoredAt.Equal(r.Cert.IssuedAt) || rec.StatusVersion != 0 {
				t.Fatalf("response stored at %v (certificate committed at %v), status version %d", rec.StoredAt, r.Cert.IssuedAt, rec.StatusVersion)
			}
			due, _, err := e.Store().OCSPDue(ctx, time.Now(), "", 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range due {
				if bytes.Equal(d.Serial, serial) {
					t.Fatal("certificate with a committed response is due")
				}
			}
			resp, err := pkix.ParseOCSPResponse(rec.DER)
			if err != nil || len(resp.Responses) != 1 || resp.Responses[0].Status != pkix.OCSPGood || !bytes.Equal(resp.Responses[0].CertID.Serial, serial) {
				t.Fatalf("committed response: %v %+v", err, resp)
			}
			issuer := e.Issuers()[0]
			responderCert, responderHash, caHash := pub.Responder(issuer.ID)
			if delegated && (responderCert == nil || !bytes.Equal(resp.ResponderKeyHash, responderHash)) ||
				!delegated && !bytes.Equal(resp.ResponderKeyHash, caHash) {
				t.Fatalf("signed by key hash %x (responder %x, CA %x)", resp.ResponderKeyHash, responderHash, caHash)
			}

			rootDER, _ := e.CACertificate(cadir.RootID)
			root := openssltest.WriteFile(t, "root.der", rootDER)
			caFile := openssltest.WriteFile(t, "ca.der", issuer.Cert.Raw)
			leaf := openssltest.WriteFile(t, "leaf.der", r.Cert.DER)
			for _, f := range []string{root, caFile, leaf} {
				o.Run(t, "x509", "-inform", "DER", "-in", f, "-out", f+".pem")
			}
			outb, err := o.Command("ocsp", "-respin", openssltest.WriteFile(t, "resp.der", rec.DER),
				"-issuer", caFile+".pem", "-cert", leaf+".pem", "-CAfile", root+".pem", "-no_nonce").CombinedOutput()
			if out := string(outb); err != nil || !strings.Contains(out, "Response verify OK") || !strings.Contains(out, leaf+".pem: good") {
				t.Fatalf("openssl ocsp on the committed response: %v\n%s", err, out)
			}

			id, err := pub.CertID(issuer.ID, pkix.OCSPHashSHA1, serial)
			if err != nil {
				t.Fatal(err)
			}
			a := pub.Respond(ctx, &pkix.OCSPRequest{CertIDs: []pkix.CertID{id}})
			if a.Result != "good" || !a.Presigned || !bytes.Equal(a.DER, rec.DER) {
				t.Fatalf("responder: %s, presigned %v, committed response %v", a.Result, a.Presigned, bytes.Equal(a.DER, rec.DER))
			}
			if _, err := e.SetStatus(ctx, catest.Admin, serial, ca.StatusRequest{Action: ca.Revoke, Reason: "keyCompromise"}); err != nil {
				t.Fatal(err)
			}
			if a := pub.Respond(ctx, &pkix.OCSPRequest{CertIDs: []pkix.CertID{id}}); a.Result != "revoked" || bytes.Equal(a.DER, rec.DER) {
				t.Fatalf("after the revocation the responder answers %s (the committed response: %v)", a.Result, bytes.Equal(a.DER, rec.DER))
			}
		})
	}
}
