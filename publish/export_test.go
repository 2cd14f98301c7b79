package publish

import (
	"context"
	"time"

	"github.com/gostca/gostca/pkix"
)

// Respond answers a parsed OCSP request.
func (pub *Publisher) Respond(ctx context.Context, req *pkix.OCSPRequest) *OCSPAnswer {
	return pub.respondTo(ctx, req, 0, nil, nil)
}

// CertID is the CertID of a serial of an issuer.
func (pub *Publisher) CertID(issuer string, h pkix.OCSPHash, serial []byte) (pkix.CertID, error) {
	return pub.issuers[issuer].ocsp.CertID(h, serial)
}

// Responder is an issuer's delegated responder certificate (nil without
// one), the key hash its responses carry, and the CA's own key hash.
func (pub *Publisher) Responder(issuer string) (cert *pkix.Certificate, keyHash, caKeyHash []byte) {
	s := pub.issuers[issuer]
	if r := s.responder.Load(); r != nil {
		cert, keyHash = r.cert, r.keyHash
	}
	return cert, keyHash, s.self.keyHash
}

var (
	HasOCSPSigning = hasOCSPSigning
	ResponderDue   = responderDue
)

// OCSPCacheLen is the number of cached OCSP answers (0 without a cache).
func (pub *Publisher) OCSPCacheLen() int {
	if pub.cache == nil {
		return 0
	}
	return pub.cache.len()
}

// OCSPMemoLen is the number of requests the memo remembers, GET and
// POST (0 without a cache).
func (pub *Publisher) OCSPMemoLen() int {
	if pub.cache == nil {
		return 0
	}
	return pub.cache.memoGET.len() + pub.cache.memoPOST.len()
}

// StoredAnswer is the answer to a cacheable request for id from its
// stored response alone (ocspstored.go); nil: the general path answers.
func (pub *Publisher) StoredAnswer(ctx context.Context, issuer string, id pkix.CertID) *OCSPAnswer {
	s := pub.issuers[issuer]
	var gen uint64
	if pub.cache != nil {
		gen = pub.cache.generation(id.Serial)
	}
	return pub.storedAnswer(ctx, s, &pkix.OCSPRequest{CertIDs: []pkix.CertID{id}}, gen, time.Now())
}
