package appform

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sex of the owner. The values are those of store.Sex, so a caller may
// convert directly.
type Sex uint8

// Sexes; zero is "not given".
const (
	SexMale   Sex = 1
	SexFemale Sex = 2
)

// IDDocType is the kind of identity document. The values are those of
// store.IDDocType.
type IDDocType uint8

// Identity document types; zero is "not given".
const (
	IDRussianPassport IDDocType = 1
	IDForeignPassport IDDocType = 2
	IDTemporaryID     IDDocType = 3
	IDResidencePermit IDDocType = 4
)

// Form is the data printed on the application.
type Form struct {
	ApplicationID string // required
	// CAName names the certification authority the application is
	// addressed to ("ООО «…»"); optional.
	CAName string
	// Replaces is the serial (hex) of the certificate being renewed;
	// empty for a new certificate.
	Replaces string
	// CertType is the application profile name (required); CertTitle its
	// human-readable title, printed instead when set.
	CertType, CertTitle string
	// CertProfile is the certificate profile it issues under.
	CertProfile string
	Centre      string // service centre that opened the application
	Owner       Owner
	Org         *Organisation // nil: no organisation
	// Date is when the form is generated: printed, and the PDF's creation
	// date (required; fix it for a reproducible PDF).
	Date time.Time
}

// Owner is the person the certificate is for.
type Owner struct {
	Surname, GivenName, Patronymic string // Surname and GivenName required
	Sex                            Sex
	BirthDate                      time.Time // a date; zero: not given
	BirthPlace                     string
	Citizenship                    string // ISO 3166 alpha-2 ("RU")
	IDDoc                          IdentityDocument
	SNILS                          string // 11 digits
	INN                            string // 12 digits
	Email                          string
	Phone                          string // +7XXXXXXXXXX
	Position                       string
}

// IdentityDocument is the owner's identity document.
type IdentityDocument struct {
	Type       IDDocType
	Series     string
	Number     string
	IssuedOn   time.Time
	Issuer     string
	IssuerCode string
}

// Organisation is the organisation block, as the tax registry gave it.
type Organisation struct {
	Name    string
	INN     string
	KPP     string
	OGRN    string
	OGRNIP  string
	Address string // one line: region, locality, street
}

// FullName is "Surname GivenName Patronymic" (no patronymic: two words).
func (o Owner) FullName() string {
	return strings.Join(nonEmpty(o.Surname, o.GivenName, o.Patronymic), " ")
}

// Initials is "Surname G. P." for the signature line.
func (o Owner) Initials() string {
	parts := []string{o.Surname}
	for _, n := range []string{o.GivenName, o.Patronymic} {
		if r := []rune(n); len(r) > 0 {
			parts = append(parts, string(r[0])+".")
		}
	}
	return strings.Join(parts, " ")
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Validate reports what is missing for a printable form.
func (f *Form) Validate() error {
	var missing []string
	if f.ApplicationID == "" {
		missing = append(missing, "application id")
	}
	if f.CertType == "" {
		missing = append(missing, "certificate type")
	}
	if f.Owner.Surname == "" {
		missing = append(missing, "owner surname")
	}
	if f.Owner.GivenName == "" {
		missing = append(missing, "owner given name")
	}
	if f.Date.IsZero() {
		missing = append(missing, "form date")
	}
	if len(missing) > 0 {
		return fmt.Errorf("appform: cannot print the application without: %s", strings.Join(missing, ", "))
	}
	if f.Owner.Sex > SexFemale {
		return fmt.Errorf("appform: unknown sex %d", f.Owner.Sex)
	}
	if f.Owner.IDDoc.Type > IDResidencePermit {
		return fmt.Errorf("appform: unknown identity document type %d", f.Owner.IDDoc.Type)
	}
	for _, s := range []string{f.ApplicationID, f.CertType, f.Owner.Surname, f.Owner.GivenName, f.Owner.Patronymic} {
		if strings.ContainsAny(s, "\r\n") {
			return errors.New("appform: a name or id contains a line break")
		}
	}
	return nil
}
