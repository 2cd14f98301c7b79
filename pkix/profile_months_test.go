package pkix

import (
	"crypto/rand"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/internal/openssltest"
)

func TestAddMonths(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 6, 48, 40, 0, time.UTC) }
	for _, c := range []struct {
		from time.Time
		n    int
		want time.Time
		days int
	}{
		{d(2023, 10, 2), 15, d(2025, 1, 2), 458}, // the tax service's 15 months across 29 February
		{d(2026, 2, 1), 15, d(2027, 5, 1), 454},  // the shortest 15 months
		{d(2026, 1, 15), 15, d(2027, 4, 15), 455},
		{d(2026, 1, 31), 1, d(2026, 2, 28), 28}, // clamped, not spilled into March
		{d(2028, 1, 31), 1, d(2028, 2, 29), 29},
		{d(2026, 8, 31), 15, d(2027, 11, 30), 456},
		{d(2026, 3, 1), 12 * 25, d(2051, 3, 1), 9131},
	} {
		got := AddMonths(c.from, c.n)
		if !got.Equal(c.want) || int(got.Sub(c.from)/(24*time.Hour)) != c.days {
			t.Errorf("%s + %d months = %s (%d days), want %s (%d days)", c.from.Format(time.DateOnly), c.n,
				got.Format(time.DateTime), int(got.Sub(c.from)/(24*time.Hour)), c.want.Format(time.DateTime), c.days)
		}
	}
}

