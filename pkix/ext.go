package pkix

import (
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Extension is one X.509 Extension: Value is the DER inside extnValue's
// OCTET STRING.
type Extension struct {
	ID       asn1.ObjectIdentifier
	Critical bool
	Value    []byte
}

// Bounds on parsed extension lists (a certificate of this profile has
// about ten).
const (
	maxExtensions    = 64
	maxExtensionsDER = 256 << 10
)

// MarshalExtensions encodes exts as SEQUENCE SIZE (1..MAX) OF Extension,
// the content of the TBSCertificate's [3] (and of CRL and OCSP extension
// fields). Critical is omitted when false (DEFAULT FALSE in DER). Rejects
// an empty list, duplicate IDs and values that are not one DER element.
func MarshalExtensions(exts []Extension) ([]byte, error) {
	if len(exts) == 0 {
		return nil, errf("extensions: %w: empty list (omit the field instead)", ErrInvalidValue)
	}
	// Sized first, then appended into one buffer: this runs per issued
	// certificate, CRL and OCSP response.
	total := 0
	for i, e := range exts {
		for _, prev := range exts[:i] {
			if prev.ID.Equal(e.ID) {
				return nil, errf("extensions: %s: %w", extName(e.ID), ErrDuplicate)
			}
		}
		if !isOneElement(e.Value) {
			return nil, errf("extensions: %s: %w: value is not one DER element", extName(e.ID), ErrInvalidValue)
		}
		ol := oidContentLen(e.ID)
		if ol < 0 {
			return nil, errf("extensions: %w: cannot encode OID %v", ErrInvalidValue, e.ID)
		}
		n := extContentLen(ol, e)
		total += headerLen(n) + n
	}
	out := make([]byte, 0, headerLen(total)+total)
	out = appendHeader(out, cbasn1.SEQUENCE, total)
	for _, e := range exts {
		out = appendHeader(out, cbasn1.SEQUENCE, extContentLen(oidContentLen(e.ID), e))
		out = appendOID(out, e.ID)
		if e.Critical {
			out = append(out, byte(cbasn1.BOOLEAN), 1, 0xFF)
		}
		out = appendHeader(out, cbasn1.OCTET_STRING, len(e.Value))
		out = append(out, e.Value...)
	}
	return out, nil
}

// extContentLen is the content length of one Extension SEQUENCE.
func extContentLen(oidLen int, e Extension) int {
	n := headerLen(oidLen) + oidLen + headerLen(len(e.Value)) + len(e.Value)
	if e.Critical {
		n += 3
	}
	return n
}

// ParseExtensions parses a SEQUENCE OF Extension (as MarshalExtensions
// writes it). Values alias der. Rejects an empty list, duplicates, an
// explicit critical FALSE (not DER), values that are not exactly one DER
// element, and trailing data.
func ParseExtensions(der []byte) ([]Extension, error) {
	if len(der) > maxExtensionsDER {
		return nil, errf("extensions: %w: %d bytes", ErrTooLarge, len(der))
	}
	seq, err := readWhole(der, cbasn1.SEQUENCE, "extensions")
	if err != nil {
		return nil, err
	}
	if seq.Empty() {
		return nil, errf("extensions: %w: empty list", ErrMalformed)
	}
	exts := make([]Extension, 0, countExtensions(seq))
	for !seq.Empty() {
		if len(exts) == maxExtensions {
			return nil, errf("extensions: %w: more than %d", ErrTooLarge, maxExtensions)
		}
		e, err := readExtension(&seq)
		if err != nil {
			return nil, errf("extensions: %d: %w", len(exts)+1, err)
		}
		for _, prev := range exts {
			if prev.ID.Equal(e.ID) {
				return nil, errf("extensions: %s: %w", extName(e.ID), ErrDuplicate)
			}
		}
		exts = append(exts, e)
	}
	return exts, nil
}

// countExtensions counts the elements of an extension list, up to
// maxExtensions, to size the result once (appending one at a time took
// five allocations for a qualified certificate's dozen). It stops quietly
// at anything malformed; ParseExtensions' own pass reports it.
func countExtensions(seq cryptobyte.String) int {
	n := 0
	for !seq.Empty() && n < maxExtensions && seq.SkipASN1(cbasn1.SEQUENCE) {
		n++
	}
	return n
}

func readExtension(s *cryptobyte.String) (Extension, error) {
	var e Extension
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !readOID(&body, &e.ID) {
		return e, ErrMalformed
	}
	if body.PeekASN1Tag(cbasn1.BOOLEAN) {
		if !body.ReadASN1Boolean(&e.Critical) {
			return e, fmt.Errorf("%s: %w: critical", extName(e.ID), ErrMalformed)
		}
		if !e.Critical {
			return e, fmt.Errorf("%s: %w: critical FALSE encoded (DEFAULT must be omitted)", extName(e.ID), ErrMalformed)
		}
	}
	var v cryptobyte.String
	if !body.ReadASN1(&v, cbasn1.OCTET_STRING) {
		return e, fmt.Errorf("%s: %w: extnValue", extName(e.ID), ErrMalformed)
	}
	if !body.Empty() {
		return e, fmt.Errorf("%s: %w", extName(e.ID), ErrTrailingData)
	}
	if !isOneElement(v) {
		return e, fmt.Errorf("%s: %w: extnValue is not one DER element", extName(e.ID), ErrMalformed)
	}
	e.Value = v
	return e, nil
}

// FindExtension returns the extension with the given ID, if present.
func FindExtension(exts []Extension, id asn1.ObjectIdentifier) (Extension, bool) {
	for _, e := range exts {
		if e.ID.Equal(id) {
			return e, true
		}
	}
	return Extension{}, false
}

var extNames = []struct {
	oid  asn1.ObjectIdentifier
	name string
}{
	{OIDExtSubjectKeyID, "subjectKeyIdentifier"},
	{OIDExtKeyUsage, "keyUsage"},
	{OIDExtPrivateKeyUsagePeriod, "privateKeyUsagePeriod"},
	{OIDExtSubjectAltName, "subjectAltName"},
	{OIDExtIssuerAltName, "issuerAltName"},
	{OIDExtBasicConstraints, "basicConstraints"},
	{OIDExtNameConstraints, "nameConstraints"},
	{OIDExtCRLDistributionPoints, "cRLDistributionPoints"},
	{OIDExtCertificatePolicies, "certificatePolicies"},
	{OIDExtAuthorityKeyID, "authorityKeyIdentifier"},
	{OIDExtExtKeyUsage, "extKeyUsage"},
	{OIDExtAuthorityInfoAccess, "authorityInfoAccess"},
	{OIDExtSubjectSignTool, "subjectSignTool"},
	{OIDExtIssuerSignTool, "issuerSignTool"},
	{OIDExtIdentificationKind, "identificationKind"},
	{OIDExtCRLNumber, "cRLNumber"},
	{OIDExtReasonCode, "reasonCode"},
	{OIDExtInvalidityDate, "invalidityDate"},
	{OIDExtDeltaCRLIndicator, "deltaCRLIndicator"},
	{OIDExtIssuingDistributionPoint, "issuingDistributionPoint"},
	{OIDExtCertificateIssuer, "certificateIssuer"},
	{OIDExtFreshestCRL, "freshestCRL"},
	{OIDOCSPNonce, "ocspNonce"},
}

// extName names an extension for messages: its RFC name, else the OID.
func extName(oid asn1.ObjectIdentifier) string {
	for _, e := range extNames {
		if e.oid.Equal(oid) {
			return e.name
		}
	}
	return oid.String()
}

// buildExt runs f into a fresh builder and wraps the result.
func buildExt(id asn1.ObjectIdentifier, critical bool, f cryptobyte.BuilderContinuation) (Extension, error) {
	b := cryptobyte.NewBuilder(make([]byte, 0, 64))
	f(b)
	v, err := finish(b, extName(id))
	if err != nil {
		return Extension{}, err
	}
	return Extension{ID: id, Critical: critical, Value: v}, nil
}

// readExtValue strips the outer element of an extension value with the
// given tag, requiring nothing after it.
func readExtValue(v []byte, tag cbasn1.Tag, id asn1.ObjectIdentifier) (cryptobyte.String, error) {
	return readWhole(v, tag, extName(id))
}

// extErr wraps err as "pkix: NAME: err".
func extErr(id asn1.ObjectIdentifier, format string, args ...any) error {
	return fmt.Errorf("pkix: %s: "+format, append([]any{extName(id)}, args...)...)
}

// CheckExtension runs the package's parser for e's type over its value
// and returns what it refused. Extensions the package has no parser for
// return nil (whether an unknown critical extension is acceptable is the
// caller's decision).
func CheckExtension(e Extension) error {
	switch {
	case e.ID.Equal(OIDExtSubjectAltName):
		_, err := ParseSubjectAltName(e.Value)
		return err
	case e.ID.Equal(OIDExtFreshestCRL):
		_, err := ParseFreshestCRL(e.Value)
		return err
	}
	if check := csrExtCheck(e.ID); check != nil {
		return check(e.Value)
	}
	return nil
}
