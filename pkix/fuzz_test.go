package pkix

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"reflect"
	"testing"
	"time"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The parsers are strict DER and the encoders canonical, so whatever a
// parser accepts must re-encode to the same bytes (policy qualifiers and
// SAN order aside, which are checked for idempotence instead).

func FuzzParseName(f *testing.F) {
	full := fullSubject()
	for _, s := range []Subject{full, {Country: "RU"}, {}} {
		der, err := s.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	multi, err := (&Name{Attrs: []Attribute{
		{Type: OIDCountry, Tag: TagPrintableString, Value: "RU"},
		{Type: OIDSurname, Tag: TagBMPString, Value: "Ёлкин"},
		{Type: OIDCommonName, Tag: TagUniversalString, Value: "Ёж 𝄞", Plus: true},
		{Type: OIDOrganization, Tag: TagTeletexString, Value: "Café"},
		{Type: asn1.ObjectIdentifier{1, 2, 3}, Tag: TagVisibleString, Value: "x"},
		{Type: OIDINN, Tag: TagNumericString, Value: "007707083893"},
	}}).Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(multi)
	f.Add([]byte{0x30, 0x80, 0x00, 0x00})
	f.Add([]byte{0x30, 0x03, 0x31, 0x01, 0x00})

	f.Fuzz(func(t *testing.T, der []byte) {
		n, err := ParseName(der)
		if err != nil {
			return
		}
		re, err := n.Marshal()
		if err != nil {
			t.Fatalf("parsed name does not re-encode: %v", err)
		}
		if !bytes.Equal(re, der) {
			t.Fatalf("re-encoding differs:\n in %x\nout %x", der, re)
		}
		_ = n.String()
		s, err := n.Subject()
		if err != nil {
			return
		}
		if s.Validate() != nil {
			return
		}
		der2, err := s.Marshal()
		if err != nil {
			t.Fatalf("valid subject does not marshal: %v", err)
		}
		n2, err := ParseName(der2)
		if err != nil {
			t.Fatalf("own subject does not parse: %v", err)
		}
		s2, err := n2.Subject()
		if err != nil || *s2 != *s {
			t.Fatalf("subject round trip: %+v vs %+v (%v)", s2, s, err)
		}
	})
}

func FuzzParseExtensions(f *testing.F) {
	for _, exts := range seedExtensionSets(f) {
		der, err := MarshalExtensions(exts)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x30, 0x05, 0x30, 0x03, 0x06, 0x01, 0x00})

	f.Fuzz(func(t *testing.T, der []byte) {
		exts, err := ParseExtensions(der)
		if err != nil {
			return
		}
		re, err := MarshalExtensions(exts)
		if err != nil || !bytes.Equal(re, der) {
			t.Fatalf("re-encoding: %v\n in %x\nout %x", err, der, re)
		}
		for _, e := range exts {
			checkExtensionValue(t, e.ID, e.Value)
		}
	})
}

