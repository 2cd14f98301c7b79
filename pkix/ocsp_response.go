package pkix

import (
	"bytes"
	"crypto"
	"fmt"
	"io"
	"time"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// OCSPResponseStatus is RFC 6960 OCSPResponseStatus.
type OCSPResponseStatus int

const (
	OCSPSuccessful       OCSPResponseStatus = 0
	OCSPMalformedRequest OCSPResponseStatus = 1
	OCSPInternalError    OCSPResponseStatus = 2
	OCSPTryLater         OCSPResponseStatus = 3
	OCSPSigRequired      OCSPResponseStatus = 5
	OCSPUnauthorized     OCSPResponseStatus = 6
)

func (s OCSPResponseStatus) String() string {
	switch s {
	case OCSPSuccessful:
		return "successful"
	case OCSPMalformedRequest:
		return "malformedRequest"
	case OCSPInternalError:
		return "internalError"
	case OCSPTryLater:
		return "tryLater"
	case OCSPSigRequired:
		return "sigRequired"
	case OCSPUnauthorized:
		return "unauthorized"
	}
	return fmt.Sprintf("OCSPResponseStatus(%d)", int(s))
}

// OCSPStatus is a certificate's status in a SingleResponse.
type OCSPStatus int

const (
	OCSPGood OCSPStatus = iota
	OCSPRevoked
	OCSPUnknown
)

func (s OCSPStatus) String() string {
	switch s {
	case OCSPGood:
		return "good"
	case OCSPRevoked:
		return "revoked"
	case OCSPUnknown:
		return "unknown"
	}
	return fmt.Sprintf("OCSPStatus(%d)", int(s))
}

// SingleResponse is one certificate's status (RFC 6960 §4.2.1).
type SingleResponse struct {
	// CertID is echoed from the request (its Raw is written verbatim).
	CertID CertID
	Status OCSPStatus
	// RevokedAt and Reason for OCSPRevoked only. ReasonUnspecified leaves
	// revocationReason out; removeFromCRL has no meaning here.
	RevokedAt time.Time
	Reason    CRLReason
	// ThisUpdate is when the status was known correct; NextUpdate, if not
	// zero, when newer information will be available.
	ThisUpdate, NextUpdate time.Time
}

// OCSPResponseTemplate describes a successful basic OCSP response.
type OCSPResponseTemplate struct {
	// ResponderKeyHash is the byKey ResponderID: SHA-1 of the signer's
	// subjectPublicKey BIT STRING contents (ResponderKeyHash). Required by
	// BuildOCSPResponseData; CreateOCSPResponse computes it from the signer
	// when empty and checks it otherwise.
	ResponderKeyHash []byte
	ProducedAt       time.Time
	Responses        []SingleResponse
	// Nonce echoes the request's nonce (1..32 octets), nil for none.
	Nonce []byte
	// Certificates go into the response's certs: the delegated
	// responder's certificate (RFC 6960 §4.2.2.2), DER each.
	Certificates [][]byte
	// SignatureAlgorithm, for CreateOCSPResponse; zero: from the key.
	SignatureAlgorithm SignatureAlgorithm
}

const ocspMaxResponses = 1024

var (
	tagOCSPResponseBytes = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagOCSPByName        = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagOCSPByKey         = cbasn1.Tag(2).ContextSpecific().Constructed()
	tagOCSPRespExts      = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagOCSPGood          = cbasn1.Tag(0).ContextSpecific()
	tagOCSPRevoked       = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagOCSPUnknown       = cbasn1.Tag(2).ContextSpecific()
	tagOCSPReason        = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagOCSPNextUpdate    = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagOCSPSingleExts    = cbasn1.Tag(1).ContextSpecific().Constructed()
)

// ocspCheckTemplate validates what BuildOCSPResponseData encodes.
func ocspCheckTemplate(tmpl *OCSPResponseTemplate) error {
	const what = "OCSP response"
	switch {
	case len(tmpl.ResponderKeyHash) != 20:
		return invalid(what+": responderID", "byKey hash must be 20 octets (SHA-1)")
	case tmpl.ProducedAt.IsZero() || !revTimeYearOK(tmpl.ProducedAt):
		return invalid(what+": producedAt", "missing or outside years 0000..9999")
	case len(tmpl.Responses) == 0 || len(tmpl.Responses) > ocspMaxResponses:
		return invalid(what, fmt.Sprintf("needs 1..%d single responses", ocspMaxResponses))
	case tmpl.Nonce != nil && (len(tmpl.Nonce) == 0 || len(tmpl.Nonce) > ocspMaxNonce):
		return invalid(what+": nonce", "must be 1..32 octets (RFC 8954)")
	}
	for i := range tmpl.Responses {
		if why := ocspCheckSingle(&tmpl.Responses[i]); why != "" {
			return invalid(fmt.Sprintf("%s: response %d", what, i+1), why)
		}
	}
	for i, c := range tmpl.Certificates {
		if !isOneElement(c) || c[0] != byte(cbasn1.SEQUENCE) {
			return invalid(fmt.Sprintf("%s: certificate %d", what, i+1), "not one DER SEQUENCE")
		}
	}
	return nil
}

func ocspCheckSingle(r *SingleResponse) string {
	if why := ocspCertIDProblem(&r.CertID); why != "" {
		return why
	}
	switch {
	case r.ThisUpdate.IsZero() || !revTimeYearOK(r.ThisUpdate):
		return "thisUpdate missing or outside years 0000..9999"
	case !r.NextUpdate.IsZero() && (!revTimeYearOK(r.NextUpdate) || !r.NextUpdate.Truncate(time.Second).After(r.ThisUpdate.Truncate(time.Second))):
		return "nextUpdate not after thisUpdate"
	}
	switch r.Status {
	case OCSPGood, OCSPUnknown:
		if !r.RevokedAt.IsZero() || r.Reason != ReasonUnspecified {
			return "revocation time or reason on a " + r.Status.String() + " status"
		}
	case OCSPRevoked:
		switch {
		case r.RevokedAt.IsZero() || r.RevokedAt.Before(revMinTime):
			return "revoked without a revocation time"
		case !revNotAfterSecond(r.RevokedAt, r.ThisUpdate):
			return "revocation time after thisUpdate"
		case r.Reason == ReasonRemoveFromCRL:
			return "removeFromCRL is not a revocation reason (the certificate is good)"
		}
		if why := revCheckReason(r.Reason, false); why != "" {
			return why
		}
	default:
		return "unknown certificate status " + r.Status.String()
	}
	return ""
}

// BuildOCSPResponseData encodes the ResponseData to sign (RFC 6960
// §4.2.1): byKey responder ID, producedAt, the single responses and the
// nonce. With AssembleOCSPResponse it is the HSM path: sign
// alg.Digest(tbs) wherever the key lives.
func BuildOCSPResponseData(tmpl *OCSPResponseTemplate) ([]byte, error) {
	if tmpl == nil {
		return nil, invalid("OCSP response", "nil template")
	}
	if err := ocspCheckTemplate(tmpl); err != nil {
		return nil, err
	}
	return ocspAppendResponseData(make([]byte, 0, 96+180*len(tmpl.Responses)+len(tmpl.Nonce)), tmpl), nil
}

// AssembleOCSPResponse wraps signed ResponseData into a successful
// OCSPResponse: responseBytes { id-pkix-ocsp-basic, OCTET STRING {
// BasicOCSPResponse { tbs, alg, sig, [0] certs } } }.
func AssembleOCSPResponse(tbs []byte, alg SignatureAlgorithm, sig []byte, certs [][]byte) ([]byte, error) {
	const what = "OCSP response"
	if !isOneElement(tbs) || tbs[0] != byte(cbasn1.SEQUENCE) {
		return nil, invalid(what, "ResponseData is not one DER SEQUENCE")
	}
	_, sigLen, err := revDigestFor(alg)
	if err != nil {
		return nil, wrapCtx(what, err)
	}
	if sigLen > 0 && len(sig) != sigLen || sigLen == 0 && !isOneElement(sig) {
		return nil, invalid(what+": signature", fmt.Sprintf("%d octets is not a %s signature", len(sig), alg))
	}
	for i, c := range certs {
		if !isOneElement(c) || c[0] != byte(cbasn1.SEQUENCE) {
			return nil, invalid(fmt.Sprintf("%s: certificate %d", what, i+1), "not one DER SEQUENCE")
		}
	}
	algID := algorithmIdentifierDER(alg)
	if algID == nil {
		return nil, invalid("signatureAlgorithm", "unknown algorithm")
	}
	return appendOCSPResponse(nil, tbs, algID, sig, certs), nil
}

// CreateOCSPResponse builds, signs and assembles a successful basic OCSP
// response. An empty ResponderKeyHash is computed from signer's key; a
// given one must match it.
func CreateOCSPResponse(rand io.Reader, signer crypto.Signer, tmpl *OCSPResponseTemplate) ([]byte, error) {
	const what = "OCSP response"
	if signer == nil || tmpl == nil {
		return nil, invalid(what, "nil signer or template")
	}
	t := *tmpl
	spki, err := MarshalPublicKeyInfo(signer.Public())
	if err != nil {
		return nil, wrapCtx(what, err)
	}
	keyHash, err := ResponderKeyHash(spki)
	if err != nil {
		return nil, wrapCtx(what, err)
	}
	if len(t.ResponderKeyHash) == 0 {
		t.ResponderKeyHash = keyHash
	} else if !bytes.Equal(t.ResponderKeyHash, keyHash) {
		return nil, invalid(what+": responderID", "key hash is not the signer's")
	}
	if t.SignatureAlgorithm == UnknownSignatureAlgorithm {
		if t.SignatureAlgorithm, err = SignatureAlgorithmFor(signer.Public()); err != nil {
			return nil, wrapCtx(what, err)
		}
	}
	tbs, err := BuildOCSPResponseData(&t)
	if err != nil {
		return nil, err
	}
	sig, err := Sign(rand, signer, t.SignatureAlgorithm, tbs)
	if err != nil {
		return nil, wrapCtx(what, err)
	}
	return AssembleOCSPResponse(tbs, t.SignatureAlgorithm, sig, t.Certificates)
}

// OCSPErrorResponse returns the OCSPResponse for an unsuccessful status:
// the status alone, no responseBytes (RFC 6960 §4.2.1). Such responses are
// unsigned, so they can be prepared once and served from memory.
func OCSPErrorResponse(status OCSPResponseStatus) ([]byte, error) {
	switch status {
	case OCSPMalformedRequest, OCSPInternalError, OCSPTryLater, OCSPSigRequired, OCSPUnauthorized:
		return []byte{0x30, 0x03, 0x0A, 0x01, byte(status)}, nil
	}
	return nil, invalid("OCSP error response", "status "+status.String()+" is not an error status")
}
