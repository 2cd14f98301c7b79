package pkix

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// PKCS #10 certification requests (RFC 2986), with the extensionRequest
// attribute of PKCS #9 (RFC 2985 §5.4.2):
//
//	CertificationRequest ::= SEQUENCE {
//	    certificationRequestInfo CertificationRequestInfo,
//	    signatureAlgorithm       AlgorithmIdentifier,
//	    signature                BIT STRING }
//	CertificationRequestInfo ::= SEQUENCE {
//	    version       INTEGER { v1(0) },
//	    subject       Name,
//	    subjectPKInfo SubjectPublicKeyInfo,
//	    attributes    [0] IMPLICIT SET OF Attribute }
//	Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET SIZE(1..MAX) OF ANY }
//
// GOST signatures follow RFC 9215 (s ‖ r in the BIT STRING, see
// signature.go); the request's signature is the holder's proof of
// possession of the private key.

// Bounds on requests. Real ones are under 2 KiB with a handful of
// attributes; the limits only keep hostile input cheap.
const (
	maxCSRSize       = 64 << 10 // input, PEM or DER
	maxCSRAttributes = 32
	maxCSRAttrValues = 32 // values of one attribute
)

const (
	csrWhat       = "certificate request"
	csrVersion1   = 0
	pemTypeCSR    = "CERTIFICATE REQUEST"
	pemTypeCSRNew = "NEW CERTIFICATE REQUEST" // the Netscape/Microsoft header, still written by some tools
	pemBegin      = "-----BEGIN "
	pemWhitespace = " \t\r\n"
)

// tagCSRAttributes is attributes' [0] IMPLICIT SET OF.
var tagCSRAttributes = cbasn1.Tag(0).ContextSpecific().Constructed()

// OIDs of PKCS #9 attributes seen in requests besides extensionRequest.
var (
	OIDPKCS9ChallengePassword = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 7}
	OIDPKCS9UnstructuredName  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 2}
)

// CertificateRequest is a parsed, signature-checked PKCS#10 request. Byte
// slices alias Raw, which is the parser's own copy of the request: the
// caller's buffer is not retained.
type CertificateRequest struct {
	Raw       []byte         // whole DER
	RawTBS    []byte         // CertificationRequestInfo as signed
	Version   int            // always 0 (v1)
	Subject   *Name          // Subject.Raw holds the DER as requested
	PublicKey *PublicKeyInfo // PublicKey.Raw holds the SPKI as requested
	// Extensions are those of the extensionRequest attribute, if any, in
	// request order. Each known one (see csrExtChecks) has been checked
	// with its parser; unknown ones are non-critical. Which of them a CA
	// honours is the profile's business, not the parser's.
	Extensions []Extension
	// Attributes lists every attribute, extensionRequest included, in
	// request order.
	Attributes         []CSRAttribute
	SignatureAlgorithm SignatureAlgorithm
	Signature          []byte
}

// CSRAttribute is one Attribute of a request: its type and the DER of
// each of its values (whole elements, tag included).
type CSRAttribute struct {
	Type   asn1.ObjectIdentifier
	Values [][]byte
}

// CSRError is the error ParseCertificateRequest and
// CreateCertificateRequest return: Field names the part of the request
// that was rejected, Err says why and wraps one of the package's sentinel
// errors (ErrMalformed, ErrTrailingData, ErrUnsupported, ErrDuplicate,
// ErrTooLarge, ErrInvalidValue) or ErrBadSignature.
//
// Field and sentinel together are meant to map onto a stable code for API
// clients without parsing messages, e.g. "csr.<Field>.<kind>" with kind
// malformed (ErrMalformed, ErrTrailingData), unsupported, duplicate,
// too_large, invalid (ErrInvalidValue) or bad_signature; the message
// itself is for people and may change.
type CSRError struct {
	Field string // one of the CSRField constants
	Err   error
}

