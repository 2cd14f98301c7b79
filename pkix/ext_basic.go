package pkix

import (
	"encoding/asn1"
	"math/bits"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Encoders set the criticality RFC 5280 and docs/profile.md §4 expect; flip
// Extension.Critical afterwards where a profile says otherwise.

// MarshalBasicConstraints encodes basicConstraints (critical): cA and,
// when maxPathLen >= 0, pathLenConstraint (allowed only with cA, RFC 5280
// §4.2.1.9). An end-entity value is the empty SEQUENCE.
func MarshalBasicConstraints(isCA bool, maxPathLen int) (Extension, error) {
	if maxPathLen >= 0 && !isCA {
		return Extension{}, invalid("basicConstraints", "pathLenConstraint without cA")
	}
	return buildExt(OIDExtBasicConstraints, true, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if isCA {
				b.AddASN1Boolean(true)
			}
			if maxPathLen >= 0 {
				b.AddASN1Int64(int64(maxPathLen))
			}
		})
	})
}

// ParseBasicConstraints reads a basicConstraints value; maxPathLen is -1
// when absent.
func ParseBasicConstraints(v []byte) (isCA bool, maxPathLen int, err error) {
	id := OIDExtBasicConstraints
	s, err := readExtValue(v, cbasn1.SEQUENCE, id)
	if err != nil {
		return false, 0, err
	}
	if s.PeekASN1Tag(cbasn1.BOOLEAN) {
		if !s.ReadASN1Boolean(&isCA) || !isCA {
			return false, 0, extErr(id, "%w: cA must be TRUE or absent", ErrMalformed)
		}
	}
	maxPathLen = -1
	if !s.Empty() {
		if !s.ReadASN1Integer(&maxPathLen) || maxPathLen < 0 {
			return false, 0, extErr(id, "%w: pathLenConstraint", ErrMalformed)
		}
		if !isCA {
			return false, 0, extErr(id, "%w: pathLenConstraint without cA", ErrMalformed)
		}
	}
	if !s.Empty() {
		return false, 0, extErr(id, "%w", ErrTrailingData)
	}
	return isCA, maxPathLen, nil
}

// KeyUsage is the keyUsage bit set; bit n of RFC 5280's KeyUsage is 1<<n.
type KeyUsage uint16

const (
	KeyUsageDigitalSignature KeyUsage = 1 << iota
	KeyUsageNonRepudiation            // contentCommitment
	KeyUsageKeyEncipherment
	KeyUsageDataEncipherment
	KeyUsageKeyAgreement
	KeyUsageCertSign
	KeyUsageCRLSign
	KeyUsageEncipherOnly
	KeyUsageDecipherOnly

	keyUsageAll = 1<<9 - 1
)

// MarshalKeyUsage encodes keyUsage (critical, docs/profile.md §4) as a DER
// named-bit BIT STRING: trailing zero bits dropped (X.690 §11.2.2), with
// the matching unused-bits count.
func MarshalKeyUsage(ku KeyUsage) (Extension, error) {
	if ku == 0 || ku&^keyUsageAll != 0 {
		return Extension{}, invalid("keyUsage", "no bits set, or unknown bits")
	}
	top := bits.Len16(uint16(ku)) - 1 // highest bit number set
	n := top/8 + 1
	var buf [2]byte
	for i := 0; i <= top; i++ {
		if ku&(1<<i) != 0 {
			buf[i/8] |= 0x80 >> (i % 8)
		}
	}
	unused := 7 - top%8
	return buildExt(OIDExtKeyUsage, true, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
			b.AddUint8(uint8(unused))
			b.AddBytes(buf[:n])
		})
	})
}

// ParseKeyUsage reads a keyUsage value, requiring the minimal DER form
// and at least one known bit set.
func ParseKeyUsage(v []byte) (KeyUsage, error) {
	id := OIDExtKeyUsage
	s, err := readExtValue(v, cbasn1.BIT_STRING, id)
	if err != nil {
		return 0, err
	}
	var unused uint8
	if !s.ReadUint8(&unused) || unused > 7 || len(s) == 0 {
		return 0, extErr(id, "%w: BIT STRING", ErrMalformed)
	}
	if len(s) > 2 {
		return 0, extErr(id, "%w: more than 16 bits", ErrUnsupported)
	}
	last := s[len(s)-1]
	if last&(1<<unused-1) != 0 {
		return 0, extErr(id, "%w: unused bits not zero", ErrMalformed)
	}
	if last&(1<<unused) == 0 {
		return 0, extErr(id, "%w: trailing zero bits (not minimal DER)", ErrMalformed)
	}
	var ku KeyUsage
	for i := 0; i < len(s)*8; i++ {
		if s[i/8]&(0x80>>(i%8)) != 0 {
			if i > 8 {
				return 0, extErr(id, "%w: bit %d", ErrUnsupported, i)
			}
			ku |= 1 << i
		}
	}
	return ku, nil
}

