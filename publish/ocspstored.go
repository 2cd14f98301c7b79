package publish

import (
	"bytes"
	"context"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// A request the answer cache could answer but does not (a miss: the
// certificate was not asked about lately, or more certificates are asked
// about than the cache holds) is answered from the stored pre-signed
// response alone, one store read, when there is one: the store keeps a
// response only while it is current for its certificate's status
// (store.CurrentOCSPResponse), so the certificate record, which the
// general path reads to compare status versions, is not needed.
//
// What the record does not say, the response does: the CertID it was
// signed for names the issuer (a serial of another of our issuers is not
// answered from it), and its status is the answer's result and the
// status the cache keeps for requests signed live. A request
// this cannot answer — no stored response, one past its nextUpdate, or
// another issuer's — goes the general way.

// storedAnswer answers req, cacheable (one SHA-1 CertID, matched to
// issuer s), from its stored response, caching the answer when the
// generation is still gen; nil: answer it the general way.
func (pub *Publisher) storedAnswer(ctx context.Context, s *issuerState, req *pkix.OCSPRequest, gen uint64, now time.Time) *OCSPAnswer {
	id := &req.CertIDs[0]
	r, err := pub.st.CurrentOCSPResponse(ctx, id.Serial)
	if err != nil || !now.Before(r.NextUpdate) {
		return nil // none, expired, or a store error the general path reports
	}
	sr, err := pkix.FirstSingleResponse(r.DER)
	if err != nil || sr.CertID.Hash != pkix.OCSPHashSHA1 || !s.ocsp.Matches(&sr.CertID) ||
		!bytes.Equal(cacheSerial(sr.CertID.Serial), cacheSerial(id.Serial)) {
		return nil
	}
	rec := store.CertRecord{Serial: r.Serial, IssuerID: s.is.ID, Status: statusOf(&sr, r.StatusVersion)}
	if rec.Status.State == 0 {
		return nil
	}
	return pub.presignedAnswer(s, req, r, &rec, true, gen)
}

// statusOf is the certificate status a pre-signed single response was
// signed from (the inverse of ocspStatus), at the record's status
// version: the cache keeps it so that a request signed live (a nonce)
// for the same certificate needs no store read either. A zero State:
// the response says "unknown", which no pre-signed response does.
func statusOf(sr *pkix.SingleResponse, version uint32) store.Status {
	switch sr.Status {
	case pkix.OCSPGood:
		return store.Status{State: store.Valid, Version: version}
	case pkix.OCSPRevoked:
		st := store.Status{State: store.Revoked, Reason: int(sr.Reason), At: sr.RevokedAt, Version: version}
		if sr.Reason == pkix.ReasonCertificateHold {
			st.State = store.OnHold
		}
		return st
	}
	return store.Status{}
}
