package pkix

import (
	"encoding/asn1"
	"fmt"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Extensions of the Russian qualified profile (FSB orders No. 795, No. 31)
// and certificatePolicies, which carries the crypto-tool class OIDs.

// checkToolString validates a UTF8String of the sign-tool extensions:
// 1..max characters, valid UTF-8, no control characters.
func checkToolString(what string, v string, max int) error {
	if !utf8.ValidString(v) {
		return invalid(what, "not UTF-8")
	}
	if n := utf8.RuneCountInString(v); n < 1 || n > max {
		return invalid(what, fmt.Sprintf("%d characters, want 1..%d", n, max))
	}
	if hasControl(v) {
		return invalid(what, "control character")
	}
	if err := checkText(what, v); err != nil {
		return err // format characters, mixed-script words, not NFC (text.go)
	}
	return nil
}

func hasControl(v string) bool {
	for _, r := range v {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// MarshalSubjectSignTool encodes subjectSignTool (non-critical):
// UTF8String (SIZE (1..200)), the subscriber's crypto tool, e.g.
// «"КриптоПро CSP" (версия 4.0)».
func MarshalSubjectSignTool(tool string) (Extension, error) {
	if err := checkToolString("subjectSignTool", tool, 200); err != nil {
		return Extension{}, err
	}
	return buildExt(OIDExtSubjectSignTool, false, func(b *cryptobyte.Builder) {
		addString(b, TagUTF8String, tool)
	})
}

// ParseSubjectSignTool reads a subjectSignTool value.
func ParseSubjectSignTool(v []byte) (string, error) {
	s := cryptobyte.String(v)
	tool, ok := readUTF8String(&s, 200)
	if !ok {
		return "", extErr(OIDExtSubjectSignTool, "%w: want UTF8String of 1..200 characters", ErrMalformed)
	}
	if !s.Empty() {
		return "", extErr(OIDExtSubjectSignTool, "%w", ErrTrailingData)
	}
	if hasControl(tool) {
		return "", extErr(OIDExtSubjectSignTool, "%w: control character", ErrUnsupported)
	}
	return tool, nil
}

// IssuerSignTool is the issuerSignTool value: the CA's tools and their
// FSB conformity certificates.
type IssuerSignTool struct {
	SignTool     string // 1..200: crypto tool of the CA
	CATool       string // 1..200: CA software
	SignToolCert string // 1..100: conformity certificate of SignTool
	CAToolCert   string // 1..100: conformity certificate of CATool
}

func (t *IssuerSignTool) fields() [4]struct {
	p   *string
	max int
} {
	return [4]struct {
		p   *string
		max int
	}{{&t.SignTool, 200}, {&t.CATool, 200}, {&t.SignToolCert, 100}, {&t.CAToolCert, 100}}
}

var issuerSignToolNames = [4]string{"signTool", "cATool", "signToolCert", "cAToolCert"}

// MarshalIssuerSignTool encodes issuerSignTool (non-critical):
// SEQUENCE of four UTF8Strings.
func MarshalIssuerSignTool(t IssuerSignTool) (Extension, error) {
	f := t.fields()
	for i := range f {
		if err := checkToolString("issuerSignTool "+issuerSignToolNames[i], *f[i].p, f[i].max); err != nil {
			return Extension{}, err
		}
	}
	return buildExt(OIDExtIssuerSignTool, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for i := range f {
				addString(b, TagUTF8String, *f[i].p)
			}
		})
	})
}

// ParseIssuerSignTool reads an issuerSignTool value.
func ParseIssuerSignTool(v []byte) (IssuerSignTool, error) {
	id := OIDExtIssuerSignTool
	var t IssuerSignTool
	s, err := readExtValue(v, cbasn1.SEQUENCE, id)
	if err != nil {
		return t, err
	}
	f := t.fields()
	for i := range f {
		str, ok := readUTF8String(&s, f[i].max)
		if !ok {
			return IssuerSignTool{}, extErr(id, "%w: %s: want UTF8String of 1..%d characters",
				ErrMalformed, issuerSignToolNames[i], f[i].max)
		}
		if hasControl(str) {
			return IssuerSignTool{}, extErr(id, "%w: %s: control character", ErrUnsupported, issuerSignToolNames[i])
		}
		*f[i].p = str
	}
	if !s.Empty() {
		return IssuerSignTool{}, extErr(id, "%w", ErrTrailingData)
	}
	return t, nil
}

