package pkix

import (
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// MarshalOCSPRequest encodes an unsigned OCSPRequest (RFC 6960 §4.1.1)
// asking about ids, with an RFC 8954 nonce (1..32 octets) when nonce is
// not nil. It is the client's side, which the responder does not need:
// benchmarks and tests ask with it. The bytes are those `openssl ocsp`
// writes for the same question: each CertID's hash algorithm carries
// NULL parameters, and a CertID with Raw set is written verbatim.
func MarshalOCSPRequest(ids []CertID, nonce []byte) ([]byte, error) {
	if len(ids) == 0 || len(ids) > ocspMaxCertIDs {
		return nil, invalid("OCSP request", "between 1 and 64 CertIDs are needed")
	}
	for i := range ids {
		if why := ocspCertIDProblem(&ids[i]); why != "" {
			return nil, invalid("OCSP request", why)
		}
	}
	var exts []byte
	if nonce != nil {
		if len(nonce) == 0 || len(nonce) > ocspMaxNonce {
			return nil, invalid("OCSP request", "a nonce has 1 to 32 octets (RFC 8954)")
		}
		var v cryptobyte.Builder
		v.AddASN1OctetString(nonce)
		var err error
		if exts, err = MarshalExtensions([]Extension{{ID: OIDOCSPNonce, Value: v.BytesOrPanic()}}); err != nil {
			return nil, err
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // OCSPRequest
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // TBSRequest
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // requestList
				for i := range ids {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // Request
						ocspAddRequestCertID(b, &ids[i])
					})
				}
			})
			if exts != nil {
				b.AddASN1(tagOCSPReqExts, func(b *cryptobyte.Builder) { b.AddBytes(exts) })
			}
		})
	})
	return b.Bytes()
}

// ocspAddRequestCertID writes a CertID as a client does: the hash
// algorithm with NULL parameters (responses leave them out, see
// ocspAddCertID).
func ocspAddRequestCertID(b *cryptobyte.Builder, id *CertID) {
	if id.Raw != nil {
		b.AddBytes(id.Raw)
		return
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(id.Hash.OID())
			b.AddASN1NULL()
		})
		b.AddASN1OctetString(id.IssuerNameHash)
		b.AddASN1OctetString(id.IssuerKeyHash)
		mag, _, _ := revSerialMagnitude(id.Serial)
		b.AddBytes(revAppendSerial(make([]byte, 0, 24), mag))
	})
}