// Values of CSRError.Field.
const (
	CSRFieldEncoding           = "encoding"           // size, PEM armour, outer DER structure
	CSRFieldVersion            = "version"            // version INTEGER
	CSRFieldSubject            = "subject"            // the Name
	CSRFieldPublicKey          = "publicKey"          // SubjectPublicKeyInfo
	CSRFieldAttributes         = "attributes"         // the attribute SET and its Attributes
	CSRFieldExtensions         = "extensions"         // the extensionRequest's Extensions
	CSRFieldSignatureAlgorithm = "signatureAlgorithm" // unknown, or not the key's algorithm
	CSRFieldSignature          = "signature"          // does not verify (no proof of possession)
)

// Error reads "pkix: certificate request: FIELD: reason". The wrapped
// errors come from the package's other parsers, each with its own
// "pkix: " prefix (sometimes nested); those are dropped here.
func (e *CSRError) Error() string {
	msg := strings.ReplaceAll(e.Err.Error(), "pkix: ", "")
	msg = strings.TrimPrefix(msg, csrWhat+": ") // from parseSigned
	// A parser that already named the field ("signatureAlgorithm:
	// unsupported", "signature does not verify") does not get it twice.
	if rest, ok := strings.CutPrefix(msg, e.Field); ok && (strings.HasPrefix(rest, ": ") || strings.HasPrefix(rest, " ")) {
		msg = strings.TrimLeft(rest, ": ")
	}
	return "pkix: " + csrWhat + ": " + e.Field + ": " + msg
}

func (e *CSRError) Unwrap() error { return e.Err }

func csrErr(field string, err error) error { return &CSRError{Field: field, Err: err} }

// csrErrf is csrErr over fmt.Errorf (use %w for the sentinel).
func csrErrf(field, format string, args ...any) error {
	return &CSRError{Field: field, Err: fmt.Errorf(format, args...)}
}

// ParseCertificateRequest parses a PKCS#10 request, PEM ("CERTIFICATE
// REQUEST" or "NEW CERTIFICATE REQUEST", exactly one block with nothing
// but whitespace around it and no PEM headers) or DER, and verifies its
// self-signature before returning it. Errors are *CSRError.
//
// The DER is read strictly (minimal lengths and integers, no trailing
// data at any level), with one tolerance: the order of the SET OF
// attributes and of each attribute's values is not checked against DER's
// sorting rule. The request is never re-encoded (the signature covers the
// bytes as sent) and some enrolment tools do not sort them.
//
// The public key may be any GOST R 34.10-2012 production parameter set
// under any of its OIDs, or ECDSA P-256/P-384. The signature algorithm
// must be the key's (GOST256 for 256-bit GOST keys, GOST512 for 512-bit
// ones, ECDSA with SHA-256 or SHA-384 for ECDSA keys).
func ParseCertificateRequest(data []byte) (*CertificateRequest, error) {
	der, err := csrDER(data)
	if err != nil {
		return nil, err
	}
	signed, err := parseSigned(der, csrWhat)
	if err != nil {
		field := CSRFieldEncoding
		if errors.Is(err, ErrUnsupported) {
			field = CSRFieldSignatureAlgorithm
		}
		return nil, csrErr(field, err)
	}
	r := &CertificateRequest{
		Raw:                der,
		RawTBS:             signed.TBS,
		SignatureAlgorithm: signed.Algorithm,
		Signature:          signed.Signature,
	}
	if err := r.parseInfo(); err != nil {
		return nil, err
	}
	// Last, as it is the expensive step: the structure is sound by now.
	if err := CheckSignature(r.PublicKey.Key, r.SignatureAlgorithm, r.RawTBS, r.Signature); err != nil {
		if errors.Is(err, ErrBadSignature) {
			return nil, csrErr(CSRFieldSignature, err)
		}
		return nil, csrErr(CSRFieldSignatureAlgorithm, err)
	}
	return r, nil
}

