package pkix

import (
	"crypto/rand"
	"encoding/asn1"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/internal/openssltest"
)

// fullCASubject is a CA name as the Russian profile has it: INNLE, OGRN,
// street address, e-mail, region, city, organisation, CN, country.
func fullCASubject(cn string) *Subject {
	s := caSubject(cn)
	s.Email = "ca@example.ru"
	return s
}

// accreditedCA builds root → issuing CA as an accredited CA's chain
// looks: the root names its tools (issuerSignTool), its CRL and
// certificate; the issuing CA's certificate names the CA's own tool and
// classes.
func accreditedCA(t *testing.T, now time.Time) (root *testCA, ica *testCA) {
	t.Helper()
	rootKey := gostKey(t, "tc26-256-A")
	serial, _ := NewSerialNumber(rand.Reader)
	der, err := CreateCertificate(rand.Reader, &CertificateTemplate{
		Profile: ProfileRootCA, SerialNumber: serial, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(20 * year),
		Subject: fullCASubject("Тестовый корневой УЦ"), PublicKey: spkiOf(t, rootKey.Public()),
		SubjectSignTool: `ПАКМ "КриптоПро HSM"`, Policies: []asn1OID{OIDPolicyKC1, OIDPolicyKC2, OIDPolicyKC3},
	}, &Issuer{SignatureAlgorithm: GOST256}, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	root = &testCA{key: rootKey, cert: rc, iss: &Issuer{
		Cert: rc, SignatureAlgorithm: GOST256, SignTool: caSignTool,
		CRLURLs: []string{"http://ca.example.ru/crl/root.crl"}, CAIssuersURLs: []string{"http://ca.example.ru/ca/root.crt"},
	}}
	icaKey := gostKey(t, "tc26-256-A")
	serial, _ = NewSerialNumber(rand.Reader)
	der, err = CreateCertificate(rand.Reader, &CertificateTemplate{
		Profile: ProfileIssuingCA, SerialNumber: serial, NotBefore: now.Add(-time.Minute), NotAfter: now.Add(10 * year),
		Subject: fullCASubject("Тестовый УЦ"), PublicKey: spkiOf(t, icaKey.Public()),
		SubjectSignTool: `СКЗИ "КриптоПро CSP" (версия 5.0)`, Policies: []asn1OID{OIDPolicyKC1, OIDPolicyKC2},
	}, root.iss, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	ic, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	ica = &testCA{key: icaKey, cert: ic, iss: &Issuer{
		Cert: ic, SignatureAlgorithm: GOST256, SignTool: caSignTool, Policies: []asn1OID{OIDPolicyKC1, OIDPolicyKC2},
		CRLURLs: []string{"http://ca.example.ru/crl/ca.crl"}, OCSPURLs: []string{"http://ca.example.ru/ocsp"},
		CAIssuersURLs: []string{"http://ca.example.ru/ca/ca.crt"},
	}}
	return root, ica
}

// The issuing CA's certificate carries what an accredited CA's does:
// the full CA name, sign tools of subject and issuer, a key-usage period,
// class policies with anyPolicy, the root's CRL and certificate; and its
// e-mail in subjectAltName. OpenSSL shows them and verifies a qualified
// certificate below it with policy checking and CRL-less chain.
func TestIssuingCACertificateExtensions(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	root, ica := accreditedCA(t, now)
	c := ica.cert
	for _, id := range []asn1.ObjectIdentifier{OIDExtBasicConstraints, OIDExtKeyUsage, OIDExtSubjectKeyID, OIDExtAuthorityKeyID,
		OIDExtPrivateKeyUsagePeriod, OIDExtCertificatePolicies, OIDExtSubjectSignTool, OIDExtIssuerSignTool,
		OIDExtCRLDistributionPoints, OIDExtAuthorityInfoAccess, OIDExtSubjectAltName} {
		if _, ok := FindExtension(c.Extensions, id); !ok {
			t.Errorf("issuing CA certificate lacks %s", extName(id))
		}
	}
	e, _ := FindExtension(c.Extensions, OIDExtCertificatePolicies)
	if pols, _ := ParseCertificatePolicies(e.Value); !oidsEqual(pols, []asn1.ObjectIdentifier{OIDPolicyKC1, OIDPolicyKC2, OIDPolicyAny}) {
		t.Errorf("policies %v", pols)
	}
	e, _ = FindExtension(c.Extensions, OIDExtSubjectAltName)
	if alt, _ := ParseSubjectAltName(e.Value); len(alt.Emails) != 1 || alt.Emails[0] != "ca@example.ru" {
		t.Errorf("subjectAltName %+v", alt)
	}
	for _, attr := range []asn1.ObjectIdentifier{OIDCountry, OIDStateOrProvince, OIDLocality, OIDStreetAddress, OIDOrganization, OIDCommonName, OIDEmailAddress, OIDINNLE, OIDOGRN} {
		if !nameHas(c.Subject, attr) {
			t.Errorf("CA name lacks %s", attrName(attr))
		}
	}

	leafDER, err := ica.issue(t, ProfileQualifiedPerson, gostKey(t, "tc26-256-A").Public(), now)
	if err != nil {
		t.Fatal(err)
	}
	bin := openssltest.Gost(t)
	dir := t.TempDir()
	icaPEM := writePEM(t, dir, "i.pem", c.Raw)
	text := string(bin.Run(t, "x509", "-engine", "gost", "-in", icaPEM, "-noout", "-text", "-nameopt", "utf8,sep_comma_plus"))
	for _, want := range []string{"Private Key Usage Period", "Signing Tool of Subject", "Signing Tool of Issuer",
		"Class of Signing Tool KC2", "X509v3 Any Policy", "http://ca.example.ru/crl/root.crl", "CA Issuers - URI:http://ca.example.ru/ca/root.crt",
		"email:ca@example.ru", "7707083893", "OGRN=1027700132195", "street=", "ST=77 г. Москва", "L=Москва", "pathlen:0"} {
		if !strings.Contains(text, want) {
			t.Errorf("openssl x509 -text lacks %q", want)
		}
	}
	out := bin.Run(t, "verify", "-engine", "gost", "-CAfile", writePEM(t, dir, "r.pem", root.cert.Raw), "-untrusted", icaPEM,
		"-policy_check", "-explicit_policy", "-policy", OIDPolicyKC1.String(), writePEM(t, dir, "l.pem", leafDER))
	if !strings.Contains(string(out), ": OK") {
		t.Fatalf("openssl verify with policy checking: %s", out)
	}
}

// A subscriber's subject e-mail is in subjectAltName, first, with the
// request's other addresses after it and no repeats.
func TestSubjectEmailInAltName(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	_, ica := accreditedCA(t, now)
	serial, _ := NewSerialNumber(rand.Reader)
	der, err := CreateCertificate(rand.Reader, &CertificateTemplate{Profile: ProfileQualifiedPerson, SerialNumber: serial, NotBefore: now,
		Subject: subscriberSubject(ProfileQualifiedPerson), PublicKey: spkiOf(t, gostKey(t, "tc26-256-A").Public()), SubjectSignTool: "tool",
		Emails: []string{"other@example.ru", "ivanov@example.ru"}}, ica.iss, ica.key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := ParseCertificate(der)
	e, ok := FindExtension(c.Extensions, OIDExtSubjectAltName)
	if !ok {
		t.Fatal("no subjectAltName")
	}
	alt, err := ParseSubjectAltName(e.Value)
	if err != nil || strings.Join(alt.Emails, " ") != "ivanov@example.ru other@example.ru" {
		t.Fatalf("e-mails %q %v", alt.Emails, err)
	}
	// Without an e-mail anywhere, no subjectAltName.
	s := subscriberSubject(ProfileQualifiedPerson)
	s.Email = ""
	serial, _ = NewSerialNumber(rand.Reader)
	der, err = CreateCertificate(rand.Reader, &CertificateTemplate{Profile: ProfileQualifiedPerson, SerialNumber: serial, NotBefore: now,
		Subject: s, PublicKey: spkiOf(t, gostKey(t, "tc26-256-A").Public()), SubjectSignTool: "tool"}, ica.iss, ica.key)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := ParseCertificate(der); func() bool { _, ok := FindExtension(c.Extensions, OIDExtSubjectAltName); return ok }() {
		t.Fatal("subjectAltName without e-mails")
	}
}
