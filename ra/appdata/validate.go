package appdata

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// Owner fields, as named in profiles (FieldRules) and in errors
// ("owner." + name).
const (
	OwnerSurname     = "surname"
	OwnerGivenName   = "given_name"
	OwnerPatronymic  = "patronymic"
	OwnerSex         = "sex"
	OwnerBirthDate   = "birth_date"
	OwnerBirthPlace  = "birth_place"
	OwnerIDDocument  = "identity_document"
	OwnerCitizenship = "citizenship"
	OwnerSNILS       = "snils"
	OwnerINN         = "inn"
	OwnerEmail       = "email"
	OwnerPosition    = "position"
)

// Organisation fields ("organisation." + name in errors).
const (
	OrgName    = "name"
	OrgINN     = "inn"
	OrgKPP     = "kpp"
	OrgOGRN    = "ogrn"
	OrgOGRNIP  = "ogrnip"
	OrgAddress = "address"
)

// ownerFields says, per owner field, whether it is set.
var ownerFields = map[string]func(o *store.Owner) bool{
	OwnerSurname:     func(o *store.Owner) bool { return o.Surname != "" },
	OwnerGivenName:   func(o *store.Owner) bool { return o.GivenName != "" },
	OwnerPatronymic:  func(o *store.Owner) bool { return o.Patronymic != "" },
	OwnerSex:         func(o *store.Owner) bool { return o.Sex != 0 },
	OwnerBirthDate:   func(o *store.Owner) bool { return !o.BirthDate.IsZero() },
	OwnerBirthPlace:  func(o *store.Owner) bool { return o.BirthPlace != "" },
	OwnerIDDocument:  func(o *store.Owner) bool { return o.IDDoc.Type != 0 },
	OwnerCitizenship: func(o *store.Owner) bool { return o.Citizenship != "" },
	OwnerSNILS:       func(o *store.Owner) bool { return o.SNILS != "" },
	OwnerINN:         func(o *store.Owner) bool { return o.INN != "" },
	OwnerEmail:       func(o *store.Owner) bool { return o.Email != "" },
	OwnerPosition:    func(o *store.Owner) bool { return o.Position != "" },
}

var orgFields = map[string]func(g *store.Organisation) bool{
	OrgName:    func(g *store.Organisation) bool { return g.Name != "" },
	OrgINN:     func(g *store.Organisation) bool { return g.INN != "" },
	OrgKPP:     func(g *store.Organisation) bool { return g.KPP != "" },
	OrgOGRN:    func(g *store.Organisation) bool { return g.OGRN != "" },
	OrgOGRNIP:  func(g *store.Organisation) bool { return g.OGRNIP != "" },
	OrgAddress: func(g *store.Organisation) bool { return g.Region != "" || g.Locality != "" || g.Street != "" },
}

// NormalisePhone returns a Russian mobile number in E.164 form,
// "+79XXXXXXXXX". It accepts the usual ways of writing one: "+7", "7" or
// "8" followed by ten digits, with spaces, hyphens and parentheses.
func NormalisePhone(s string) (string, error) {
	plus := strings.HasPrefix(s, "+")
	var d []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			d = append(d, c)
		case c == ' ' || c == '-' || c == '(' || c == ')' || (c == '+' && i == 0):
		default:
			return "", errors.New("use digits only, e.g. +7 916 123-45-67")
		}
	}
	if len(d) != 11 || !(d[0] == '7' || d[0] == '8' && !plus) {
		return "", errors.New("a Russian mobile number is +7 and ten digits, e.g. +7 916 123-45-67")
	}
	if d[1] != '9' {
		return "", errors.New("not a mobile number (mobile numbers start with +7 9): the subscriber receives SMS codes on it")
	}
	return "+7" + string(d[1:]), nil
}

