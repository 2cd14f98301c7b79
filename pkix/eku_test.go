package pkix

import (
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/internal/openssltest"
)

// Sector purposes seen in real qualified certificates.
var (
	oidEKUSector  = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 34, 6}
	oidEKUFTS     = asn1.ObjectIdentifier{1, 2, 643, 3, 7, 8, 1}
	oidEKUAllowed = asn1.ObjectIdentifier{1, 2, 643, 6, 3}
)

// A profile configured with extra purposes puts them in every
// certificate; a request may add purposes from the allow-list and no
// others (a clear *ExtKeyUsageError); the shipped profile is untouched;
// OpenSSL reads the purposes and verifies the chain.
func TestExtKeyUsagePerProfile(t *testing.T) {
	p, err := ProfileQualifiedPerson.Configure(ProfileOptions{
		ExtKeyUsage: []asn1.ObjectIdentifier{oidEKUSector}, AllowedExtKeyUsage: []asn1.ObjectIdentifier{oidEKUFTS, oidEKUAllowed},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ProfileQualifiedPerson.ExtKeyUsage) != 2 || ProfileQualifiedPerson.AllowedExtKeyUsage != nil {
		t.Fatal("Configure changed the shipped profile")
	}
	now := time.Now().Truncate(time.Second)
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), now)
	ica := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	issue := func(prof *Profile, requested ...asn1.ObjectIdentifier) ([]byte, error) {
		serial, _ := NewSerialNumber(rand.Reader)
		return CreateCertificate(rand.Reader, &CertificateTemplate{Profile: prof, SerialNumber: serial, NotBefore: now,
			Subject: subscriberSubject(ProfileQualifiedPerson), PublicKey: spkiOf(t, gostKey(t, "tc26-256-A").Public()),
			SubjectSignTool: "tool", RequestedExtKeyUsage: requested}, ica.iss, ica.key)
	}
	ekuOf := func(der []byte) []asn1.ObjectIdentifier {
		c, err := ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		e, _ := FindExtension(c.Extensions, OIDExtExtKeyUsage)
		l, err := ParseExtKeyUsage(e.Value)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}

	der, err := issue(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := ekuOf(der); !oidsEqual(got, []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth, OIDExtKeyUsageEmailProtection, oidEKUSector}) {
		t.Fatalf("configured purposes: %v", got)
	}
	// Asking for one the profile already has changes nothing; one from the
	// allow-list is appended.
	der, err = issue(p, oidEKUFTS, OIDExtKeyUsageClientAuth)
	if err != nil {
		t.Fatal(err)
	}
	if got := ekuOf(der); !oidsEqual(got, []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth, OIDExtKeyUsageEmailProtection, oidEKUSector, oidEKUFTS}) {
		t.Fatalf("requested purposes: %v", got)
	}
	bin := openssltest.Gost(t)
	dir := t.TempDir()
	leaf := writePEM(t, dir, "l.pem", der)
	text := string(bin.Run(t, "x509", "-engine", "gost", "-in", leaf, "-noout", "-ext", "extendedKeyUsage"))
	if !strings.Contains(text, "1.2.643.2.2.34.6") || !strings.Contains(text, "1.2.643.3.7.8.1") || !strings.Contains(text, "E-mail Protection") {
		t.Fatalf("openssl sees:\n%s", text)
	}
	out := bin.Run(t, "verify", "-engine", "gost", "-CAfile", writePEM(t, dir, "r.pem", root.cert.Raw),
		"-untrusted", writePEM(t, dir, "i.pem", ica.cert.Raw), "-purpose", "smimesign", leaf)
	if !strings.Contains(string(out), ": OK") {
		t.Fatalf("openssl verify: %s", out)
	}

	// Outside the allow-list: refused, naming what is allowed.
	_, err = issue(p, oidEKUFTS, OIDExtKeyUsageCodeSigning)
	var ee *ExtKeyUsageError
	if !errors.As(err, &ee) || !errors.Is(err, ErrInvalidValue) || len(ee.Refused) != 1 || !ee.Refused[0].Equal(OIDExtKeyUsageCodeSigning) {
		t.Fatalf("code signing requested: %v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "1.3.6.1.5.5.7.3.3 not allowed in profile qualified-person") ||
		!strings.Contains(msg, "1.2.643.3.7.8.1, 1.2.643.6.3") {
		t.Fatalf("message does not say what to do: %s", msg)
	}
	// The shipped profile allows nothing extra.
	if _, err := issue(ProfileQualifiedPerson, oidEKUFTS); !errors.As(err, &ee) || !strings.Contains(err.Error(), "allows no purposes beyond its own") {
		t.Fatalf("shipped profile: %v", err)
	}

	// The lint holds a TBS to the profile: a configured purpose missing,
	// or one outside profile and allow-list, fails.
	plain, err := issue(ProfileQualifiedPerson)
	if err != nil {
		t.Fatal(err)
	}
	if err := lintByID(t, "e_ext_key_usage").Check(lintFor(t, plain, p, ica.iss)); err == nil || !strings.Contains(err.Error(), "1.2.643.2.2.34.6") {
		t.Fatalf("configured purpose missing: %v", err)
	}
	withFTS, _ := issue(p, oidEKUFTS)
	if err := lintByID(t, "e_ext_key_usage").Check(lintFor(t, withFTS, ProfileQualifiedPerson, ica.iss)); err == nil {
		t.Fatal("purpose outside the profile passes")
	}

	for name, o := range map[string]ProfileOptions{
		"anyExtendedKeyUsage": {ExtKeyUsage: []asn1.ObjectIdentifier{OIDExtKeyUsageAny}},
		"repeated":            {ExtKeyUsage: []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth}},
		"both given, allowed": {ExtKeyUsage: []asn1.ObjectIdentifier{oidEKUSector}, AllowedExtKeyUsage: []asn1.ObjectIdentifier{oidEKUSector}},
		"invalid OID":         {AllowedExtKeyUsage: []asn1.ObjectIdentifier{{3, 1}}},
	} {
		if _, err := ProfileQualifiedPerson.Configure(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
