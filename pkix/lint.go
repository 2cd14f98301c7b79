package pkix

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Lint is one check run on every TBSCertificate before it is signed.
type Lint struct {
	ID          string // stable identifier, e.g. "e_serial_positive"
	Description string
	Check       func(*lintInput) error
}

type lintInput struct {
	cert    *Certificate
	profile *Profile
	issuer  *Issuer
	subject *Subject // nil if the subject has attributes Subject cannot hold
}

// LintError lists every lint a TBS failed; it wraps ErrInvalidValue.
type LintError struct {
	Failures []LintFailure
}

// LintFailure is one failed lint.
type LintFailure struct {
	ID  string
	Err error
}

func (e *LintError) Error() string {
	var b strings.Builder
	b.WriteString("pkix: certificate lint failed:")
	for _, f := range e.Failures {
		fmt.Fprintf(&b, " [%s] %v;", f.ID, f.Err)
	}
	return strings.TrimSuffix(b.String(), ";")
}

func (e *LintError) Unwrap() error { return ErrInvalidValue }

// Has reports whether the lint with the given id failed.
func (e *LintError) Has(id string) bool {
	for _, f := range e.Failures {
		if f.ID == id {
			return true
		}
	}
	return false
}

// Lints returns the lint table, in the order the lints run.
func Lints() []Lint { return append([]Lint(nil), lints...) }

// LintTBSCertificate parses tbs and runs every lint against the profile
// and the issuer. A nil result means the TBS may be signed.
func LintTBSCertificate(tbs []byte, p *Profile, iss *Issuer) error {
	return lintTBS(tbs, p, iss, nil)
}

// lintTBS is LintTBSCertificate with the subject key already validated
// (see parseTBSCertificate).
func lintTBS(tbs []byte, p *Profile, iss *Issuer, key *PublicKeyInfo) error {
	c, err := parseTBSCertificate(tbs, tbsKnown{key: key, issuer: iss.Cert, alias: true}) // c is dropped on return
	if err != nil {
		return err
	}
	in := &lintInput{cert: c, profile: p, issuer: iss}
	in.subject, _ = c.Subject.Subject()
	var failures []LintFailure
	for _, l := range lints {
		if err := l.Check(in); err != nil {
			failures = append(failures, LintFailure{ID: l.ID, Err: err})
		}
	}
	if failures != nil {
		return &LintError{Failures: failures}
	}
	return nil
}

