package pkix

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/internal/openssltest"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

const (
	testSignTool = `"КриптоПро CSP" (версия 4.0)`
	testCDP1     = "http://ca.example.ru/cdp/ca.crl"
	testCDP2     = "http://ca2.example.ru/ca.crl"
	testOCSP     = "http://ocsp.example.ru/ocsp"
	testCAIssuer = "http://ca.example.ru/ca.crt"
)

var (
	testKeyID   = mustHexS("0102030405060708090a0b0c0d0e0f1011121314")
	testIssuerT = IssuerSignTool{
		SignTool:     `"КриптоПро CSP" (версия 4.0)`,
		CATool:       `"КриптоПро УЦ" (версия 2.0)`,
		SignToolCert: "СФ/124-3966 от 15.01.2021",
		CAToolCert:   "СФ/128-3868 от 23.07.2020",
	}
	testAlt = AltNames{Emails: []string{"ivanov@example.ru"}, DNSNames: []string{"host.example.ru"}, URIs: []string{"https://example.ru/x"}}
)

func mustHexS(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// mustFn returns a checker for encoder results: m(MarshalX(...)).
func mustFn(t *testing.T) func(Extension, error) Extension {
	return func(e Extension, err error) Extension {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
}

func utf8Hex(tag byte, s string) string {
	return hex.EncodeToString(append([]byte{tag, byte(len(s))}, s...))
}

// TestExtensionEncodings pins each encoder's bytes (worked out by hand from
// the ASN.1 definitions) and has OpenSSL describe the same bytes.
func TestExtensionEncodings(t *testing.T) {
	nb := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	na := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		ext      Extension
		err      error
		id       asn1.ObjectIdentifier
		critical bool
		hex      string
		parse    []string
	}{
		{name: "basicConstraints CA pathLen 0", id: OIDExtBasicConstraints, critical: true,
			hex:   "30060101ff020100",
			parse: []string{"d=0 SEQUENCE", "d=1 BOOLEAN :255", "d=1 INTEGER :00"}},
		{name: "basicConstraints end entity", id: OIDExtBasicConstraints, critical: true,
			hex: "3000", parse: []string{"d=0 SEQUENCE"}},
		{name: "keyUsage qualified", id: OIDExtKeyUsage, critical: true,
			hex: "030204f0", parse: []string{"d=0 BIT STRING"}},
		{name: "keyUsage CA", id: OIDExtKeyUsage, critical: true,
			hex: "03020106", parse: []string{"d=0 BIT STRING"}},
		{name: "keyUsage decipherOnly", id: OIDExtKeyUsage, critical: true,
			hex: "0303078080", parse: []string{"d=0 BIT STRING"}},
		{name: "extKeyUsage", id: OIDExtExtKeyUsage,
			hex:   "301406082b0601050507030206082b06010505070304",
			parse: []string{"d=0 SEQUENCE", "d=1 OBJECT :TLS Web Client Authentication", "d=1 OBJECT :E-mail Protection"}},
		{name: "subjectKeyIdentifier", id: OIDExtSubjectKeyID,
			hex:   "04140102030405060708090a0b0c0d0e0f1011121314",
			parse: []string{"d=0 OCTET STRING [HEX DUMP] :0102030405060708090A0B0C0D0E0F1011121314"}},
		{name: "authorityKeyIdentifier", id: OIDExtAuthorityKeyID,
			hex:   "301680140102030405060708090a0b0c0d0e0f1011121314",
			parse: []string{"d=0 SEQUENCE", "d=1 cont [ 0 ]"}},
		{name: "certificatePolicies", id: OIDExtCertificatePolicies,
			hex: "3014300806062a8503647101300806062a8503647102",
			parse: []string{"d=0 SEQUENCE", "d=1 SEQUENCE", "d=2 OBJECT :Class of Signing Tool KC1",
				"d=1 SEQUENCE", "d=2 OBJECT :Class of Signing Tool KC2"}},
		{name: "subjectSignTool", id: OIDExtSubjectSignTool,
			hex: utf8Hex(0x0c, testSignTool), parse: []string{"d=0 UTF8STRING :" + testSignTool}},
		{name: "issuerSignTool", id: OIDExtIssuerSignTool,
			// 45+46+31+31 = 153 content bytes: long-form length 81 99.
			hex: "308199" + utf8Hex(0x0c, testIssuerT.SignTool) + utf8Hex(0x0c, testIssuerT.CATool) +
				utf8Hex(0x0c, testIssuerT.SignToolCert) + utf8Hex(0x0c, testIssuerT.CAToolCert),
			parse: []string{"d=0 SEQUENCE", "d=1 UTF8STRING :" + testIssuerT.SignTool, "d=1 UTF8STRING :" + testIssuerT.CATool,
				"d=1 UTF8STRING :" + testIssuerT.SignToolCert, "d=1 UTF8STRING :" + testIssuerT.CAToolCert}},
		{name: "identificationKind", id: OIDExtIdentificationKind,
			hex: "020102", parse: []string{"d=0 INTEGER :02"}},
		{name: "privateKeyUsagePeriod", id: OIDExtPrivateKeyUsagePeriod,
			hex:   "3022800f32303235303130313030303030305a810f32303236303430313030303030305a",
			parse: []string{"d=0 SEQUENCE", "d=1 cont [ 0 ]", "d=1 cont [ 1 ]"}},
		{name: "privateKeyUsagePeriod notAfter only", id: OIDExtPrivateKeyUsagePeriod,
			hex:   "3011810f32303236303430313030303030305a",
			parse: []string{"d=0 SEQUENCE", "d=1 cont [ 1 ]"}},
		{name: "cRLDistributionPoints", id: OIDExtCRLDistributionPoints,
			hex:   "30233021a01fa01d861b" + hex.EncodeToString([]byte("http://ca.example.ru/ca.crl")),
			parse: []string{"d=0 SEQUENCE", "d=1 SEQUENCE", "d=2 cont [ 0 ]", "d=3 cont [ 0 ]", "d=4 cont [ 6 ]"}},
		{name: "authorityInfoAccess", id: OIDExtAuthorityInfoAccess,
			hex:   "3024302206082b060105050730018616" + hex.EncodeToString([]byte("http://ocsp.example.ru")),
			parse: []string{"d=0 SEQUENCE", "d=1 SEQUENCE", "d=2 OBJECT :OCSP", "d=2 cont [ 6 ]"}},
		{name: "subjectAltName", id: OIDExtSubjectAltName,
			hex: "30088106" + hex.EncodeToString([]byte("a@b.ru")), parse: []string{"d=0 SEQUENCE", "d=1 cont [ 1 ]"}},
	}
	build := []func() (Extension, error){
		func() (Extension, error) { return MarshalBasicConstraints(true, 0) },
		func() (Extension, error) { return MarshalBasicConstraints(false, -1) },
		func() (Extension, error) {
			return MarshalKeyUsage(KeyUsageDigitalSignature | KeyUsageNonRepudiation | KeyUsageKeyEncipherment | KeyUsageDataEncipherment)
		},
		func() (Extension, error) { return MarshalKeyUsage(KeyUsageCertSign | KeyUsageCRLSign) },
		func() (Extension, error) { return MarshalKeyUsage(KeyUsageDigitalSignature | KeyUsageDecipherOnly) },
		func() (Extension, error) {
			return MarshalExtKeyUsage([]asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth, OIDExtKeyUsageEmailProtection})
		},
		func() (Extension, error) { return MarshalSubjectKeyID(testKeyID) },
		func() (Extension, error) { return MarshalAuthorityKeyID(testKeyID) },
		func() (Extension, error) {
			return MarshalCertificatePolicies([]asn1.ObjectIdentifier{OIDPolicyKC1, OIDPolicyKC2})
		},
		func() (Extension, error) { return MarshalSubjectSignTool(testSignTool) },
		func() (Extension, error) { return MarshalIssuerSignTool(testIssuerT) },
		func() (Extension, error) { return MarshalIdentificationKind(IdentificationRemotePassport) },
		func() (Extension, error) { return MarshalPrivateKeyUsagePeriod(nb, na) },
		func() (Extension, error) { return MarshalPrivateKeyUsagePeriod(time.Time{}, na) },
		func() (Extension, error) {
			return MarshalCRLDistributionPoints([]DistributionPoint{{URIs: []string{"http://ca.example.ru/ca.crl"}}})
		},
		func() (Extension, error) {
			return MarshalAuthorityInfoAccess([]AccessDescription{{OIDAccessMethodOCSP, "http://ocsp.example.ru"}})
		},
		func() (Extension, error) { return MarshalSubjectAltName(AltNames{Emails: []string{"a@b.ru"}}) },
	}
	if len(build) != len(cases) {
		t.Fatal("table mismatch")
	}
	for i, tc := range cases {
		e, err := build[i]()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !e.ID.Equal(tc.id) || e.Critical != tc.critical {
			t.Errorf("%s: id %v critical %v", tc.name, e.ID, e.Critical)
		}
		if got := hex.EncodeToString(e.Value); got != tc.hex {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.hex)
		}
		checkASN1Parse(t, e.Value, tc.parse)
	}
}

