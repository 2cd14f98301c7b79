package pkix

import (
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// OCSPRequest is a parsed OCSP request (RFC 6960 §4.1). Slices alias the
// parser's input.
type OCSPRequest struct {
	Raw []byte
	// RequestorName is the requestorName GeneralName element, nil if
	// absent. Not interpreted.
	RequestorName []byte
	// CertIDs are the certificates asked about, in request order; each
	// keeps its Raw encoding to echo in the response.
	CertIDs []CertID
	// Nonce is the RFC 8954 nonce (1..32 octets), nil if absent.
	Nonce []byte
	// Extensions are the requestExtensions (nonce included).
	Extensions []Extension
	// Signed reports an optionalSignature, which is parsed but not
	// verified; its algorithm OID, value and certificates are kept.
	Signed                bool
	SignatureAlgorithmOID asn1.ObjectIdentifier
	Signature             []byte
	Certificates          [][]byte

	// oneID backs CertIDs of the usual request for one certificate: the
	// request and its CertID are one allocation.
	oneID [1]CertID
}

// Bounds on OCSP requests. Real ones are about 100 bytes with one CertID;
// signed requests carry a certificate chain.
const (
	MaxOCSPRequestSize = 64 << 10
	ocspMaxCertIDs     = 64
	ocspMaxCerts       = 16
	// ocspMaxNonce is RFC 8954's bound on the nonce value.
	ocspMaxNonce = 32
)

var (
	tagOCSPVersion   = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagOCSPRequestor = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagOCSPReqExts   = cbasn1.Tag(2).ContextSpecific().Constructed()
	tagOCSPSignature = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagOCSPSingleExt = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagOCSPCerts     = cbasn1.Tag(0).ContextSpecific().Constructed()
)

// ParseOCSPRequest parses a DER OCSPRequest. It requires at least one
// CertID, each with a supported hash (SHA-1, SHA-256, Streebog-256 or
// -512; parameters absent or NULL); a nonce must be an OCTET STRING of 1..32
// octets (RFC 8954). Unknown critical request or single-request
// extensions are ErrUnsupported, unknown non-critical ones ignored. A
// version written out as v1 (not DER, as it is the DEFAULT) is tolerated:
// clients in the field do it and refusing them helps no one.
func ParseOCSPRequest(der []byte) (*OCSPRequest, error) {
	const what = "OCSP request"
	if len(der) > MaxOCSPRequestSize {
		return nil, errf("%s: %w: %d bytes", what, ErrTooLarge, len(der))
	}
	body, err := readWhole(der, cbasn1.SEQUENCE, what)
	if err != nil {
		return nil, err
	}
	req := &OCSPRequest{Raw: der}
	req.CertIDs = req.oneID[:0]
	var tbs cryptobyte.String
	if !body.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, malformed(what + ": tbsRequest")
	}
	if body.PeekASN1Tag(tagOCSPSignature) {
		if err := req.parseSignature(&body); err != nil {
			return nil, err
		}
	}
	if !body.Empty() {
		return nil, trailing(what)
	}
	if err := ocspReadVersion(&tbs, what); err != nil {
		return nil, err
	}
	if tbs.PeekASN1Tag(tagOCSPRequestor) {
		var name cryptobyte.String
		if !tbs.ReadASN1(&name, tagOCSPRequestor) || !isOneElement(name) {
			return nil, malformed(what + ": requestorName")
		}
		req.RequestorName = name
	}
	var list cryptobyte.String
	if !tbs.ReadASN1(&list, cbasn1.SEQUENCE) || list.Empty() {
		return nil, malformed(what + ": requestList")
	}
	for !list.Empty() {
		if len(req.CertIDs) == ocspMaxCertIDs {
			return nil, errf("%s: %w: more than %d certificates", what, ErrTooLarge, ocspMaxCertIDs)
		}
		id, err := ocspReadSingleRequest(&list)
		if err != nil {
			return nil, errf("%s: request %d: %w", what, len(req.CertIDs)+1, err)
		}
		req.CertIDs = append(req.CertIDs, id)
	}
	if tbs.PeekASN1Tag(tagOCSPReqExts) {
		var exts cryptobyte.String
		if !tbs.ReadASN1(&exts, tagOCSPReqExts) {
			return nil, malformed(what + ": requestExtensions")
		}
		if req.Extensions, err = ParseExtensions(exts); err != nil {
			return nil, wrapCtx(what, err)
		}
		if req.Nonce, err = ocspNonce(req.Extensions); err != nil {
			return nil, wrapCtx(what, err)
		}
	}
	if !tbs.Empty() {
		return nil, trailing(what + ": tbsRequest")
	}
	return req, nil
}