// IdentificationKind is how the CA identified the holder (FSB order
// No. 31 of 2021).
type IdentificationKind int

const (
	IdentificationPersonal           IdentificationKind = 0 // personal presence
	IdentificationRemoteCertificate  IdentificationKind = 1 // remote, with a valid qualified certificate
	IdentificationRemotePassport     IdentificationKind = 2 // remote, biometric passport
	IdentificationRemoteESIABiometry IdentificationKind = 3 // remote, ESIA + unified biometric system
)

// MarshalIdentificationKind encodes IdentificationKind (non-critical) as
// an INTEGER 0..3.
func MarshalIdentificationKind(k IdentificationKind) (Extension, error) {
	if k < 0 || k > 3 {
		return Extension{}, invalid("identificationKind", fmt.Sprintf("%d not in 0..3", int(k)))
	}
	return buildExt(OIDExtIdentificationKind, false, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(int64(k))
	})
}

// ParseIdentificationKind reads an IdentificationKind value.
func ParseIdentificationKind(v []byte) (IdentificationKind, error) {
	s := cryptobyte.String(v)
	var k int64
	if !s.ReadASN1Integer(&k) {
		return 0, extErr(OIDExtIdentificationKind, "%w: want INTEGER", ErrMalformed)
	}
	if !s.Empty() {
		return 0, extErr(OIDExtIdentificationKind, "%w", ErrTrailingData)
	}
	if k < 0 || k > 3 {
		return 0, extErr(OIDExtIdentificationKind, "%w: value %d", ErrUnsupported, k)
	}
	return IdentificationKind(k), nil
}

// MarshalCertificatePolicies encodes certificatePolicies (non-critical)
// as PolicyInformation entries without qualifiers, in the order given
// (the profile lists classes from КС1 upwards).
func MarshalCertificatePolicies(policies []asn1.ObjectIdentifier) (Extension, error) {
	if err := checkOIDList(policies, "certificatePolicies"); err != nil {
		return Extension{}, err
	}
	return buildExt(OIDExtCertificatePolicies, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, p := range policies {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(p)
				})
			}
		})
	})
}

// ParseCertificatePolicies reads certificatePolicies and returns the
// policy OIDs. Policy qualifiers (CPS pointers, user notices) are checked
// to be a SEQUENCE and otherwise skipped: they do not change which
// policies apply.
func ParseCertificatePolicies(v []byte) ([]asn1.ObjectIdentifier, error) {
	id := OIDExtCertificatePolicies
	s, err := readExtValue(v, cbasn1.SEQUENCE, id)
	if err != nil {
		return nil, err
	}
	var out []asn1.ObjectIdentifier
	for !s.Empty() {
		var pi cryptobyte.String
		var o asn1.ObjectIdentifier
		if !s.ReadASN1(&pi, cbasn1.SEQUENCE) || !readOID(&pi, &o) {
			return nil, extErr(id, "%w: PolicyInformation", ErrMalformed)
		}
		if !pi.Empty() {
			var q cryptobyte.String
			if !pi.ReadASN1(&q, cbasn1.SEQUENCE) || q.Empty() || !pi.Empty() {
				return nil, extErr(id, "%w: policyQualifiers", ErrMalformed)
			}
		}
		out = append(out, o)
	}
	if len(out) == 0 {
		return nil, extErr(id, "%w: empty list", ErrMalformed)
	}
	if err := checkOIDList(out, "certificatePolicies"); err != nil {
		return nil, err
	}
	return out, nil
}
