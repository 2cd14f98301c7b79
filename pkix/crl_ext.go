package pkix

import (
	"encoding/asn1"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CRL extensions (RFC 5280 §5.2): cRLNumber, deltaCRLIndicator,
// freshestCRL and issuingDistributionPoint.

// crlCheckNumber validates a CRLNumber: an INTEGER 0..MAX of at most 20
// octets (RFC 5280 §5.2.3).
func crlCheckNumber(n *big.Int, what string) error {
	switch {
	case n == nil:
		return invalid(what, "missing")
	case n.Sign() < 0:
		return invalid(what, "negative")
	case n.BitLen()/8+1 > revMaxSerialLen:
		return invalid(what, "longer than 20 octets")
	}
	return nil
}

// MarshalCRLNumber encodes cRLNumber (non-critical).
func MarshalCRLNumber(n *big.Int) (Extension, error) {
	if err := crlCheckNumber(n, "cRLNumber"); err != nil {
		return Extension{}, err
	}
	return buildExt(OIDExtCRLNumber, false, func(b *cryptobyte.Builder) { b.AddASN1BigInt(n) })
}

// MarshalDeltaCRLIndicator encodes deltaCRLIndicator (critical) naming
// the number of the base CRL the delta applies to.
func MarshalDeltaCRLIndicator(base *big.Int) (Extension, error) {
	if err := crlCheckNumber(base, "deltaCRLIndicator"); err != nil {
		return Extension{}, err
	}
	return buildExt(OIDExtDeltaCRLIndicator, true, func(b *cryptobyte.Builder) { b.AddASN1BigInt(base) })
}

// ParseCRLNumber reads a cRLNumber or deltaCRLIndicator value (both are
// CRLNumber).
func ParseCRLNumber(v []byte) (*big.Int, error) {
	return crlParseNumber(v, OIDExtCRLNumber)
}

func crlParseNumber(v []byte, id asn1.ObjectIdentifier) (*big.Int, error) {
	n := new(big.Int)
	s := cryptobyte.String(v)
	if !s.ReadASN1Integer(n) {
		return nil, extErr(id, "%w: INTEGER", ErrMalformed)
	}
	if !s.Empty() {
		return nil, extErr(id, "%w", ErrTrailingData)
	}
	if n.Sign() < 0 {
		return nil, extErr(id, "%w: negative", ErrMalformed)
	}
	if n.BitLen()/8+1 > revMaxSerialLen {
		return nil, extErr(id, "%w: longer than 20 octets", ErrTooLarge)
	}
	return n, nil
}

// MarshalFreshestCRL encodes freshestCRL (non-critical): one distribution
// point whose URIs are locations of the same delta CRL. Same syntax as
// cRLDistributionPoints (RFC 5280 §5.2.6).
func MarshalFreshestCRL(uris []string) (Extension, error) {
	e, err := MarshalCRLDistributionPoints([]DistributionPoint{{URIs: uris}})
	if err != nil {
		return Extension{}, wrapCtx("freshestCRL", err)
	}
	e.ID = OIDExtFreshestCRL
	return e, nil
}

// ParseFreshestCRL reads a freshestCRL value and returns every URI of
// every point, in order.
func ParseFreshestCRL(v []byte) ([]string, error) {
	dps, err := ParseCRLDistributionPoints(v)
	if err != nil {
		return nil, wrapCtx("freshestCRL", err)
	}
	var uris []string
	for _, dp := range dps {
		uris = append(uris, dp.URIs...)
	}
	return uris, nil
}

// ReasonFlags is RFC 5280's ReasonFlags BIT STRING: bit n is 1<<n. Note
// that the bit numbers differ from CRLReason values from
// privilegeWithdrawn on.
type ReasonFlags uint16

const (
	ReasonFlagKeyCompromise ReasonFlags = 1 << (iota + 1)
	ReasonFlagCACompromise
	ReasonFlagAffiliationChanged
	ReasonFlagSuperseded
	ReasonFlagCessationOfOperation
	ReasonFlagCertificateHold
	ReasonFlagPrivilegeWithdrawn
	ReasonFlagAACompromise

	reasonFlagsAll = 1<<9 - 2 // bits 1..8; bit 0 is "unused"
)

// IssuingDistributionPoint is the issuingDistributionPoint CRL extension
// (RFC 5280 §5.2.5), always critical: the scope of a partitioned CRL.
type IssuingDistributionPoint struct {
	// URIs is the distributionPoint fullName: where this CRL is published
	// (the URIs the covered certificates carry in their CDP). May be empty.
	URIs []string
	// OnlyUser / OnlyCA: the CRL covers only end-entity or only CA
	// certificates (at most one may be set).
	OnlyUser, OnlyCA bool
	// OnlySomeReasons limits the CRL to these reasons; 0 means all.
	OnlySomeReasons ReasonFlags
	// Indirect and OnlyAttribute are read from others' CRLs; this CA
	// issues neither indirect CRLs nor attribute-certificate CRLs, and the
	// encoder refuses them.
	Indirect, OnlyAttribute bool
}

var (
	tagIDPOnlyUser      = cbasn1.Tag(1).ContextSpecific()
	tagIDPOnlyCA        = cbasn1.Tag(2).ContextSpecific()
	tagIDPReasons       = cbasn1.Tag(3).ContextSpecific()
	tagIDPIndirect      = cbasn1.Tag(4).ContextSpecific()
	tagIDPOnlyAttribute = cbasn1.Tag(5).ContextSpecific()
)

// MarshalIssuingDistributionPoint encodes issuingDistributionPoint
// (critical). RFC 5280 forbids an empty SEQUENCE: with no flag set, URIs
// or OnlySomeReasons must be given.
func MarshalIssuingDistributionPoint(idp IssuingDistributionPoint) (Extension, error) {
	const what = "issuingDistributionPoint"
	switch {
	case idp.Indirect || idp.OnlyAttribute:
		return Extension{}, invalid(what, "indirect and attribute-certificate CRLs are not issued")
	case idp.OnlyUser && idp.OnlyCA:
		return Extension{}, invalid(what, "onlyContainsUserCerts and onlyContainsCACerts together")
	case idp.OnlySomeReasons&^reasonFlagsAll != 0:
		return Extension{}, invalid(what, "unknown reason flags")
	case len(idp.URIs) == 0 && idp.OnlySomeReasons == 0 && !idp.OnlyUser && !idp.OnlyCA:
		return Extension{}, invalid(what, "empty (no URI, flag or reasons)")
	}
	if len(idp.URIs) > 0 {
		if err := checkURIList(idp.URIs, what); err != nil {
			return Extension{}, err
		}
	}
	return buildExt(OIDExtIssuingDistributionPoint, true, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if len(idp.URIs) > 0 {
				addDistributionPointName(b, idp.URIs)
			}
			idpAddTrue(b, tagIDPOnlyUser, idp.OnlyUser)
			idpAddTrue(b, tagIDPOnlyCA, idp.OnlyCA)
			if idp.OnlySomeReasons != 0 {
				idpAddReasons(b, idp.OnlySomeReasons)
			}
		})
	})
}

