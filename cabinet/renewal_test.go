package cabinet

import (
	"crypto/rand"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/appform"
	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/internal/openssltest"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/pkix/cms"
)

// renewalTestCA issues qualified-person certificates for the renewal
// tests.
type renewalTestCA struct {
	key  *gost3410.PrivateKey
	cert *pkix.Certificate
}

func renewalNewCA(t *testing.T) *renewalTestCA {
	t.Helper()
	c, _ := gost3410.CurveByName("tc26-256-A")
	key, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &renewalTestCA{key: key}
	ca.cert = ca.issue(t, pkix.ProfileRootCA, &pkix.Subject{CommonName: "Renewal test CA", Organization: "GostCA test", Country: "RU"},
		key.PublicKey(), time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), 20*365*24*time.Hour, true)
	return ca
}

func (ca *renewalTestCA) issue(t *testing.T, p *pkix.Profile, sub *pkix.Subject, pub *gost3410.PublicKey, notBefore time.Time, life time.Duration, self bool) *pkix.Certificate {
	t.Helper()
	spkiDER, err := pkix.MarshalPublicKeyInfo(pub)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := pkix.ParsePublicKeyInfo(spkiDER)
	if err != nil {
		t.Fatal(err)
	}
	return ca.issueSPKI(t, p, sub, spki, notBefore, life, self)
}

