package pkix

import (
	"encoding/pem"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Certificate is a parsed X.509 v3 certificate (ours or another CA's).
type Certificate struct {
	Raw    []byte // whole DER
	RawTBS []byte // TBSCertificate as signed
	// RawSubject and RawIssuer are the DER Names as they appear; use them
	// (never re-encodings) as the issuer of certificates and CRLs.
	RawSubject, RawIssuer []byte

	Version      int // 3 for v3
	SerialNumber *big.Int
	// TBSSignatureAlgorithm is the one inside the TBS; SignatureAlgorithm
	// the outer one. They must agree.
	TBSSignatureAlgorithm, SignatureAlgorithm SignatureAlgorithm
	Issuer, Subject                           *Name
	NotBefore, NotAfter                       time.Time
	PublicKey                                 *PublicKeyInfo
	Extensions                                []Extension
	Signature                                 []byte

	// Decoded from Extensions for convenience.
	BasicConstraintsValid, IsCA bool
	MaxPathLen                  int // −1 when absent
	KeyUsage                    KeyUsage
	SubjectKeyID                []byte
	AuthorityKeyID              []byte

	// timeTags records UTCTime or GeneralizedTime per validity bound, for
	// the encoding lint.
	timeTags [2]cbasn1.Tag
	// rawSerial is the INTEGER content as encoded, for the serial lints.
	rawSerial []byte
}

// maxCertificate bounds certificate input; real ones are a few KiB.
const maxCertificate = 64 << 10

// ParseCertificate parses a DER certificate, or one PEM "CERTIFICATE"
// block. It checks structure only; use CheckSignatureFrom for the chain.
func ParseCertificate(data []byte) (*Certificate, error) {
	if len(data) > maxCertificate {
		return nil, errf("certificate: %w: %d bytes", ErrTooLarge, len(data))
	}
	der := data
	if block, rest := pem.Decode(data); block != nil {
		if block.Type != "CERTIFICATE" || len(trimSpace(rest)) != 0 {
			return nil, errf("certificate: %w: want exactly one PEM CERTIFICATE block", ErrMalformed)
		}
		der = block.Bytes
	}
	parts, err := parseSigned(der, "certificate")
	if err != nil {
		return nil, err
	}
	c, err := parseTBSCertificate(parts.TBS, tbsKnown{})
	if err != nil {
		return nil, err
	}
	if c.TBSSignatureAlgorithm != parts.Algorithm {
		return nil, errf("certificate: %w: signature algorithm %s differs from the TBS's %s", ErrInvalidValue, parts.Algorithm, c.TBSSignatureAlgorithm)
	}
	c.Raw = append([]byte(nil), der...)
	c.SignatureAlgorithm = parts.Algorithm
	c.Signature = parts.Signature
	return c, nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\n' || b[0] == '\r' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// tbsKnown holds parsed values the linter already has: the subject key the
// builder was given (validated by ParsePublicKeyInfo) and the issuing CA's
// certificate. A TBS that carries their exact bytes reuses them instead of
// parsing and validating again: the linter parses every TBS the builder
// makes, and for the cofactor-4 curves the key's subgroup check costs a
// scalar multiplication.
//
// alias says the caller keeps tbs unchanged for as long as it uses the
// result, which then points into tbs instead of holding copies (the
// linter's parse of a TBS it just built and drops after the lints).
type tbsKnown struct {
	key    *PublicKeyInfo
	issuer *Certificate
	alias  bool
}

// parseTBSCertificate parses a TBSCertificate element.
func parseTBSCertificate(tbs []byte, known tbsKnown) (*Certificate, error) {
	const what = "tbsCertificate"
	body, err := readWhole(tbs, cbasn1.SEQUENCE, what)
	if err != nil {
		return nil, err
	}
	own := func(b []byte) []byte { return append([]byte(nil), b...) }
	if known.alias {
		own = func(b []byte) []byte { return b[:len(b):len(b)] }
	}
	c := &Certificate{RawTBS: own(tbs), Version: 1, MaxPathLen: -1}
	var ver cryptobyte.String
	var hasVer bool
	if !body.ReadOptionalASN1(&ver, &hasVer, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, malformed(what + ": version")
	}
	if hasVer {
		var v int64
		if !ver.ReadASN1Integer(&v) || !ver.Empty() || v < 0 || v > 2 {
			return nil, malformed(what + ": version")
		}
		c.Version = int(v) + 1
	}
	var serialElem, serial cryptobyte.String
	if !body.ReadASN1Element(&serialElem, cbasn1.INTEGER) {
		return nil, malformed(what + ": serialNumber")
	}
	if s := serialElem; !s.ReadASN1(&serial, cbasn1.INTEGER) || len(serial) == 0 {
		return nil, malformed(what + ": serialNumber")
	}
	c.rawSerial = own(serial)
	c.SerialNumber = new(big.Int)
	if s := serialElem; !s.ReadASN1Integer(c.SerialNumber) {
		return nil, malformed(what + ": serialNumber")
	}
	if c.TBSSignatureAlgorithm, err = readAlgorithmIdentifier(&body); err != nil {
		return nil, wrapCtx(what, err)
	}
	var issuer, validity, subject, spki cryptobyte.String
	if !body.ReadASN1Element(&issuer, cbasn1.SEQUENCE) {
		return nil, malformed(what + ": issuer")
	}
	if !body.ReadASN1(&validity, cbasn1.SEQUENCE) {
		return nil, malformed(what + ": validity")
	}
	for i, t := range []*time.Time{&c.NotBefore, &c.NotAfter} {
		tag, ok := peekTag(validity)
		if !ok || !readTime(&validity, t) {
			return nil, malformed(what + ": validity")
		}
		c.timeTags[i] = tag
	}
	if !validity.Empty() {
		return nil, trailing(what + ": validity")
	}
	if !body.ReadASN1Element(&subject, cbasn1.SEQUENCE) || !body.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return nil, malformed(what + ": subject or subjectPublicKeyInfo")
	}
	c.RawIssuer, c.RawSubject = own(issuer), own(subject)
	if known.issuer != nil && string(known.issuer.RawSubject) == string(c.RawIssuer) {
		c.Issuer = known.issuer.Subject
	} else if c.Issuer, err = ParseName(c.RawIssuer); err != nil {
		return nil, wrapCtx(what+": issuer", err)
	}
	if c.Subject, err = ParseName(c.RawSubject); err != nil {
		return nil, wrapCtx(what+": subject", err)
	}
	if k := known.key; k != nil && k.parsed && string(k.Raw) == string(spki) {
		c.PublicKey = k
	} else if c.PublicKey, err = ParsePublicKeyInfo(spki); err != nil {
		return nil, wrapCtx(what, err)
	}
	if err := skipUniqueIDs(&body, c.Version); err != nil {
		return nil, err
	}
	var exts cryptobyte.String
	var hasExts bool
	if !body.ReadOptionalASN1(&exts, &hasExts, cbasn1.Tag(3).Constructed().ContextSpecific()) {
		return nil, malformed(what + ": extensions")
	}
	if !body.Empty() {
		return nil, errf("%s: %w: unexpected fields after the public key", what, ErrMalformed)
	}
	if hasExts {
		if c.Version != 3 {
			return nil, errf("%s: %w: extensions in a v%d certificate", what, ErrMalformed, c.Version)
		}
		if c.Extensions, err = ParseExtensions(exts); err != nil {
			return nil, wrapCtx(what, err)
		}
	}
	if err := c.decodeExtensions(); err != nil {
		return nil, wrapCtx(what, err)
	}
	return c, nil
}

var (
	tagIssuerUniqueID  = cbasn1.Tag(1).ContextSpecific()
	tagSubjectUniqueID = cbasn1.Tag(2).ContextSpecific()
)

// skipUniqueIDs reads and drops issuerUniqueID [1] and subjectUniqueID [2]
// (IMPLICIT BIT STRING, v2 and v3 only). RFC 5280 §4.1.2.8 tells CAs not
// to write them and applications to be able to parse them; ViPNet-made
// certificates carry them. This package never writes them.
func skipUniqueIDs(body *cryptobyte.String, version int) error {
	const what = "tbsCertificate"
	for _, u := range []struct {
		tag  cbasn1.Tag
		name string
	}{{tagIssuerUniqueID, "issuerUniqueID"}, {tagSubjectUniqueID, "subjectUniqueID"}} {
		var v cryptobyte.String
		var present bool
		if !body.ReadOptionalASN1(&v, &present, u.tag) {
			return malformed(what + ": " + u.name)
		}
		if !present {
			continue
		}
		if version < 2 {
			return errf("%s: %w: %s in a v1 certificate", what, ErrMalformed, u.name)
		}
		// BIT STRING contents: the unused-bits count, then the bits.
		if len(v) == 0 || v[0] > 7 || len(v) == 1 && v[0] != 0 || len(v) > 1 && v[len(v)-1]&(1<<v[0]-1) != 0 {
			return malformed(what + ": " + u.name + " BIT STRING")
		}
	}
	return nil
}

func peekTag(s cryptobyte.String) (cbasn1.Tag, bool) {
	if len(s) == 0 {
		return 0, false
	}
	return cbasn1.Tag(s[0]), true
}

func (c *Certificate) decodeExtensions() error {
	var err error
	if e, ok := FindExtension(c.Extensions, OIDExtBasicConstraints); ok {
		c.BasicConstraintsValid = true
		if c.IsCA, c.MaxPathLen, err = ParseBasicConstraints(e.Value); err != nil {
			return err
		}
	}
	if e, ok := FindExtension(c.Extensions, OIDExtKeyUsage); ok {
		if c.KeyUsage, err = ParseKeyUsage(e.Value); err != nil {
			return err
		}
	}
	if e, ok := FindExtension(c.Extensions, OIDExtSubjectKeyID); ok {
		if c.SubjectKeyID, err = ParseSubjectKeyID(e.Value); err != nil {
			return err
		}
	}
	if e, ok := FindExtension(c.Extensions, OIDExtAuthorityKeyID); ok {
		aki, err := ParseAuthorityKeyID(e.Value)
		if err != nil {
			return err
		}
		c.AuthorityKeyID = aki.KeyID
	}
	return nil
}

// CheckSignatureFrom verifies that parent signed c: parent's subject is
// c's issuer, parent is a CA allowed to sign certificates, and the
// signature verifies with parent's key.
func (c *Certificate) CheckSignatureFrom(parent *Certificate) error {
	if string(parent.RawSubject) != string(c.RawIssuer) {
		return errf("certificate: %w: issuer %s is not %s", ErrInvalidValue, c.Issuer, parent.Subject)
	}
	if parent.Version == 3 && (!parent.BasicConstraintsValid || !parent.IsCA) {
		return errf("certificate: %w: parent is not a CA", ErrInvalidValue)
	}
	if parent.KeyUsage != 0 && parent.KeyUsage&KeyUsageCertSign == 0 {
		return errf("certificate: %w: parent's keyUsage lacks keyCertSign", ErrInvalidValue)
	}
	return CheckSignature(parent.PublicKey.Key, c.SignatureAlgorithm, c.RawTBS, c.Signature)
}
