package publish_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// A miss of the answer cache is answered from the stored response alone:
// the same bytes and result the general path gives, "revoked" once a
// revocation has returned, nothing for a serial without a stored
// response, and nothing from a stored response signed for another
// issuer's CertID (the general path decides then).
func TestOCSPStoredAnswer(t *testing.T) {
	e := catest.Open(t, catest.Config(t))
	ctx := context.Background()
	pub := e.Publisher()
	r := catest.Issue(t, e)
	catest.RefreshOCSP(t, e)
	id, _ := pub.CertID("gost256", pkix.OCSPHashSHA1, r.Cert.Serial)

	a := pub.StoredAnswer(ctx, "gost256", id)
	if a == nil || a.Result != "good" || !a.Presigned || a.HTTP == nil {
		t.Fatalf("stored answer %+v, want good, pre-signed, cached", a)
	}
	stored, err := e.Store().OCSPResponse(ctx, r.Cert.Serial)
	if err != nil || !bytes.Equal(a.DER, stored.DER) {
		t.Fatalf("answer is not the stored response (%v)", err)
	}
	pub.ForgetOCSP(r.Cert.Serial)
	if g := pub.Respond(ctx, &pkix.OCSPRequest{CertIDs: []pkix.CertID{id}}); !bytes.Equal(g.DER, a.DER) || g.Result != a.Result {
		t.Fatalf("a miss answered %s, the stored path %s", g.Result, a.Result)
	}

	if _, err := e.SetStatus(ctx, catest.Admin, r.Cert.Serial, ca.StatusRequest{Action: ca.Revoke}); err != nil {
		t.Fatal(err)
	}
	// The revocation re-signed the response before it returned.
	a = pub.StoredAnswer(ctx, "gost256", id)
	if a == nil {
		t.Fatal("no stored answer after the revocation's re-signing")
	}
	resp, err := pkix.ParseOCSPResponse(a.DER)
	if err != nil || resp.Responses[0].Status != pkix.OCSPRevoked || a.Result != "revoked" {
		t.Fatalf("after revocation: %v %s", err, a.Result)
	}

	unknown, _ := pub.CertID("gost256", pkix.OCSPHashSHA1, []byte{0x7f, 1, 2, 3, 4, 5, 6, 7})
	if a := pub.StoredAnswer(ctx, "gost256", unknown); a != nil {
		t.Fatalf("an answer for a serial never issued: %s", a.Result)
	}

	// Another certificate's stored response replaced by one signed for the
	// same serial under another issuer's name and key.
	other := catest.Issue(t, e)
	catest.RefreshOCSP(t, e)
	curve, _ := gost3410.CurveByName("tc26-256-A")
	key, err := gost3410.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := pkix.MarshalPublicKeyInfo(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	// The certificate's own subject stands for another issuer's name.
	leaf, err := pkix.ParseCertificate(r.Cert.DER)
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := pkix.NewOCSPIssuer(leaf.RawSubject, spki)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	fid, err := foreign.CertID(pkix.OCSPHashSHA1, other.Cert.Serial)
	if err != nil {
		t.Fatal(err)
	}
	der, err := pkix.CreateOCSPResponse(rand.Reader, key, &pkix.OCSPResponseTemplate{ProducedAt: now,
		Responses: []pkix.SingleResponse{{CertID: fid, Status: pkix.OCSPGood, ThisUpdate: now, NextUpdate: now.Add(time.Hour)}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store().PutOCSPResponse(ctx, store.OCSPRecord{Serial: other.Cert.Serial, DER: der, NextUpdate: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	oid, _ := pub.CertID("gost256", pkix.OCSPHashSHA1, other.Cert.Serial)
	pub.ForgetOCSP(other.Cert.Serial)
	if a := pub.StoredAnswer(ctx, "gost256", oid); a != nil {
		t.Fatal("answered from a response signed for another issuer's CertID")
	}
}

// A certificate's answer cached from its stored response keeps the
// status that response was signed from, and a request signed live (a
// nonce) from that status says exactly what one signed from the store's
// record says: good, on hold, revoked with a reason.
func TestOCSPStoredAnswerKeepsStatus(t *testing.T) {
	e := catest.Open(t, catest.Config(t))
	ctx := context.Background()
	pub := e.Publisher()
	r := catest.Issue(t, e)
	catest.RefreshOCSP(t, e)
	id, _ := pub.CertID("gost256", pkix.OCSPHashSHA1, r.Cert.Serial)
	nonce := &pkix.OCSPRequest{CertIDs: []pkix.CertID{id}, Nonce: []byte("0123456789abcdef")}
	single := func(what string) (pkix.SingleResponse, string) {
		t.Helper()
		a := pub.Respond(ctx, nonce)
		resp, err := pkix.ParseOCSPResponse(a.DER)
		if err != nil || resp.Status != pkix.OCSPSuccessful || a.Presigned {
			t.Fatalf("%s: %v, presigned %v", what, err, a.Presigned)
		}
		return resp.Responses[0], a.Result
	}
	for _, step := range []struct {
		act    ca.StatusAction
		reason string
		want   pkix.CRLReason
		result string
	}{
		{0, "", 0, "good"},
		{ca.Suspend, "", pkix.ReasonCertificateHold, "revoked"},
		{ca.Revoke, "keyCompromise", pkix.ReasonKeyCompromise, "revoked"},
	} {
		if step.act != 0 {
			if _, err := e.SetStatus(ctx, catest.Admin, r.Cert.Serial, ca.StatusRequest{Action: step.act, Reason: step.reason}); err != nil {
				t.Fatal(err)
			}
		}
		pub.ForgetOCSP(r.Cert.Serial)
		fromStore, res := single(step.act.String() + ", nothing cached")
		if res != step.result || fromStore.Reason != step.want {
			t.Fatalf("%s: signed from the store: %s, reason %v", step.act, res, fromStore.Reason)
		}
		if a := pub.StoredAnswer(ctx, "gost256", id); a == nil || a.Result != step.result {
			t.Fatalf("%s: stored answer %+v", step.act, a)
		}
		if pub.OCSPCacheLen() != 1 {
			t.Fatalf("%s: the stored answer was not cached", step.act)
		}
		fromCache, res := single(step.act.String() + ", cached from the stored response")
		fromStore.ThisUpdate, fromStore.NextUpdate = fromCache.ThisUpdate, fromCache.NextUpdate
		if res != step.result || fromCache.Status != fromStore.Status || !fromCache.RevokedAt.Equal(fromStore.RevokedAt) || fromCache.Reason != fromStore.Reason {
			t.Fatalf("%s: from the cached status %+v (%s), from the store %+v", step.act, fromCache, res, fromStore)
		}
	}
}

// Two issuing CAs and delegated responders: a certificate of the second
// asked about under the first's CertID is never answered from its stored
// response (signed for the second's CertID) but "unknown", while under
// its own CertID it is answered from it, as the delegated responder
// signed it.
func TestOCSPStoredAnswerOtherIssuer(t *testing.T) {
	cfg := catest.Config(t)
	cfg.OCSP.Delegated = true
	cfg.CA.Issuer512 = true
	e := catest.Open(t, cfg)
	ctx := context.Background()
	pub := e.Publisher()
	var second string
	for _, is := range e.Issuers() {
		if is.ID != "gost256" {
			second = is.ID
		}
	}
	if second == "" {
		t.Fatal("no second issuing CA")
	}
	req := catest.PersonRequest(t)
	req.Issuer = second
	r, err := e.Issue(ctx, catest.Admin, req)
	if err != nil {
		t.Fatal(err)
	}
	catest.RefreshOCSP(t, e)
	own, _ := pub.CertID(second, pkix.OCSPHashSHA1, r.Cert.Serial)
	a := pub.StoredAnswer(ctx, second, own)
	if a == nil || a.Result != "good" {
		t.Fatalf("under its own issuer: %+v", a)
	}
	resp, err := pkix.ParseOCSPResponse(a.DER)
	_, responderKeyHash, _ := pub.Responder(second)
	if err != nil || !bytes.Equal(resp.ResponderKeyHash, responderKeyHash) {
		t.Fatalf("not the delegated responder's response: %v", err)
	}
	wrong, _ := pub.CertID("gost256", pkix.OCSPHashSHA1, r.Cert.Serial)
	pub.ForgetOCSP(r.Cert.Serial)
	if a := pub.StoredAnswer(ctx, "gost256", wrong); a != nil {
		t.Fatalf("answered under another issuer's CertID: %s", a.Result)
	}
	for range 2 { // a miss, then whatever the first left in the cache
		g := pub.Respond(ctx, &pkix.OCSPRequest{CertIDs: []pkix.CertID{wrong}})
		resp, err := pkix.ParseOCSPResponse(g.DER)
		if err != nil || resp.Status != pkix.OCSPSuccessful || resp.Responses[0].Status != pkix.OCSPUnknown || g.Result != "unknown" {
			t.Fatalf("under another issuer's CertID: %v %s", err, g.Result)
		}
	}
}
