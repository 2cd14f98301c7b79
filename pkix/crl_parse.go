package pkix

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CRL is a parsed CertificateList. Byte slices alias the parser's input.
type CRL struct {
	Raw    []byte // the whole CRL
	RawTBS []byte // the TBSCertList element: the signed bytes
	// Version is 2, or 1 for a CRL without the version field (and so
	// without extensions).
	Version int
	// Issuer is the DER issuer Name as written.
	Issuer                 []byte
	ThisUpdate, NextUpdate time.Time // NextUpdate zero if absent
	SignatureAlgorithm     SignatureAlgorithm
	Signature              []byte
	// Entries are the revoked certificates in CRL order. Reason is
	// ReasonUnspecified when the reasonCode extension is absent.
	Entries []RevokedEntry
	// Extensions are all crlExtensions; the known ones are also decoded
	// into the fields below.
	Extensions               []Extension
	Number                   *big.Int // cRLNumber, nil if absent
	DeltaOf                  *big.Int // deltaCRLIndicator: nil for a full CRL
	AuthorityKeyID           []byte
	IssuingDistributionPoint *IssuingDistributionPoint
	FreshestCRL              []string
}

// MaxCRLSize bounds ParseCRL's input: room for well over a million
// entries.
const MaxCRLSize = 128 << 20

