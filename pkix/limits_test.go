package pkix

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// 20,000 e-mail addresses used to make a 160 KB TBSCertificate; now every
// list of the template is bounded and the error names the list and its
// limit, and is both ErrTooLarge and ErrInvalidValue (a 400, not a 500).
func TestTemplateListBounds(t *testing.T) {
	now := time.Now()
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), now)
	ca := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	pub := gostKey(t, "tc26-256-A").Public()
	emails := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("user%d@example.ru", i)
		}
		return out
	}
	urls := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("http://127.0.0.1/crl/%d.crl", i)
		}
		return out
	}
	build := func(edit func(*CertificateTemplate)) ([]byte, error) {
		serial, _ := NewSerialNumber(rand.Reader)
		tmpl := &CertificateTemplate{
			Profile: ProfileQualifiedPerson, SerialNumber: serial, NotBefore: now,
			Subject: subscriberSubject(ProfileQualifiedPerson), PublicKey: spkiOf(t, pub),
			SubjectSignTool: `СКЗИ "КриптоПро CSP" (версия 5.0)`, IdentificationKind: IdentificationPersonal,
		}
		edit(tmpl)
		return BuildTBSCertificate(tmpl, ca.iss)
	}
	if _, err := build(func(c *CertificateTemplate) { c.Emails = emails(MaxEmails) }); err != nil {
		t.Fatalf("%d e-mails (the bound) refused: %v", MaxEmails, err)
	}
	for _, tc := range []struct {
		list string
		n    int
		max  int
		edit func(*CertificateTemplate)
	}{
		{"emails", 20000, MaxEmails, func(c *CertificateTemplate) { c.Emails = emails(20000) }},
		{"emails", MaxEmails + 1, MaxEmails, func(c *CertificateTemplate) { c.Emails = emails(MaxEmails + 1) }},
		{"ext_key_usage", 17, MaxExtKeyUsage, func(c *CertificateTemplate) {
			for range 17 {
				c.RequestedExtKeyUsage = append(c.RequestedExtKeyUsage, OIDExtKeyUsageClientAuth)
			}
		}},
		{"crl_urls", 9, MaxCRLURLs, func(c *CertificateTemplate) { c.CRLURLs = urls(9) }},
		{"freshest_crl_urls", 100, MaxCRLURLs, func(c *CertificateTemplate) { c.FreshestCRLURLs = urls(100) }},
	} {
		tbs, err := build(tc.edit)
		var le *ListError
		if !errors.As(err, &le) {
			t.Fatalf("%s × %d: %d bytes, %v; want a ListError", tc.list, tc.n, len(tbs), err)
		}
		if le.List != tc.list || le.Count != tc.n || le.Max != tc.max || !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrInvalidValue) {
			t.Errorf("%s × %d: got %+v (%v)", tc.list, tc.n, le, err)
		}
		if !strings.Contains(err.Error(), tc.list) || !strings.Contains(err.Error(), fmt.Sprint(tc.max)) {
			t.Errorf("message %q does not name the list and its limit", err)
		}
	}
}