// idpAddTrue writes an IMPLICIT BOOLEAN DEFAULT FALSE that is TRUE
// (and nothing when false, as DER requires).
func idpAddTrue(b *cryptobyte.Builder, tag cbasn1.Tag, v bool) {
	if v {
		b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddUint8(0xFF) })
	}
}

// idpAddReasons writes [3] ReasonFlags as a minimal named-bit BIT STRING.
func idpAddReasons(b *cryptobyte.Builder, f ReasonFlags) {
	top := 0
	for i := 15; i >= 0; i-- {
		if f&(1<<i) != 0 {
			top = i
			break
		}
	}
	var buf [2]byte
	for i := 0; i <= top; i++ {
		if f&(1<<i) != 0 {
			buf[i/8] |= 0x80 >> (i % 8)
		}
	}
	b.AddASN1(tagIDPReasons, func(b *cryptobyte.Builder) {
		b.AddUint8(uint8(7 - top%8))
		b.AddBytes(buf[:top/8+1])
	})
}

// ParseIssuingDistributionPoint reads an issuingDistributionPoint value.
// A distributionPoint other than a fullName of URIs is ErrUnsupported.
func ParseIssuingDistributionPoint(v []byte) (IssuingDistributionPoint, error) {
	id := OIDExtIssuingDistributionPoint
	var idp IssuingDistributionPoint
	s, err := readExtValue(v, cbasn1.SEQUENCE, id)
	if err != nil {
		return idp, err
	}
	if s.Empty() {
		return idp, extErr(id, "%w: empty SEQUENCE", ErrMalformed)
	}
	if s.PeekASN1Tag(tagDPName) {
		if idp.URIs, err = readDistributionPointName(&s); err != nil {
			return idp, extErr(id, "%w", err)
		}
	}
	ok := idpReadTrue(&s, tagIDPOnlyUser, &idp.OnlyUser) &&
		idpReadTrue(&s, tagIDPOnlyCA, &idp.OnlyCA)
	if ok && s.PeekASN1Tag(tagIDPReasons) {
		idp.OnlySomeReasons, ok = idpReadReasons(&s)
	}
	ok = ok && idpReadTrue(&s, tagIDPIndirect, &idp.Indirect) &&
		idpReadTrue(&s, tagIDPOnlyAttribute, &idp.OnlyAttribute)
	if !ok {
		return idp, extErr(id, "%w", ErrMalformed)
	}
	if !s.Empty() {
		return idp, extErr(id, "%w", ErrTrailingData)
	}
	n := 0
	for _, f := range []bool{idp.OnlyUser, idp.OnlyCA, idp.OnlyAttribute} {
		if f {
			n++
		}
	}
	if n > 1 {
		return idp, extErr(id, "%w: more than one onlyContains flag", ErrMalformed)
	}
	return idp, nil
}

// idpReadTrue reads an optional IMPLICIT BOOLEAN DEFAULT FALSE; DER
// allows only TRUE to be present.
func idpReadTrue(s *cryptobyte.String, tag cbasn1.Tag, out *bool) bool {
	var v cryptobyte.String
	if !s.ReadOptionalASN1(&v, out, tag) {
		return false
	}
	return !*out || len(v) == 1 && v[0] == 0xFF
}

// idpReadReasons reads [3] ReasonFlags in minimal DER form.
func idpReadReasons(s *cryptobyte.String) (ReasonFlags, bool) {
	var v cryptobyte.String
	var unused uint8
	if !s.ReadASN1(&v, tagIDPReasons) || !v.ReadUint8(&unused) || unused > 7 || len(v) == 0 || len(v) > 2 {
		return 0, false
	}
	last := v[len(v)-1]
	if last&(1<<unused-1) != 0 || last&(1<<unused) == 0 {
		return 0, false // unused bits set, or trailing zero bits (not DER)
	}
	var f ReasonFlags
	for i := 0; i < len(v)*8; i++ {
		if v[i/8]&(0x80>>(i%8)) != 0 {
			f |= 1 << i
		}
	}
	return f, f&^reasonFlagsAll == 0
}
