package pkix

import (
	"encoding/asn1"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The TBSCertificate builder as it was before the one-pass encoder
// (cert_append.go): every extension through its Marshal* function,
// MarshalExtensions, and a cryptobyte builder around them. Kept as the
// reference the differential tests compare appendTBS against.

// buildTBSReference encodes what BuildTBSCertificate encodes, before the
// lints, the old way.
func buildTBSReference(tmpl *CertificateTemplate, iss *Issuer) ([]byte, error) {
	p, err := tbsPartsOf(tmpl, iss)
	if err != nil {
		return nil, err
	}
	subject, issuerName, notAfter := p.subject, p.issuerName, p.notAfter
	exts, err := buildCertExtensions(tmpl, iss, p.ski, p.issuerKeyID, p.notAfter)
	if err != nil {
		return nil, err
	}
	extDER, err := MarshalExtensions(exts)
	if err != nil {
		return nil, err
	}
	b := cryptobyte.NewBuilder(make([]byte, 0, 1024+len(tmpl.PublicKey.Raw)))
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1Int64(2) // v3
		})
		b.AddASN1BigInt(tmpl.SerialNumber)
		addAlgorithmIdentifier(b, iss.SignatureAlgorithm)
		b.AddBytes(issuerName)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addTime(b, tmpl.NotBefore)
			addTime(b, notAfter)
		})
		b.AddBytes(subject)
		b.AddBytes(tmpl.PublicKey.Raw)
		b.AddASN1(cbasn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddBytes(extDER)
		})
	})
	return finish(b, "tbsCertificate")
}

// buildCertExtensions assembles the extensions in a fixed order.
func buildCertExtensions(tmpl *CertificateTemplate, iss *Issuer, ski, aki []byte, notAfter time.Time) ([]Extension, error) {
	p := tmpl.Profile
	var exts []Extension
	add := func(e Extension, err error) error {
		if err == nil {
			exts = append(exts, e)
		}
		return err
	}
	if p.CA {
		if err := add(MarshalBasicConstraints(true, p.MaxPathLen)); err != nil {
			return nil, err
		}
	}
	if err := add(MarshalKeyUsage(p.KeyUsage)); err != nil {
		return nil, err
	}
	eku, err := extKeyUsageFor(p, tmpl.RequestedExtKeyUsage)
	if err != nil {
		return nil, err
	}
	if len(eku) > 0 {
		if err := add(MarshalExtKeyUsage(eku)); err != nil {
			return nil, err
		}
	}
	if err := add(MarshalSubjectKeyID(ski)); err != nil {
		return nil, err
	}
	fixed, err := iss.extensionsFor(aki)
	if err != nil {
		return nil, err
	}
	exts = append(exts, *fixed.aki)
	if p.KeyUsageMonths > 0 {
		end := AddMonths(tmpl.NotBefore, p.KeyUsageMonths)
		if end.After(notAfter) && notAfter.After(tmpl.NotBefore) { // else e_validity_order says why
			end = notAfter
		}
		if err := add(MarshalPrivateKeyUsagePeriod(tmpl.NotBefore, end)); err != nil {
			return nil, err
		}
	}
	switch {
	case p.OCSPNoCheck:
		// A responder nobody checks needs no CRL pointers, and it certifies
		// no policy (CA/B BR §7.1.2.8 forbids both).
	case tmpl.Policies != nil || p.AnyPolicy:
		pols := iss.Policies
		if tmpl.Policies != nil {
			pols = tmpl.Policies
		}
		if p.AnyPolicy && !containsOID(pols, OIDPolicyAny) {
			pols = append(append([]asn1.ObjectIdentifier(nil), pols...), OIDPolicyAny)
		}
		if err := add(MarshalCertificatePolicies(pols)); err != nil {
			return nil, err
		}
	case fixed.policies != nil:
		exts = append(exts, *fixed.policies)
	}
	if tmpl.SubjectSignTool != "" {
		if err := add(MarshalSubjectSignTool(tmpl.SubjectSignTool)); err != nil {
			return nil, err
		}
	}
	if fixed.signTool != nil {
		exts = append(exts, *fixed.signTool)
	}
	if p.Qualified {
		if err := add(MarshalIdentificationKind(tmpl.IdentificationKind)); err != nil {
			return nil, err
		}
	}
	cdp, freshest := fixed.cdp, fixed.freshest
	if tmpl.CRLURLs != nil {
		if cdp, err = optExt(MarshalCRLDistributionPoints([]DistributionPoint{{URIs: tmpl.CRLURLs}})); err != nil {
			return nil, err
		}
	}
	if tmpl.FreshestCRLURLs != nil {
		if freshest, err = optExt(MarshalFreshestCRL(tmpl.FreshestCRLURLs)); err != nil {
			return nil, err
		}
	}
	if cdp != nil && !p.OCSPNoCheck {
		exts = append(exts, *cdp)
	}
	if freshest != nil && !p.OCSPNoCheck {
		exts = append(exts, *freshest)
	}
	if fixed.aia != nil {
		exts = append(exts, *fixed.aia)
	}
	if emails := altEmails(tmpl); len(emails) > 0 {
		if err := add(MarshalSubjectAltName(AltNames{Emails: emails})); err != nil {
			return nil, err
		}
	}
	if p.OCSPNoCheck {
		exts = append(exts, Extension{ID: OIDOCSPNoCheck, Value: []byte{0x05, 0x00}})
	}
	return exts, nil
}

// altEmails lists the subjectAltName e-mails: the subject's emailAddress
// first (RFC 5280 §4.1.2.6 wants it in subjectAltName; Kontur and
// Sertum-Pro write it in both), then the template's, without repeats.
func altEmails(tmpl *CertificateTemplate) []string {
	out := make([]string, 0, len(tmpl.Emails)+1)
	if e := tmpl.Subject.Email; e != "" {
		out = append(out, e)
	}
	for _, e := range tmpl.Emails {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}
