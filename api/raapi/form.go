package raapi

import (
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/appform"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// applicationForm serves GET …/form.pdf: the filled application to print
// and sign in ink (package appform). The form's date is the time of the
// application's last change, so one version always renders the same PDF
// (the data digest printed on it matches that version).
func (s *API) ApplicationForm(ctx *fasthttp.RequestCtx, p *auth.Principal, id []byte) error {
	c, cancel := s.callCtx()
	defer cancel()
	a, err := s.e.RA().Get(c, appActor(p), string(id))
	if err != nil {
		return err
	}
	f := s.formOf(a)
	if f.Owner.Surname == "" || f.Owner.GivenName == "" {
		return &ra.Error{Code: ra.CodeIncomplete, Detail: "print the application after its owner's data is filled",
			Missing: missingNames(f.Owner)}
	}
	res, err := appform.Render(f)
	if err != nil {
		return &ra.Error{Code: ra.CodeInvalidData, Detail: strings.TrimPrefix(err.Error(), "appform: "), Err: err}
	}
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType("application/pdf")
	ctx.Response.Header.Set("Content-Disposition", `attachment; filename="application-`+a.ID+`.pdf"`)
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.Response.Header.Set("ETag", `"`+strconv.FormatUint(a.Version, 10)+`"`)
	ctx.SetBody(res.PDF)
	return nil
}

func missingNames(o appform.Owner) []string {
	var m []string
	if o.Surname == "" {
		m = append(m, "owner.surname")
	}
	if o.GivenName == "" {
		m = append(m, "owner.given_name")
	}
	return m
}

// formOf is the printed form of an application.
func (s *API) formOf(a *store.Application) appform.Form {
	o := a.Owner
	f := appform.Form{
		ApplicationID: a.ID,
		CAName:        s.e.Config().CA.Organization,
		CertType:      a.CertType,
		Centre:        a.Centre,
		Date:          a.UpdatedAt.UTC(),
		Owner: appform.Owner{
			Surname: o.Surname, GivenName: o.GivenName, Patronymic: o.Patronymic,
			Sex: appform.Sex(o.Sex), BirthDate: o.BirthDate, BirthPlace: o.BirthPlace, Citizenship: o.Citizenship,
			IDDoc: appform.IdentityDocument{Type: appform.IDDocType(o.IDDoc.Type), Series: o.IDDoc.Series, Number: o.IDDoc.Number,
				IssuedOn: o.IDDoc.IssuedOn, Issuer: o.IDDoc.Issuer, IssuerCode: o.IDDoc.IssuerCode},
			SNILS: o.SNILS, INN: o.INN, Email: o.Email, Phone: a.Phone, Position: o.Position,
		},
	}
	if len(a.Replaces) > 0 {
		f.Replaces = ca.FormatSerial(a.Replaces)
	}
	if prof, ok := s.e.RA().Profile(a.CertType); ok {
		f.CertTitle, f.CertProfile = prof.Title, prof.CertProfile
	}
	if g := a.Org; g.Name != "" || g.INN != "" || g.OGRN != "" || g.OGRNIP != "" {
		f.Org = &appform.Organisation{Name: g.Name, INN: g.INN, KPP: g.KPP, OGRN: g.OGRN, OGRNIP: g.OGRNIP,
			Address: appdata.Address(&g)}
	}
	return f
}