// ParseCRL parses a DER CRL (ours or another CA's). It is strict DER and
// checks what RFC 5280 requires of the structure: inner and outer
// signature algorithms agree, v2 when extensions are present, critical
// deltaCRLIndicator and issuingDistributionPoint, removeFromCRL only in a
// delta CRL. Unknown critical CRL or entry extensions (for example the
// certificateIssuer of indirect CRLs) are ErrUnsupported; unknown
// non-critical ones are ignored. The signature is not checked: see
// CheckSignatureFrom.
func ParseCRL(der []byte) (*CRL, error) {
	if len(der) > MaxCRLSize {
		return nil, errf("CRL: %w: %d bytes", ErrTooLarge, len(der))
	}
	sp, err := parseSigned(der, "CRL")
	if err != nil {
		return nil, err
	}
	c := &CRL{Raw: der, RawTBS: sp.TBS, SignatureAlgorithm: sp.Algorithm, Signature: sp.Signature}
	var tbs cryptobyte.String
	if whole := cryptobyte.String(sp.TBS); !whole.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, malformed("CRL: TBSCertList")
	}
	c.Version = 1
	if tbs.PeekASN1Tag(cbasn1.INTEGER) {
		var v int64
		if !tbs.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) {
			return nil, malformed("CRL: version")
		}
		if v != 1 {
			return nil, errf("CRL: version: %w: v%d (only v2 is defined)", ErrUnsupported, v+1)
		}
		c.Version = 2
	}
	alg, err := readAlgorithmIdentifier(&tbs)
	if err != nil {
		return nil, wrapCtx("CRL: TBSCertList", err)
	}
	if alg != c.SignatureAlgorithm {
		return nil, errf("CRL: %w: signature algorithm %s in TBSCertList, %s outside", ErrMalformed, alg, c.SignatureAlgorithm)
	}
	var issuer cryptobyte.String
	if !tbs.ReadASN1Element(&issuer, cbasn1.SEQUENCE) || len(issuer) <= 2 {
		return nil, malformed("CRL: issuer")
	}
	c.Issuer = issuer
	if !readTime(&tbs, &c.ThisUpdate) {
		return nil, malformed("CRL: thisUpdate")
	}
	if tbs.PeekASN1Tag(cbasn1.UTCTime) || tbs.PeekASN1Tag(cbasn1.GeneralizedTime) {
		if !readTime(&tbs, &c.NextUpdate) {
			return nil, malformed("CRL: nextUpdate")
		}
	}
	var list cryptobyte.String
	hasList := tbs.PeekASN1Tag(cbasn1.SEQUENCE)
	if hasList && !tbs.ReadASN1(&list, cbasn1.SEQUENCE) {
		return nil, malformed("CRL: revokedCertificates")
	}
	tagExts := cbasn1.Tag(0).ContextSpecific().Constructed()
	if tbs.PeekASN1Tag(tagExts) {
		var exts cryptobyte.String
		if !tbs.ReadASN1(&exts, tagExts) {
			return nil, malformed("CRL: crlExtensions")
		}
		if c.Version != 2 {
			return nil, errf("CRL: %w: extensions in a v1 CRL", ErrMalformed)
		}
		if c.Extensions, err = ParseExtensions(exts); err != nil {
			return nil, wrapCtx("CRL", err)
		}
		if err := c.decodeExtensions(); err != nil {
			return nil, err
		}
	}
	if !tbs.Empty() {
		return nil, trailing("CRL: TBSCertList")
	}
	if hasList {
		if err := c.parseEntries(list); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// CheckSignatureFrom verifies the CRL's signature with the issuer's key.
func (c *CRL) CheckSignatureFrom(pub crypto.PublicKey) error {
	if err := CheckSignature(pub, c.SignatureAlgorithm, c.RawTBS, c.Signature); err != nil {
		return wrapCtx("CRL", err)
	}
	return nil
}

func (c *CRL) decodeExtensions() error {
	for _, e := range c.Extensions {
		var err error
		switch {
		case e.ID.Equal(OIDExtAuthorityKeyID):
			var aki AuthorityKeyID
			aki, err = ParseAuthorityKeyID(e.Value)
			c.AuthorityKeyID = aki.KeyID
		case e.ID.Equal(OIDExtCRLNumber):
			c.Number, err = crlParseNumber(e.Value, e.ID)
		case e.ID.Equal(OIDExtDeltaCRLIndicator):
			if !e.Critical {
				return errf("CRL: deltaCRLIndicator: %w: not critical", ErrMalformed)
			}
			c.DeltaOf, err = crlParseNumber(e.Value, e.ID)
		case e.ID.Equal(OIDExtIssuingDistributionPoint):
			if !e.Critical {
				return errf("CRL: issuingDistributionPoint: %w: not critical", ErrMalformed)
			}
			var idp IssuingDistributionPoint
			idp, err = ParseIssuingDistributionPoint(e.Value)
			c.IssuingDistributionPoint = &idp
		case e.ID.Equal(OIDExtFreshestCRL):
			c.FreshestCRL, err = ParseFreshestCRL(e.Value)
		case e.Critical:
			return errf("CRL: %w: critical extension %s", ErrUnsupported, extName(e.ID))
		}
		if err != nil {
			return wrapCtx("CRL", err)
		}
	}
	if c.DeltaOf != nil && c.FreshestCRL != nil {
		return errf("CRL: %w: freshestCRL in a delta CRL", ErrMalformed)
	}
	return nil
}

// parseEntries reads revokedCertificates. Entries are counted first so
// the slice is allocated once at its final size.
func (c *CRL) parseEntries(list cryptobyte.String) error {
	n := 0
	for probe := list; !probe.Empty(); n++ {
		var e cryptobyte.String
		var tag cbasn1.Tag
		if !probe.ReadAnyASN1Element(&e, &tag) {
			return malformed("CRL: revokedCertificates")
		}
	}
	c.Entries = make([]RevokedEntry, 0, n)
	for !list.Empty() {
		e, err := c.parseEntry(&list)
		if err != nil {
			return errf("CRL: entry %d: %w", len(c.Entries)+1, err)
		}
		c.Entries = append(c.Entries, e)
	}
	return nil
}

// DER contents of the entry extension OIDs, compared without decoding.
var (
	crlOIDReasonCode        = appendOID(nil, OIDExtReasonCode)[2:]
	crlOIDInvalidityDate    = appendOID(nil, OIDExtInvalidityDate)[2:]
	crlOIDCertificateIssuer = appendOID(nil, OIDExtCertificateIssuer)[2:]
)

func (c *CRL) parseEntry(list *cryptobyte.String) (RevokedEntry, error) {
	var e RevokedEntry
	var body cryptobyte.String
	if !list.ReadASN1(&body, cbasn1.SEQUENCE) {
		return e, ErrMalformed
	}
	var err error
	if e.Serial, err = revReadSerial(&body); err != nil {
		return e, err
	}
	if !readTime(&body, &e.RevokedAt) {
		return e, fmt.Errorf("revocationDate: %w", ErrMalformed)
	}
	if body.Empty() {
		return e, nil
	}
	var exts cryptobyte.String
	if !body.ReadASN1(&exts, cbasn1.SEQUENCE) || exts.Empty() {
		return e, fmt.Errorf("crlEntryExtensions: %w", ErrMalformed)
	}
	if !body.Empty() {
		return e, ErrTrailingData
	}
	if c.Version != 2 {
		return e, fmt.Errorf("%w: entry extensions in a v1 CRL", ErrMalformed)
	}
	var seen [2]bool
	for !exts.Empty() {
		var ext, oid, val cryptobyte.String
		critical := false
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) {
			return e, fmt.Errorf("crlEntryExtensions: %w", ErrMalformed)
		}
		if ext.PeekASN1Tag(cbasn1.BOOLEAN) && (!ext.ReadASN1Boolean(&critical) || !critical) {
			return e, fmt.Errorf("crlEntryExtensions: %w: critical", ErrMalformed)
		}
		if !ext.ReadASN1(&val, cbasn1.OCTET_STRING) || !ext.Empty() {
			return e, fmt.Errorf("crlEntryExtensions: %w", ErrMalformed)
		}
		switch {
		case bytes.Equal(oid, crlOIDReasonCode):
			if seen[0] {
				return e, fmt.Errorf("reasonCode: %w", ErrDuplicate)
			}
			seen[0] = true
			var r int
			if !val.ReadASN1Enum(&r) || !val.Empty() {
				return e, fmt.Errorf("reasonCode: %w", ErrMalformed)
			}
			e.Reason = CRLReason(r)
			if !e.Reason.Valid() {
				return e, fmt.Errorf("reasonCode: %w: %d", ErrMalformed, r)
			}
			if e.Reason == ReasonRemoveFromCRL && c.DeltaOf == nil {
				return e, fmt.Errorf("reasonCode: %w: removeFromCRL in a full CRL", ErrMalformed)
			}
		case bytes.Equal(oid, crlOIDInvalidityDate):
			if seen[1] {
				return e, fmt.Errorf("invalidityDate: %w", ErrDuplicate)
			}
			seen[1] = true
			if !readGeneralizedTime(&val, &e.InvalidityDate, cbasn1.GeneralizedTime) || !val.Empty() {
				return e, fmt.Errorf("invalidityDate: %w", ErrMalformed)
			}
		case bytes.Equal(oid, crlOIDCertificateIssuer):
			return e, fmt.Errorf("%w: certificateIssuer (indirect CRL)", ErrUnsupported)
		case critical:
			return e, fmt.Errorf("%w: critical entry extension %s", ErrUnsupported, revOIDString(oid))
		}
	}
	return e, nil
}

// revOIDString renders DER OID contents for messages.
func revOIDString(content []byte) string {
	el := cryptobyte.String(append(appendHeader(nil, cbasn1.OBJECT_IDENTIFIER, len(content)), content...))
	var oid asn1.ObjectIdentifier
	if !readOID(&el, &oid) {
		return fmt.Sprintf("OID %x", content)
	}
	return extName(oid)
}
