package pkix

import (
	"fmt"
	"strconv"
)

// Bounds on the lists a certificate request may carry into a
// TBSCertificate. They are far above what a qualified certificate holds
// (one or two e-mail addresses, a handful of key purposes, one CRL
// location) and far below what costs memory: without them 20,000 e-mail
// addresses made a 160 KB TBSCertificate that nothing downstream would
// store. MaxTBSSize bounds the encoding as a whole.
const (
	MaxEmails      = 16 // CertificateTemplate.Emails (subjectAltName rfc822Name)
	MaxExtKeyUsage = 16 // CertificateTemplate.ExtKeyUsage
	MaxCRLURLs     = 8  // CertificateTemplate.CRLURLs and FreshestCRLURLs; Issuer's URL lists
	MaxPolicies    = 16 // Issuer.Policies
	MaxTBSSize     = 32 << 10
)

// ListError reports a list longer than its bound. It is both an
// ErrTooLarge and an ErrInvalidValue: the caller sent too much, and the
// request is refused as invalid input (an HTTP API answers 400).
type ListError struct {
	List  string // the list, as the template names it: "emails", "ext_key_usage", ...
	Count int
	Max   int
}

func (e *ListError) Error() string {
	return fmt.Sprintf("pkix: %s: %d entries, at most %d allowed; send at most %d", e.List, e.Count, e.Max, e.Max)
}

// Unwrap makes a ListError both ErrTooLarge and ErrInvalidValue.
func (e *ListError) Unwrap() []error { return []error{ErrTooLarge, ErrInvalidValue} }

// CheckListLen returns a *ListError when n > max. The RA and the API use
// it for lists they accept before they reach a template.
func CheckListLen(list string, n, max int) error {
	if n > max {
		return &ListError{List: list, Count: n, Max: max}
	}
	return nil
}

// checkTemplateLists bounds every list of tmpl and of the issuer's
// per-certificate lists, before anything is encoded.
func checkTemplateLists(tmpl *CertificateTemplate, iss *Issuer) error {
	for _, l := range [...]struct {
		name string
		n    int
		max  int
	}{
		{"emails", len(tmpl.Emails), MaxEmails},
		{"ext_key_usage", len(tmpl.RequestedExtKeyUsage), MaxExtKeyUsage},
		{"crl_urls", len(tmpl.CRLURLs), MaxCRLURLs},
		{"freshest_crl_urls", len(tmpl.FreshestCRLURLs), MaxCRLURLs},
		{"issuer.crl_urls", len(iss.CRLURLs), MaxCRLURLs},
		{"issuer.freshest_crl_urls", len(iss.FreshestCRLURLs), MaxCRLURLs},
		{"issuer.ocsp_urls", len(iss.OCSPURLs), MaxCRLURLs},
		{"issuer.ca_issuers_urls", len(iss.CAIssuersURLs), MaxCRLURLs},
		{"issuer.policies", len(iss.Policies), MaxPolicies},
	} {
		if err := CheckListLen(l.name, l.n, l.max); err != nil {
			return err
		}
	}
	return nil
}

// checkTBSSize bounds an encoded TBSCertificate.
func checkTBSSize(tbs []byte) error {
	if len(tbs) > MaxTBSSize {
		return fmt.Errorf("pkix: tbsCertificate: %w: %s bytes, at most %d", ErrTooLarge, strconv.Itoa(len(tbs)), MaxTBSSize)
	}
	return nil
}
