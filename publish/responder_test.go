package publish_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/publish"
	"github.com/gostca/gostca/store"
)

// TestDelegatedResponder: with ocsp.delegated each issuing CA issues a
// responder certificate for itself through the pipeline (so it is in the
// store), reuses it across restarts, and issues a new one when the key on
// disk is gone; responses are signed by it.
func TestDelegatedResponder(t *testing.T) {
	cfg := catest.Config(t)
	cfg.OCSP.Delegated = true
	cfg.CA.Issuer512 = true
	e := catest.Open(t, cfg)
	ctx := context.Background()
	responders := func(e *ca.CA) map[string]string {
		t.Helper()
		out := map[string]string{}
		for _, is := range e.Issuers() {
			id := is.ID
			cert, _, _ := e.Publisher().Responder(id)
			if cert == nil || !publish.HasOCSPSigning(cert) || cert.CheckSignatureFrom(is.Cert) != nil {
				t.Fatalf("issuer %s: no good responder", id)
			}
			rec, err := e.Store().Certificate(ctx, cert.SerialNumber.Bytes())
			if err != nil || rec.Profile != pkix.ProfileOCSPSigner.Name || rec.IssuerID != id {
				t.Fatalf("issuer %s: responder certificate not in the store: %v", id, err)
			}
			out[id] = ca.FormatSerial(rec.Serial)
		}
		return out
	}
	first := responders(e)
	if len(first) != 2 {
		t.Fatalf("responders %v", first)
	}
	// A response is signed by the responder, not the CA.
	r := catest.Issue(t, e)
	catest.RefreshOCSP(t, e)
	rec, err := e.Store().OCSPResponse(ctx, r.Cert.Serial)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := pkix.ParseOCSPResponse(rec.DER)
	_, responderKeyHash, caKeyHash := e.Publisher().Responder(r.Cert.IssuerID)
	if err != nil || string(resp.ResponderKeyHash) != string(responderKeyHash) || string(resp.ResponderKeyHash) == string(caKeyHash) {
		t.Fatalf("pre-signed response: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	// A restart keeps the responders.
	e = catest.Open(t, cfg)
	if again := responders(e); again["gost256"] != first["gost256"] || again["gost512"] != first["gost512"] {
		t.Fatalf("responders after restart %v, before %v", again, first)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	// A lost key: a new responder.
	keyPath, _ := cadir.ResponderPaths(cfg.DataDir, "gost256")
	if err := os.Remove(keyPath); err != nil {
		t.Fatal(err)
	}
	e = catest.Open(t, cfg)
	again := responders(e)
	if again["gost256"] == first["gost256"] || again["gost512"] != first["gost512"] {
		t.Fatalf("responders after losing a key %v, before %v", again, first)
	}
	rep, err := e.Store().Check(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("store check: %v %+v", err, rep)
	}
	page, _, err := e.Store().FindCertificates(ctx, store.Query{Field: store.BySNILS, Value: "11223344595"})
	if err != nil || len(page) != 1 {
		t.Fatalf("subscriber certificates: %d, %v", len(page), err)
	}
}

func TestResponderDue(t *testing.T) {
	nb := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &pkix.Certificate{NotBefore: nb, NotAfter: nb.AddDate(1, 0, 0)}
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{{nb, false}, {nb.AddDate(0, 8, 0), false}, {nb.AddDate(0, 9, 5), true}, {nb.AddDate(2, 0, 0), true}} {
		if got := publish.ResponderDue(c, tc.now); got != tc.want {
			t.Errorf("due at %v: %v, want %v", tc.now, got, tc.want)
		}
	}
}