// The lifetime cap is calendar months: the tax service's 458-day
// certificate (2 October 2023 to 2 January 2025, 15 calendar months) is
// within a qualified profile, one second more is not, and the same holds
// for privateKeyUsagePeriod. Before, the cap was 456 days.
func TestValidityCalendarMonths(t *testing.T) {
	nb := time.Date(2023, 10, 2, 6, 48, 40, 0, time.UTC)
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), nb)
	ica := root.issueCA(t, gostKey(t, "tc26-256-A"), nb)
	sub := gostKey(t, "tc26-256-A").Public()
	tmpl := func(p *Profile, notAfter time.Time) *CertificateTemplate {
		serial, _ := NewSerialNumber(rand.Reader)
		return &CertificateTemplate{Profile: p, SerialNumber: serial, NotBefore: nb, NotAfter: notAfter,
			Subject: subscriberSubject(p), PublicKey: spkiOf(t, sub), SubjectSignTool: "tool"}
	}
	end := time.Date(2025, 1, 2, 6, 48, 40, 0, time.UTC) // 458 days
	for _, p := range []*Profile{ProfileQualifiedPerson, ProfileQualifiedEntrepreneur, ProfileQualifiedLegalEntityHead, ProfileQualifiedEmployee} {
		der, err := CreateCertificate(rand.Reader, tmpl(p, end), ica.iss, ica.key)
		if err != nil {
			t.Fatalf("%s: 15 calendar months (458 days) refused: %v", p.Name, err)
		}
		if p == ProfileQualifiedPerson {
			// OpenSSL reads the same dates and verifies the chain then.
			bin := openssltest.Gost(t)
			dir := t.TempDir()
			leaf := writePEM(t, dir, "l.pem", der)
			dates := string(bin.Run(t, "x509", "-engine", "gost", "-in", leaf, "-noout", "-dates", "-ext", "privateKeyUsagePeriod"))
			for _, want := range []string{"notBefore=Oct  2 06:48:40 2023 GMT", "notAfter=Jan  2 06:48:40 2025 GMT", "Not After: Jan  2 06:48:40 2025 GMT"} {
				if !strings.Contains(dates, want) {
					t.Fatalf("openssl: %q not in\n%s", want, dates)
				}
			}
			out := bin.Run(t, "verify", "-engine", "gost", "-attime", strconv.FormatInt(end.Add(-time.Hour).Unix(), 10),
				"-CAfile", writePEM(t, dir, "r.pem", root.cert.Raw), "-untrusted", writePEM(t, dir, "i.pem", ica.cert.Raw), leaf)
			if !strings.Contains(string(out), ": OK") {
				t.Fatalf("openssl verify: %s", out)
			}
		}
		c, _ := ParseCertificate(der)
		kp, ok, err := c.KeyUsagePeriod()
		if err != nil || !ok || !kp.NotBefore.Equal(nb) || !kp.NotAfter.Equal(end) {
			t.Fatalf("%s: key usage period %+v", p.Name, kp)
		}
		// The default lifetime is the same 15 months.
		der, err = CreateCertificate(rand.Reader, tmpl(p, time.Time{}), ica.iss, ica.key)
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := ParseCertificate(der); !c.NotAfter.Equal(end) || !p.NotAfter(nb).Equal(end) {
			t.Fatalf("%s: default notAfter %v", p.Name, c.NotAfter)
		}
		_, err = BuildTBSCertificate(tmpl(p, end.Add(time.Second)), ica.iss)
		var le *LintError
		if !errors.As(err, &le) || !le.Has("e_validity_profile") {
			t.Fatalf("%s: one second past 15 months: %v", p.Name, err)
		}
	}

	// A configured cap of 12 months applies to validity and key usage.
	short, err := ProfileQualifiedPerson.Configure(ProfileOptions{ValidityMonths: 12, KeyUsageMonths: 12})
	if err != nil {
		t.Fatal(err)
	}
	if ProfileQualifiedPerson.ValidityMonths != 15 {
		t.Fatal("Configure changed the shipped profile")
	}
	if _, err := BuildTBSCertificate(tmpl(short, AddMonths(nb, 12)), ica.iss); err != nil {
		t.Fatal(err)
	}
	if _, err := BuildTBSCertificate(tmpl(short, AddMonths(nb, 13)), ica.iss); err == nil {
		t.Fatal("13 months under a 12-month profile")
	}
	// Key usage of 6 months in a 15-month certificate: the period is 6.
	six, err := ProfileQualifiedPerson.Configure(ProfileOptions{KeyUsageMonths: 6})
	if err != nil {
		t.Fatal(err)
	}
	der, err := CreateCertificate(rand.Reader, tmpl(six, time.Time{}), ica.iss, ica.key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := ParseCertificate(der)
	if kp, _, _ := c.KeyUsagePeriod(); !kp.NotAfter.Equal(AddMonths(nb, 6)) || !c.NotAfter.Equal(end) {
		t.Fatalf("6-month key usage: %+v, notAfter %v", kp, c.NotAfter)
	}
	// The linter refuses a key-usage period longer than the profile's.
	in := lintFor(t, der, ProfileQualifiedPerson.clone(), ica.iss)
	in.profile.KeyUsageMonths = 5
	if err := lintByID(t, "e_key_usage_period").Check(in); err == nil {
		t.Fatal("6-month key usage period passes a 5-month profile")
	}

	for name, o := range map[string]ProfileOptions{
		"negative months":       {ValidityMonths: -1},
		"key usage > validity":  {ValidityMonths: 12, KeyUsageMonths: 13},
		"a hundred years and 1": {ValidityMonths: 1201},
	} {
		if _, err := ProfileQualifiedPerson.Configure(o); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// lintFor parses a certificate's TBS into a lint input.
func lintFor(t *testing.T, der []byte, p *Profile, iss *Issuer) *lintInput {
	t.Helper()
	c, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	in := &lintInput{cert: c, profile: p, issuer: iss}
	in.subject, _ = c.Subject.Subject()
	return in
}

func lintByID(t *testing.T, id string) *Lint {
	t.Helper()
	for i := range lints {
		if lints[i].ID == id {
			return &lints[i]
		}
	}
	t.Fatalf("no lint %s", id)
	return nil
}

// The shipped profiles pass the checks configured ones must pass.
func TestShippedProfilesValid(t *testing.T) {
	for _, p := range Profiles() {
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
	}
}
