package publish_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// waitOCSP waits (bounded by the test's own patience, not a timing
// assertion) until serial has a stored response.
func waitOCSP(t *testing.T, e *ca.CA, serial []byte) *store.OCSPRecord {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		r, err := e.Store().OCSPResponse(context.Background(), serial)
		if err == nil {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pre-signed response for %x: %v", serial, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestIssuedPresignsWithoutPass: a certificate the CA issues gets its
// pre-signed response from the job Issued feeds, with no pass of the due
// index run by anyone (refresh_interval is an hour), and leaves the due
// index; the response is a good, correctly signed answer for it.
func TestIssuedPresignsWithoutPass(t *testing.T) {
	cfg := catest.Config(t)
	cfg.OCSP.RefreshInterval = time.Hour
	e := catest.Open(t, cfg)
	ctx := context.Background()
	r := catest.Issue(t, e)
	rec := waitOCSP(t, e, r.Cert.Serial)
	if rec.StatusVersion != r.Cert.Status.Version {
		t.Fatalf("response for status version %d, certificate at %d", rec.StatusVersion, r.Cert.Status.Version)
	}
	resp, err := pkix.ParseOCSPResponse(rec.DER)
	if err != nil || resp.Status != pkix.OCSPSuccessful || resp.CheckSignatureFrom(e.Issuers()[0].Cert.PublicKey.Key) != nil {
		t.Fatalf("pre-signed response: %v %+v", err, resp)
	}
	if len(resp.Responses) != 1 || resp.Responses[0].Status != pkix.OCSPGood || !bytes.Equal(resp.Responses[0].CertID.Serial, r.Cert.Serial) {
		t.Fatalf("pre-signed response: %+v", resp.Responses)
	}
	due, _, err := e.Store().OCSPDue(ctx, time.Now(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range due {
		if bytes.Equal(d.Serial, r.Cert.Serial) {
			t.Fatal("the pre-signed certificate is still due")
		}
	}
}

// TestIssuedStaleRecord: a record handed to Issued after the certificate
// changed status (or already pre-signed) never replaces the stored
// response: a revocation is not followed by a "good" answer, and a fresh
// response is not signed again.
func TestIssuedStaleRecord(t *testing.T) {
	cfg := catest.Config(t)
	cfg.OCSP.RefreshInterval = time.Hour
	e := catest.Open(t, cfg)
	ctx := context.Background()
	revoked := catest.Issue(t, e)
	kept := catest.Issue(t, e)
	waitOCSP(t, e, revoked.Cert.Serial)
	before := waitOCSP(t, e, kept.Cert.Serial)
	if _, err := e.SetStatus(ctx, catest.Admin, revoked.Cert.Serial, ca.StatusRequest{Action: ca.Revoke, Reason: "keyCompromise"}); err != nil {
		t.Fatal(err)
	}
	after := waitOCSP(t, e, revoked.Cert.Serial)
	// The records as issued (status valid, first version) come again.
	e.Publisher().Issued(revoked.Cert)
	e.Publisher().Issued(kept.Cert)
	// The job works in order: once a certificate issued after them has
	// its response, both were handled.
	last := catest.Issue(t, e)
	waitOCSP(t, e, last.Cert.Serial)
	got, err := e.Store().OCSPResponse(ctx, revoked.Cert.Serial)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := pkix.ParseOCSPResponse(got.DER)
	if err != nil || resp.Responses[0].Status != pkix.OCSPRevoked || got.StatusVersion != after.StatusVersion {
		t.Fatalf("revoked certificate's response after a stale Issued: %v, status %v, version %d want %d",
			err, resp.Responses[0].Status, got.StatusVersion, after.StatusVersion)
	}
	same, err := e.Store().OCSPResponse(ctx, kept.Cert.Serial)
	if err != nil || !bytes.Equal(same.DER, before.DER) {
		t.Fatalf("an already pre-signed response was signed again: %v", err)
	}
}
