package pkix

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/internal/openssltest"
)

var updateGolden = flag.Bool("update", false, "rewrite golden files in ../testdata/pkix")

// testCA is a CA key with its certificate and Issuer settings.
type testCA struct {
	key  crypto.Signer
	cert *Certificate
	iss  *Issuer
}

func gostKey(t testing.TB, curve string) *gost3410.PrivateKey {
	t.Helper()
	c, ok := gost3410.CurveByName(curve)
	if !ok {
		t.Fatalf("no curve %s", curve)
	}
	k, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func spkiOf(t testing.TB, pub crypto.PublicKey) *PublicKeyInfo {
	t.Helper()
	der, err := MarshalPublicKeyInfo(pub)
	if err != nil {
		t.Fatal(err)
	}
	info, err := ParsePublicKeyInfo(der)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

var caSignTool = &IssuerSignTool{
	SignTool:     `СКЗИ "КриптоПро CSP" (версия 5.0)`,
	CATool:       `ПАК "GostCA"`,
	SignToolCert: "Сертификат соответствия № СФ/124-0000 от 01.01.2026",
	CAToolCert:   "Сертификат соответствия № СФ/128-0000 от 01.01.2026",
}

func caSubject(cn string) *Subject {
	return &Subject{CommonName: cn, Organization: `ООО "ГостЦА"`, Country: "RU", Region: "77 г. Москва",
		Locality: "Москва", Street: "ул. Тверская, д. 1", INNLE: "7707083893", OGRN: "1027700132195"}
}

func newTestRoot(t testing.TB, key crypto.Signer, now time.Time) *testCA {
	t.Helper()
	alg, err := SignatureAlgorithmFor(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := NewSerialNumber(rand.Reader)
	iss := &Issuer{SignatureAlgorithm: alg}
	der, err := CreateCertificate(rand.Reader, &CertificateTemplate{
		Profile: ProfileRootCA, SerialNumber: serial, NotBefore: now.Add(-time.Hour),
		NotAfter: now.Add(20 * year), Subject: caSubject("Тестовый корневой УЦ"), PublicKey: spkiOf(t, key.Public()),
	}, iss, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{key: key, cert: cert, iss: &Issuer{Cert: cert, SignatureAlgorithm: alg}}
}

func (ca *testCA) issueCA(t testing.TB, key crypto.Signer, now time.Time) *testCA {
	t.Helper()
	serial, _ := NewSerialNumber(rand.Reader)
	der, err := CreateCertificate(rand.Reader, &CertificateTemplate{
		Profile: ProfileIssuingCA, SerialNumber: serial, NotBefore: now.Add(-time.Minute),
		NotAfter: now.Add(10 * year), Subject: caSubject("Тестовый УЦ"), PublicKey: spkiOf(t, key.Public()),
	}, ca.iss, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.CheckSignatureFrom(ca.cert); err != nil {
		t.Fatal(err)
	}
	alg, _ := SignatureAlgorithmFor(key.Public())
	return &testCA{key: key, cert: cert, iss: &Issuer{
		Cert: cert, SignatureAlgorithm: alg, SignTool: caSignTool,
		Policies:      []asn1OID{OIDPolicyKC1, OIDPolicyKC2},
		CRLURLs:       []string{"http://127.0.0.1/crl/test.crl"},
		OCSPURLs:      []string{"http://127.0.0.1/ocsp"},
		CAIssuersURLs: []string{"http://127.0.0.1/ca/test.crt"},
	}}
}

// subscriberSubjects are valid subjects for each qualified profile.
func subscriberSubject(p *Profile) *Subject {
	s := &Subject{CommonName: "Иванов Иван Иванович", Surname: "Иванов", GivenName: "Иван Иванович",
		Country: "RU", Region: "77 г. Москва", Locality: "Москва", SNILS: "11223344595", INN: "500100123426",
		Email: "ivanov@example.ru"}
	switch p {
	case ProfileQualifiedEntrepreneur:
		s.OGRNIP = "304500116000157"
	case ProfileQualifiedLegalEntityHead:
		s.CommonName, s.Organization, s.Title = `ООО "Ромашка"`, `ООО "Ромашка"`, "Генеральный директор"
		s.INNLE, s.OGRN = "7707083893", "1027700132195"
	case ProfileQualifiedEmployee:
		s.Organization, s.Title = `ООО "Ромашка"`, "Бухгалтер"
	case ProfileTLSClient:
		s = &Subject{CommonName: "client-1", Organization: "GostCA", Country: "RU"}
	}
	return s
}

func (ca *testCA) issue(t testing.TB, p *Profile, pub crypto.PublicKey, now time.Time) ([]byte, error) {
	t.Helper()
	serial, _ := NewSerialNumber(rand.Reader)
	return CreateCertificate(rand.Reader, &CertificateTemplate{
		Profile: p, SerialNumber: serial, NotBefore: now, Subject: subscriberSubject(p), PublicKey: spkiOf(t, pub),
		SubjectSignTool: `СКЗИ "КриптоПро CSP" (версия 5.0)`, IdentificationKind: IdentificationPersonal,
	}, ca.iss, ca.key)
}

func writePEM(t *testing.T, dir, name string, ders ...[]byte) string {
	t.Helper()
	var buf bytes.Buffer
	for _, d := range ders {
		pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: d})
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A chain root → issuing CA → subscriber for every production parameter
// set and every subscriber profile verifies with OpenSSL, and OpenSSL
// names the Russian attributes and extensions.
func TestCertificateChainsOpenSSL(t *testing.T) {
	bin := openssltest.Gost(t)
	now := time.Now().Truncate(time.Second)
	for _, curve := range []string{"tc26-256-A", "tc26-256-B", "tc26-256-C", "tc26-256-D", "tc26-512-A", "tc26-512-B", "tc26-512-C"} {
		t.Run(curve, func(t *testing.T) {
			root := newTestRoot(t, gostKey(t, curve), now)
			ica := root.issueCA(t, gostKey(t, curve), now)
			dir := t.TempDir()
			rootPEM := writePEM(t, dir, "root.pem", root.cert.Raw)
			chainPEM := writePEM(t, dir, "ica.pem", ica.cert.Raw)
			for _, p := range []*Profile{ProfileQualifiedPerson, ProfileQualifiedEntrepreneur, ProfileQualifiedLegalEntityHead, ProfileQualifiedEmployee} {
				leaf, err := ica.issue(t, p, gostKey(t, curve).Public(), now)
				if err != nil {
					t.Fatalf("%s: %v", p.Name, err)
				}
				parsed, err := ParseCertificate(leaf)
				if err != nil {
					t.Fatal(err)
				}
				if err := parsed.CheckSignatureFrom(ica.cert); err != nil {
					t.Fatal(err)
				}
				leafPEM := writePEM(t, dir, p.Name+".pem", leaf)
				out := bin.Run(t, "verify", "-engine", "gost", "-CAfile", rootPEM, "-untrusted", chainPEM, leafPEM)
				if !strings.Contains(string(out), ": OK") {
					t.Fatalf("%s: openssl verify: %s", p.Name, out)
				}
				text := string(bin.Run(t, "x509", "-engine", "gost", "-in", leafPEM, "-noout", "-text", "-nameopt", "utf8,sep_comma_plus"))
				for _, want := range []string{"SNILS", "INN", "Signing Tool of Subject", "Signing Tool of Issuer", "critical", "Certificate Sign", "Digital Signature"} {
					if want == "Certificate Sign" {
						if strings.Contains(text, want) {
							t.Fatalf("%s: subscriber certificate can sign certificates:\n%s", p.Name, text)
						}
						continue
					}
					if !strings.Contains(text, want) {
						t.Fatalf("%s: openssl x509 -text lacks %q:\n%s", p.Name, want, text)
					}
				}
			}
		})
	}
}

// OpenSSL's own GOST certificates parse, and their signatures verify.
func TestParseOpenSSLCertificate(t *testing.T) {
	bin := openssltest.Gost(t)
	for _, ps := range []struct{ alg, set string }{{"gost2012_256", "TCA"}, {"gost2012_256", "A"}, {"gost2012_512", "A"}} {
		dir := t.TempDir()
		certFile := filepath.Join(dir, "c.pem")
		bin.Run(t, "req", "-engine", "gost", "-x509", "-newkey", ps.alg, "-pkeyopt", "paramset:"+ps.set,
			"-nodes", "-keyout", filepath.Join(dir, "k.pem"), "-subj", "/CN=OpenSSL GOST CA/O=Test/C=RU", "-addext", "basicConstraints=critical,CA:TRUE", "-days", "30", "-out", certFile)
		raw, _ := os.ReadFile(certFile)
		c, err := ParseCertificate(raw)
		if err != nil {
			t.Fatalf("%s/%s: %v", ps.alg, ps.set, err)
		}
		if c.Subject.String() == "" || !c.IsCA {
			t.Fatalf("%s/%s: subject %q, CA %v", ps.alg, ps.set, c.Subject, c.IsCA)
		}
		if err := c.CheckSignatureFrom(c); err != nil {
			t.Fatalf("%s/%s: self-signature: %v", ps.alg, ps.set, err)
		}
		tampered := bytes.Clone(c.Raw)
		tampered[len(tampered)-1] ^= 1
		if tc, err := ParseCertificate(tampered); err == nil && tc.CheckSignatureFrom(c) == nil {
			t.Fatalf("%s/%s: tampered signature verifies", ps.alg, ps.set)
		}
	}
}

func TestTLSClientECDSA(t *testing.T) {
	bin := openssltest.Gost(t)
	now := time.Now().Truncate(time.Second)
	rootKey := gostKey(t, "tc26-256-A")
	root := newTestRoot(t, rootKey, now)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ica := root.issueCA(t, ecKey, now)
	ica.iss.SignTool, ica.iss.Policies = nil, nil
	leafKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	leaf, err := ica.issue(t, ProfileTLSClient, &leafKey.PublicKey, now)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := bin.Run(t, "verify", "-engine", "gost", "-CAfile", writePEM(t, dir, "r.pem", root.cert.Raw),
		"-untrusted", writePEM(t, dir, "i.pem", ica.cert.Raw), writePEM(t, dir, "l.pem", leaf))
	if !strings.Contains(string(out), ": OK") {
		t.Fatalf("openssl verify: %s", out)
	}
}

// Each lint has a TBS that triggers it.
func TestLintsTrigger(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), now)
	ica := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	sub := gostKey(t, "tc26-256-A")
	base := func() *CertificateTemplate {
		serial, _ := NewSerialNumber(rand.Reader)
		return &CertificateTemplate{Profile: ProfileQualifiedPerson, SerialNumber: serial, NotBefore: now,
			Subject: subscriberSubject(ProfileQualifiedPerson), PublicKey: spkiOf(t, sub.Public()),
			SubjectSignTool: "tool", IdentificationKind: IdentificationPersonal}
	}
	if _, err := BuildTBSCertificate(base(), ica.iss); err != nil {
		t.Fatalf("valid template rejected: %v", err)
	}
	noTool := *ica.iss
	noTool.SignTool = nil
	wrongAlg := *ica.iss
	wrongAlg.SignatureAlgorithm = GOST512
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cases := []struct {
		lint string
		mod  func(*CertificateTemplate) *Issuer
	}{
		{"e_serial_positive", func(c *CertificateTemplate) *Issuer { c.SerialNumber = big.NewInt(-5); return ica.iss }},
		{"e_serial_length", func(c *CertificateTemplate) *Issuer {
			c.SerialNumber = new(big.Int).Lsh(big.NewInt(1), 170)
			return ica.iss
		}},
		{"e_serial_entropy", func(c *CertificateTemplate) *Issuer { c.SerialNumber = big.NewInt(12345); return ica.iss }},
		{"e_signature_algorithm", func(c *CertificateTemplate) *Issuer { return &wrongAlg }},
		{"e_validity_order", func(c *CertificateTemplate) *Issuer { c.NotAfter = now.Add(-time.Hour); return ica.iss }},
		{"e_validity_profile", func(c *CertificateTemplate) *Issuer { c.NotAfter = now.Add(3 * year); return ica.iss }},
		{"e_validity_within_issuer", func(c *CertificateTemplate) *Issuer {
			c.NotBefore = ica.cert.NotAfter.Add(-24 * time.Hour)
			return ica.iss
		}},
		{"e_subject_required", func(c *CertificateTemplate) *Issuer { c.Subject.SNILS = ""; return ica.iss }},
		{"e_subject_allowed", func(c *CertificateTemplate) *Issuer { c.Subject.OGRN = "1027700132195"; return ica.iss }},
		{"e_key_algorithm", func(c *CertificateTemplate) *Issuer { c.PublicKey = spkiOf(t, &ecKey.PublicKey); return ica.iss }},
		{"e_qualified_extensions", func(c *CertificateTemplate) *Issuer { c.SubjectSignTool = ""; return &noTool }},
		{"e_issuer_key_usage_period", func(c *CertificateTemplate) *Issuer {
			// The issuing CA's key signs for 36 months of its 10 years.
			c.NotBefore = AddMonths(now, 37)
			return ica.iss
		}},
		{"e_validity_time_type", nil}, // covered below: the builder cannot produce it
	}
	for _, c := range cases {
		if c.mod == nil {
			continue
		}
		tmpl := base()
		iss := c.mod(tmpl)
		_, err := BuildTBSCertificate(tmpl, iss)
		var le *LintError
		if !errors.As(err, &le) || !le.Has(c.lint) {
			t.Errorf("%s: got %v", c.lint, err)
		}
		if !errors.Is(err, ErrInvalidValue) {
			t.Errorf("%s: error does not wrap ErrInvalidValue", c.lint)
		}
	}
	// Lints that need a TBS the builder refuses to make: feed crafted TBS
	// bytes to the linter directly.
	good, _ := BuildTBSCertificate(base(), ica.iss)
	c, err := parseTBSCertificate(good, tbsKnown{})
	if err != nil {
		t.Fatal(err)
	}
	in := &lintInput{cert: c, profile: ProfileQualifiedPerson, issuer: ica.iss}
	in.subject, _ = c.Subject.Subject()
	checks := map[string]func(){
		"e_validity_time_type": func() { c.timeTags[0] = 0x18 },
		"e_version_v3":         func() { c.Version = 1 },
		"e_issuer_name":        func() { c.RawIssuer = c.RawSubject },
		"e_subject_string_types": func() {
			c.Subject.Attrs = append([]Attribute(nil), c.Subject.Attrs...)
			c.Subject.Attrs[len(c.Subject.Attrs)-1].Tag = TagUTF8String
		},
		"e_subject_values":     func() { in.subject = &Subject{SNILS: "11223344596"} },
		"e_extensions_present": func() { c.Extensions = nil },
		"e_key_usage":          func() { c.KeyUsage |= KeyUsageCertSign },
		"e_basic_constraints":  func() { c.IsCA = true },
		"e_key_identifiers":    func() { c.AuthorityKeyID = []byte{1, 2, 3} },
		"e_ext_key_usage": func() {
			c.Extensions = nil
		},
		"e_key_usage_period":     func() { c.Extensions = withoutExt(c.Extensions, OIDExtPrivateKeyUsagePeriod) },
		"e_subject_email_in_san": func() { c.Extensions = withoutExt(c.Extensions, OIDExtSubjectAltName) },
		"e_crl_pointers": func() {
			// freshestCRL without the CDP it complements.
			fr, _ := MarshalFreshestCRL([]string{"http://ca.example/delta.crl"})
			c.Extensions = []Extension{fr}
		},
	}
	for id, mutate := range checks {
		saved, savedSub := *c, in.subject
		mutate()
		var lint *Lint
		for i := range lints {
			if lints[i].ID == id {
				lint = &lints[i]
			}
		}
		if lint == nil {
			t.Fatalf("no lint %s", id)
		}
		if err := lint.Check(in); err == nil {
			t.Errorf("%s: mutated TBS passes", id)
		}
		*c, in.subject = saved, savedSub
	}
	// Every lint in the table is exercised by one of the two tables above.
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.lint] = true
	}
	for id := range checks {
		seen[id] = true
	}
	for _, l := range Lints() {
		if !seen[l.ID] {
			t.Errorf("lint %s has no triggering test", l.ID)
		}
	}
}

func withoutExt(exts []Extension, id asn1OID) []Extension {
	var out []Extension
	for _, e := range exts {
		if !e.ID.Equal(id) {
			out = append(out, e)
		}
	}
	return out
}

// The TBS of fixed inputs is stable byte for byte (golden file).
func TestGoldenTBS(t *testing.T) {
	c, _ := gost3410.CurveByName("tc26-256-A")
	mk := func(d int64) *gost3410.PrivateKey {
		k, err := gost3410.NewPrivateKey(c, le32(d))
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey, subKey := mk(1001), mk(2002)
	nb := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	caTmpl := &CertificateTemplate{Profile: ProfileIssuingCA, SerialNumber: new(big.Int).SetBytes(bytes.Repeat([]byte{0x41}, 16)),
		NotBefore: nb, NotAfter: nb.Add(10 * year), Subject: caSubject("Тестовый УЦ"), PublicKey: spkiOf(t, caKey.Public())}
	caTBS, err := BuildTBSCertificate(caTmpl, &Issuer{SignatureAlgorithm: GOST256})
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := Sign(rand.Reader, caKey, GOST256, caTBS)
	caDER, _ := AssembleSigned(caTBS, GOST256, sig)
	caCert, err := ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	iss := &Issuer{Cert: caCert, SignatureAlgorithm: GOST256, SignTool: caSignTool, Policies: []asn1OID{OIDPolicyKC1},
		CRLURLs: []string{"http://ca.example/crl/1.crl"}, OCSPURLs: []string{"http://ca.example/ocsp"}}
	tbs, err := BuildTBSCertificate(&CertificateTemplate{Profile: ProfileQualifiedPerson, SerialNumber: new(big.Int).SetBytes(bytes.Repeat([]byte{0x4a}, 16)),
		NotBefore: nb.Add(time.Hour), Subject: subscriberSubject(ProfileQualifiedPerson), PublicKey: spkiOf(t, subKey.Public()),
		SubjectSignTool: `СКЗИ "КриптоПро CSP" (версия 5.0)`, IdentificationKind: IdentificationRemoteCertificate}, iss)
	if err != nil {
		t.Fatal(err)
	}
	// Prepare (issuer-wide extensions encoded once) changes nothing.
	prepared := *iss
	if err := prepared.Prepare(); err != nil {
		t.Fatal(err)
	}
	tbs2, err := BuildTBSCertificate(&CertificateTemplate{Profile: ProfileQualifiedPerson, SerialNumber: new(big.Int).SetBytes(bytes.Repeat([]byte{0x4a}, 16)),
		NotBefore: nb.Add(time.Hour), Subject: subscriberSubject(ProfileQualifiedPerson), PublicKey: spkiOf(t, subKey.Public()),
		SubjectSignTool: `СКЗИ "КриптоПро CSP" (версия 5.0)`, IdentificationKind: IdentificationRemoteCertificate}, &prepared)
	if err != nil || !bytes.Equal(tbs2, tbs) {
		t.Fatalf("prepared issuer builds a different TBS (%v)", err)
	}
	for name, got := range map[string][]byte{"tbs-issuing-ca.der": caTBS, "tbs-qualified-person.der": tbs} {
		path := filepath.Join("..", "testdata", "pkix", name)
		if *updateGolden {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (regenerate with testdata/pkix/regen.sh)", err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s changed; if intended, run testdata/pkix/regen.sh and review the diff", name)
		}
	}
}

func le32(v int64) []byte {
	b := make([]byte, 32)
	for i := 0; v > 0; i++ {
		b[i] = byte(v)
		v >>= 8
	}
	return b
}

func BenchmarkBuildTBSCertificate(b *testing.B) {
	now := time.Now().Truncate(time.Second)
	root := newTestRoot(b, gostKey(b, "tc26-256-A"), now)
	ica := root.issueCA(b, gostKey(b, "tc26-256-A"), now)
	if err := ica.iss.Prepare(); err != nil {
		b.Fatal(err)
	}
	spki := spkiOf(b, gostKey(b, "tc26-256-A").Public())
	subject := subscriberSubject(ProfileQualifiedPerson)
	serial, _ := NewSerialNumber(rand.Reader)
	b.ReportAllocs()
	for b.Loop() {
		_, err := BuildTBSCertificate(&CertificateTemplate{Profile: ProfileQualifiedPerson, SerialNumber: serial, NotBefore: now,
			Subject: subject, PublicKey: spki, SubjectSignTool: "tool"}, ica.iss)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// A certificate carries the issuer's CRL distribution point and delta
// CRL location, or the per-certificate ones of its CRL partition; both
// pass the lints, and a freshestCRL without a CDP does not.
func TestCRLPointersPerCertificate(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), now)
	ica := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	iss := *ica.iss
	iss.CRLURLs = []string{"http://ca.example/crl/ca.crl"}
	iss.FreshestCRLURLs = []string{"http://ca.example/crl/ca-delta.crl"}
	if err := iss.Prepare(); err != nil {
		t.Fatal(err)
	}
	sub := gostKey(t, "tc26-256-A")
	tmpl := func() *CertificateTemplate {
		serial, _ := NewSerialNumber(rand.Reader)
		return &CertificateTemplate{Profile: ProfileQualifiedPerson, SerialNumber: serial, NotBefore: now,
			Subject: subscriberSubject(ProfileQualifiedPerson), PublicKey: spkiOf(t, sub.Public()),
			SubjectSignTool: "tool", IdentificationKind: IdentificationPersonal}
	}
	pointers := func(tm *CertificateTemplate, iss *Issuer) (cdp, fresh []string) {
		t.Helper()
		tbs, err := BuildTBSCertificate(tm, iss)
		if err != nil {
			t.Fatal(err)
		}
		c, err := parseTBSCertificate(tbs, tbsKnown{})
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := FindExtension(c.Extensions, OIDExtCRLDistributionPoints); ok {
			dps, err := ParseCRLDistributionPoints(e.Value)
			if err != nil || len(dps) != 1 || e.Critical {
				t.Fatalf("CDP %+v %v", dps, err)
			}
			cdp = dps[0].URIs
		}
		if e, ok := FindExtension(c.Extensions, OIDExtFreshestCRL); ok {
			if e.Critical {
				t.Fatal("critical freshestCRL")
			}
			if fresh, err = ParseFreshestCRL(e.Value); err != nil {
				t.Fatal(err)
			}
		}
		return cdp, fresh
	}
	cdp, fresh := pointers(tmpl(), &iss)
	if strings.Join(cdp, " ") != iss.CRLURLs[0] || strings.Join(fresh, " ") != iss.FreshestCRLURLs[0] {
		t.Fatalf("issuer-wide: CDP %v, freshest %v", cdp, fresh)
	}
	part := tmpl()
	part.CRLURLs = []string{"http://ca.example/crl/ca/3.crl"}
	part.FreshestCRLURLs = []string{"http://ca.example/crl/ca/3-delta.crl"}
	cdp, fresh = pointers(part, &iss)
	if strings.Join(cdp, " ") != part.CRLURLs[0] || strings.Join(fresh, " ") != part.FreshestCRLURLs[0] {
		t.Fatalf("partitioned: CDP %v, freshest %v", cdp, fresh)
	}
	// freshestCRL with no CDP at all is refused by the lint.
	noCDP := *ica.iss
	noCDP.CRLURLs = nil
	noCDP.FreshestCRLURLs = []string{"http://ca.example/crl/ca-delta.crl"}
	_, err := BuildTBSCertificate(tmpl(), &noCDP)
	var le *LintError
	if !errors.As(err, &le) || !le.Has("e_crl_pointers") {
		t.Fatalf("freshestCRL without CDP: %v", err)
	}
	// A bad URL is an error, not a certificate.
	bad := tmpl()
	bad.CRLURLs = []string{"ftp://x y"}
	if _, err := BuildTBSCertificate(bad, &iss); !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("bad CDP URL: %v", err)
	}
}