// TestExtensionsAgainstOpenSSL has OpenSSL's own X.509v3 encoders make the
// same extensions in a self-signed certificate, then compares them with
// ours byte for byte, and runs our parsers on OpenSSL's output.
// privateKeyUsagePeriod cannot be made from an OpenSSL config, so ours
// goes in as raw DER and OpenSSL's printout is checked instead.
func TestExtensionsAgainstOpenSSL(t *testing.T) {
	m := mustFn(t)
	bin := openssltest.Gost(t)
	pkupNB := time.Date(2025, 1, 1, 9, 30, 0, 0, time.UTC)
	pkupNA := time.Date(2026, 4, 1, 9, 30, 0, 0, time.UTC)
	pkup := m(MarshalPrivateKeyUsagePeriod(pkupNB, pkupNA))
	esc := func(s string) string { return strings.ReplaceAll(s, `"`, `\"`) }
	conf := `[req]
distinguished_name = dn
x509_extensions = ext
prompt = no
utf8 = yes
[dn]
CN = test
[ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment
extendedKeyUsage = clientAuth, emailProtection
subjectKeyIdentifier = ` + hex.EncodeToString(testKeyID) + `
authorityKeyIdentifier = keyid:always
certificatePolicies = 1.2.643.100.113.1, 1.2.643.100.113.2, 1.2.643.100.113.3
crlDistributionPoints = URI:` + testCDP1 + `, URI:` + testCDP2 + `
authorityInfoAccess = OCSP;URI:` + testOCSP + `, caIssuers;URI:` + testCAIssuer + `
subjectAltName = email:ivanov@example.ru, DNS:host.example.ru, URI:https://example.ru/x
subjectSignTool = ASN1:FORMAT:UTF8,UTF8String:` + esc(testSignTool) + `
issuerSignTool = signTool:` + esc(testIssuerT.SignTool) + `,cATool:` + esc(testIssuerT.CATool) +
		`,signToolCert:` + testIssuerT.SignToolCert + `,cAToolCert:` + testIssuerT.CAToolCert + `
1.2.643.100.114 = ASN1:INTEGER:3
2.5.29.16 = DER:` + hex.EncodeToString(pkup.Value) + `
`
	dir := t.TempDir()
	cnf := filepath.Join(dir, "ext.cnf")
	crt := filepath.Join(dir, "c.der")
	if err := os.WriteFile(cnf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := bin.Command("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
		"-nodes", "-keyout", filepath.Join(dir, "k.pem"), "-config", cnf, "-outform", "DER", "-out", crt).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl req: %v\n%s", err, out)
	}
	der, err := os.ReadFile(crt)
	if err != nil {
		t.Fatal(err)
	}
	exts, err := ParseExtensions(certExtensions(t, der))
	if err != nil {
		t.Fatal(err)
	}

	ours := []Extension{
		m(MarshalBasicConstraints(true, 0)),
		m(MarshalKeyUsage(KeyUsageDigitalSignature | KeyUsageNonRepudiation | KeyUsageKeyEncipherment | KeyUsageDataEncipherment)),
		m(MarshalExtKeyUsage([]asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth, OIDExtKeyUsageEmailProtection})),
		m(MarshalSubjectKeyID(testKeyID)),
		m(MarshalAuthorityKeyID(testKeyID)),
		m(MarshalCertificatePolicies([]asn1.ObjectIdentifier{OIDPolicyKC1, OIDPolicyKC2, OIDPolicyKC3})),
		m(MarshalCRLDistributionPoints([]DistributionPoint{{URIs: []string{testCDP1}}, {URIs: []string{testCDP2}}})),
		m(MarshalAuthorityInfoAccess([]AccessDescription{{OIDAccessMethodOCSP, testOCSP}, {OIDAccessMethodCAIssuers, testCAIssuer}})),
		m(MarshalSubjectAltName(testAlt)),
		m(MarshalSubjectSignTool(testSignTool)),
		m(MarshalIssuerSignTool(testIssuerT)),
		m(MarshalIdentificationKind(IdentificationRemoteESIABiometry)),
		pkup,
	}
	for _, o := range ours {
		theirs, ok := FindExtension(exts, o.ID)
		if !ok {
			t.Errorf("%s: missing from OpenSSL's certificate", extName(o.ID))
			continue
		}
		if theirs.Critical != o.Critical || !bytes.Equal(theirs.Value, o.Value) {
			t.Errorf("%s: OpenSSL critical=%v %x\n                 ours critical=%v %x",
				extName(o.ID), theirs.Critical, theirs.Value, o.Critical, o.Value)
		}
	}
	if len(exts) != len(ours) {
		t.Errorf("OpenSSL made %d extensions, we compared %d", len(exts), len(ours))
	}

	// Our parsers read OpenSSL's values back to the inputs.
	get := func(id asn1.ObjectIdentifier) []byte { e, _ := FindExtension(exts, id); return e.Value }
	if ca, pl, err := ParseBasicConstraints(get(OIDExtBasicConstraints)); err != nil || !ca || pl != 0 {
		t.Errorf("basicConstraints: %v %d %v", ca, pl, err)
	}
	if ku, err := ParseKeyUsage(get(OIDExtKeyUsage)); err != nil || ku != 0x0F {
		t.Errorf("keyUsage: %b %v", ku, err)
	}
	if a, err := ParseAuthorityKeyID(get(OIDExtAuthorityKeyID)); err != nil || !bytes.Equal(a.KeyID, testKeyID) {
		t.Errorf("authorityKeyIdentifier: %x %v", a.KeyID, err)
	}
	if dps, err := ParseCRLDistributionPoints(get(OIDExtCRLDistributionPoints)); err != nil ||
		!reflect.DeepEqual(dps, []DistributionPoint{{URIs: []string{testCDP1}}, {URIs: []string{testCDP2}}}) {
		t.Errorf("cRLDistributionPoints: %v %v", dps, err)
	}
	if alt, err := ParseSubjectAltName(get(OIDExtSubjectAltName)); err != nil || !reflect.DeepEqual(alt, testAlt) {
		t.Errorf("subjectAltName: %+v %v", alt, err)
	}
	if ist, err := ParseIssuerSignTool(get(OIDExtIssuerSignTool)); err != nil || ist != testIssuerT {
		t.Errorf("issuerSignTool: %+v %v", ist, err)
	}
	if k, err := ParseIdentificationKind(get(OIDExtIdentificationKind)); err != nil || k != IdentificationRemoteESIABiometry {
		t.Errorf("identificationKind: %v %v", k, err)
	}

	// OpenSSL's reading of our privateKeyUsagePeriod.
	text, err := bin.Command("x509", "-inform", "DER", "-in", crt, "-noout", "-text").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl x509: %v\n%s", err, text)
	}
	for _, want := range []string{"Not Before: Jan  1 09:30:00 2025 GMT", "Not After: Apr  1 09:30:00 2026 GMT"} {
		if !bytes.Contains(text, []byte(want)) {
			t.Errorf("openssl x509 -text lacks %q", want)
		}
	}
}

