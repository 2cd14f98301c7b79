package publish_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// TestStatusCRLOCSP follows one certificate through hold, resume and
// revocation, checking the CRL (parsed and verified) and the OCSP answers
// (pre-signed and live) at each step.
func TestStatusCRLOCSP(t *testing.T) {
	cfg := catest.Config(t)
	e := catest.Open(t, cfg)
	ctx := context.Background()
	r := catest.Issue(t, e)
	serial := r.Cert.Serial
	is := e.Issuers()[0]
	check := func(step string, wantCRL bool, want pkix.OCSPStatus, reason pkix.CRLReason) {
		t.Helper()
		f, err := e.Publisher().CRL(ctx, "gost256")
		if err != nil {
			t.Fatal(err)
		}
		crl, err := pkix.ParseCRL(f.DER)
		if err != nil || crl.CheckSignatureFrom(is.Cert.PublicKey.Key) != nil {
			t.Fatalf("%s: CRL: %v", step, err)
		}
		found := false
		for _, en := range crl.Entries {
			if bytes.Equal(en.Serial, serial) {
				found = en.Reason == reason
			}
		}
		if found != wantCRL {
			t.Fatalf("%s: in CRL %v, want %v", step, found, wantCRL)
		}
		// New certificates are pre-signed by the background job; run a
		// pass so this does not depend on its timing.
		catest.RefreshOCSP(t, e)
		for _, nonce := range [][]byte{nil, []byte("0123456789abcdef")} {
			id, _ := e.Publisher().CertID("gost256", pkix.OCSPHashSHA1, serial)
			a := e.Publisher().Respond(ctx, &pkix.OCSPRequest{CertIDs: []pkix.CertID{id}, Nonce: nonce})
			resp, err := pkix.ParseOCSPResponse(a.DER)
			if err != nil || resp.Status != pkix.OCSPSuccessful || resp.CheckSignatureFrom(is.Cert.PublicKey.Key) != nil {
				t.Fatalf("%s: OCSP: %v %+v", step, err, resp)
			}
			if resp.Responses[0].Status != want || !bytes.Equal(resp.Nonce, nonce) {
				t.Fatalf("%s: OCSP status %v nonce %x", step, resp.Responses[0].Status, resp.Nonce)
			}
			if want == pkix.OCSPRevoked && resp.Responses[0].Reason != reason {
				t.Fatalf("%s: OCSP reason %v", step, resp.Responses[0].Reason)
			}
			if (nonce == nil) != a.Presigned {
				t.Fatalf("%s: nonce %x presigned %v", step, nonce, a.Presigned)
			}
		}
	}
	check("issued", false, pkix.OCSPGood, 0)
	if _, err := e.SetStatus(ctx, catest.Admin, serial, ca.StatusRequest{Action: ca.Suspend}); err != nil {
		t.Fatal(err)
	}
	check("held", true, pkix.OCSPRevoked, pkix.ReasonCertificateHold)
	if _, err := e.SetStatus(ctx, catest.Admin, serial, ca.StatusRequest{Action: ca.Resume}); err != nil {
		t.Fatal(err)
	}
	check("resumed", false, pkix.OCSPGood, 0)
	if _, err := e.SetStatus(ctx, catest.Admin, serial, ca.StatusRequest{Action: ca.Revoke, Reason: "keyCompromise", InvalidityDate: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	check("revoked", true, pkix.OCSPRevoked, pkix.ReasonKeyCompromise)
	_, err := e.SetStatus(ctx, catest.Admin, serial, ca.StatusRequest{Action: ca.Resume})
	if caerr.CodeOf(err) != caerr.CodeInvalidTransition {
		t.Fatalf("resume after revoke: %v", err)
	}
	// Unknown serial: "unknown", signed live.
	id, _ := e.Publisher().CertID("gost256", pkix.OCSPHashSHA256, []byte{1, 2, 3})
	a := e.Publisher().Respond(ctx, &pkix.OCSPRequest{CertIDs: []pkix.CertID{id}})
	if resp, err := pkix.ParseOCSPResponse(a.DER); err != nil || resp.Responses[0].Status != pkix.OCSPUnknown {
		t.Fatalf("unknown serial: %v", err)
	}
	// Another CA's CertID: unauthorized.
	other := id
	other.IssuerKeyHash = make([]byte, len(id.IssuerKeyHash))
	a = e.Publisher().Respond(ctx, &pkix.OCSPRequest{CertIDs: []pkix.CertID{other}})
	if resp, err := pkix.ParseOCSPResponse(a.DER); err != nil || resp.Status != pkix.OCSPUnauthorized {
		t.Fatalf("foreign issuer: %v %+v", err, resp)
	}
	if err := e.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := e.Store().Check(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("store check: %v %+v", err, rep)
	}
}

// TestOCSPRefreshJob: the background job pre-signs responses of new
// certificates and re-signs those close to their nextUpdate.
func TestOCSPRefreshJob(t *testing.T) {
	cfg := catest.Config(t)
	e := catest.Open(t, cfg)
	ctx := context.Background()
	r := catest.Issue(t, e)
	catest.RefreshOCSP(t, e)
	rec, err := e.Store().OCSPResponse(ctx, r.Cert.Serial)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing due now: a second pass leaves it alone.
	catest.RefreshOCSP(t, e)
	same, _ := e.Store().OCSPResponse(ctx, r.Cert.Serial)
	if !bytes.Equal(same.DER, rec.DER) {
		t.Fatal("a fresh response was re-signed")
	}
	// Due within refresh_before: re-signed.
	time.Sleep(1100 * time.Millisecond) // a new producedAt second
	if err := e.Publisher().RefreshOCSP(context.Background(), e.Config().OCSP.Validity+time.Hour); err != nil {
		t.Fatal(err)
	}
	newer, _ := e.Store().OCSPResponse(ctx, r.Cert.Serial)
	if bytes.Equal(newer.DER, rec.DER) || !newer.NextUpdate.After(rec.NextUpdate) {
		t.Fatal("a due response was not re-signed")
	}
}

// TestOCSPRefreshRetiresExpired: the refresh job does not re-sign an
// expired certificate's response; it takes it out of the due index.
func TestOCSPRefreshRetiresExpired(t *testing.T) {
	e := catest.Open(t, catest.Config(t))
	ctx := context.Background()
	serial := []byte{0x51, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09}
	kh := store.KeyHash{1, 2, 3}
	past := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	if _, err := e.Store().PutIntents(ctx, []store.Intent{{IssuerID: e.Issuers()[0].ID, Serial: serial, KeyHash: kh, TBS: []byte("tbs"), Profile: "qualified-person", CreatedAt: past}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Store().CommitIssued(ctx, []store.Issued{{Serial: serial, IssuerID: e.Issuers()[0].ID, DER: []byte("expired certificate"),
		NotBefore: past, NotAfter: past.Add(time.Hour), KeyHash: kh, Audit: store.AuditEntry{Actor: "test", Action: "issue"}}}); err != nil {
		t.Fatal(err)
	}
	catest.RefreshOCSP(t, e)
	due, _, err := e.Store().OCSPDue(ctx, time.Now().AddDate(10, 0, 0), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range due {
		if bytes.Equal(d.Serial, serial) {
			t.Fatal("expired certificate still in the OCSP due index")
		}
	}
	if _, err := e.Store().OCSPResponse(ctx, serial); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a response was signed for an expired certificate: %v", err)
	}
}
