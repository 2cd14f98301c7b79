package cabinet

// The renewal flow of the cabinet (issue 13): the subscriber's
// certificates and whether each may be renewed now (RenewalRules), a
// renewal application opened from a certificate's application, its form
// (appform.RenderRenewal) and the detached CAdES-BES signature over
// exactly that form with the certificate being renewed (pkix/cms,
// RenewalCheckSigner). A verified signature makes the application ready
// to issue with no visit; consent, request and code then go as for any
// application.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/gostca/gostca/appform"
	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/pkix/cms"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/renewal"
	"github.com/gostca/gostca/store"
)

// Documents stores a document's bytes content-addressed (*docstore.Store).
type Documents interface {
	PutExtra(ctx context.Context, r io.Reader, limit int64, extra docstore.Extra) (docstore.Stored, error)
}

// RenewalOptions configure renewal.
type RenewalOptions struct {
	// Rules are the eligibility rules (the window).
	Rules RenewalRules
	// CAName is the CA's name as printed on the form.
	CAName string
	// Documents keeps the signed form and its signature; nil refuses
	// signatures (CodeInternal).
	Documents Documents
	// Registry holds the organisations' latest tax-registry records
	// (renewalorg.go); nil: no organisation or head change is known.
	Registry OrgRecords
}

// MaxRenewalSignature bounds a renewal signature's size.
const MaxRenewalSignature = cms.MaxSize

// SubscriberCert is one of the subscriber's certificates: the
// application it was issued on and its record.
type SubscriberCert struct {
	App    *store.Application
	Record *store.CertRecord
	Cert   *pkix.Certificate
}