// certExtensions digs the extensions SEQUENCE out of a DER certificate.
func certExtensions(t *testing.T, der []byte) []byte {
	t.Helper()
	s := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !s.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		t.Fatal("not a certificate")
	}
	tag3 := cbasn1.Tag(3).ContextSpecific().Constructed()
	for !tbs.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		if !tbs.ReadAnyASN1(&el, &tag) {
			t.Fatal("bad TBS")
		}
		if tag == tag3 {
			return el
		}
	}
	t.Fatal("no extensions")
	return nil
}

func TestExtensionRoundTrips(t *testing.T) {
	m := mustFn(t)
	for _, tc := range []struct {
		isCA bool
		pl   int
	}{{false, -1}, {true, -1}, {true, 0}, {true, 5}, {true, 1000}} {
		e := m(MarshalBasicConstraints(tc.isCA, tc.pl))
		ca, pl, err := ParseBasicConstraints(e.Value)
		if err != nil || ca != tc.isCA || pl != tc.pl {
			t.Errorf("basicConstraints %v: %v %d %v", tc, ca, pl, err)
		}
	}
	for ku := KeyUsage(1); ku <= keyUsageAll; ku++ {
		e := m(MarshalKeyUsage(ku))
		got, err := ParseKeyUsage(e.Value)
		if err != nil || got != ku {
			t.Fatalf("keyUsage %b: %b %v (%x)", ku, got, err, e.Value)
		}
	}
	ekus := []asn1.ObjectIdentifier{OIDExtKeyUsageServerAuth, OIDExtKeyUsageClientAuth, OIDExtKeyUsageEmailProtection, OIDExtKeyUsageOCSPSigning}
	if got, err := ParseExtKeyUsage(m(MarshalExtKeyUsage(ekus)).Value); err != nil || !oidsEqual(got, ekus) {
		t.Errorf("extKeyUsage: %v %v", got, err)
	}
	if got, err := ParseSubjectKeyID(m(MarshalSubjectKeyID(testKeyID)).Value); err != nil || !bytes.Equal(got, testKeyID) {
		t.Errorf("subjectKeyIdentifier: %x %v", got, err)
	}
	if got, err := ParseAuthorityKeyID(m(MarshalAuthorityKeyID(testKeyID)).Value); err != nil ||
		!bytes.Equal(got.KeyID, testKeyID) || got.CertIssuer != nil || got.CertSerial != nil {
		t.Errorf("authorityKeyIdentifier: %+v %v", got, err)
	}
	pols := []asn1.ObjectIdentifier{OIDPolicyKC1, OIDPolicyKC2, OIDPolicyKC3, OIDPolicyKB1, OIDPolicyKB2, OIDPolicyKA1}
	if got, err := ParseCertificatePolicies(m(MarshalCertificatePolicies(pols)).Value); err != nil || !oidsEqual(got, pols) {
		t.Errorf("certificatePolicies: %v %v", got, err)
	}
	for _, tool := range []string{"x", testSignTool, strings.Repeat("Ж", 200)} {
		if got, err := ParseSubjectSignTool(m(MarshalSubjectSignTool(tool)).Value); err != nil || got != tool {
			t.Errorf("subjectSignTool: %q %v", got, err)
		}
	}
	long := IssuerSignTool{strings.Repeat("а", 200), strings.Repeat("б", 200), strings.Repeat("в", 100), strings.Repeat("г", 100)}
	for _, ist := range []IssuerSignTool{testIssuerT, long} {
		if got, err := ParseIssuerSignTool(m(MarshalIssuerSignTool(ist)).Value); err != nil || got != ist {
			t.Errorf("issuerSignTool: %+v %v", got, err)
		}
	}
	for k := IdentificationPersonal; k <= IdentificationRemoteESIABiometry; k++ {
		if got, err := ParseIdentificationKind(m(MarshalIdentificationKind(k)).Value); err != nil || got != k {
			t.Errorf("identificationKind %d: %d %v", k, got, err)
		}
	}
	nb := time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
	na := time.Date(2061, 2, 28, 12, 0, 0, 0, time.UTC)
	for _, p := range [][2]time.Time{{nb, na}, {nb, {}}, {{}, na}, {nb, nb}} {
		gotNB, gotNA, err := ParsePrivateKeyUsagePeriod(m(MarshalPrivateKeyUsagePeriod(p[0], p[1])).Value)
		if err != nil || !gotNB.Equal(p[0]) || !gotNA.Equal(p[1]) {
			t.Errorf("privateKeyUsagePeriod %v: %v %v %v", p, gotNB, gotNA, err)
		}
	}
	dps := []DistributionPoint{{URIs: []string{testCDP1, "ldap://ldap.example.ru/cn=CA?certificateRevocationList"}}, {URIs: []string{testCDP2}}}
	if got, err := ParseCRLDistributionPoints(m(MarshalCRLDistributionPoints(dps)).Value); err != nil || !reflect.DeepEqual(got, dps) {
		t.Errorf("cRLDistributionPoints: %v %v", got, err)
	}
	ads := []AccessDescription{{OIDAccessMethodCAIssuers, testCAIssuer}, {OIDAccessMethodOCSP, testOCSP}, {OIDAccessMethodOCSP, "http://ocsp2.example.ru/"}}
	if got, err := ParseAuthorityInfoAccess(m(MarshalAuthorityInfoAccess(ads)).Value); err != nil || !reflect.DeepEqual(got, ads) {
		t.Errorf("authorityInfoAccess: %v %v", got, err)
	}
	alt := AltNames{Emails: []string{"a@b.ru", "c.d@e.example.ru"}, DNSNames: []string{"*.example.ru", "xn--80ak6aa92e.xn--p1ai"}, URIs: []string{"urn:oid:1.2.643"}}
	if got, err := ParseSubjectAltName(m(MarshalSubjectAltName(alt)).Value); err != nil || !reflect.DeepEqual(got, alt) {
		t.Errorf("subjectAltName: %+v %v", got, err)
	}
}