// csrDER bounds the input and removes the PEM armour if there is one. It
// returns a fresh copy in either case.
func csrDER(data []byte) ([]byte, error) {
	if len(data) > maxCSRSize {
		return nil, csrErrf(CSRFieldEncoding, "%w: %d bytes, at most %d", ErrTooLarge, len(data), maxCSRSize)
	}
	// DER starts with its SEQUENCE tag, which no PEM text does; anything
	// else must be PEM, after optional whitespace.
	if len(data) > 0 && data[0] == byte(cbasn1.SEQUENCE) {
		return bytes.Clone(data), nil
	}
	text := bytes.TrimLeft(data, pemWhitespace)
	if !bytes.HasPrefix(text, []byte(pemBegin)) {
		return nil, csrErrf(CSRFieldEncoding, "%w: neither DER (a SEQUENCE) nor PEM", ErrMalformed)
	}
	// pem.Decode skips blocks it cannot read and anything between blocks;
	// counting markers keeps a broken first block from hiding behind a
	// second good one.
	if begins := bytes.Count(text, []byte(pemBegin)); begins != 1 {
		return nil, csrErrf(CSRFieldEncoding, "PEM: %w: %d PEM blocks, want one", ErrTrailingData, begins)
	}
	block, rest := pem.Decode(text)
	if block == nil {
		return nil, csrErrf(CSRFieldEncoding, "PEM: %w: cannot decode the block", ErrMalformed)
	}
	if len(bytes.TrimLeft(rest, pemWhitespace)) != 0 {
		return nil, csrErrf(CSRFieldEncoding, "PEM: %w: text after the PEM block", ErrTrailingData)
	}
	if block.Type != pemTypeCSR && block.Type != pemTypeCSRNew {
		return nil, csrErrf(CSRFieldEncoding, "PEM: %w: block type %q, want %q", ErrUnsupported, block.Type, pemTypeCSR)
	}
	if len(block.Headers) != 0 {
		return nil, csrErrf(CSRFieldEncoding, "PEM: %w: PEM headers", ErrUnsupported)
	}
	return block.Bytes, nil
}

// parseInfo reads the CertificationRequestInfo in r.RawTBS.
func (r *CertificateRequest) parseInfo() error {
	body, err := readWhole(r.RawTBS, cbasn1.SEQUENCE, "certificationRequestInfo")
	if err != nil {
		return csrErr(CSRFieldEncoding, err)
	}
	if err := r.readVersion(&body); err != nil {
		return err
	}
	var name, spki cryptobyte.String
	if !body.ReadASN1Element(&name, cbasn1.SEQUENCE) {
		return csrErr(CSRFieldSubject, malformed("name"))
	}
	if r.Subject, err = ParseName(name); err != nil {
		return csrErr(CSRFieldSubject, err)
	}
	if !body.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return csrErr(CSRFieldPublicKey, malformed("subjectPublicKeyInfo"))
	}
	if r.PublicKey, err = ParsePublicKeyInfo(spki); err != nil {
		return csrErr(CSRFieldPublicKey, err)
	}
	var attrs cryptobyte.String
	if !body.ReadASN1(&attrs, tagCSRAttributes) {
		return csrErrf(CSRFieldAttributes, "%w: [0] attributes missing (required, even if empty)", ErrMalformed)
	}
	if !body.Empty() {
		return csrErr(CSRFieldEncoding, trailing("certificationRequestInfo"))
	}
	return r.parseAttributes(attrs)
}

// readVersion reads version, which must be v1 (0). INTEGER encodings that
// are not minimal, negative or beyond 64 bits are malformed; other
// versions are unsupported (PKCS#10 defines none).
func (r *CertificateRequest) readVersion(s *cryptobyte.String) error {
	var v int64
	if !s.PeekASN1Tag(cbasn1.INTEGER) {
		return csrErrf(CSRFieldVersion, "%w: not an INTEGER", ErrMalformed)
	}
	if !s.ReadASN1Integer(&v) {
		return csrErrf(CSRFieldVersion, "%w: not a minimal INTEGER of at most 64 bits", ErrMalformed)
	}
	if v < 0 {
		return csrErrf(CSRFieldVersion, "%w: negative (%d)", ErrMalformed, v)
	}
	if v != csrVersion1 {
		return csrErrf(CSRFieldVersion, "%w: %d, only v1 (0) is defined", ErrUnsupported, v)
	}
	r.Version = int(v)
	return nil
}

