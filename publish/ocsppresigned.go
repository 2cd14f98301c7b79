package publish

import (
	"context"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// With ocsp.presigned_only the responder answers only from the responses
// the pre-signing job made (RFC 5019 style): no request, whatever it
// carries, makes a CA or responder key sign. Recommended for HSM-backed
// CAs, whose signatures are a shared, slow resource an anonymous client
// should not be able to spend.
//
//   - One certificate per request, with a SHA-1 CertID (RFC 5019 §2.1.1):
//     more than one is malformedRequest; another hash is unauthorized
//     (there is no pre-produced response for that CertID).
//   - A nonce is ignored: the pre-signed response carries none (§2.1.3).
//   - A serial that is not this CA's, unknown or still being issued gets
//     the pre-built, unsigned unauthorized answer (§2.2.3).
//   - Our certificate whose pre-signed response is missing, expired or
//     older than its status gets tryLater, and the pre-signing job is
//     woken; a status change re-signs at once, so this window is short.

// respondPresigned answers req (already matched to issuer s, its records
// looked up) from the store only.
func (pub *Publisher) respondPresigned(ctx context.Context, s *issuerState, req *pkix.OCSPRequest, recs []*store.CertRecord, now time.Time, cacheable bool, gen uint64) *OCSPAnswer {
	if len(req.CertIDs) != 1 {
		return pub.ocspError(pkix.OCSPMalformedRequest, OCSPResultMalformed)
	}
	if req.CertIDs[0].Hash != pkix.OCSPHashSHA1 || recs[0] == nil {
		return pub.ocspError(pkix.OCSPUnauthorized, OCSPResultUnauthorized)
	}
	rec := recs[0]
	r, err := pub.st.OCSPResponse(ctx, rec.Serial)
	if err != nil || r.StatusVersion != rec.Status.Version || !now.Before(r.NextUpdate) {
		pub.Kick()
		return pub.ocspError(pkix.OCSPTryLater, OCSPResultTryLater)
	}
	return pub.presignedAnswer(s, req, r, rec, cacheable, gen)
}