// MarshalExtKeyUsage encodes extKeyUsage (non-critical) from a non-empty
// list of distinct purpose OIDs.
func MarshalExtKeyUsage(purposes []asn1.ObjectIdentifier) (Extension, error) {
	if err := checkOIDList(purposes, "extKeyUsage"); err != nil {
		return Extension{}, err
	}
	return buildExt(OIDExtExtKeyUsage, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, p := range purposes {
				b.AddASN1ObjectIdentifier(p)
			}
		})
	})
}

// ParseExtKeyUsage reads an extKeyUsage value.
func ParseExtKeyUsage(v []byte) ([]asn1.ObjectIdentifier, error) {
	id := OIDExtExtKeyUsage
	s, err := readExtValue(v, cbasn1.SEQUENCE, id)
	if err != nil {
		return nil, err
	}
	var out []asn1.ObjectIdentifier
	for !s.Empty() {
		var o asn1.ObjectIdentifier
		if !readOID(&s, &o) {
			return nil, extErr(id, "%w: KeyPurposeId", ErrMalformed)
		}
		out = append(out, o)
	}
	if len(out) == 0 {
		return nil, extErr(id, "%w: empty list", ErrMalformed)
	}
	if err := checkOIDList(out, "extKeyUsage"); err != nil {
		return nil, err
	}
	return out, nil
}

// checkOIDList requires a non-empty list without repeats.
func checkOIDList(l []asn1.ObjectIdentifier, what string) error {
	if len(l) == 0 {
		return invalid(what, "empty list")
	}
	for i, o := range l {
		for _, p := range l[:i] {
			if p.Equal(o) {
				return errf("%s: %w: %s", what, ErrDuplicate, o)
			}
		}
	}
	return nil
}

// maxKeyID bounds key identifiers: 20 bytes (SHA-1, RFC 5280) or 32
// (Streebog-256 / RFC 7093) in practice.
const maxKeyID = 64

// MarshalSubjectKeyID encodes subjectKeyIdentifier (non-critical).
func MarshalSubjectKeyID(keyID []byte) (Extension, error) {
	if len(keyID) == 0 || len(keyID) > maxKeyID {
		return Extension{}, invalid("subjectKeyIdentifier", "key identifier must be 1..64 bytes")
	}
	return buildExt(OIDExtSubjectKeyID, false, func(b *cryptobyte.Builder) {
		b.AddASN1OctetString(keyID)
	})
}

// ParseSubjectKeyID reads a subjectKeyIdentifier value; the result
// aliases v.
func ParseSubjectKeyID(v []byte) ([]byte, error) {
	s, err := readExtValue(v, cbasn1.OCTET_STRING, OIDExtSubjectKeyID)
	if err != nil {
		return nil, err
	}
	if len(s) == 0 || len(s) > maxKeyID {
		return nil, extErr(OIDExtSubjectKeyID, "%w: length %d", ErrUnsupported, len(s))
	}
	return s, nil
}

// AuthorityKeyID is a parsed authorityKeyIdentifier. CertIssuer and
// CertSerial are the raw contents of the optional [1] GeneralNames and [2]
// serial number, kept for linting; this package only emits KeyID.
type AuthorityKeyID struct {
	KeyID      []byte
	CertIssuer []byte
	CertSerial []byte
}

var (
	tagAKIKeyID  = cbasn1.Tag(0).ContextSpecific()
	tagAKIIssuer = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagAKISerial = cbasn1.Tag(2).ContextSpecific()
)

// MarshalAuthorityKeyID encodes authorityKeyIdentifier (non-critical)
// with keyIdentifier only, as RFC 5280 §4.2.1.1 recommends.
func MarshalAuthorityKeyID(keyID []byte) (Extension, error) {
	if len(keyID) == 0 || len(keyID) > maxKeyID {
		return Extension{}, invalid("authorityKeyIdentifier", "key identifier must be 1..64 bytes")
	}
	return buildExt(OIDExtAuthorityKeyID, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(tagAKIKeyID, func(b *cryptobyte.Builder) { b.AddBytes(keyID) })
		})
	})
}