// parseAttributes reads the contents of [0] attributes.
func (r *CertificateRequest) parseAttributes(s cryptobyte.String) error {
	for n := 1; !s.Empty(); n++ {
		if n > maxCSRAttributes {
			return csrErrf(CSRFieldAttributes, "%w: more than %d attributes", ErrTooLarge, maxCSRAttributes)
		}
		var a CSRAttribute
		var body, set cryptobyte.String
		if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !readOID(&body, &a.Type) {
			return csrErrf(CSRFieldAttributes, "attribute %d: %w", n, ErrMalformed)
		}
		name := csrAttrName(a.Type)
		if !body.ReadASN1(&set, cbasn1.SET) {
			return csrErrf(CSRFieldAttributes, "%s: %w: values SET", name, ErrMalformed)
		}
		if !body.Empty() {
			return csrErrf(CSRFieldAttributes, "%s: %w", name, ErrTrailingData)
		}
		for !set.Empty() {
			if len(a.Values) == maxCSRAttrValues {
				return csrErrf(CSRFieldAttributes, "%s: %w: more than %d values", name, ErrTooLarge, maxCSRAttrValues)
			}
			var v cryptobyte.String
			var tag cbasn1.Tag
			if !set.ReadAnyASN1Element(&v, &tag) {
				return csrErrf(CSRFieldAttributes, "%s: value %d: %w", name, len(a.Values)+1, ErrMalformed)
			}
			a.Values = append(a.Values, v)
		}
		if len(a.Values) == 0 {
			return csrErrf(CSRFieldAttributes, "%s: %w: no values (SIZE 1..MAX)", name, ErrMalformed)
		}
		for _, prev := range r.Attributes {
			if prev.Type.Equal(a.Type) {
				return csrErrf(CSRFieldAttributes, "%s: %w: attribute appears twice", name, ErrDuplicate)
			}
		}
		if a.Type.Equal(OIDPKCS9ExtensionRequest) {
			if err := r.parseExtensionRequest(a.Values); err != nil {
				return err
			}
		}
		r.Attributes = append(r.Attributes, a)
	}
	return nil
}

// parseExtensionRequest reads the extensionRequest's single value and
// checks every extension in it.
func (r *CertificateRequest) parseExtensionRequest(values [][]byte) error {
	if len(values) != 1 {
		return csrErrf(CSRFieldAttributes, "extensionRequest: %w: %d values, want exactly one (SINGLE VALUE)", ErrMalformed, len(values))
	}
	exts, err := ParseExtensions(values[0])
	if err != nil {
		return csrErr(CSRFieldExtensions, err)
	}
	for _, e := range exts {
		check := csrExtCheck(e.ID)
		if check == nil {
			if e.Critical {
				return csrErrf(CSRFieldExtensions, "%s: %w: unknown critical extension", e.ID, ErrUnsupported)
			}
			continue
		}
		if err := check(e.Value); err != nil {
			return csrErr(CSRFieldExtensions, err)
		}
	}
	r.Extensions = exts
	return nil
}

// csrExtChecks lists the extensions the package has parsers for: a
// request may carry them critical, and their values must parse.
var csrExtChecks = []struct {
	id    asn1.ObjectIdentifier
	check func([]byte) error
}{
	{OIDExtKeyUsage, func(v []byte) error { _, err := ParseKeyUsage(v); return err }},
	{OIDExtExtKeyUsage, func(v []byte) error { _, err := ParseExtKeyUsage(v); return err }},
	{OIDExtBasicConstraints, func(v []byte) error { _, _, err := ParseBasicConstraints(v); return err }},
	{OIDExtSubjectAltName, checkRequestedAltName},
	{OIDExtSubjectKeyID, func(v []byte) error { _, err := ParseSubjectKeyID(v); return err }},
	{OIDExtAuthorityKeyID, func(v []byte) error { _, err := ParseAuthorityKeyID(v); return err }},
	{OIDExtPrivateKeyUsagePeriod, func(v []byte) error { _, _, err := ParsePrivateKeyUsagePeriod(v); return err }},
	{OIDExtCertificatePolicies, func(v []byte) error { _, err := ParseCertificatePolicies(v); return err }},
	{OIDExtCRLDistributionPoints, func(v []byte) error { _, err := ParseCRLDistributionPoints(v); return err }},
	{OIDExtAuthorityInfoAccess, func(v []byte) error { _, err := ParseAuthorityInfoAccess(v); return err }},
	{OIDExtSubjectSignTool, func(v []byte) error { _, err := ParseSubjectSignTool(v); return err }},
	{OIDExtIssuerSignTool, func(v []byte) error { _, err := ParseIssuerSignTool(v); return err }},
	{OIDExtIdentificationKind, func(v []byte) error { _, err := ParseIdentificationKind(v); return err }},
}