// ocspReadVersion reads the optional [0] EXPLICIT version, which must be
// v1 (0).
func ocspReadVersion(s *cryptobyte.String, what string) error {
	if !s.PeekASN1Tag(tagOCSPVersion) {
		return nil
	}
	var v cryptobyte.String
	var n int64
	if !s.ReadASN1(&v, tagOCSPVersion) || !v.ReadASN1Int64WithTag(&n, cbasn1.INTEGER) || !v.Empty() {
		return malformed(what + ": version")
	}
	if n != 0 {
		return errf("%s: version: %w: v%d", what, ErrUnsupported, n+1)
	}
	return nil
}

// ocspReadSingleRequest reads Request { CertID, [0] singleRequestExtensions }.
func ocspReadSingleRequest(s *cryptobyte.String) (CertID, error) {
	var r cryptobyte.String
	if !s.ReadASN1(&r, cbasn1.SEQUENCE) {
		return CertID{}, ErrMalformed
	}
	id, err := ocspReadCertID(&r)
	if err != nil {
		return CertID{}, err
	}
	if r.PeekASN1Tag(tagOCSPSingleExt) {
		var v cryptobyte.String
		if !r.ReadASN1(&v, tagOCSPSingleExt) {
			return CertID{}, fmt.Errorf("singleRequestExtensions: %w", ErrMalformed)
		}
		exts, err := ParseExtensions(v)
		if err != nil {
			return CertID{}, err
		}
		for _, e := range exts {
			if e.Critical {
				return CertID{}, fmt.Errorf("%w: critical extension %s", ErrUnsupported, extName(e.ID))
			}
		}
	}
	if !r.Empty() {
		return CertID{}, ErrTrailingData
	}
	return id, nil
}

// ocspNonce finds and checks the nonce among request extensions and
// rejects unknown critical ones.
func ocspNonce(exts []Extension) ([]byte, error) {
	var nonce []byte
	for _, e := range exts {
		if !e.ID.Equal(OIDOCSPNonce) {
			if e.Critical {
				return nil, errf("%w: critical extension %s", ErrUnsupported, extName(e.ID))
			}
			continue
		}
		v, err := readExtValue(e.Value, cbasn1.OCTET_STRING, e.ID)
		if err != nil {
			return nil, err
		}
		switch {
		case len(v) == 0:
			return nil, extErr(e.ID, "%w: empty nonce", ErrMalformed)
		case len(v) > ocspMaxNonce:
			return nil, extErr(e.ID, "%w: nonce of %d octets, RFC 8954 allows 1..32", ErrTooLarge, len(v))
		}
		nonce = v
	}
	return nonce, nil
}

// parseSignature reads optionalSignature [0] EXPLICIT Signature { alg,
// BIT STRING, [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }.
func (req *OCSPRequest) parseSignature(s *cryptobyte.String) error {
	const what = "OCSP request: optionalSignature"
	var sig, body, alg cryptobyte.String
	var bits asn1.BitString
	if !s.ReadASN1(&sig, tagOCSPSignature) || !sig.ReadASN1(&body, cbasn1.SEQUENCE) || !sig.Empty() ||
		!body.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&req.SignatureAlgorithmOID) ||
		!body.ReadASN1BitString(&bits) || bits.BitLength%8 != 0 {
		return malformed(what)
	}
	req.Signed, req.Signature = true, bits.Bytes
	if body.PeekASN1Tag(tagOCSPCerts) {
		certs, err := ocspReadCertificates(&body, ocspMaxCerts)
		if err != nil {
			return wrapCtx(what, err)
		}
		req.Certificates = certs
	}
	if !body.Empty() {
		return trailing(what)
	}
	return nil
}

// ocspReadCertificates reads [0] EXPLICIT SEQUENCE OF Certificate, keeping each
// certificate's DER.
func ocspReadCertificates(s *cryptobyte.String, max int) ([][]byte, error) {
	var wrapper, list cryptobyte.String
	if !s.ReadASN1(&wrapper, tagOCSPCerts) || !wrapper.ReadASN1(&list, cbasn1.SEQUENCE) || !wrapper.Empty() {
		return nil, malformed("certs")
	}
	var certs [][]byte
	for !list.Empty() {
		if len(certs) == max {
			return nil, errf("certs: %w: more than %d", ErrTooLarge, max)
		}
		var c cryptobyte.String
		if !list.ReadASN1Element(&c, cbasn1.SEQUENCE) {
			return nil, malformed("certs")
		}
		certs = append(certs, c)
	}
	return certs, nil
}
