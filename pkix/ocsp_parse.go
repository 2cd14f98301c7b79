package pkix

import (
	"crypto"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// OCSPResponse is a parsed OCSP response. For an unsuccessful Status only
// Raw and Status are set. Slices alias the parser's input.
type OCSPResponse struct {
	Raw    []byte
	Status OCSPResponseStatus
	// RawResponseData is the signed ResponseData element.
	RawResponseData []byte
	// ResponderKeyHash (byKey) or ResponderName (byName, DER Name): one is
	// set.
	ResponderKeyHash []byte
	ResponderName    []byte
	ProducedAt       time.Time
	Responses        []SingleResponse
	// Nonce is the RFC 8954 nonce value, nil if absent.
	Nonce              []byte
	Extensions         []Extension
	SignatureAlgorithm SignatureAlgorithm
	Signature          []byte
	Certificates       [][]byte
}

// MaxOCSPResponseSize bounds ParseOCSPResponse's input.
const MaxOCSPResponseSize = 1 << 20

// ParseOCSPResponse parses a DER OCSPResponse: the status, and for a
// successful one the basic response (other response types are
// ErrUnsupported). Unknown critical response or single-response
// extensions are ErrUnsupported. The signature is not checked: see
// CheckSignatureFrom.
func ParseOCSPResponse(der []byte) (*OCSPResponse, error) {
	const what = "OCSP response"
	if len(der) > MaxOCSPResponseSize {
		return nil, errf("%s: %w: %d bytes", what, ErrTooLarge, len(der))
	}
	body, err := readWhole(der, cbasn1.SEQUENCE, what)
	if err != nil {
		return nil, err
	}
	r := &OCSPResponse{Raw: der}
	var status int
	if !body.ReadASN1Enum(&status) {
		return nil, malformed(what + ": responseStatus")
	}
	r.Status = OCSPResponseStatus(status)
	switch r.Status {
	case OCSPSuccessful:
	case OCSPMalformedRequest, OCSPInternalError, OCSPTryLater, OCSPSigRequired, OCSPUnauthorized:
		if !body.Empty() {
			return nil, errf("%s: %w: responseBytes in a %s response", what, ErrMalformed, r.Status)
		}
		return r, nil
	default:
		return nil, errf("%s: %w: responseStatus %d", what, ErrMalformed, status)
	}
	basic, err := ocspReadBasicBytes(&body, what)
	if err != nil {
		return nil, err
	}
	if err := r.parseBasic(basic); err != nil {
		return nil, wrapCtx(what, err)
	}
	return r, nil
}

// ocspReadBasicBytes reads the rest of a successful response, its
// responseBytes { responseType, response OCTET STRING }, and returns the
// response's content: the DER of a BasicOCSPResponse (other types are
// ErrUnsupported).
func ocspReadBasicBytes(body *cryptobyte.String, what string) (cryptobyte.String, error) {
	var rb, seq, typ, basic cryptobyte.String
	if !body.ReadASN1(&rb, tagOCSPResponseBytes) || !body.Empty() ||
		!rb.ReadASN1(&seq, cbasn1.SEQUENCE) || !rb.Empty() ||
		!seq.ReadASN1(&typ, cbasn1.OBJECT_IDENTIFIER) || !seq.ReadASN1(&basic, cbasn1.OCTET_STRING) || !seq.Empty() {
		return nil, malformed(what + ": responseBytes")
	}
	if string(typ) != string(ocspBasicOID()[2:]) {
		return nil, errf("%s: %w: response type %s", what, ErrUnsupported, revOIDString(typ))
	}
	return basic, nil
}

// CheckSignatureFrom verifies the response's signature with the key of
// the responder (the CA, or the delegated responder's certificate key).
func (r *OCSPResponse) CheckSignatureFrom(pub crypto.PublicKey) error {
	if r.Status != OCSPSuccessful {
		return invalid("OCSP response", "unsuccessful responses carry no signature")
	}
	return wrapCtx("OCSP response", CheckSignature(pub, r.SignatureAlgorithm, r.RawResponseData, r.Signature))
}

// parseBasic reads BasicOCSPResponse { ResponseData, alg, BIT STRING,
// [0] certs }.
func (r *OCSPResponse) parseBasic(der []byte) error {
	body, err := readWhole(der, cbasn1.SEQUENCE, "BasicOCSPResponse")
	if err != nil {
		return err
	}
	var tbs cryptobyte.String
	if !body.ReadASN1Element(&tbs, cbasn1.SEQUENCE) {
		return malformed("BasicOCSPResponse: tbsResponseData")
	}
	r.RawResponseData = tbs
	if r.SignatureAlgorithm, err = readAlgorithmIdentifier(&body); err != nil {
		return wrapCtx("BasicOCSPResponse", err)
	}
	sig, ok := ocspReadBitString(&body)
	if !ok {
		return malformed("BasicOCSPResponse: signature")
	}
	r.Signature = sig
	if body.PeekASN1Tag(tagOCSPCerts) {
		if r.Certificates, err = ocspReadCertificates(&body, ocspMaxCerts); err != nil {
			return wrapCtx("BasicOCSPResponse", err)
		}
	}
	if !body.Empty() {
		return trailing("BasicOCSPResponse")
	}
	return r.parseResponseData(tbs)
}

func ocspReadBitString(s *cryptobyte.String) ([]byte, bool) {
	var v cryptobyte.String
	if !s.ReadASN1(&v, cbasn1.BIT_STRING) || len(v) == 0 || v[0] != 0 {
		return nil, false
	}
	return v[1:], true
}

func (r *OCSPResponse) parseResponseData(tbs cryptobyte.String) error {
	const what = "ResponseData"
	var s cryptobyte.String
	if !tbs.ReadASN1(&s, cbasn1.SEQUENCE) {
		return malformed(what)
	}
	if err := ocspReadVersion(&s, what); err != nil {
		return err
	}
	var id cryptobyte.String
	switch {
	case s.PeekASN1Tag(tagOCSPByName):
		var name cryptobyte.String
		if !s.ReadASN1(&id, tagOCSPByName) || !id.ReadASN1Element(&name, cbasn1.SEQUENCE) || !id.Empty() {
			return malformed(what + ": responderID byName")
		}
		r.ResponderName = name
	case s.PeekASN1Tag(tagOCSPByKey):
		var h cryptobyte.String
		if !s.ReadASN1(&id, tagOCSPByKey) || !id.ReadASN1(&h, cbasn1.OCTET_STRING) || !id.Empty() || len(h) == 0 {
			return malformed(what + ": responderID byKey")
		}
		r.ResponderKeyHash = h
	default:
		return malformed(what + ": responderID")
	}
	if !readGeneralizedTime(&s, &r.ProducedAt, cbasn1.GeneralizedTime) {
		return malformed(what + ": producedAt")
	}
	var list cryptobyte.String
	if !s.ReadASN1(&list, cbasn1.SEQUENCE) || list.Empty() {
		return malformed(what + ": responses")
	}
	for !list.Empty() {
		if len(r.Responses) == ocspMaxResponses {
			return errf("%s: %w: more than %d responses", what, ErrTooLarge, ocspMaxResponses)
		}
		sr, err := ocspReadSingleResponse(&list)
		if err != nil {
			return errf("%s: response %d: %w", what, len(r.Responses)+1, err)
		}
		r.Responses = append(r.Responses, sr)
	}
	if s.PeekASN1Tag(tagOCSPRespExts) {
		var exts cryptobyte.String
		var err error
		if !s.ReadASN1(&exts, tagOCSPRespExts) {
			return malformed(what + ": responseExtensions")
		}
		if r.Extensions, err = ParseExtensions(exts); err != nil {
			return wrapCtx(what, err)
		}
		if r.Nonce, err = ocspNonce(r.Extensions); err != nil {
			return wrapCtx(what, err)
		}
	}
	if !s.Empty() {
		return trailing(what)
	}
	return nil
}

func ocspReadSingleResponse(list *cryptobyte.String) (SingleResponse, error) {
	var r SingleResponse
	var s cryptobyte.String
	if !list.ReadASN1(&s, cbasn1.SEQUENCE) {
		return r, ErrMalformed
	}
	var err error
	if r.CertID, err = ocspReadCertID(&s); err != nil {
		return r, err
	}
	var st cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&st, &tag) {
		return r, fmt.Errorf("certStatus: %w", ErrMalformed)
	}
	switch tag {
	case tagOCSPGood, tagOCSPUnknown:
		if len(st) != 0 {
			return r, fmt.Errorf("certStatus: %w", ErrMalformed)
		}
		r.Status = OCSPGood
		if tag == tagOCSPUnknown {
			r.Status = OCSPUnknown
		}
	case tagOCSPRevoked:
		r.Status = OCSPRevoked
		if !readGeneralizedTime(&st, &r.RevokedAt, cbasn1.GeneralizedTime) {
			return r, fmt.Errorf("revocationTime: %w", ErrMalformed)
		}
		if st.PeekASN1Tag(tagOCSPReason) {
			var v cryptobyte.String
			var reason int
			if !st.ReadASN1(&v, tagOCSPReason) || !v.ReadASN1Enum(&reason) || !v.Empty() || !CRLReason(reason).Valid() {
				return r, fmt.Errorf("revocationReason: %w", ErrMalformed)
			}
			r.Reason = CRLReason(reason)
		}
		if !st.Empty() {
			return r, fmt.Errorf("revokedInfo: %w", ErrTrailingData)
		}
	default:
		return r, fmt.Errorf("certStatus: %w", ErrMalformed)
	}
	if !readGeneralizedTime(&s, &r.ThisUpdate, cbasn1.GeneralizedTime) {
		return r, fmt.Errorf("thisUpdate: %w", ErrMalformed)
	}
	if s.PeekASN1Tag(tagOCSPNextUpdate) {
		var v cryptobyte.String
		if !s.ReadASN1(&v, tagOCSPNextUpdate) || !readGeneralizedTime(&v, &r.NextUpdate, cbasn1.GeneralizedTime) || !v.Empty() {
			return r, fmt.Errorf("nextUpdate: %w", ErrMalformed)
		}
	}
	if s.PeekASN1Tag(tagOCSPSingleExts) {
		var v cryptobyte.String
		if !s.ReadASN1(&v, tagOCSPSingleExts) {
			return r, fmt.Errorf("singleExtensions: %w", ErrMalformed)
		}
		exts, err := ParseExtensions(v)
		if err != nil {
			return r, err
		}
		for _, e := range exts {
			if e.Critical {
				return r, fmt.Errorf("%w: critical extension %s", ErrUnsupported, extName(e.ID))
			}
		}
	}
	if !s.Empty() {
		return r, ErrTrailingData
	}
	return r, nil
}