func csrExtCheck(id asn1.ObjectIdentifier) func([]byte) error {
	for _, c := range csrExtChecks {
		if c.id.Equal(id) {
			return c.check
		}
	}
	return nil
}

func csrAttrName(oid asn1.ObjectIdentifier) string {
	switch {
	case oid.Equal(OIDPKCS9ExtensionRequest):
		return "extensionRequest"
	case oid.Equal(OIDPKCS9ChallengePassword):
		return "challengePassword"
	case oid.Equal(OIDPKCS9UnstructuredName):
		return "unstructuredName"
	}
	return oid.String()
}

// CreateCertificateRequest builds and signs a PKCS#10 request for key's
// public key: version v1, subject (nil for an empty Name; validated as
// Subject.Marshal does), and, when exts is not empty, an extensionRequest
// attribute holding them. The signature algorithm follows the key
// (SignatureAlgorithmFor), GOST keys are named by their TC26 parameter-set
// OID. The result is DER; the request is parsed back and its signature
// checked before it is returned, so a faulty signer cannot yield a request
// the CA would reject (or one made with another key). Errors are
// *CSRError.
func CreateCertificateRequest(rand io.Reader, key crypto.Signer, subject *Subject, exts []Extension) ([]byte, error) {
	if key == nil {
		return nil, csrErrf(CSRFieldPublicKey, "%w: nil key", ErrInvalidValue)
	}
	alg, err := SignatureAlgorithmFor(key.Public())
	if err != nil {
		return nil, csrErr(CSRFieldPublicKey, err)
	}
	spki, err := MarshalPublicKeyInfo(key.Public())
	if err != nil {
		return nil, csrErr(CSRFieldPublicKey, err)
	}
	name := []byte{byte(cbasn1.SEQUENCE), 0} // empty RDNSequence
	if subject != nil {
		if name, err = subject.Marshal(); err != nil {
			if !errors.Is(err, ErrInvalidValue) {
				// Validate's errors name the attribute and the reason
				// (e.g. an *IdentError); add the sentinel for callers.
				err = fmt.Errorf("%w (%w)", err, ErrInvalidValue)
			}
			return nil, csrErr(CSRFieldSubject, err)
		}
	}
	var extDER []byte
	if len(exts) > 0 {
		if extDER, err = MarshalExtensions(exts); err != nil {
			return nil, csrErr(CSRFieldExtensions, err)
		}
	}
	b := cryptobyte.NewBuilder(make([]byte, 0, len(name)+len(spki)+len(extDER)+48))
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(csrVersion1)
		b.AddBytes(name)
		b.AddBytes(spki)
		b.AddASN1(tagCSRAttributes, func(b *cryptobyte.Builder) {
			if extDER == nil {
				return
			}
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(OIDPKCS9ExtensionRequest)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(extDER) })
			})
		})
	})
	tbs, err := finish(b, "certificationRequestInfo")
	if err != nil {
		return nil, csrErr(CSRFieldEncoding, err)
	}
	sig, err := Sign(rand, key, alg, tbs)
	if err != nil {
		return nil, csrErr(CSRFieldSignature, err)
	}
	der, err := AssembleSigned(tbs, alg, sig)
	if err != nil {
		return nil, csrErr(CSRFieldEncoding, err)
	}
	if len(der) > maxCSRSize {
		return nil, csrErrf(CSRFieldEncoding, "%w: %d bytes, at most %d", ErrTooLarge, len(der), maxCSRSize)
	}
	if _, err := ParseCertificateRequest(der); err != nil {
		return nil, err
	}
	return der, nil
}