// FuzzExtensionValues drives the value parsers directly (the fuzzer finds
// more when it need not build the Extension wrapper first).
func FuzzExtensionValues(f *testing.F) {
	for _, exts := range seedExtensionSets(f) {
		for _, e := range exts {
			for i, k := range valueKinds {
				if k.Equal(e.ID) {
					f.Add(uint8(i), e.Value)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, v []byte) {
		checkExtensionValue(t, valueKinds[int(kind)%len(valueKinds)], v)
	})
}

var valueKinds = []asn1.ObjectIdentifier{
	OIDExtBasicConstraints, OIDExtKeyUsage, OIDExtExtKeyUsage, OIDExtSubjectKeyID,
	OIDExtAuthorityKeyID, OIDExtCertificatePolicies, OIDExtSubjectSignTool,
	OIDExtIssuerSignTool, OIDExtIdentificationKind, OIDExtPrivateKeyUsagePeriod,
	OIDExtCRLDistributionPoints, OIDExtAuthorityInfoAccess, OIDExtSubjectAltName,
}

func seedExtensionSets(f *testing.F) [][]Extension {
	m := func(e Extension, err error) Extension {
		if err != nil {
			f.Fatal(err)
		}
		return e
	}
	nb := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	return [][]Extension{
		{
			m(MarshalBasicConstraints(false, -1)),
			m(MarshalKeyUsage(0x0F)),
			m(MarshalExtKeyUsage([]asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth, OIDExtKeyUsageEmailProtection})),
			m(MarshalSubjectKeyID(testKeyID)),
			m(MarshalAuthorityKeyID(testKeyID)),
			m(MarshalCertificatePolicies([]asn1.ObjectIdentifier{OIDPolicyKC1, OIDPolicyKC2})),
			m(MarshalSubjectSignTool(testSignTool)),
			m(MarshalIssuerSignTool(testIssuerT)),
			m(MarshalIdentificationKind(IdentificationRemoteCertificate)),
			m(MarshalPrivateKeyUsagePeriod(nb, nb.AddDate(1, 3, 0))),
			m(MarshalCRLDistributionPoints([]DistributionPoint{{URIs: []string{testCDP1}}, {URIs: []string{testCDP2}}})),
			m(MarshalAuthorityInfoAccess([]AccessDescription{{OIDAccessMethodOCSP, testOCSP}, {OIDAccessMethodCAIssuers, testCAIssuer}})),
			m(MarshalSubjectAltName(testAlt)),
		},
		{
			m(MarshalBasicConstraints(true, 0)),
			m(MarshalKeyUsage(KeyUsageCertSign | KeyUsageCRLSign | KeyUsageDecipherOnly)),
		},
		// What other CAs write: subjectAltName with otherName,
		// directoryName, IP, registeredID, two addresses in one
		// rfc822Name; privateKeyUsagePeriod with fractional seconds.
		{
			{ID: OIDExtSubjectAltName, Value: seedOtherCASAN()},
			{ID: OIDExtPrivateKeyUsagePeriod, Value: csrElem(cbasn1.SEQUENCE, csrElem(cbasn1.Tag(0).ContextSpecific(), []byte("20251217100600.876Z")))},
		},
	}
}

// checkExtensionValue runs the parser for id on v; when it accepts, the
// matching encoder must give v back, or refuse it by the text rules
// (*TextError): the parser reads other CAs' certificates, whose sign-tool
// strings may mix scripts, while the encoder writes only text that cannot
// lie (text.go).
func checkExtensionValue(t *testing.T, id asn1.ObjectIdentifier, v []byte) {
	t.Helper()
	same := func(e Extension, err error) {
		t.Helper()
		if te := (*TextError)(nil); errors.As(err, &te) {
			return
		}
		if err != nil || !bytes.Equal(e.Value, v) {
			t.Fatalf("%s: re-encoding: %v\n in %x\nout %x", extName(id), err, v, e.Value)
		}
	}
	switch {
	case id.Equal(OIDExtBasicConstraints):
		if ca, pl, err := ParseBasicConstraints(v); err == nil {
			same(MarshalBasicConstraints(ca, pl))
		}
	case id.Equal(OIDExtKeyUsage):
		if ku, err := ParseKeyUsage(v); err == nil {
			same(MarshalKeyUsage(ku))
		}
	case id.Equal(OIDExtExtKeyUsage):
		if l, err := ParseExtKeyUsage(v); err == nil {
			same(MarshalExtKeyUsage(l))
		}
	case id.Equal(OIDExtSubjectKeyID):
		if k, err := ParseSubjectKeyID(v); err == nil {
			same(MarshalSubjectKeyID(k))
		}
	case id.Equal(OIDExtAuthorityKeyID):
		if a, err := ParseAuthorityKeyID(v); err == nil && a.CertIssuer == nil && a.KeyID != nil {
			same(MarshalAuthorityKeyID(a.KeyID))
		}
	case id.Equal(OIDExtCertificatePolicies):
		if l, err := ParseCertificatePolicies(v); err == nil {
			e, err := MarshalCertificatePolicies(l)
			if err != nil {
				t.Fatal(err)
			}
			if l2, err := ParseCertificatePolicies(e.Value); err != nil || !reflect.DeepEqual(l, l2) {
				t.Fatalf("certificatePolicies not idempotent: %v %v", l2, err)
			}
		}
	case id.Equal(OIDExtSubjectSignTool):
		if s, err := ParseSubjectSignTool(v); err == nil {
			same(MarshalSubjectSignTool(s))
		}
	case id.Equal(OIDExtIssuerSignTool):
		if s, err := ParseIssuerSignTool(v); err == nil {
			same(MarshalIssuerSignTool(s))
		}
	case id.Equal(OIDExtIdentificationKind):
		if k, err := ParseIdentificationKind(v); err == nil {
			same(MarshalIdentificationKind(k))
		}
	case id.Equal(OIDExtPrivateKeyUsagePeriod):
		// Fractional seconds are read but never written.
		if nb, na, err := ParsePrivateKeyUsagePeriod(v); err == nil && nb.Nanosecond() == 0 && na.Nanosecond() == 0 {
			same(MarshalPrivateKeyUsagePeriod(nb, na))
		}
	case id.Equal(OIDExtCRLDistributionPoints):
		if dps, err := ParseCRLDistributionPoints(v); err == nil {
			same(MarshalCRLDistributionPoints(dps))
		}
	case id.Equal(OIDExtAuthorityInfoAccess):
		if ads, err := ParseAuthorityInfoAccess(v); err == nil {
			same(MarshalAuthorityInfoAccess(ads))
		}
	case id.Equal(OIDExtSubjectAltName):
		if a, err := ParseSubjectAltName(v); err == nil && !a.readOnlyForms() {
			e, err := MarshalSubjectAltName(a)
			if err != nil {
				t.Fatal(err)
			}
			if a2, err := ParseSubjectAltName(e.Value); err != nil || !reflect.DeepEqual(a, a2) {
				t.Fatalf("subjectAltName not idempotent: %+v %v", a2, err)
			}
		}
	}
}

// seedOtherCASAN is a subjectAltName as accredited CAs write them.
func seedOtherCASAN() []byte {
	ctx := func(n uint8) cbasn1.Tag { return cbasn1.Tag(n).ContextSpecific() }
	cn := csrElem(cbasn1.SEQUENCE, csrOID(OIDCommonName), csrElem(cbasn1.UTF8String, []byte("Test")))
	return csrElem(cbasn1.SEQUENCE,
		csrElem(ctx(0).Constructed(), csrOID(OIDOrganization), csrElem(ctx(0).Constructed(), csrElem(cbasn1.UTF8String, []byte("Org")))),
		csrElem(ctx(1), []byte("a@b.ru; c@d.ru")),
		csrElem(ctx(1), []byte("a@b.ru")),
		csrElem(ctx(4).Constructed(), csrElem(cbasn1.SEQUENCE, csrElem(cbasn1.SET, cn))),
		csrElem(ctx(7), []byte{127, 0, 0, 1}),
		csrElem(ctx(8), []byte{0x2a, 0x85, 0x03, 0x64, 0x04}),
		csrElem(ctx(5).Constructed(), csrElem(ctx(1).Constructed(), csrElem(cbasn1.UTF8String, []byte("p")))),
	)
}

// FuzzParseCertificate: the certificate parser, the extension checks and
// the key-usage period accessor never panic, and a certificate that
// parses keeps its bytes.
func FuzzParseCertificate(f *testing.F) {
	now := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	root := newTestRoot(f, gostKey(f, "tc26-256-A"), now)
	ica := root.issueCA(f, gostKey(f, "tc26-256-A"), now)
	leaf, err := ica.issue(f, ProfileQualifiedPerson, gostKey(f, "tc26-256-A").Public(), now)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(root.cert.Raw)
	f.Add(ica.cert.Raw)
	f.Add(leaf)
	el := tbsElements(f, ica.cert.RawTBS)
	f.Add(root.resign(f, append(append(append([][]byte{}, el[:7]...), []byte{0x81, 0x02, 0x00, 0x01}, []byte{0x82, 0x01, 0x00}), el[7])...))
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := ParseCertificate(der)
		if err != nil {
			return
		}
		if len(der) > 0 && der[0] == 0x30 && !bytes.Equal(c.Raw, der) {
			t.Fatal("Raw differs from the input")
		}
		for _, e := range c.Extensions {
			_ = CheckExtension(e)
		}
		_, _, _ = c.SigningWindow()
	})
}
