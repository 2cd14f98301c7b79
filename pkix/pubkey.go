package pkix

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/asn1"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/gost/gost3410"
)

// OIDs outside the GOST family that public keys use.
var (
	OIDPublicKeyECDSA    = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	OIDPublicKeyGost2001 = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}
)

// PublicKeyInfo is a parsed SubjectPublicKeyInfo. Raw keeps the exact
// bytes so that a certificate carries the subject's key as the subject's
// tools wrote it (CryptoPro aliases and digestParamSet included).
type PublicKeyInfo struct {
	Raw []byte
	// Key is a *gost3410.PublicKey or an *ecdsa.PublicKey (P-256, P-384).
	Key crypto.PublicKey
	// ParamSet and DigestParamSet are the GOST key parameters as written;
	// DigestParamSet may be nil. Both nil for ECDSA.
	ParamSet, DigestParamSet asn1.ObjectIdentifier
	// EncryptionParamSet is the GOST 28147-89 parameter set some
	// CryptoPro-made keys still name after the digest (the third element
	// of RFC 4357 §10.3 GostR3410-2001-PublicKeyParameters; RFC 4491
	// keeps it); nil when absent. It plays no part in signatures: it is
	// kept as read (and in Raw) and never written by this package.
	EncryptionParamSet asn1.ObjectIdentifier

	// parsed is set by ParsePublicKeyInfo: Key was decoded from Raw and
	// validated, so the linter may trust the pair.
	parsed bool
}

// maxSPKI bounds a SubjectPublicKeyInfo; the largest we accept (GOST 512)
// is about 170 bytes.
const maxSPKI = 1024

// ParsePublicKeyInfo parses a DER SubjectPublicKeyInfo holding a GOST R
// 34.10-2012 key (any parameter set, any OID alias) or an ECDSA P-256/P-384
// key, and checks the point.
func ParsePublicKeyInfo(der []byte) (*PublicKeyInfo, error) {
	const what = "subjectPublicKeyInfo"
	if len(der) > maxSPKI {
		return nil, errf("%s: %w: %d bytes", what, ErrTooLarge, len(der))
	}
	body, err := readWhole(der, cbasn1.SEQUENCE, what)
	if err != nil {
		return nil, err
	}
	var alg, params cryptobyte.String
	var keyOID asn1.ObjectIdentifier
	var bits asn1.BitString
	if !body.ReadASN1(&alg, cbasn1.SEQUENCE) || !readOID(&alg, &keyOID) ||
		!body.ReadASN1BitString(&bits) || !body.Empty() {
		return nil, malformed(what)
	}
	info := &PublicKeyInfo{Raw: append([]byte(nil), der...), parsed: true}
	switch {
	case keyOID.Equal(OIDPublicKeyGost2012_256), keyOID.Equal(OIDPublicKeyGost2012_512):
		if !alg.ReadASN1(&params, cbasn1.SEQUENCE) || !alg.Empty() {
			return nil, malformed(what + ": GOST key parameters")
		}
		if err := info.parseGOST(keyOID, params, bits); err != nil {
			return nil, err
		}
	case keyOID.Equal(OIDPublicKeyECDSA):
		key, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			return nil, errf("%s: ECDSA: %w: %v", what, ErrMalformed, err)
		}
		ec, ok := key.(*ecdsa.PublicKey)
		if !ok || (ec.Curve != elliptic.P256() && ec.Curve != elliptic.P384()) {
			return nil, errf("%s: %w: only ECDSA P-256 and P-384 keys", what, ErrUnsupported)
		}
		info.Key = ec
	case keyOID.Equal(OIDPublicKeyGost2001):
		return nil, errf("%s: %w: GOST R 34.10-2001 keys are withdrawn; use GOST R 34.10-2012", what, ErrUnsupported)
	default:
		return nil, errf("%s: %w: key algorithm %v", what, ErrUnsupported, keyOID)
	}
	return info, nil
}

