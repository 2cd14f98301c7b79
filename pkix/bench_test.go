package pkix

import (
	"encoding/asn1"
	"testing"
)

func BenchmarkSubjectMarshal(b *testing.B) {
	s := fullSubject()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseName(b *testing.B) {
	s := fullSubject()
	der, err := s.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseName(der); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQualifiedExtensions builds the extension list of a typical
// qualified end-entity certificate, as the TBS builder will per request.
func BenchmarkQualifiedExtensions(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		exts := make([]Extension, 0, 12)
		add := func(e Extension, err error) {
			if err != nil {
				b.Fatal(err)
			}
			exts = append(exts, e)
		}
		add(MarshalKeyUsage(KeyUsageDigitalSignature | KeyUsageNonRepudiation | KeyUsageKeyEncipherment | KeyUsageDataEncipherment))
		add(MarshalExtKeyUsage([]asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth, OIDExtKeyUsageEmailProtection}))
		add(MarshalCertificatePolicies([]asn1.ObjectIdentifier{OIDPolicyKC1, OIDPolicyKC2}))
		add(MarshalSubjectSignTool(testSignTool))
		add(MarshalIssuerSignTool(testIssuerT))
		add(MarshalIdentificationKind(IdentificationPersonal))
		add(MarshalSubjectKeyID(testKeyID))
		add(MarshalAuthorityKeyID(testKeyID))
		add(MarshalCRLDistributionPoints([]DistributionPoint{{URIs: []string{testCDP1}}, {URIs: []string{testCDP2}}}))
		add(MarshalAuthorityInfoAccess([]AccessDescription{{OIDAccessMethodOCSP, testOCSP}, {OIDAccessMethodCAIssuers, testCAIssuer}}))
		if _, err := MarshalExtensions(exts); err != nil {
			b.Fatal(err)
		}
	}
}
