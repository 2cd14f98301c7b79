package cms

import (
	"encoding/asn1"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// SignerInfo is one signer of a SignedData (RFC 5652 §5.3).
type SignerInfo struct {
	Version int
	// The signer certificate is named by issuer and serial number
	// (version 1) or by subject key identifier (version 3).
	Issuer       []byte // DER Name; nil with SubjectKeyID
	Serial       *big.Int
	SubjectKeyID []byte
	// DigestAlgorithm hashes the content (the messageDigest attribute).
	DigestAlgorithm asn1.ObjectIdentifier
	// RawSignedAttrs is the signedAttrs element ([0] IMPLICIT SET OF) as
	// it appears; nil when there are none. The signature covers it with
	// the SET OF tag (0x31) in place of [0].
	RawSignedAttrs []byte
	SignedAttrs    []Attribute
	// SignatureAlgorithm is the OID as written: CryptoPro and OpenSSL
	// name the key algorithm (1.2.643.7.1.1.1.x), others the signature
	// algorithm (1.2.643.7.1.1.3.x).
	SignatureAlgorithm asn1.ObjectIdentifier
	// SignatureParams are the parameters of signatureAlgorithm when they
	// are neither absent nor NULL: CryptoPro writes the key OID with the
	// key's parameters (SEQUENCE { paramSet, digestParamSet }).
	SignatureParams []byte
	Signature       []byte
	// UnsignedAttrs are kept uninterpreted (CAdES-T time stamps…).
	UnsignedAttrs []Attribute
}

// Attribute is one attribute of a SignerInfo: its type and the DER of
// each value.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values [][]byte
}

const (
	maxAttributes = 64
	maxValues     = 16
)

var (
	tagImplicit0Cons = cbasn1.Tag(0).Constructed().ContextSpecific()
	tagImplicit0Prim = cbasn1.Tag(0).ContextSpecific()
)

func readSignerInfo(s *cryptobyte.String) (*SignerInfo, error) {
	var body cryptobyte.String
	var ver int64
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1Integer(&ver) || (ver != 1 && ver != 3) {
		return nil, malformed("SignerInfo version")
	}
	si := &SignerInfo{Version: int(ver)}
	switch {
	case body.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias, issuer cryptobyte.String
		si.Serial = new(big.Int)
		if !body.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&issuer, cbasn1.SEQUENCE) ||
			!ias.ReadASN1Integer(si.Serial) || !ias.Empty() {
			return nil, malformed("SignerInfo issuerAndSerialNumber")
		}
		si.Issuer = issuer
	case body.PeekASN1Tag(tagImplicit0Prim):
		var ski cryptobyte.String
		if !body.ReadASN1(&ski, tagImplicit0Prim) || len(ski) == 0 {
			return nil, malformed("SignerInfo subjectKeyIdentifier")
		}
		si.SubjectKeyID = ski
	default:
		return nil, malformed("SignerInfo sid")
	}
	var err error
	if si.DigestAlgorithm, err = readAlgorithm(&body, "SignerInfo digestAlgorithm"); err != nil {
		return nil, err
	}
	if body.PeekASN1Tag(tagImplicit0Cons) {
		var raw cryptobyte.String
		if !body.ReadASN1Element(&raw, tagImplicit0Cons) {
			return nil, malformed("SignerInfo signedAttrs")
		}
		si.RawSignedAttrs = raw
		if si.SignedAttrs, err = readAttributes(raw, tagImplicit0Cons, "signedAttrs"); err != nil {
			return nil, err
		}
	}
	if si.SignatureAlgorithm, si.SignatureParams, err = readSignatureAlgorithm(&body); err != nil {
		return nil, err
	}
	var sig cryptobyte.String
	if !body.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return nil, malformed("SignerInfo signature")
	}
	si.Signature = sig
	if body.PeekASN1Tag(tagImplicit1) {
		var raw cryptobyte.String
		if !body.ReadASN1Element(&raw, tagImplicit1) {
			return nil, malformed("SignerInfo unsignedAttrs")
		}
		if si.UnsignedAttrs, err = readAttributes(raw, tagImplicit1, "unsignedAttrs"); err != nil {
			return nil, err
		}
	}
	if !body.Empty() {
		return nil, malformed("SignerInfo: data after the signature")
	}
	return si, nil
}

// readAttributes reads a tagged SET OF Attribute element.
func readAttributes(raw []byte, tag cbasn1.Tag, what string) ([]Attribute, error) {
	s := cryptobyte.String(raw)
	var set cryptobyte.String
	if !s.ReadASN1(&set, tag) || set.Empty() {
		return nil, malformed(what)
	}
	var attrs []Attribute
	for !set.Empty() {
		if len(attrs) >= maxAttributes {
			return nil, fmt.Errorf("%w: more than %d %s", ErrTooLarge, maxAttributes, what)
		}
		var a, vals cryptobyte.String
		var at Attribute
		if !set.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&at.Type) ||
			!a.ReadASN1(&vals, cbasn1.SET) || !a.Empty() {
			return nil, malformed(what + ": attribute")
		}
		for !vals.Empty() {
			if len(at.Values) >= maxValues {
				return nil, fmt.Errorf("%w: more than %d values of attribute %v", ErrTooLarge, maxValues, at.Type)
			}
			var v cryptobyte.String
			var vt cbasn1.Tag
			if !vals.ReadAnyASN1Element(&v, &vt) {
				return nil, malformed(what + ": attribute value")
			}
			at.Values = append(at.Values, v)
		}
		attrs = append(attrs, at)
	}
	return attrs, nil
}

// readSignatureAlgorithm reads SignerInfo.signatureAlgorithm: parameters
// absent, NULL, or a SEQUENCE (GOST key parameters), returned as is.
func readSignatureAlgorithm(s *cryptobyte.String) (asn1.ObjectIdentifier, []byte, error) {
	const what = "SignerInfo signatureAlgorithm"
	var alg, params cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, nil, malformed(what)
	}
	if alg.PeekASN1Tag(cbasn1.SEQUENCE) {
		if !alg.ReadASN1Element(&params, cbasn1.SEQUENCE) || !alg.Empty() {
			return nil, nil, malformed(what + " parameters")
		}
		return oid, params, nil
	}
	var null cryptobyte.String
	if !alg.Empty() && (!alg.ReadASN1(&null, cbasn1.NULL) || len(null) != 0 || !alg.Empty()) {
		return nil, nil, fmt.Errorf("%w: %s %v: parameters neither NULL nor GOST key parameters", ErrUnsupportedAlgorithm, what, oid)
	}
	return oid, nil, nil
}