// Certificates lists the certificates issued on the subscriber's
// applications, in the applications' order.
func (s *Service) Certificates(ctx context.Context, sub *Subscriber) ([]SubscriberCert, error) {
	var out []SubscriberCert
	cursor := ""
	for {
		page, next, err := s.ra.List(ctx, sub.actor(), ra.ListQuery{Phone: sub.Phone, Cursor: cursor, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for i := range page {
			a := &page[i]
			if a.State != store.AppIssued || len(a.Serial) == 0 {
				continue
			}
			c, err := s.certOf(ctx, a)
			if err != nil {
				return nil, err
			}
			out = append(out, *c)
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

func (s *Service) certOf(ctx context.Context, a *store.Application) (*SubscriberCert, error) {
	rec, err := s.st.Certificate(ctx, a.Serial)
	if err != nil {
		return nil, s.internal("read certificate", err)
	}
	cert, err := pkix.ParseCertificate(rec.DER)
	if err != nil {
		return nil, s.internal("parse certificate", err)
	}
	return &SubscriberCert{App: a, Record: rec, Cert: cert}, nil
}

// subscriberCert finds the subscriber's certificate by serial
// (certificate_not_found for any other).
func (s *Service) subscriberCert(ctx context.Context, sub *Subscriber, serial []byte) (*SubscriberCert, error) {
	certs, err := s.Certificates(ctx, sub)
	if err != nil {
		return nil, err
	}
	serial = bytes.TrimLeft(serial, "\x00")
	for i := range certs {
		if bytes.Equal(certs[i].App.Serial, serial) {
			return &certs[i], nil
		}
	}
	return nil, &Error{Code: CodeCertNotFound, Detail: "you have no certificate with this serial"}
}

func renewalStatus(st store.Status) RenewalCertStatus {
	switch st.State {
	case store.Revoked:
		return RenewalCertRevoked
	case store.OnHold:
		return RenewalCertHeld
	}
	return RenewalCertValid
}

// Eligibility is whether a certificate may be renewed now.
type Eligibility struct {
	Cert    *SubscriberCert
	Refusal *RenewalRefusal // nil: allowed
	// Application is the subscriber's renewal of this certificate opened
	// already in the cabinet and not finished, if any.
	Application *store.Application
}

// openRenewals finds the unfinished renewal applications of serial
// among the subscriber's: the cabinet's own (opened by ActRenew) and
// those a service centre opened.
func (s *Service) openRenewals(ctx context.Context, sub *Subscriber, serial []byte) (own, centre *store.Application, err error) {
	cursor := ""
	for {
		page, next, err := s.ra.List(ctx, sub.actor(), ra.ListQuery{Phone: sub.Phone, Cursor: cursor, Limit: 1000})
		if err != nil {
			return nil, nil, err
		}
		for i := range page {
			a := &page[i]
			if a.State.Final() || a.Kind != store.AppKindReplacement || !bytes.Equal(a.Replaces, serial) {
				continue
			}
			h, err := s.ra.History(ctx, sub.actor(), a.ID)
			if err != nil {
				return nil, nil, err
			}
			if len(h) > 0 && h[0].Action == string(ra.ActRenew) {
				own = a
			} else {
				centre = a
			}
		}
		if next == "" {
			return own, centre, nil
		}
		cursor = next
	}
}

// RenewalEligibility decides whether the subscriber's certificate
// serial may be renewed now.
func (s *Service) RenewalEligibility(ctx context.Context, sub *Subscriber, serial []byte) (*Eligibility, error) {
	c, err := s.subscriberCert(ctx, sub, serial)
	if err != nil {
		return nil, err
	}
	own, centre, err := s.openRenewals(ctx, sub, c.App.Serial)
	if err != nil {
		return nil, err
	}
	req := RenewalRequest{Current: c.Cert, Status: renewalStatus(c.Record.Status), Now: s.now(), OpenApplication: centre != nil}
	if err := s.renewalOrgFacts(ctx, c, &req); err != nil {
		return nil, err
	}
	ref := s.opts.Renewal.Rules.Check(req)
	return &Eligibility{Cert: c, Refusal: ref, Application: own}, nil
}

func refusalError(r *RenewalRefusal) error { return &Error{Code: Code(r.Code), Detail: r.Message} }

// RenewalChanges are what the subscriber corrects in a renewal: the
// owner block (passport data, e-mail, position; name, SNILS and INN must
// stay those of the certificate, or the signature is refused), and
// nothing else. Organisation set at all is refused: the organisation
// changes only at a service centre.
type RenewalChanges struct {
	Owner        *store.Owner
	Organisation bool
}

// RenewalForm is a renewal application's form as the subscriber signs
// it: the PDF and its SHA-256.
type RenewalForm struct {
	App    *store.Application
	PDF    []byte
	SHA256 [32]byte
}

// OpenRenewal opens the renewal of the subscriber's certificate serial
// (or answers the one the cabinet opened already and not yet signed) and
// its form.
func (s *Service) OpenRenewal(ctx context.Context, sub *Subscriber, serial []byte, ch RenewalChanges) (*RenewalForm, bool, error) {
	if ch.Organisation {
		return nil, false, &ra.Error{Code: ra.CodeInvalidData, Detail: "correct the fields named",
			Fields: []ra.FieldError{{Field: "organisation", Problem: "the organisation cannot change on renewal: a certificate with new organisation data is issued at a service centre"}}}
	}
	el, err := s.RenewalEligibility(ctx, sub, serial)
	if err != nil {
		return nil, false, err
	}
	if el.Refusal != nil {
		return nil, false, refusalError(el.Refusal)
	}
	if el.Application != nil && el.Application.State == store.AppNew && ch.Owner == nil {
		f, err := s.renewalForm(ctx, el.Application)
		return f, false, err
	}
	if el.Application != nil {
		return nil, false, &Error{Code: Code(RenewalApplicationOpen), Detail: fmt.Sprintf(
			"your renewal %s of this certificate is open already: sign its form, or finish it", el.Application.ID)}
	}
	a, err := renewal.Open(ctx, s.ra, sub.actor(), renewal.Input{From: el.Cert.App, Owner: ch.Owner})
	if err != nil {
		return nil, false, err
	}
	f, err := s.renewalForm(ctx, a)
	return f, true, err
}

// RenewalFormOf renders the form of one of the subscriber's renewal
// applications again (the same bytes for the same version).
func (s *Service) RenewalFormOf(ctx context.Context, sub *Subscriber, id string) (*RenewalForm, error) {
	a, err := s.ra.Get(ctx, sub.actor(), id)
	if err != nil {
		return nil, err
	}
	return s.renewalForm(ctx, a)
}

// renewalForm renders a renewal application's form. Its date is the
// application's last change, so a version always renders the same PDF.
func (s *Service) renewalForm(ctx context.Context, a *store.Application) (*RenewalForm, error) {
	if a.Kind != store.AppKindReplacement || len(a.Replaces) == 0 {
		return nil, &Error{Code: CodeNotRenewal, Detail: "the application is not a renewal"}
	}
	rec, err := s.st.Certificate(ctx, a.Replaces)
	if err != nil {
		return nil, s.internal("read the renewed certificate", err)
	}
	cert, err := pkix.ParseCertificate(rec.DER)
	if err != nil {
		return nil, s.internal("parse the renewed certificate", err)
	}
	o := a.Owner
	f := appform.RenewalForm{
		Form: appform.Form{
			ApplicationID: a.ID, CAName: s.opts.Renewal.CAName, CertType: a.CertType, Centre: a.Centre, Date: a.UpdatedAt.UTC(),
			Replaces: fmt.Sprintf("%x", a.Replaces),
			Owner: appform.Owner{
				Surname: o.Surname, GivenName: o.GivenName, Patronymic: o.Patronymic,
				Sex: appform.Sex(o.Sex), BirthDate: o.BirthDate, BirthPlace: o.BirthPlace, Citizenship: o.Citizenship,
				IDDoc: appform.IdentityDocument{Type: appform.IDDocType(o.IDDoc.Type), Series: o.IDDoc.Series, Number: o.IDDoc.Number,
					IssuedOn: o.IDDoc.IssuedOn, Issuer: o.IDDoc.Issuer, IssuerCode: o.IDDoc.IssuerCode},
				SNILS: o.SNILS, INN: o.INN, Email: o.Email, Phone: a.Phone, Position: o.Position,
			},
		},
		CurrentNotBefore: cert.NotBefore, CurrentNotAfter: cert.NotAfter,
	}
	if iss, err := cert.Issuer.Subject(); err == nil {
		f.CurrentIssuer = iss.CommonName
	}
	if p, ok := s.ra.Profile(a.CertType); ok {
		f.CertTitle, f.CertProfile = p.Title, p.CertProfile
	}
	if g := a.Org; g.Name != "" || g.INN != "" || g.OGRN != "" || g.OGRNIP != "" {
		f.Org = &appform.Organisation{Name: g.Name, INN: g.INN, KPP: g.KPP, OGRN: g.OGRN, OGRNIP: g.OGRNIP, Address: appdata.Address(&g)}
	}
	res, err := appform.RenderRenewal(f)
	if err != nil {
		return nil, &ra.Error{Code: ra.CodeInvalidData, Detail: strings.TrimPrefix(err.Error(), "appform: "), Err: err}
	}
	return &RenewalForm{App: a, PDF: res.PDF, SHA256: sha256.Sum256(res.PDF)}, nil
}

// SignRenewal checks the detached CAdES-BES signature (DER, BER, PEM or
// base64) over the renewal form of application id: the certificate is
// still renewable now, the signature verifies over exactly the form of
// the application's current version, the signer is the certificate
// being renewed, signed within its validity, and its holder is the
// application's. Then the form and the signature are stored as
// documents and the application becomes ready to issue, identified
// remotely by a qualified certificate. A refusal writes nothing.
func (s *Service) SignRenewal(ctx context.Context, sub *Subscriber, id string, sig []byte) (*store.Application, error) {
	if len(sig) == 0 || len(sig) > MaxRenewalSignature {
		return nil, &Error{Code: CodeSignatureBad, Detail: fmt.Sprintf("signature: the detached CAdES-BES signature of the renewal form, 1 byte to %d KiB", MaxRenewalSignature>>10)}
	}
	f, err := s.RenewalFormOf(ctx, sub, id)
	if err != nil {
		return nil, err
	}
	a := f.App
	if a.State != store.AppNew {
		return nil, &ra.Error{Code: ra.CodeWrongState, Detail: fmt.Sprintf("the renewal is %s: its form is signed only once", a.State)}
	}
	// The certificate with the application it was issued on (whose
	// organisation and registry check the organisation rules read).
	c, err := s.subscriberCert(ctx, sub, a.Replaces)
	if err != nil {
		return nil, err
	}
	now := s.now()
	req := RenewalRequest{Current: c.Cert, Status: renewalStatus(c.Record.Status), Now: now}
	if err := s.renewalOrgFacts(ctx, c, &req); err != nil {
		return nil, err
	}
	if ref := s.opts.Renewal.Rules.Check(req); ref != nil {
		return nil, refusalError(ref)
	}
	v, err := cms.Verify(sig, cms.VerifyOptions{Content: f.PDF, Certificates: []*pkix.Certificate{c.Cert}})
	if err != nil {
		return nil, &Error{Code: CodeSignatureBad, Detail: signatureDetail(err)}
	}
	o := a.Owner
	person := RenewalPerson{FullName: strings.Join(slices.DeleteFunc([]string{o.Surname, o.GivenName, o.Patronymic}, func(s string) bool { return s == "" }), " "),
		SNILS: o.SNILS, INN: o.INN}
	if ref := RenewalCheckSigner(v.Signer, c.Cert, v.SigningTime, now, person); ref != nil {
		return nil, refusalError(ref)
	}
	docs := s.opts.Renewal.Documents
	if docs == nil {
		return nil, s.internal("store the signed renewal", errors.New("no document store"))
	}
	var in []ra.DocumentInput
	for _, b := range []struct {
		data  []byte
		extra docstore.Extra
	}{{f.PDF, 0}, {sig, docstore.AcceptCMS}} {
		st, err := docs.PutExtra(ctx, bytes.NewReader(b.data), MaxRenewalSignature+int64(len(f.PDF)), b.extra)
		if err != nil {
			return nil, s.internal("store the signed renewal", err)
		}
		in = append(in, ra.DocumentInput{Type: appdata.DocSignedApplication, SHA256: st.SHA256, Size: st.Size, ContentType: st.ContentType})
	}
	return renewal.Signed(ctx, s.ra, sub.actor(), a.ID, a.Version, renewal.SignedInput{CertSerial: a.Replaces, Documents: in})
}

// signatureDetail says what is wrong with a signature, in words for the
// subscriber.
func signatureDetail(err error) string {
	switch {
	case errors.Is(err, cms.ErrDigestMismatch), errors.Is(err, cms.ErrContentMismatch):
		return "the signature is not over this renewal form: download the form again and sign exactly that file (detached signature)"
	case errors.Is(err, cms.ErrBadSignature):
		return "the signature does not verify (the signed attributes or the signature were altered): sign the form again"
	case errors.Is(err, cms.ErrNoSignerCertificate):
		return "the signature names a certificate that is neither in it nor the one being renewed: sign with the certificate you renew"
	case errors.Is(err, cms.ErrUnsupportedAlgorithm):
		return "the signature is not a GOST R 34.10-2012 signature: sign with the certificate you renew"
	}
	return "not a detached CAdES-BES signature of the renewal form: " + strings.TrimPrefix(err.Error(), "cms: ")
}
