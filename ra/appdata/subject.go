package appdata

import (
	"errors"
	"strings"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// FullName is the owner's name as the passport prints it: surname, given
// name and patronymic (if any), single spaces.
func FullName(o *store.Owner) string {
	return strings.Join(nonEmpty(o.Surname, o.GivenName, o.Patronymic), " ")
}

// GivenAndPatronymic is the GN attribute: given name and patronymic.
func GivenAndPatronymic(o *store.Owner) string {
	return strings.Join(nonEmpty(o.GivenName, o.Patronymic), " ")
}

// Address is an organisation's address on one line: its region,
// locality and street, those given, separated by commas.
func Address(g *store.Organisation) string {
	return strings.Join(nonEmpty(g.Region, g.Locality, g.Street), ", ")
}

func nonEmpty(parts ...string) []string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Subject is the certificate subject an application leads to, exactly
// as its data reads (no case folding, Ё kept): CN the owner's full name
// (or the organisation's name where the profile says so), SN and GN, C=RU
// (the CA's country: qualified certificates of a Russian CA), SNILS, the
// person's INN, e-mail, title (position); with an organisation O, INNLE,
// OGRN or OGRNIP, and its address as ST, L and street.
func Subject(a *store.Application, p *Profile) pkix.Subject {
	o, g := &a.Owner, &a.Org
	s := pkix.Subject{
		CommonName: FullName(o), Surname: o.Surname, GivenName: GivenAndPatronymic(o), Country: "RU",
		SNILS: o.SNILS, INN: o.INN, Email: o.Email, Title: o.Position,
		Organization: g.Name, INNLE: g.INN, OGRN: g.OGRN, OGRNIP: g.OGRNIP,
		Region: g.Region, Locality: g.Locality, Street: g.Street,
	}
	if p.CommonName == "organisation" && g.Name != "" {
		s.CommonName = g.Name
	}
	return s
}

// CheckSubject runs pkix's subject rules (identifier checksums, string
// repertoires, lengths, and whatever name rules pkix adds) on the subject
// the application would be issued with, so that a subject pkix would
// refuse is caught at review, not at issuance.
func CheckSubject(a *store.Application, p *Profile) []FieldError {
	s := Subject(a, p)
	if err := s.Validate(); err != nil {
		var ae *pkix.AttributeError
		attr := "subject"
		if errors.As(err, &ae) {
			attr = "subject." + ae.Attr
		}
		return []FieldError{{Field: attr, Problem: "the certificate subject would be refused: " + err.Error()}}
	}
	return nil
}