func (ca *renewalTestCA) issueSPKI(t *testing.T, p *pkix.Profile, sub *pkix.Subject, spki *pkix.PublicKeyInfo, notBefore time.Time, life time.Duration, self bool) *pkix.Certificate {
	t.Helper()
	serial, err := pkix.NewSerialNumber(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	iss := &pkix.Issuer{Cert: ca.cert, SignatureAlgorithm: pkix.GOST256,
		SignTool: &pkix.IssuerSignTool{SignTool: "СКЗИ test", CATool: "GostCA", SignToolCert: "СФ/124-0000", CAToolCert: "СФ/128-0000"},
		Policies: []asn1.ObjectIdentifier{pkix.OIDPolicyKC1}}
	if self {
		iss.Cert = nil
	}
	tmpl := &pkix.CertificateTemplate{Profile: p, SerialNumber: serial, NotBefore: notBefore.Truncate(time.Second),
		NotAfter: notBefore.Truncate(time.Second).Add(life), Subject: sub, PublicKey: spki, SubjectSignTool: "СКЗИ test"}
	der, err := pkix.CreateCertificate(rand.Reader, tmpl, iss, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pkix.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func renewalPersonSubject() *pkix.Subject {
	return &pkix.Subject{CommonName: "Иванов Пётр Сергеевич", Surname: "Иванов", GivenName: "Пётр Сергеевич",
		Country: "RU", SNILS: "11223344595", INN: "500100123426"}
}

// holder issues a one-year qualified-person certificate from notBefore.
func (ca *renewalTestCA) holder(t *testing.T, sub *pkix.Subject, notBefore time.Time) *pkix.Certificate {
	t.Helper()
	c, _ := gost3410.CurveByName("tc26-256-A")
	k, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return ca.issue(t, pkix.ProfileQualifiedPerson, sub, k.PublicKey(), notBefore, 365*24*time.Hour, false)
}

func TestRenewalCheck(t *testing.T) {
	ca := renewalNewCA(t)
	cert := ca.holder(t, renewalPersonSubject(), time.Now().Add(-300*24*time.Hour))
	end := cert.NotAfter
	day := 24 * time.Hour
	rules := RenewalRules{}
	cases := []struct {
		name string
		req  RenewalRequest
		want RenewalCode // "" for allowed
	}{
		{"60 days before", RenewalRequest{Now: end.Add(-60 * day)}, ""},
		{"exactly 70 days before", RenewalRequest{Now: end.Add(-70 * day)}, ""},
		{"on the last second", RenewalRequest{Now: end}, ""},
		{"71 days before", RenewalRequest{Now: end.Add(-71 * day)}, RenewalTooEarly},
		{"70 days and a second before", RenewalRequest{Now: end.Add(-70*day - time.Second)}, RenewalTooEarly},
		{"a second after expiry", RenewalRequest{Now: end.Add(time.Second)}, RenewalExpired},
		{"long expired", RenewalRequest{Now: end.Add(100 * day)}, RenewalExpired},
		{"revoked", RenewalRequest{Now: end.Add(-10 * day), Status: RenewalCertRevoked}, RenewalRevoked},
		{"suspended", RenewalRequest{Now: end.Add(-10 * day), Status: RenewalCertHeld}, RenewalSuspended},
		{"revoked and expired", RenewalRequest{Now: end.Add(day), Status: RenewalCertRevoked}, RenewalRevoked},
		{"organisation changed", RenewalRequest{Now: end.Add(-10 * day), OrganizationChanged: true}, RenewalOrgChanged},
		{"responsible person changed", RenewalRequest{Now: end.Add(-10 * day), ResponsiblePersonChanged: true}, RenewalResponsibleChanged},
		{"centre opened an application", RenewalRequest{Now: end.Add(-10 * day), OpenApplication: true}, RenewalApplicationOpen},
		{"organisation changed, too early", RenewalRequest{Now: end.Add(-100 * day), OrganizationChanged: true}, RenewalOrgChanged},
		{"expired with an open application", RenewalRequest{Now: end.Add(day), OpenApplication: true}, RenewalExpired},
	}
	for _, c := range cases {
		c.req.Current = cert
		got := rules.Check(c.req)
		switch {
		case c.want == "" && got != nil:
			t.Errorf("%s: refused: %s (%s)", c.name, got.Code, got.Message)
		case c.want != "" && (got == nil || got.Code != c.want):
			t.Errorf("%s: got %+v, want %s", c.name, got, c.want)
		case got != nil && (got.Message == "" || got.Error() == ""):
			t.Errorf("%s: refusal without a message", c.name)
		}
	}
	if got := rules.Check(RenewalRequest{Now: time.Now()}); got == nil || got.Code != RenewalNoCertificate {
		t.Errorf("no certificate: %+v", got)
	}
}

func TestRenewalTooEarlySaysWhen(t *testing.T) {
	ca := renewalNewCA(t)
	cert := ca.holder(t, renewalPersonSubject(), time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	// notAfter 2027-03-10 09:00 UTC; 70 days earlier is 2026-12-30 (MSK).
	got := RenewalRules{}.Check(RenewalRequest{Current: cert, Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if got == nil || got.Code != RenewalTooEarly {
		t.Fatalf("got %+v", got)
	}
	if !strings.Contains(got.Message, "renewal opens on 30.12.2026") || !strings.Contains(got.Message, "10.03.2027") {
		t.Errorf("message %q does not say when", got.Message)
	}
	if want := cert.NotAfter.Add(-70 * 24 * time.Hour); !got.OpensAt.Equal(want) {
		t.Errorf("OpensAt %v, want %v", got.OpensAt, want)
	}
	// A configured window moves the date.
	got = RenewalRules{Window: 30 * 24 * time.Hour}.Check(RenewalRequest{Current: cert, Now: cert.NotAfter.Add(-40 * 24 * time.Hour)})
	if got == nil || got.Code != RenewalTooEarly || !strings.Contains(got.Message, "renewal opens on 08.02.2027") {
		t.Errorf("30-day window, 40 days before: %+v", got)
	}
	if got := (RenewalRules{Window: 30 * 24 * time.Hour}).Check(RenewalRequest{Current: cert, Now: cert.NotAfter.Add(-29 * 24 * time.Hour)}); got != nil {
		t.Errorf("30-day window, 29 days before: %+v", got)
	}
}

func TestRenewalCheckSigner(t *testing.T) {
	ca := renewalNewCA(t)
	start := time.Now().Add(-300 * 24 * time.Hour)
	cert := ca.holder(t, renewalPersonSubject(), start)
	otherPerson := renewalPersonSubject()
	otherPerson.CommonName, otherPerson.Surname, otherPerson.SNILS, otherPerson.INN = "Петров Пётр Сергеевич", "Петров", "08765430300", "784806113663"
	another := ca.holder(t, otherPerson, start)
	sameHolderNewKey := ca.holder(t, renewalPersonSubject(), start)
	now := time.Now()
	signed := now.Add(-time.Minute)
	person := RenewalPerson{FullName: "Иванов Пётр Сергеевич", SNILS: "112-233-445 95", INN: "500100123426"}

	if r := RenewalCheckSigner(cert, cert, signed, now, person); r != nil {
		t.Fatalf("holder signing: %s", r.Message)
	}
	// Name compared without case, extra spaces or ё/е.
	loose := person
	loose.FullName = "  ИВАНОВ   Петр сергеевич "
	if r := RenewalCheckSigner(cert, cert, signed, now, loose); r != nil {
		t.Errorf("folded name: %s", r.Message)
	}
	// The serial and issuer of the current certificate on other bytes.
	forged := *sameHolderNewKey
	forged.SerialNumber = cert.SerialNumber
	cases := []struct {
		name   string
		signer *pkix.Certificate
		at     time.Time
		person RenewalPerson
		want   RenewalCode
		says   string
	}{
		{"another person's certificate", another, signed, person, RenewalSignerMismatch, "not with the certificate being renewed"},
		{"the holder's other certificate", sameHolderNewKey, signed, person, RenewalSignerMismatch, "not with the certificate being renewed"},
		{"same serial, other certificate", &forged, signed, person, RenewalSignerMismatch, "serial number"},
		{"no signer", nil, signed, person, RenewalSignerMismatch, ""},
		{"other full name", cert, signed, RenewalPerson{FullName: "Иванов Павел Сергеевич", SNILS: person.SNILS, INN: person.INN}, RenewalPersonMismatch, "full name"},
		{"other SNILS", cert, signed, RenewalPerson{FullName: person.FullName, SNILS: "08765430300", INN: person.INN}, RenewalPersonMismatch, "SNILS"},
		{"other INN", cert, signed, RenewalPerson{FullName: person.FullName, SNILS: person.SNILS, INN: "784806113663"}, RenewalPersonMismatch, "INN"},
		{"no INN in the data", cert, signed, RenewalPerson{FullName: person.FullName, SNILS: person.SNILS}, RenewalPersonMismatch, "INN"},
		{"everything else", cert, signed, RenewalPerson{FullName: "Петров Пётр", SNILS: "08765430300", INN: "784806113663"}, RenewalPersonMismatch, "full name, SNILS, INN"},
		{"signed in the future", cert, now.Add(time.Hour), person, RenewalSigningTime, "future"},
		{"signed before the certificate", cert, cert.NotBefore.Add(-time.Hour), person, RenewalSigningTime, "validity"},
		{"signed after it expired", cert, cert.NotAfter.Add(time.Hour), person, RenewalSigningTime, "validity"},
	}
	for _, c := range cases {
		r := RenewalCheckSigner(c.signer, cert, c.at, now, c.person)
		if r == nil || r.Code != c.want || !strings.Contains(r.Message, c.says) {
			t.Errorf("%s: got %+v, want %s saying %q", c.name, r, c.want, c.says)
		}
	}
	if r := RenewalCheckSigner(cert, nil, signed, now, person); r == nil || r.Code != RenewalNoCertificate {
		t.Errorf("no current certificate: %+v", r)
	}
}

// renewalOSSLHolder is a holder whose key OpenSSL keeps: OpenSSL makes
// the key and a request, the test CA certifies the key as a qualified
// person's.
type renewalOSSLHolder struct {
	keyPath, certPath string
	cert              *pkix.Certificate
}

func (ca *renewalTestCA) osslHolder(t *testing.T, o *openssltest.OpenSSL, sub *pkix.Subject, notBefore time.Time) *renewalOSSLHolder {
	t.Helper()
	dir := t.TempDir()
	h := &renewalOSSLHolder{keyPath: filepath.Join(dir, "holder.key"), certPath: filepath.Join(dir, "holder.pem")}
	csr := o.Run(t, "req", "-new", "-newkey", "gost2012_256", "-pkeyopt", "paramset:A", "-nodes",
		"-keyout", h.keyPath, "-subj", "/CN=holder", "-outform", "DER")
	req, err := pkix.ParseCertificateRequest(csr)
	if err != nil {
		t.Fatal(err)
	}
	h.cert = ca.issueSPKI(t, pkix.ProfileQualifiedPerson, sub, req.PublicKey, notBefore, 365*24*time.Hour, false)
	if err := os.WriteFile(h.certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return h
}

// The renewal story end to end, short of HTTP: 60 days before expiry the
// rules allow renewal, the holder signs the rendered renewal form with
// the current certificate (OpenSSL, detached CAdES-BES), pkix/cms
// verifies it against the form rendered again and the current
// certificate, and the signer check accepts the holder and refuses
// another person's certificate.
func TestRenewalSignedWithCurrentCertificate(t *testing.T) {
	o := openssltest.Gost(t)
	ca := renewalNewCA(t)
	start := time.Now().Add(-305 * 24 * time.Hour)
	holder := ca.osslHolder(t, o, renewalPersonSubject(), start)
	otherSub := renewalPersonSubject()
	otherSub.CommonName, otherSub.Surname, otherSub.SNILS, otherSub.INN = "Петров Пётр Сергеевич", "Петров", "08765430300", "784806113663"
	other := ca.osslHolder(t, o, otherSub, start)

	now := holder.cert.NotAfter.Add(-60 * 24 * time.Hour)
	if r := (RenewalRules{}).Check(RenewalRequest{Current: holder.cert, Now: now}); r != nil {
		t.Fatalf("renewal 60 days before expiry: %s", r.Message)
	}
	form := appform.RenewalForm{
		Form: appform.Form{ApplicationID: "ren-1", CertType: "person", Replaces: holder.cert.SerialNumber.Text(16),
			Owner: appform.Owner{Surname: "Иванов", GivenName: "Пётр", Patronymic: "Сергеевич", SNILS: "11223344595", INN: "500100123426"},
			Date:  time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)},
		CurrentNotBefore: holder.cert.NotBefore, CurrentNotAfter: holder.cert.NotAfter,
	}
	rendered, err := appform.RenderRenewal(form)
	if err != nil {
		t.Fatal(err)
	}
	pdf := openssltest.WriteFile(t, "renewal.pdf", rendered.PDF)
	person := RenewalPerson{FullName: form.Owner.FullName(), SNILS: form.Owner.SNILS, INN: form.Owner.INN}
	sign := func(h *renewalOSSLHolder, flags ...string) []byte {
		return o.Run(t, append([]string{"cms", "-sign", "-binary", "-cades", "-in", pdf, "-signer", h.certPath,
			"-inkey", h.keyPath, "-outform", "DER"}, flags...)...)
	}
	again, err := appform.RenderRenewal(form)
	if err != nil {
		t.Fatal(err)
	}
	for _, flags := range [][]string{nil, {"-nocerts"}} {
		sig, err := cms.Verify(sign(holder, flags...), cms.VerifyOptions{Content: again.PDF, Certificates: []*pkix.Certificate{holder.cert}})
		if err != nil {
			t.Fatalf("%v: %v", flags, err)
		}
		if r := RenewalCheckSigner(sig.Signer, holder.cert, sig.SigningTime, time.Now(), person); r != nil {
			t.Fatalf("%v: holder refused: %s", flags, r.Message)
		}
	}
	// Another person's certificate signs the same form.
	sig, err := cms.Verify(sign(other), cms.VerifyOptions{Content: again.PDF, Certificates: []*pkix.Certificate{holder.cert}})
	if err != nil {
		t.Fatal(err)
	}
	if r := RenewalCheckSigner(sig.Signer, holder.cert, sig.SigningTime, time.Now(), person); r == nil || r.Code != RenewalSignerMismatch {
		t.Fatalf("another person's certificate: %+v", r)
	}
	// Without its certificate in the CMS, another person's signature
	// finds no signer among the holder's.
	if _, err := cms.Verify(sign(other, "-nocerts"), cms.VerifyOptions{Content: again.PDF, Certificates: []*pkix.Certificate{holder.cert}}); !errors.Is(err, cms.ErrNoSignerCertificate) {
		t.Fatalf("another person's key, no certificates: %v", err)
	}
	// A form changed after signing does not verify.
	changed := form
	changed.Owner.Email = "changed@example.org"
	changedPDF, err := appform.RenderRenewal(changed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cms.Verify(sign(holder), cms.VerifyOptions{Content: changedPDF.PDF}); !errors.Is(err, cms.ErrDigestMismatch) {
		t.Fatalf("changed form: %v", err)
	}
	// After expiry and when revoked the rules refuse before any signature
	// is looked at.
	for _, req := range []RenewalRequest{
		{Current: holder.cert, Now: holder.cert.NotAfter.Add(time.Hour)},
		{Current: holder.cert, Now: now, Status: RenewalCertRevoked},
	} {
		if r := (RenewalRules{}).Check(req); r == nil {
			t.Errorf("renewal allowed: %+v", req)
		}
	}
}