func oidsEqual(a, b []asn1.ObjectIdentifier) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

func TestExtensionEncoderRejects(t *testing.T) {
	cases := []struct {
		name string
		fn   func() (Extension, error)
	}{
		{"pathLen without CA", func() (Extension, error) { return MarshalBasicConstraints(false, 0) }},
		{"keyUsage none", func() (Extension, error) { return MarshalKeyUsage(0) }},
		{"keyUsage unknown bit", func() (Extension, error) { return MarshalKeyUsage(1 << 9) }},
		{"EKU empty", func() (Extension, error) { return MarshalExtKeyUsage(nil) }},
		{"EKU duplicate", func() (Extension, error) {
			return MarshalExtKeyUsage([]asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth, OIDExtKeyUsageClientAuth})
		}},
		{"EKU bad OID", func() (Extension, error) { return MarshalExtKeyUsage([]asn1.ObjectIdentifier{{3, 1}}) }},
		{"SKI empty", func() (Extension, error) { return MarshalSubjectKeyID(nil) }},
		{"SKI long", func() (Extension, error) { return MarshalSubjectKeyID(make([]byte, 65)) }},
		{"AKI empty", func() (Extension, error) { return MarshalAuthorityKeyID(nil) }},
		{"policies empty", func() (Extension, error) { return MarshalCertificatePolicies(nil) }},
		{"policies dup", func() (Extension, error) {
			return MarshalCertificatePolicies([]asn1.ObjectIdentifier{OIDPolicyKC1, OIDPolicyKC1})
		}},
		{"signTool empty", func() (Extension, error) { return MarshalSubjectSignTool("") }},
		{"signTool 201", func() (Extension, error) { return MarshalSubjectSignTool(strings.Repeat("ж", 201)) }},
		{"signTool bad UTF-8", func() (Extension, error) { return MarshalSubjectSignTool("\xff") }},
		{"signTool control", func() (Extension, error) { return MarshalSubjectSignTool("a\nb") }},
		{"issuerSignTool empty field", func() (Extension, error) {
			t := testIssuerT
			t.CAToolCert = ""
			return MarshalIssuerSignTool(t)
		}},
		{"issuerSignTool cert 101", func() (Extension, error) {
			t := testIssuerT
			t.SignToolCert = strings.Repeat("я", 101)
			return MarshalIssuerSignTool(t)
		}},
		{"identificationKind 4", func() (Extension, error) { return MarshalIdentificationKind(4) }},
		{"identificationKind -1", func() (Extension, error) { return MarshalIdentificationKind(-1) }},
		{"PKUP none", func() (Extension, error) { return MarshalPrivateKeyUsagePeriod(time.Time{}, time.Time{}) }},
		{"PKUP reversed", func() (Extension, error) {
			return MarshalPrivateKeyUsagePeriod(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		}},
		{"PKUP year 10000", func() (Extension, error) {
			return MarshalPrivateKeyUsagePeriod(time.Time{}, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))
		}},
		{"CDP none", func() (Extension, error) { return MarshalCRLDistributionPoints(nil) }},
		{"CDP no URI", func() (Extension, error) { return MarshalCRLDistributionPoints([]DistributionPoint{{}}) }},
		{"CDP relative URI", func() (Extension, error) {
			return MarshalCRLDistributionPoints([]DistributionPoint{{URIs: []string{"/ca.crl"}}})
		}},
		{"CDP space", func() (Extension, error) {
			return MarshalCRLDistributionPoints([]DistributionPoint{{URIs: []string{"http://ca.example.ru/a b.crl"}}})
		}},
		{"CDP non-ASCII", func() (Extension, error) {
			return MarshalCRLDistributionPoints([]DistributionPoint{{URIs: []string{"http://уц.рф/ca.crl"}}})
		}},
		{"CDP dup URI", func() (Extension, error) {
			return MarshalCRLDistributionPoints([]DistributionPoint{{URIs: []string{testCDP1, testCDP1}}})
		}},
		{"AIA empty", func() (Extension, error) { return MarshalAuthorityInfoAccess(nil) }},
		{"AIA no host", func() (Extension, error) {
			return MarshalAuthorityInfoAccess([]AccessDescription{{OIDAccessMethodOCSP, "http://"}})
		}},
		{"AIA dup", func() (Extension, error) {
			return MarshalAuthorityInfoAccess([]AccessDescription{{OIDAccessMethodOCSP, testOCSP}, {OIDAccessMethodOCSP, testOCSP}})
		}},
		{"SAN empty", func() (Extension, error) { return MarshalSubjectAltName(AltNames{}) }},
		{"SAN bad email", func() (Extension, error) { return MarshalSubjectAltName(AltNames{Emails: []string{"nobody"}}) }},
		{"SAN bad DNS", func() (Extension, error) { return MarshalSubjectAltName(AltNames{DNSNames: []string{"a..b"}}) }},
		{"SAN DNS underscore", func() (Extension, error) { return MarshalSubjectAltName(AltNames{DNSNames: []string{"a_b.ru"}}) }},
		{"SAN inner wildcard", func() (Extension, error) { return MarshalSubjectAltName(AltNames{DNSNames: []string{"a.*.ru"}}) }},
	}
	for _, tc := range cases {
		_, err := tc.fn()
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if !errors.Is(err, ErrInvalidValue) && !errors.Is(err, ErrDuplicate) {
			t.Errorf("%s: %v is neither ErrInvalidValue nor ErrDuplicate", tc.name, err)
		}
		if !strings.HasPrefix(err.Error(), "pkix: ") {
			t.Errorf("%s: message %q", tc.name, err)
		}
	}
}

