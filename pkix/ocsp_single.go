package pkix

import (
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// FirstSingleResponse reads the first SingleResponse of a successful
// basic OCSP response — which certificate it answers for (CertID) and
// what it says — walking only the elements in front of it: no signature,
// certificates, later responses or response extensions are read, and
// nothing is allocated (slices alias der).
//
// It is for a response this CA signed and stored itself, whose signature
// was verified when it was made: a responder reading a pre-signed answer
// back needs to know whose certificate it answers for, not to re-check
// it. Whatever ParseOCSPResponse accepts, FirstSingleResponse reads to
// the same first response; it may accept a response whose later parts
// ParseOCSPResponse would refuse. A response that is not successful is
// ErrMalformed.
func FirstSingleResponse(der []byte) (SingleResponse, error) {
	const what = "OCSP response"
	if len(der) > MaxOCSPResponseSize {
		return SingleResponse{}, errf("%s: %w: %d bytes", what, ErrTooLarge, len(der))
	}
	body, err := readWhole(der, cbasn1.SEQUENCE, what)
	if err != nil {
		return SingleResponse{}, err
	}
	var status int
	var basic, tbs cryptobyte.String
	if !body.ReadASN1Enum(&status) || OCSPResponseStatus(status) != OCSPSuccessful {
		return SingleResponse{}, malformed(what + ": not a successful response")
	}
	octets, err := ocspReadBasicBytes(&body, what)
	if err != nil {
		return SingleResponse{}, err
	}
	if !octets.ReadASN1(&basic, cbasn1.SEQUENCE) || !octets.Empty() ||
		!basic.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return SingleResponse{}, malformed(what + ": BasicOCSPResponse")
	}
	// ResponseData { [0] version OPTIONAL, responderID, producedAt,
	// responses SEQUENCE OF SingleResponse, ... }: the responderID and
	// producedAt are skipped whole.
	if err := ocspReadVersion(&tbs, "ResponseData"); err != nil {
		return SingleResponse{}, wrapCtx(what, err)
	}
	var rid, list cryptobyte.String
	var tag cbasn1.Tag
	if !tbs.ReadAnyASN1(&rid, &tag) || (tag != tagOCSPByName && tag != tagOCSPByKey) ||
		!tbs.SkipASN1(cbasn1.GeneralizedTime) ||
		!tbs.ReadASN1(&list, cbasn1.SEQUENCE) || list.Empty() {
		return SingleResponse{}, malformed(what + ": ResponseData")
	}
	sr, err := ocspReadSingleResponse(&list)
	if err != nil {
		return SingleResponse{}, errf("%s: response 1: %w", what, err)
	}
	return sr, nil
}