var lints = []Lint{
	{"e_version_v3", "certificates are v3", func(in *lintInput) error {
		if in.cert.Version != 3 {
			return fmt.Errorf("version %d", in.cert.Version)
		}
		return nil
	}},
	{"e_serial_positive", "serial number is positive and minimally encoded", func(in *lintInput) error {
		if in.cert.SerialNumber.Sign() <= 0 {
			return errors.New("serial number is not positive")
		}
		return nil
	}},
	{"e_serial_length", "serial number is at most 20 octets (RFC 5280 §4.1.2.2)", func(in *lintInput) error {
		if n := len(in.cert.rawSerial); n > 20 {
			return fmt.Errorf("serial number is %d octets", n)
		}
		return nil
	}},
	{"e_serial_entropy", "serial number has room for at least 64 random bits", func(in *lintInput) error {
		if in.cert.SerialNumber.BitLen() < 64 {
			return fmt.Errorf("serial number has %d bits", in.cert.SerialNumber.BitLen())
		}
		return nil
	}},
	{"e_signature_algorithm", "signature algorithm is the issuer key's", func(in *lintInput) error {
		if in.cert.TBSSignatureAlgorithm != in.issuer.SignatureAlgorithm {
			return fmt.Errorf("%s, issuer signs %s", in.cert.TBSSignatureAlgorithm, in.issuer.SignatureAlgorithm)
		}
		if in.issuer.Cert != nil {
			var want SignatureAlgorithm
			var err error
			if f := in.facts(); f != nil {
				want, err = f.keyAlg, f.keyAlgErr
			} else {
				want, err = SignatureAlgorithmFor(in.issuer.Cert.PublicKey.Key)
			}
			if err != nil || want != in.issuer.SignatureAlgorithm {
				return fmt.Errorf("issuer key signs %s, not %s", want, in.issuer.SignatureAlgorithm)
			}
		}
		return nil
	}},
	{"e_issuer_name", "issuer is the issuing CA's subject, byte for byte", func(in *lintInput) error {
		want := in.cert.RawSubject // self-signed
		if in.issuer.Cert != nil {
			want = in.issuer.Cert.RawSubject
		}
		if !bytes.Equal(in.cert.RawIssuer, want) {
			return errors.New("issuer name differs from the CA's subject")
		}
		return nil
	}},
	{"e_validity_order", "notBefore is before notAfter", func(in *lintInput) error {
		if !in.cert.NotBefore.Before(in.cert.NotAfter) {
			return errors.New("notAfter is not after notBefore")
		}
		return nil
	}},
	{"e_validity_time_type", "UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)", func(in *lintInput) error {
		for i, t := range []time.Time{in.cert.NotBefore, in.cert.NotAfter} {
			want := cbasn1.UTCTime
			if t.Year() >= 2050 || t.Year() < 1950 {
				want = cbasn1.GeneralizedTime
			}
			if in.cert.timeTags[i] != want {
				return fmt.Errorf("%s encoded with the wrong time type", t.Format(time.RFC3339))
			}
		}
		return nil
	}},
	{"e_validity_profile", "lifetime within the profile's, in calendar months", func(in *lintInput) error {
		if max := in.profile.NotAfter(in.cert.NotBefore); in.cert.NotAfter.After(max) {
			return fmt.Errorf("notAfter %s is past the profile's %d calendar months from notBefore (%s)",
				in.cert.NotAfter.Format(time.DateTime), in.profile.ValidityMonths, max.Format(time.DateTime))
		}
		return nil
	}},
	{"e_key_usage_period", "privateKeyUsagePeriod is present exactly when the profile sets one, within its calendar months and the validity", func(in *lintInput) error {
		p, ok, err := in.cert.KeyUsagePeriod()
		if err != nil {
			return err
		}
		months := in.profile.KeyUsageMonths
		switch {
		case !ok && months > 0:
			return errors.New("no privateKeyUsagePeriod")
		case ok && months == 0:
			return fmt.Errorf("privateKeyUsagePeriod in profile %s, which has none", in.profile.Name)
		case !ok:
			return nil
		}
		if p.NotBefore.IsZero() || p.NotAfter.IsZero() {
			return errors.New("privateKeyUsagePeriod without both bounds")
		}
		if p.NotBefore.Before(in.cert.NotBefore) || p.NotAfter.After(in.cert.NotAfter) {
			return errors.New("privateKeyUsagePeriod outside the certificate's validity")
		}
		if max := AddMonths(p.NotBefore, months); p.NotAfter.After(max) {
			return fmt.Errorf("privateKeyUsagePeriod ends %s, past the profile's %d calendar months (%s)",
				p.NotAfter.Format(time.DateTime), months, max.Format(time.DateTime))
		}
		return nil
	}},
	{"e_issuer_key_usage_period", "issued while the issuer's key may sign (its privateKeyUsagePeriod)", func(in *lintInput) error {
		if in.issuer.Cert == nil {
			return nil
		}
		var nb, na time.Time
		var err error
		if f := in.facts(); f != nil {
			nb, na, err = f.windowFrom, f.windowTo, f.windowErr
		} else {
			nb, na, err = in.issuer.Cert.SigningWindow()
		}
		if err != nil {
			return fmt.Errorf("issuer: %w", err)
		}
		if t := in.cert.NotBefore; t.Before(nb) || t.After(na) {
			return fmt.Errorf("notBefore %s is outside the issuer key's signing period %s..%s",
				t.Format(time.DateTime), nb.Format(time.DateTime), na.Format(time.DateTime))
		}
		return nil
	}},
	{"e_validity_within_issuer", "validity within the issuer's", func(in *lintInput) error {
		if in.issuer.Cert == nil {
			return nil
		}
		if in.cert.NotAfter.After(in.issuer.Cert.NotAfter) {
			return fmt.Errorf("notAfter %s is after the issuer's %s", in.cert.NotAfter.Format(time.DateOnly), in.issuer.Cert.NotAfter.Format(time.DateOnly))
		}
		if in.cert.NotBefore.Before(in.issuer.Cert.NotBefore) {
			return errors.New("notBefore is before the issuer's")
		}
		return nil
	}},
	{"e_subject_required", "every attribute the profile requires is present", func(in *lintInput) error {
		var missing []string
		for _, oid := range in.profile.Required {
			if !nameHas(in.cert.Subject, oid) {
				missing = append(missing, attrName(oid))
			}
		}
		if missing != nil {
			return fmt.Errorf("missing %s", strings.Join(missing, ", "))
		}
		return nil
	}},
	{"e_subject_allowed", "no attribute outside the profile's", func(in *lintInput) error {
		for _, a := range in.cert.Subject.Attrs {
			if !containsOID(in.profile.Allowed, a.Type) {
				return fmt.Errorf("%s not allowed in profile %s", attrName(a.Type), in.profile.Name)
			}
		}
		return nil
	}},
	{"e_subject_string_types", "attributes use the string types of docs/profile.md §2", func(in *lintInput) error {
		for _, a := range in.cert.Subject.Attrs {
			if f := subjectFieldFor(a.Type); f != nil && a.Tag != f.kind.tag() {
				return fmt.Errorf("%s is string type %d, want %d", f.name, a.Tag, f.kind.tag())
			}
		}
		return nil
	}},
	{"e_subject_values", "identifiers have valid checksums; text is clean", func(in *lintInput) error {
		if in.subject == nil {
			return errors.New("subject has attributes outside the qualified profile's set or repeats one")
		}
		return in.subject.Validate()
	}},
	{"e_key_algorithm", "subject key type is one the profile takes", func(in *lintInput) error {
		alg, err := SignatureAlgorithmFor(in.cert.PublicKey.Key)
		if err != nil {
			return err
		}
		for _, a := range in.profile.KeyAlgorithms {
			if a == alg {
				return nil
			}
		}
		return fmt.Errorf("%s keys not allowed in profile %s", alg, in.profile.Name)
	}},
	{"e_extensions_present", "a v3 certificate has a non-empty extension list", func(in *lintInput) error {
		if len(in.cert.Extensions) == 0 {
			return errors.New("no extensions")
		}
		return nil
	}},
	{"e_key_usage", "keyUsage is critical and exactly the profile's", func(in *lintInput) error {
		e, ok := FindExtension(in.cert.Extensions, OIDExtKeyUsage)
		if !ok || !e.Critical {
			return errors.New("keyUsage missing or not critical")
		}
		if in.cert.KeyUsage != in.profile.KeyUsage {
			return fmt.Errorf("keyUsage %#x, profile wants %#x", in.cert.KeyUsage, in.profile.KeyUsage)
		}
		if in.cert.KeyUsage&(KeyUsageCertSign|KeyUsageCRLSign) != 0 && !in.profile.CA {
			return errors.New("keyCertSign or cRLSign on a non-CA certificate")
		}
		return nil
	}},
	{"e_basic_constraints", "CA certificates have critical basicConstraints cA=TRUE; others are not CAs", func(in *lintInput) error {
		e, ok := FindExtension(in.cert.Extensions, OIDExtBasicConstraints)
		if in.profile.CA {
			if !ok || !e.Critical || !in.cert.IsCA {
				return errors.New("CA certificate without critical basicConstraints cA=TRUE")
			}
		} else if in.cert.IsCA {
			return errors.New("end-entity certificate with cA=TRUE")
		}
		return nil
	}},
	{"e_key_identifiers", "SKI is present; AKI matches the issuer's SKI", func(in *lintInput) error {
		if len(in.cert.SubjectKeyID) == 0 {
			return errors.New("no subjectKeyIdentifier")
		}
		want := in.cert.SubjectKeyID
		if in.issuer.Cert != nil {
			want = in.issuer.Cert.SubjectKeyID
		}
		if !bytes.Equal(in.cert.AuthorityKeyID, want) {
			return errors.New("authorityKeyIdentifier does not match the issuer's key")
		}
		return nil
	}},
	{"e_qualified_extensions", "qualified certificates carry subjectSignTool, issuerSignTool, IdentificationKind and class policies", func(in *lintInput) error {
		if !in.profile.Qualified {
			return nil
		}
		var missing []string
		for _, need := range []struct {
			oid  asn1.ObjectIdentifier
			name string
		}{{OIDExtSubjectSignTool, "subjectSignTool"}, {OIDExtIssuerSignTool, "issuerSignTool"}, {OIDExtIdentificationKind, "IdentificationKind"}, {OIDExtCertificatePolicies, "certificatePolicies"}} {
			if _, ok := FindExtension(in.cert.Extensions, need.oid); !ok {
				missing = append(missing, need.name)
			}
		}
		if missing != nil {
			return fmt.Errorf("missing %s", strings.Join(missing, ", "))
		}
		e, _ := FindExtension(in.cert.Extensions, OIDExtCertificatePolicies)
		if f := in.facts(); f != nil && sameOK(f.classPolicies, e.Value) {
			return nil
		}
		return hasClassPolicy(e.Value)
	}},
	{"e_crl_pointers", "cRLDistributionPoints and freshestCRL are non-critical and parse; freshestCRL only with cRLDistributionPoints (RFC 5280 §4.2.1.13, §4.2.1.15)", func(in *lintInput) error {
		cdp, hasCDP := FindExtension(in.cert.Extensions, OIDExtCRLDistributionPoints)
		fr, hasFresh := FindExtension(in.cert.Extensions, OIDExtFreshestCRL)
		if hasCDP {
			if cdp.Critical {
				return errors.New("cRLDistributionPoints is critical")
			}
			if f := in.facts(); f == nil || !sameOK(f.cdpOK, cdp.Value) {
				if _, err := ParseCRLDistributionPoints(cdp.Value); err != nil {
					return err
				}
			}
		}
		if hasFresh {
			if fr.Critical {
				return errors.New("freshestCRL is critical")
			}
			if !hasCDP {
				return errors.New("freshestCRL without cRLDistributionPoints")
			}
			if f := in.facts(); f == nil || !sameOK(f.freshestOK, fr.Value) {
				if _, err := ParseFreshestCRL(fr.Value); err != nil {
					return err
				}
			}
		}
		return nil
	}},
	{"e_ext_key_usage", "extendedKeyUsage is non-critical, has the profile's purposes and others only from its allow-list", func(in *lintInput) error {
		e, ok := FindExtension(in.cert.Extensions, OIDExtExtKeyUsage)
		if !ok {
			if len(in.profile.ExtKeyUsage) > 0 {
				return errors.New("profile requires extendedKeyUsage")
			}
			return nil
		}
		if e.Critical {
			return errors.New("extendedKeyUsage is critical")
		}
		got, err := ParseExtKeyUsage(e.Value)
		if err != nil {
			return err
		}
		for _, o := range in.profile.ExtKeyUsage {
			if !containsOID(got, o) {
				return fmt.Errorf("purpose %s of profile %s missing", o, in.profile.Name)
			}
		}
		for _, o := range got {
			if !containsOID(in.profile.ExtKeyUsage, o) && !containsOID(in.profile.AllowedExtKeyUsage, o) {
				return fmt.Errorf("purpose %s not allowed in profile %s", o, in.profile.Name)
			}
		}
		return nil
	}},
	{"e_subject_email_in_san", "the subject's emailAddress is also an rfc822Name of subjectAltName (RFC 5280 §4.1.2.6)", func(in *lintInput) error {
		var emails []string
		for _, a := range in.cert.Subject.Attrs {
			if a.Type.Equal(OIDEmailAddress) {
				emails = append(emails, a.Value)
			}
		}
		if emails == nil {
			return nil
		}
		e, ok := FindExtension(in.cert.Extensions, OIDExtSubjectAltName)
		if !ok {
			return errors.New("emailAddress in the subject without subjectAltName")
		}
		alt, err := ParseSubjectAltName(e.Value)
		if err != nil {
			return err
		}
		for _, m := range emails {
			if !slices.Contains(alt.Emails, m) {
				return fmt.Errorf("subject emailAddress %s not in subjectAltName", m)
			}
		}
		return nil
	}},
}

// hasClassPolicy returns nil if the certificatePolicies value v parses
// and carries a class policy (1.2.643.100.113.x).
func hasClassPolicy(v []byte) error {
	pols, err := ParseCertificatePolicies(v)
	if err != nil {
		return err
	}
	for _, p := range pols {
		if len(p) == 6 && p[:5].Equal(asn1.ObjectIdentifier{1, 2, 643, 100, 113}) {
			return nil
		}
	}
	return errors.New("no class policy (1.2.643.100.113.x)")
}

func nameHas(n *Name, oid asn1.ObjectIdentifier) bool {
	for _, a := range n.Attrs {
		if a.Type.Equal(oid) && a.Value != "" {
			return true
		}
	}
	return false
}

func subjectFieldFor(oid asn1.ObjectIdentifier) *subjectField {
	for i := range subjectOrder {
		if subjectOrder[i].oid.Equal(oid) {
			return &subjectOrder[i]
		}
	}
	return nil
}
