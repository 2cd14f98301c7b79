package ca

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/signer"
)

// Errors that say what to do: the checks here run before the signer (or
// reword what it answered) so that a refused request names the fields to
// supply, the profiles there are, or the key the issuer needs. The lints
// still run on every certificate; these only make the answer useful.

// subjectField is a subject attribute by its API name (api.SubjectJSON).
type subjectField struct {
	oid  asn1.ObjectIdentifier
	name string // the JSON name under "subject"
	attr string // the attribute's short name in certificates
	get  func(*pkix.Subject) string
}

var subjectFields = []subjectField{
	{pkix.OIDCommonName, "common_name", "CN", func(s *pkix.Subject) string { return s.CommonName }},
	{pkix.OIDSurname, "surname", "SN", func(s *pkix.Subject) string { return s.Surname }},
	{pkix.OIDGivenName, "given_name", "GN", func(s *pkix.Subject) string { return s.GivenName }},
	{pkix.OIDCountry, "country", "C", func(s *pkix.Subject) string { return s.Country }},
	{pkix.OIDStateOrProvince, "region", "ST", func(s *pkix.Subject) string { return s.Region }},
	{pkix.OIDLocality, "locality", "L", func(s *pkix.Subject) string { return s.Locality }},
	{pkix.OIDStreetAddress, "street", "STREET", func(s *pkix.Subject) string { return s.Street }},
	{pkix.OIDOrganization, "organization", "O", func(s *pkix.Subject) string { return s.Organization }},
	{pkix.OIDOrganizationalUnit, "org_unit", "OU", func(s *pkix.Subject) string { return s.OrgUnit }},
	{pkix.OIDTitle, "title", "title", func(s *pkix.Subject) string { return s.Title }},
	{pkix.OIDEmailAddress, "email", "emailAddress", func(s *pkix.Subject) string { return s.Email }},
	{pkix.OIDOGRN, "ogrn", "OGRN", func(s *pkix.Subject) string { return s.OGRN }},
	{pkix.OIDOGRNIP, "ogrnip", "OGRNIP", func(s *pkix.Subject) string { return s.OGRNIP }},
	{pkix.OIDSNILS, "snils", "SNILS", func(s *pkix.Subject) string { return s.SNILS }},
	{pkix.OIDINN, "inn", "INN", func(s *pkix.Subject) string { return s.INN }},
	{pkix.OIDINNLE, "inn_le", "INNLE", func(s *pkix.Subject) string { return s.INNLE }},
}

// missingSubject answers profile_violation with every subject field the
// profile requires and the request lacks (nil when none is missing).
func missingSubject(prof *pkix.Profile, subj *pkix.Subject) error {
	var fields, names []string
	for _, oid := range prof.Required {
		for i := range subjectFields {
			f := &subjectFields[i]
			if f.oid.Equal(oid) && f.get(subj) == "" {
				fields = append(fields, "subject."+f.name)
				if f.attr == f.name {
					names = append(names, f.name)
				} else {
					names = append(names, fmt.Sprintf("%s (%s)", f.name, f.attr))
				}
			}
		}
	}
	if fields == nil {
		return nil
	}
	return &caerr.Error{Code: caerr.CodeProfileViolation, Field: fields[0], Fields: fields,
		Detail: fmt.Sprintf("profile %s requires subject fields that are missing: %s", prof.Name, strings.Join(names, ", "))}
}

// unknownProfile lists the profiles the issuer has.
func unknownProfile(issuerID, name string, is *signer.Issuer) error {
	names := make([]string, 0, len(is.Profiles))
	for n := range is.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return &caerr.Error{Code: caerr.CodeUnknownProfile, Field: "profile",
		Detail: fmt.Sprintf("issuer %s has no profile %q; its profiles: %s", issuerID, name, strings.Join(names, ", "))}
}

// unknownIssuer lists the issuing CAs.
func (c *CA) unknownIssuer(id string) error {
	return &caerr.Error{Code: caerr.CodeUnknownIssuer, Field: "issuer",
		Detail: fmt.Sprintf("no issuing CA %q; the issuing CAs: %s (default %s)", id, strings.Join(c.order, ", "), c.order[0])}
}

// keyAdvice rewords the refusal of a request whose key the profile does
// not take (a non-GOST key for a GOST issuer, an RSA request, …): the
// code stays, the detail says which key to make. Other errors pass.
func keyAdvice(err error, issuerID string, prof *pkix.Profile) error {
	var ce *caerr.Error
	if !errors.As(err, &ce) {
		return err
	}
	var lintErr *pkix.LintError
	wrongKey := (errors.As(err, &lintErr) && lintErr.Has("e_key_algorithm")) ||
		ce.Code == "csr."+pkix.CSRFieldPublicKey+".unsupported" ||
		ce.Code == "csr."+pkix.CSRFieldSignatureAlgorithm+".unsupported"
	if !wrongKey {
		return err
	}
	gost, ecdsa := false, false
	for _, a := range prof.KeyAlgorithms {
		gost = gost || a.IsGOST()
		ecdsa = ecdsa || !a.IsGOST()
	}
	need := "the key types of the profile"
	switch {
	case gost && !ecdsa:
		need = "GOST R 34.10-2012 keys (256 or 512 bit): make the request with a GOST key, " +
			"e.g. openssl req -newkey gost2012_256 -pkeyopt paramset:TCA with the gost engine"
	case ecdsa && !gost:
		need = "ECDSA keys (P-256, P-384): make the request with an ECDSA key"
	}
	out := *ce
	out.Field = "csr"
	out.Detail = fmt.Sprintf("issuer %s, profile %s, certifies only %s; this request: %s", issuerID, prof.Name, need, ce.Detail)
	return &out
}

// transitionRefused says why a status change is not allowed: the
// certificate's current status, since when, and what can still be done.
func transitionRefused(err error, action StatusAction, rec *CertRecordView) error {
	var ce *caerr.Error
	if !errors.As(err, &ce) || ce.Code != caerr.CodeInvalidTransition || rec == nil {
		return err
	}
	var why string
	switch rec.State {
	case "revoked":
		why = fmt.Sprintf("the certificate is revoked (%s, since %s); revocation is final", rec.Reason, rec.Since)
	case "on_hold":
		why = fmt.Sprintf("the certificate is on_hold (suspended since %s); it can be resumed or revoked", rec.Since)
	case "valid":
		why = "the certificate is valid; it can be suspended or revoked"
	default:
		why = "the certificate's status is " + rec.State
	}
	out := *ce
	out.Detail = fmt.Sprintf("cannot %s: %s", action, why)
	return &out
}

// CertRecordView is the status of a certificate as transitionRefused
// words it.
type CertRecordView struct {
	State, Reason, Since string
}