// isDate: a calendar date is stored as midnight UTC.
func isDate(t time.Time) bool {
	return t.Location() == time.UTC && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// minOwnerAge: a Russian passport is issued from 14.
const minOwnerAge = 14

// FieldError is one invalid field: its path ("owner.patronymic",
// "organisation.kpp", "phone") and what to fix. Values are never echoed:
// they are personal data and errors get logged.
type FieldError struct {
	Field   string
	Problem string
}

func (f FieldError) String() string { return f.Field + ": " + f.Problem }

// IdentReason is a pkix identifier error without the identifier's name.
func IdentReason(err error) string {
	f := &fieldErrs{}
	f.ident("x", err)
	return f.list[0].Problem
}

// fieldErrs collects field errors under a prefix ("owner.").
type fieldErrs struct {
	prefix string
	list   []FieldError
}

func (f *fieldErrs) add(field, format string, args ...any) {
	f.list = append(f.list, FieldError{Field: f.prefix + field, Problem: fmt.Sprintf(format, args...)})
}

// ident reports an identifier error of pkix under field, without the
// value.
func (f *fieldErrs) ident(field string, err error) {
	if err == nil {
		return
	}
	var ie *pkix.IdentError
	if errors.As(err, &ie) {
		msg := ie.Err.Error()
		if ie.Detail != "" {
			msg += ": " + ie.Detail
		}
		f.add(field, "%s; check it against the document", msg)
		return
	}
	f.add(field, "%v", err)
}

// ValidateOwner checks and normalises owner data as it is saved: the
// format of every field given, and nothing the profile forbids. Whether
// every required field is there is checked at submission (MissingOwner).
func ValidateOwner(o *store.Owner, p *Profile, now time.Time) []FieldError {
	f := &fieldErrs{prefix: "owner."}
	foreign := o.IDDoc.Type == store.IDForeignPassport
	for _, n := range []struct {
		field string
		v     string
	}{{OwnerSurname, o.Surname}, {OwnerGivenName, o.GivenName}, {OwnerPatronymic, o.Patronymic}} {
		if n.v == "" {
			continue
		}
		if prob := NameProblem(n.v, foreign); prob != "" {
			f.add(n.field, "%s", prob)
		}
	}
	if o.Sex > store.SexFemale {
		f.add(OwnerSex, "unknown value: male or female, as in the passport")
	}
	if !o.BirthDate.IsZero() {
		switch {
		case !isDate(o.BirthDate):
			f.add(OwnerBirthDate, "give a date without a time of day")
		case o.BirthDate.After(now):
			f.add(OwnerBirthDate, "is in the future")
		case o.BirthDate.AddDate(minOwnerAge, 0, 0).After(now):
			f.add(OwnerBirthDate, "the owner must be at least %d years old", minOwnerAge)
		case o.BirthDate.Year() < 1900:
			f.add(OwnerBirthDate, "before 1900: check the year")
		}
	}
	text(f, OwnerBirthPlace, o.BirthPlace)
	validateIDDoc(f, o, now)
	if o.SNILS != "" {
		o.SNILS = pkix.NormalizeSNILS(o.SNILS)
		f.ident(OwnerSNILS, pkix.ValidateSNILS(o.SNILS))
	}
	if o.INN != "" {
		f.ident(OwnerINN, pkix.ValidateINNPerson(o.INN))
	}
	if o.Email != "" {
		s := pkix.Subject{Email: o.Email}
		if err := s.Validate(); err != nil {
			f.add(OwnerEmail, "not an e-mail address: ASCII name@domain, e.g. ivanov@example.ru")
		}
	}
	text(f, OwnerPosition, o.Position)
	for _, name := range p.Owner.Forbidden {
		if ownerFields[name](o) {
			f.add(name, "not part of a %s certificate: leave it empty", p.Title)
		}
	}
	return f.list
}

// text checks an optional free-text field.
func text(f *fieldErrs, field, v string) {
	if v == "" {
		return
	}
	if p := VisibleText(v, MaxTextRunes); p != "" {
		f.add(field, "%s", p)
	}
}

// validateIDDoc checks the identity document by its type, and the
// citizenship that goes with it.
func validateIDDoc(f *fieldErrs, o *store.Owner, now time.Time) {
	d := &o.IDDoc
	const doc = OwnerIDDocument + "."
	if o.Citizenship != "" && !isAlpha2(o.Citizenship) {
		f.add(OwnerCitizenship, "two capital Latin letters (ISO 3166), e.g. RU, KZ")
	}
	switch d.Type {
	case 0:
		if d.Series != "" || d.Number != "" || !d.IssuedOn.IsZero() || d.Issuer != "" || d.IssuerCode != "" {
			f.add(OwnerIDDocument+".type", "choose the document type: Russian passport, foreign passport, temporary ID or residence permit")
		}
		return
	case store.IDRussianPassport:
		if err := pkix.ValidatePassportRU(d.Series, d.Number, d.IssuerCode); err != nil {
			var ie *pkix.IdentError
			field := doc + "series"
			if errors.As(err, &ie) {
				switch {
				case strings.Contains(ie.Ident, "number"):
					field = doc + "number"
				case strings.Contains(ie.Ident, "office"):
					field = doc + "issuer_code"
				}
			}
			f.ident(field, err)
		}
		citizen(f, o, "RU", "a Russian passport belongs to a citizen of Russia: citizenship RU")
		if d.Issuer == "" {
			f.add(doc+"issuer", "required: the issuing office as printed in the passport")
		}
	case store.IDForeignPassport:
		if d.Series != "" && !alnumUpper(d.Series, 16) {
			f.add(doc+"series", "capital Latin letters and digits only, or empty if the passport has no series")
		}
		if !alnumUpper(d.Number, 20) {
			f.add(doc+"number", "required: capital Latin letters and digits as in the passport, at most 20")
		}
		if o.Citizenship == "" {
			f.add(OwnerCitizenship, "required with a foreign passport: the country that issued it")
		} else if o.Citizenship == "RU" {
			f.add(OwnerCitizenship, "a citizen of Russia identifies with a Russian passport, not a foreign one")
		}
		if d.IssuerCode != "" {
			f.add(doc+"issuer_code", "only Russian passports have an issuing-office code: leave it empty")
		}
	case store.IDTemporaryID:
		if d.Series != "" {
			f.add(doc+"series", "a temporary ID has no series: leave it empty")
		}
		if !digits(d.Number, 1, 12) {
			f.add(doc+"number", "required: digits of the temporary ID's number")
		}
		citizen(f, o, "RU", "a temporary ID is issued to citizens of Russia: citizenship RU")
		if d.Issuer == "" {
			f.add(doc+"issuer", "required: the issuing office as printed on the ID")
		}
	case store.IDResidencePermit:
		if d.Series != "" && !digits(d.Series, 2, 2) {
			f.add(doc+"series", "two digits, or empty")
		}
		if !digits(d.Number, 1, 12) {
			f.add(doc+"number", "required: digits of the permit's number")
		}
		if o.Citizenship == "RU" {
			f.add(OwnerCitizenship, "a residence permit is for foreign citizens: give their country, or leave it empty for a stateless person")
		}
	default:
		f.add(doc+"type", "unknown document type")
		return
	}
	if d.Type != store.IDRussianPassport && d.Type != store.IDForeignPassport && d.IssuerCode != "" {
		f.add(doc+"issuer_code", "only Russian passports have an issuing-office code: leave it empty")
	}
	switch {
	case d.IssuedOn.IsZero():
		f.add(doc+"issued_on", "required: the date of issue")
	case !isDate(d.IssuedOn):
		f.add(doc+"issued_on", "give a date without a time of day")
	case d.IssuedOn.After(now):
		f.add(doc+"issued_on", "is in the future")
	case !o.BirthDate.IsZero() && d.IssuedOn.Before(o.BirthDate):
		f.add(doc+"issued_on", "before the birth date: check both")
	}
	text(f, doc+"issuer", d.Issuer)
}

// citizen sets the citizenship a document implies, or reports a
// contradiction.
func citizen(f *fieldErrs, o *store.Owner, want, why string) {
	switch o.Citizenship {
	case "":
		o.Citizenship = want
	case want:
	default:
		f.add(OwnerCitizenship, "%s", why)
	}
}

func isAlpha2(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func alnumUpper(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validKPP: 9 characters, 4 digits (tax office), 2 digits or capital
// Latin letters (reason), 3 digits.
func validKPP(s string) bool {
	if len(s) != 9 || !digits(s[:4], 4, 4) || !digits(s[6:], 3, 3) {
		return false
	}
	for i := 4; i < 6; i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// ValidateOrg checks organisation data from a registry answer.
func ValidateOrg(g *store.Organisation, p *Profile) []FieldError {
	f := &fieldErrs{prefix: "organisation."}
	text(f, OrgName, g.Name)
	if g.INN != "" {
		f.ident(OrgINN, pkix.ValidateINNLE(g.INN))
	}
	if g.KPP != "" && !validKPP(g.KPP) {
		f.add(OrgKPP, "9 characters: 4 digits, 2 digits or capital letters, 3 digits")
	}
	if g.OGRN != "" {
		f.ident(OrgOGRN, pkix.ValidateOGRN(g.OGRN))
	}
	if g.OGRNIP != "" {
		f.ident(OrgOGRNIP, pkix.ValidateOGRNIP(g.OGRNIP))
	}
	text(f, OrgAddress+".region", g.Region)
	text(f, OrgAddress+".locality", g.Locality)
	text(f, OrgAddress+".street", g.Street)
	for _, name := range p.Organisation.Forbidden {
		if orgFields[name](g) {
			f.add(name, "not part of a %s certificate", p.Title)
		}
	}
	return f.list
}

// MissingOwner lists the required owner fields that are empty.
func MissingOwner(o *store.Owner, p *Profile) []string {
	var out []string
	for _, name := range p.Owner.Required {
		if !ownerFields[name](o) {
			out = append(out, "owner."+name)
		}
	}
	return out
}

// MissingOrg lists the required organisation fields that are empty.
func MissingOrg(g *store.Organisation, p *Profile) []string {
	var out []string
	for _, name := range p.Organisation.Required {
		if !orgFields[name](g) {
			out = append(out, "organisation."+name+" (filled from the tax registry's answer)")
		}
	}
	return out
}
