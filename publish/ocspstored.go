package publish

import (
	"bytes"
	"context"
	"time"

	"github.com/gostca/gostca/pkix"
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
// answered from it), and its status is the answer's result. A request
// this cannot answer — no stored response, one past its nextUpdate, or
// another issuer's — goes the general way.

// storedAnswer answers the cacheable request for id (matched to issuer s)
// from its stored response, caching the answer when the generation is
// still gen; nil: answer it the general way.
func (pub *Publisher) storedAnswer(ctx context.Context, s *issuerState, id *pkix.CertID, gen uint64, now time.Time) *OCSPAnswer {
	r, err := pub.st.CurrentOCSPResponse(ctx, id.Serial)
	if err != nil || !now.Before(r.NextUpdate) {
		return nil // none, expired, or a store error the general path reports
	}
	sr, err := pkix.FirstSingleResponse(r.DER)
	if err != nil || sr.CertID.Hash != pkix.OCSPHashSHA1 || !s.ocsp.Matches(&sr.CertID) ||
		!bytes.Equal(cacheSerial(sr.CertID.Serial), cacheSerial(id.Serial)) {
		return nil
	}
	var res string
	switch sr.Status {
	case pkix.OCSPGood:
		res = OCSPResultGood
	case pkix.OCSPRevoked:
		res = OCSPResultRevoked
	default:
		return nil
	}
	a := OCSPAnswer{DER: r.DER, Result: res, Presigned: true, NextUpdate: r.NextUpdate, ThisUpdate: r.NextUpdate.Add(-pub.cfg.OCSP.Validity)}
	pub.m.presignedAnswer(res)
	if c := pub.cache.put(s, id.Serial, gen, nil, a, a.NextUpdate.Add(-pub.cfg.OCSP.RefreshBefore/2)); c != nil {
		return c
	}
	return &a
}