// TestExtensionParserRejects feeds each parser bad values: truncation,
// trailing bytes, wrong tags, non-DER forms, oversized lengths.
func TestExtensionParserRejects(t *testing.T) {
	type parser func([]byte) error
	bc := func(v []byte) error { _, _, err := ParseBasicConstraints(v); return err }
	ku := func(v []byte) error { _, err := ParseKeyUsage(v); return err }
	eku := func(v []byte) error { _, err := ParseExtKeyUsage(v); return err }
	ski := func(v []byte) error { _, err := ParseSubjectKeyID(v); return err }
	aki := func(v []byte) error { _, err := ParseAuthorityKeyID(v); return err }
	pol := func(v []byte) error { _, err := ParseCertificatePolicies(v); return err }
	sst := func(v []byte) error { _, err := ParseSubjectSignTool(v); return err }
	ist := func(v []byte) error { _, err := ParseIssuerSignTool(v); return err }
	ik := func(v []byte) error { _, err := ParseIdentificationKind(v); return err }
	pkup := func(v []byte) error { _, _, err := ParsePrivateKeyUsagePeriod(v); return err }
	cdp := func(v []byte) error { _, err := ParseCRLDistributionPoints(v); return err }
	aia := func(v []byte) error { _, err := ParseAuthorityInfoAccess(v); return err }
	san := func(v []byte) error { _, err := ParseSubjectAltName(v); return err }

	uri := hex.EncodeToString([]byte("http://x.ru"))
	gt := hex.EncodeToString([]byte("20250101000000Z"))
	cases := []struct {
		name   string
		p      parser
		hex    string
		reason error
	}{
		{"bc empty input", bc, "", ErrMalformed},
		{"bc truncated", bc, "30060101ff0201", ErrMalformed},
		{"bc trailing", bc, "300000", ErrTrailingData},
		{"bc explicit FALSE", bc, "3003010100", ErrMalformed},
		{"bc bad BOOLEAN", bc, "3003010101", ErrMalformed},
		{"bc negative pathLen", bc, "30060101ff0201ff", ErrMalformed},
		{"bc pathLen without CA", bc, "3003020100", ErrMalformed},
		{"bc wrong tag", bc, "3100", ErrMalformed},
		{"bc extra field", bc, "30080101ff0201000500", ErrTrailingData},
		{"bc non-minimal INTEGER", bc, "30070101ff02020000", ErrMalformed},
		{"bc oversized length", bc, "3084ffffffff", ErrMalformed},
		{"ku empty", ku, "030100", ErrMalformed},
		{"ku unused 8", ku, "030208ff", ErrMalformed},
		{"ku padding bits", ku, "030204f8", ErrMalformed},
		{"ku trailing zeros", ku, "030200f0", ErrMalformed},
		{"ku zero byte", ku, "03020000", ErrMalformed},
		{"ku too long", ku, "030400000080", ErrUnsupported},
		{"ku bit 9", ku, "0303060040", ErrUnsupported},
		{"ku OCTET STRING", ku, "0401f0", ErrMalformed},
		{"ku trailing", ku, "030204f000", ErrTrailingData},
		{"eku empty", eku, "3000", ErrMalformed},
		{"eku dup", eku, "301406082b0601050507030206082b06010505070302", ErrDuplicate},
		{"eku not OID", eku, "30020500", ErrMalformed},
		{"ski empty", ski, "0400", ErrUnsupported},
		{"ski wrong tag", ski, "030100", ErrMalformed},
		{"aki empty keyid", aki, "30028000", ErrUnsupported},
		{"aki issuer without serial", aki, "3002a100", ErrMalformed},
		{"aki wrong order", aki, "30068201018001aa", ErrTrailingData},
		{"aki unknown field", aki, "30028300", ErrTrailingData},
		{"pol empty", pol, "3000", ErrMalformed},
		{"pol dup", pol, "3010300606042a030405300606042a030405", ErrDuplicate},
		{"pol empty qualifiers", pol, "300a300806042a0304053000", ErrMalformed},
		{"pol junk after qualifiers", pol, "300e300c06042a030405300205000500", ErrMalformed},
		{"sst empty", sst, "0c00", ErrMalformed},
		{"sst Printable", sst, "130141", ErrMalformed},
		{"sst bad UTF-8", sst, "0c01ff", ErrMalformed},
		{"sst 201", sst, "0c81c9" + strings.Repeat("41", 201), ErrMalformed},
		{"sst trailing", sst, "0c014100", ErrTrailingData},
		{"ist three", ist, "30090c01410c01420c0143", ErrMalformed},
		{"ist five", ist, "300f0c01410c01420c01430c01440c0145", ErrTrailingData},
		{"ist cert 101", ist, "30700c01410c01420c01430c65" + strings.Repeat("44", 101), ErrMalformed},
		{"ik 4", ik, "020104", ErrUnsupported},
		{"ik -1", ik, "0201ff", ErrUnsupported},
		{"ik ENUMERATED", ik, "0a0102", ErrMalformed},
		{"ik non-minimal", ik, "02020002", ErrMalformed},
		{"ik trailing", ik, "02010200", ErrTrailingData},
		{"pkup empty", pkup, "3000", ErrMalformed},
		{"pkup UTCTime", pkup, "300f170d3235303130313030303030305a", ErrTrailingData},
		{"pkup explicit tag", pkup, "3013a011180f" + gt, ErrTrailingData},
		{"pkup swapped", pkup, "3022810f" + gt + "800f" + gt, ErrTrailingData},
		{"pkup reversed times", pkup, "3022800f" + hex.EncodeToString([]byte("20260101000000Z")) + "810f" + gt, ErrMalformed},
		{"pkup fraction trailing zero", pkup, "30148012" + hex.EncodeToString([]byte("20250101000000.50Z")), ErrMalformed},
		{"pkup year 1", pkup, "3011800f" + hex.EncodeToString([]byte("00010101000000Z")), ErrUnsupported},
		{"cdp empty", cdp, "3000", ErrMalformed},
		{"cdp empty DP", cdp, "30023000", ErrUnsupported},
		{"cdp relative name", cdp, "30063004a002a100", ErrUnsupported},
		{"cdp reasons", cdp, "30153013a00da00b8609" + hex.EncodeToString([]byte("http://x/")) + "810205a0", ErrUnsupported},
		{"cdp DNS name", cdp, "30093007a005a003820178", ErrUnsupported},
		{"cdp empty fullName", cdp, "30063004a002a000", ErrMalformed},
		{"cdp dup URI", cdp, "3020301ea01ca01a860b" + uri + "860b" + uri, ErrDuplicate},
		{"cdp relative URI", cdp, "300a3008a006a00486022f78", ErrUnsupported},
		{"aia empty", aia, "3000", ErrMalformed},
		{"aia DNS location", aia, "300f300d06082b06010505073001820178", ErrUnsupported},
		{"aia no location", aia, "300c300a06082b06010505073001", ErrMalformed},
		{"aia trailing", aia, "301b301906082b06010505073001860b" + uri + "0500", ErrTrailingData},
		{"san empty", san, "3000", ErrMalformed},
		{"san IP of 3 bytes", san, "30058703c0a800", ErrMalformed},
		{"san directoryName not a Name", san, "3004a4020500", ErrMalformed},
		{"san otherName", san, "3004a0020500", ErrMalformed},
		{"san truncated", san, "300581", ErrMalformed},
	}
	for _, tc := range cases {
		err := tc.p(mustHex(t, tc.hex))
		if !errors.Is(err, tc.reason) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.reason)
		}
	}
}

