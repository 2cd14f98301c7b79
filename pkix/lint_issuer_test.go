package pkix

import (
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"
)

// A prepared issuer's lint facts change no verdict: every template gets
// the same answer, error text included, from a prepared and an unprepared
// copy of the issuer; and a TBS whose issuer-wide values are not the
// prepared ones is parsed and judged as before.
func TestLintsPreparedIssuer(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), now)
	ica := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	ica.iss.CRLURLs = []string{"http://ca.example/crl/1.crl"}
	ica.iss.FreshestCRLURLs = []string{"http://ca.example/crl/1-delta.crl"}
	sub := gostKey(t, "tc26-256-A")
	base := func() *CertificateTemplate {
		serial, _ := NewSerialNumber(rand.Reader)
		return &CertificateTemplate{Profile: ProfileQualifiedPerson, SerialNumber: serial, NotBefore: now,
			Subject: subscriberSubject(ProfileQualifiedPerson), PublicKey: spkiOf(t, sub.Public()),
			SubjectSignTool: "tool", IdentificationKind: IdentificationPersonal}
	}
	variants := map[string]func(*Issuer) *Issuer{
		"as is":    func(i *Issuer) *Issuer { return i },
		"no tool":  func(i *Issuer) *Issuer { c := *i; c.SignTool = nil; return &c },
		"alg 512":  func(i *Issuer) *Issuer { c := *i; c.SignatureAlgorithm = GOST512; return &c },
		"no CDP":   func(i *Issuer) *Issuer { c := *i; c.CRLURLs = nil; return &c },
		"no class": func(i *Issuer) *Issuer { c := *i; c.Policies = []asn1OID{{1, 2, 3, 4}}; return &c },
	}
	tmpls := map[string]func(*CertificateTemplate){
		"valid":            func(*CertificateTemplate) {},
		"after key period": func(c *CertificateTemplate) { c.NotBefore = AddMonths(now, 37) },
		"before issuer":    func(c *CertificateTemplate) { c.NotBefore = now.Add(-48 * time.Hour) },
		"no sign tool":     func(c *CertificateTemplate) { c.SubjectSignTool = "" },
	}
	for vn, v := range variants {
		unprepared := v(ica.iss)
		prepared := *unprepared
		if err := prepared.Prepare(); err != nil {
			t.Fatal(err)
		}
		if prepared.fixed == nil || prepared.fixed.lint == nil {
			t.Fatal("Prepare left no lint facts")
		}
		for tn, mod := range tmpls {
			tmpl := base()
			mod(tmpl)
			_, errU := BuildTBSCertificate(tmpl, unprepared)
			_, errP := BuildTBSCertificate(tmpl, &prepared)
			if fmt.Sprint(errU) != fmt.Sprint(errP) {
				t.Errorf("%s, %s: unprepared %v; prepared %v", vn, tn, errU, errP)
			}
			if tn != "valid" && vn == "as is" && errP == nil {
				t.Errorf("%s: passed the lints", tn)
			}
		}
	}
	// The facts are used only for the bytes they were worked out from.
	prepared := *ica.iss
	if err := prepared.Prepare(); err != nil {
		t.Fatal(err)
	}
	good, err := BuildTBSCertificate(base(), &prepared)
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseTBSCertificate(good, tbsKnown{})
	if err != nil {
		t.Fatal(err)
	}
	in := &lintInput{cert: c, profile: ProfileQualifiedPerson, issuer: &prepared}
	in.subject, _ = c.Subject.Subject()
	if in.facts() == nil {
		t.Fatal("the prepared issuer's facts are not used")
	}
	run := func(id string) error {
		for _, l := range lints {
			if l.ID == id {
				return l.Check(in)
			}
		}
		t.Fatalf("no lint %s", id)
		return nil
	}
	for _, id := range []string{"e_crl_pointers", "e_qualified_extensions", "e_issuer_key_usage_period", "e_signature_algorithm"} {
		if err := run(id); err != nil {
			t.Errorf("%s fails the builder's TBS: %v", id, err)
		}
	}
	replace := func(id asn1OID, v []byte) func() {
		saved := c.Extensions
		c.Extensions = append([]Extension(nil), c.Extensions...)
		for i := range c.Extensions {
			if c.Extensions[i].ID.Equal(id) {
				c.Extensions[i].Value = v
			}
		}
		return func() { c.Extensions = saved }
	}
	noClass, err := MarshalCertificatePolicies([]asn1OID{{1, 2, 3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		lint string
		oid  asn1OID
		v    []byte
	}{
		{"e_crl_pointers", OIDExtCRLDistributionPoints, []byte{0x30, 0x03, 0x02, 0x01, 0x01}},
		{"e_crl_pointers", OIDExtFreshestCRL, []byte{0x30, 0x00, 0x00}},
		{"e_qualified_extensions", OIDExtCertificatePolicies, noClass.Value},
		{"e_qualified_extensions", OIDExtCertificatePolicies, []byte{0x04, 0x00}},
	} {
		undo := replace(x.oid, x.v)
		if err := run(x.lint); err == nil {
			t.Errorf("%s passes %v = %x", x.lint, x.oid, x.v)
		}
		undo()
	}
	// Another certificate in the Issuer than the facts were made for:
	// they are not used.
	other := prepared
	otherCert := *prepared.Cert
	other.Cert = &otherCert
	in.issuer = &other
	if in.facts() != nil {
		t.Error("facts of another issuer certificate used")
	}
	if !errors.Is(run("e_crl_pointers"), nil) {
		t.Error("e_crl_pointers fails without the facts")
	}
}

// BenchmarkLintTBS is the lint pass alone (parse of the TBS just built
// and every lint) for a prepared and an unprepared issuer.
func BenchmarkLintTBS(b *testing.B) {
	now := time.Now().Truncate(time.Second)
	root := newTestRoot(b, gostKey(b, "tc26-256-A"), now)
	ica := root.issueCA(b, gostKey(b, "tc26-256-A"), now)
	ica.iss.CRLURLs = []string{"http://ca.example/crl/1.crl"}
	spki := spkiOf(b, gostKey(b, "tc26-256-A").Public())
	serial, _ := NewSerialNumber(rand.Reader)
	tbs, err := BuildTBSCertificate(&CertificateTemplate{Profile: ProfileQualifiedPerson, SerialNumber: serial, NotBefore: now,
		Subject: subscriberSubject(ProfileQualifiedPerson), PublicKey: spki, SubjectSignTool: "tool"}, ica.iss)
	if err != nil {
		b.Fatal(err)
	}
	prepared := *ica.iss
	if err := prepared.Prepare(); err != nil {
		b.Fatal(err)
	}
	for name, iss := range map[string]*Issuer{"unprepared": ica.iss, "prepared": &prepared} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := lintTBS(tbs, ProfileQualifiedPerson, iss, spki); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