func (info *PublicKeyInfo) parseGOST(keyOID asn1.ObjectIdentifier, params cryptobyte.String, bits asn1.BitString) error {
	const what = "subjectPublicKeyInfo: GOST"
	if !readOID(&params, &info.ParamSet) {
		return malformed(what + " publicKeyParamSet")
	}
	if !params.Empty() {
		var d asn1.ObjectIdentifier
		if !readOID(&params, &d) {
			return malformed(what + " digestParamSet")
		}
		info.DigestParamSet = d
	}
	if !params.Empty() {
		// encryptionParamSet: accredited CAs' keys certified by the
		// national root, and CryptoPro requests, carry it.
		var e asn1.ObjectIdentifier
		if !readOID(&params, &e) {
			return malformed(what + " encryptionParamSet")
		}
		info.EncryptionParamSet = e
	}
	if !params.Empty() {
		return errf("%s: %w: key parameters: more than paramSet, digestParamSet and encryptionParamSet", what, ErrMalformed)
	}
	c, ok := gost3410.CurveByOID(info.ParamSet)
	if !ok || c.Test {
		return errf("%s: %w: parameter set %v", what, ErrUnsupported, info.ParamSet)
	}
	wantSize, wantDigest := 32, OIDDigestStreebog256
	if keyOID.Equal(OIDPublicKeyGost2012_512) {
		wantSize, wantDigest = 64, OIDDigestStreebog512
	}
	if c.Size != wantSize {
		return errf("%s: %w: %d-bit key algorithm with %d-bit parameter set %s", what, ErrInvalidValue, 8*wantSize, 8*c.Size, c.Name)
	}
	if info.DigestParamSet != nil && !info.DigestParamSet.Equal(wantDigest) {
		return errf("%s: %w: digestParamSet %v does not match the key size", what, ErrInvalidValue, info.DigestParamSet)
	}
	if bits.BitLength%8 != 0 {
		return malformed(what + " public key BIT STRING")
	}
	s := cryptobyte.String(bits.Bytes)
	var raw cryptobyte.String
	if !s.ReadASN1(&raw, cbasn1.OCTET_STRING) || !s.Empty() {
		return malformed(what + " public key OCTET STRING")
	}
	key, err := gost3410.NewPublicKey(c, raw)
	if err != nil {
		return errf("%s: %w: %v", what, ErrInvalidValue, err)
	}
	info.Key = key
	return nil
}

// isCryptoProParamSet reports whether oid is one of RFC 4357's sets
// (1.2.643.2.2.x), for which RFC 9215 requires digestParamSet.
func isCryptoProParamSet(oid asn1.ObjectIdentifier) bool {
	return len(oid) > 4 && oid[0] == 1 && oid[1] == 2 && oid[2] == 643 && oid[3] == 2 && oid[4] == 2
}

// MarshalPublicKeyInfo encodes a *gost3410.PublicKey (with the TC26 OID of
// its parameter set) or an *ecdsa.PublicKey as a SubjectPublicKeyInfo.
func MarshalPublicKeyInfo(pub crypto.PublicKey) ([]byte, error) {
	if k, ok := pub.(*gost3410.PublicKey); ok && k != nil && k.Curve != nil {
		return MarshalGOSTPublicKeyInfo(k, k.Curve.OID())
	}
	if k, ok := pub.(*ecdsa.PublicKey); ok {
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return nil, invalid("subjectPublicKeyInfo", "only ECDSA P-256 and P-384 keys")
		}
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			return nil, errf("subjectPublicKeyInfo: %w", err)
		}
		return der, nil
	}
	return nil, errf("subjectPublicKeyInfo: %w: key type %T", ErrUnsupported, pub)
}

// MarshalGOSTPublicKeyInfo encodes k naming its parameter set by paramSet,
// which must be one of the set's OIDs (e.g. a CryptoPro alias). Following
// RFC 9215, digestParamSet is written for the CryptoPro OIDs only.
func MarshalGOSTPublicKeyInfo(k *gost3410.PublicKey, paramSet asn1.ObjectIdentifier) ([]byte, error) {
	const what = "subjectPublicKeyInfo"
	if c, ok := gost3410.CurveByOID(paramSet); !ok || c != k.Curve {
		return nil, invalid(what, "parameter set OID "+paramSet.String()+" is not the key's")
	}
	keyOID := OIDPublicKeyGost2012_256
	if k.Curve.Size == 64 {
		keyOID = OIDPublicKeyGost2012_512
	}
	b := cryptobyte.NewBuilder(make([]byte, 0, 64+2*k.Curve.Size))
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(keyOID)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(paramSet)
				if isCryptoProParamSet(paramSet) {
					b.AddASN1ObjectIdentifier(OIDDigestStreebog256)
				}
			})
		})
		b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
			b.AddUint8(0) // no unused bits
			b.AddASN1OctetString(k.Bytes())
		})
	})
	return finish(b, what)
}