func TestMarshalParseExtensions(t *testing.T) {
	m := mustFn(t)
	bc := m(MarshalBasicConstraints(false, -1))
	ski := m(MarshalSubjectKeyID(testKeyID))
	der, err := MarshalExtensions([]Extension{bc, ski})
	if err != nil {
		t.Fatal(err)
	}
	// critical TRUE is written, critical FALSE (the DEFAULT) is not.
	want := "302d" + "300c0603551d130101ff04023000" + "301d0603551d0e04160414" + hex.EncodeToString(testKeyID)
	if got := hex.EncodeToString(der); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	checkASN1Parse(t, der, []string{
		"d=0 SEQUENCE",
		"d=1 SEQUENCE", "d=2 OBJECT :X509v3 Basic Constraints", "d=2 BOOLEAN :255", "d=2 OCTET STRING [HEX DUMP] :3000",
		"d=1 SEQUENCE", "d=2 OBJECT :X509v3 Subject Key Identifier", "d=2 OCTET STRING [HEX DUMP] :0414" + strings.ToUpper(hex.EncodeToString(testKeyID)),
	})
	exts, err := ParseExtensions(der)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(exts, []Extension{bc, ski}) {
		t.Errorf("parsed %+v", exts)
	}
	if _, ok := FindExtension(exts, OIDExtKeyUsage); ok {
		t.Error("found absent keyUsage")
	}

	if _, err := MarshalExtensions(nil); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("empty list: %v", err)
	}
	if _, err := MarshalExtensions([]Extension{bc, bc}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := MarshalExtensions([]Extension{{ID: OIDExtKeyUsage, Value: []byte{0x03}}}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("bad value: %v", err)
	}
	if _, err := MarshalExtensions([]Extension{{ID: OIDExtKeyUsage, Value: []byte{0x05, 0, 0x05, 0}}}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("two elements: %v", err)
	}
	if _, err := MarshalExtensions([]Extension{{ID: asn1.ObjectIdentifier{7}, Value: []byte{0x05, 0}}}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("bad OID: %v", err)
	}

	ext := func(body string) string { return "30" + hex2([]byte{byte(len(body) / 2)}) + body }
	seq := func(items ...string) string { return ext(strings.Join(items, "")) }
	okExt := ext("0603551d1304023000")
	cases := []struct {
		name   string
		hex    string
		reason error
	}{
		{"empty input", "", ErrMalformed},
		{"empty list", "3000", ErrMalformed},
		{"trailing", seq(okExt) + "00", ErrTrailingData},
		{"truncated", seq(okExt)[:len(seq(okExt))-2], ErrMalformed},
		{"duplicate", seq(okExt, okExt), ErrDuplicate},
		{"critical FALSE", seq(ext("0603551d1301010004023000")), ErrMalformed},
		{"critical 0x01", seq(ext("0603551d1301010104023000")), ErrMalformed},
		{"no value", seq(ext("0603551d13")), ErrMalformed},
		{"value BIT STRING", seq(ext("0603551d1303023000")), ErrMalformed},
		{"value not DER", seq(ext("0603551d130401ff")), ErrMalformed},
		{"value two elements", seq(ext("0603551d130404" + "05000500")), ErrMalformed},
		{"extra field", seq(ext("0603551d1304023000" + "0500")), ErrTrailingData},
		{"no OID", seq(ext("04023000")), ErrMalformed},
		{"SET outer", "31" + seq(okExt)[2:], ErrMalformed},
		{"oversized length", "3084ffffffff", ErrMalformed},
		{"indefinite", "3080" + okExt + "0000", ErrMalformed},
	}
	for _, tc := range cases {
		_, err := ParseExtensions(mustHex(t, tc.hex))
		if !errors.Is(err, tc.reason) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.reason)
		}
	}
	// Bounds.
	if _, err := ParseExtensions(make([]byte, maxExtensionsDER+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized: %v", err)
	}
	var many []Extension
	for i := 0; i <= maxExtensions; i++ {
		many = append(many, Extension{ID: asn1.ObjectIdentifier{1, 2, 3, i}, Value: []byte{5, 0}})
	}
	der, err = MarshalExtensions(many)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseExtensions(der); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too many: %v", err)
	}
}