// ParseAuthorityKeyID reads an authorityKeyIdentifier value; slices alias
// v. RFC 5280 requires [1] and [2] together or neither.
func ParseAuthorityKeyID(v []byte) (AuthorityKeyID, error) {
	id := OIDExtAuthorityKeyID
	var a AuthorityKeyID
	s, err := readExtValue(v, cbasn1.SEQUENCE, id)
	if err != nil {
		return a, err
	}
	var kid, iss, ser cryptobyte.String
	var hasKID, hasIss, hasSer bool
	if !s.ReadOptionalASN1(&kid, &hasKID, tagAKIKeyID) ||
		!s.ReadOptionalASN1(&iss, &hasIss, tagAKIIssuer) ||
		!s.ReadOptionalASN1(&ser, &hasSer, tagAKISerial) {
		return a, extErr(id, "%w", ErrMalformed)
	}
	if !s.Empty() {
		return a, extErr(id, "%w", ErrTrailingData)
	}
	if hasIss != hasSer {
		return a, extErr(id, "%w: authorityCertIssuer and serial must come together", ErrMalformed)
	}
	if hasKID && (len(kid) == 0 || len(kid) > maxKeyID) {
		return a, extErr(id, "%w: keyIdentifier length %d", ErrUnsupported, len(kid))
	}
	if hasSer && len(ser) == 0 || hasIss && len(iss) == 0 {
		return a, extErr(id, "%w: empty issuer or serial", ErrMalformed)
	}
	if hasKID {
		a.KeyID = kid
	}
	if hasIss {
		a.CertIssuer, a.CertSerial = iss, ser
	}
	return a, nil
}

var (
	tagPKUPNotBefore = cbasn1.Tag(0).ContextSpecific()
	tagPKUPNotAfter  = cbasn1.Tag(1).ContextSpecific()
)

// MarshalPrivateKeyUsagePeriod encodes privateKeyUsagePeriod
// (non-critical): [0] notBefore and [1] notAfter, GeneralizedTime with
// IMPLICIT tags; a zero time leaves that bound out, but not both.
func MarshalPrivateKeyUsagePeriod(notBefore, notAfter time.Time) (Extension, error) {
	if notBefore.IsZero() && notAfter.IsZero() {
		return Extension{}, invalid("privateKeyUsagePeriod", "neither notBefore nor notAfter")
	}
	if !notBefore.IsZero() && !notAfter.IsZero() && notAfter.Before(notBefore) {
		return Extension{}, invalid("privateKeyUsagePeriod", "notAfter before notBefore")
	}
	return buildExt(OIDExtPrivateKeyUsagePeriod, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if !notBefore.IsZero() {
				addGeneralizedTime(b, notBefore, tagPKUPNotBefore)
			}
			if !notAfter.IsZero() {
				addGeneralizedTime(b, notAfter, tagPKUPNotAfter)
			}
		})
	})
}

// ParsePrivateKeyUsagePeriod reads a privateKeyUsagePeriod value; an
// absent bound is the zero time. Bounds may carry fractional seconds in
// their DER form (see readGeneralizedTimeFrac); MarshalPrivateKeyUsagePeriod
// writes whole seconds.
func ParsePrivateKeyUsagePeriod(v []byte) (notBefore, notAfter time.Time, err error) {
	id := OIDExtPrivateKeyUsagePeriod
	s, err := readExtValue(v, cbasn1.SEQUENCE, id)
	if err != nil {
		return notBefore, notAfter, err
	}
	hasNB, hasNA := s.PeekASN1Tag(tagPKUPNotBefore), false
	if hasNB && !readGeneralizedTimeFrac(&s, &notBefore, tagPKUPNotBefore) {
		return notBefore, notAfter, extErr(id, "%w: notBefore", ErrMalformed)
	}
	hasNA = s.PeekASN1Tag(tagPKUPNotAfter)
	if hasNA && !readGeneralizedTimeFrac(&s, &notAfter, tagPKUPNotAfter) {
		return notBefore, notAfter, extErr(id, "%w: notAfter", ErrMalformed)
	}
	if !s.Empty() {
		return notBefore, notAfter, extErr(id, "%w", ErrTrailingData)
	}
	if !hasNB && !hasNA {
		return notBefore, notAfter, extErr(id, "%w: empty", ErrMalformed)
	}
	// The zero time stands for "absent" in this API.
	if hasNB && notBefore.IsZero() || hasNA && notAfter.IsZero() {
		return notBefore, notAfter, extErr(id, "%w: year-1 time", ErrUnsupported)
	}
	if !notBefore.IsZero() && !notAfter.IsZero() && notAfter.Before(notBefore) {
		return notBefore, notAfter, extErr(id, "%w: notAfter before notBefore", ErrMalformed)
	}
	return notBefore, notAfter, nil
}
