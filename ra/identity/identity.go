// Package identity records how the owner of an approved application
// was identified (the registration authority's verify_identity action):
// in person at the service centre (who came, the document checked, the
// operator's confirmation that the scans match the originals), or,
// skipping the visit, by a valid qualified certificate of the same
// person read through the CA façade. ESIA with biometrics has its
// method and state but no implementation yet. The action is written
// through ra.Service like ra's own (ra.ActVerifyIdentity).
package identity

import (
	"context"
	"errors"
	"slices"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// Input records how the owner's identity was verified.
type Input struct {
	// Method is IdentifyInPerson, IdentifyQualifiedCert or
	// IdentifyESIABiometric, and must be allowed by the profile.
	Method string
	// In person (a service centre only):
	//   Presenter: who came, the owner or a representative;
	//   Representative: the representative's full name (with a power of
	//   attorney among the documents);
	//   Document: the document checked, e.g. "паспорт 4510 123456";
	//   Confirmed: the operator's tick "I verified the identity and
	//   checked the documents: all scans match the originals".
	Presenter      store.Presenter
	Representative string
	Document       string
	Confirmed      bool
	// CertSerial is the valid qualified certificate of the same person
	// the application was signed with (IdentifyQualifiedCert): the
	// in-person step is skipped and the new certificate's
	// IdentificationKind says "remote, with a qualified certificate".
	CertSerial []byte
}

// Verify records the identification of an approved application's
// owner: the application becomes identity_verified.
func Verify(ctx context.Context, s *ra.Service, actor ra.Actor, id string, version uint64, in Input) (*store.Application, error) {
	method, ok := appdata.IdentMethod(in.Method)
	if !ok {
		return nil, ra.InvalidFields([]ra.FieldError{{Field: "method", Problem: "in_person, qualified_certificate or esia_biometric"}})
	}
	return s.Change(ctx, actor, id, version, ra.ActVerifyIdentity, func(a *store.Application, p *appdata.Profile, st *ra.Step) error {
		if !p.AllowsMethod(method) {
			return errf(ra.CodeUnsupported, "a "+p.Title+" certificate does not allow identification by "+in.Method)
		}
		rec := store.Identification{Method: method, VerifiedBy: actor.ID, At: s.Now()}
		switch method {
		case store.IdentInPerson:
			if err := inPerson(a, actor, in, &rec); err != nil {
				return err
			}
		case store.IdentQualifiedCert:
			if err := byCertificate(ctx, s, a, in, &rec); err != nil {
				return err
			}
		case store.IdentESIABiometric:
			// The state and the method exist so that the remote path can
			// plug in; the ESIA + biometric exchange itself is not built.
			return errf(ra.CodeUnsupported, "identification through ESIA and the biometric system is not available yet")
		}
		a.Identity = rec
		st.To = store.AppIdentityVerified
		st.Note = "by " + in.Method
		return nil
	})
}

func errf(code ra.Code, detail string) error { return &ra.Error{Code: code, Detail: detail} }

func inPerson(a *store.Application, actor ra.Actor, in Input, rec *store.Identification) error {
	if actor.Kind != ra.ServiceCentre {
		return errf(ra.CodeForbidden, "identity in person is verified at the service centre")
	}
	var errs []ra.FieldError
	if !in.Confirmed {
		errs = append(errs, ra.FieldError{Field: "confirmed", Problem: "confirm that you verified the identity and that all scans match the originals"})
	}
	if prob := appdata.VisibleText(in.Document, appdata.MaxTextRunes); in.Document == "" || prob != "" {
		if prob == "" {
			prob = "required: the document you checked (type, series, number)"
		}
		errs = append(errs, ra.FieldError{Field: "document", Problem: prob})
	}
	switch in.Presenter {
	case store.PresenterOwner:
		if in.Representative != "" {
			errs = append(errs, ra.FieldError{Field: "representative", Problem: "the owner came: leave it empty"})
		}
	case store.PresenterRepresentative:
		if prob := appdata.NameProblem(in.Representative, false); in.Representative == "" || prob != "" {
			if prob == "" {
				prob = "required: the full name of who came"
			}
			errs = append(errs, ra.FieldError{Field: "representative", Problem: prob})
		}
		if !slices.ContainsFunc(a.Documents, func(d store.Document) bool { return d.Type == appdata.DocPowerOfAttorney || d.Type == appdata.DocMCHD }) {
			return &ra.Error{Code: ra.CodeIncomplete, Detail: "identification of a representative needs every required field, document and step",
				Missing: []string{"document: power_of_attorney or mchd"}}
		}
	default:
		errs = append(errs, ra.FieldError{Field: "presenter", Problem: "who came: the owner or a representative"})
	}
	if len(errs) > 0 {
		return ra.InvalidFields(errs)
	}
	rec.Presenter, rec.Representative, rec.Document = in.Presenter, in.Representative, in.Document
	return nil
}

// byCertificate identifies the owner by a valid qualified certificate of
// the same person: same full name, SNILS and INN.
func byCertificate(ctx context.Context, s *ra.Service, a *store.Application, in Input, rec *store.Identification) error {
	if len(in.CertSerial) == 0 || len(in.CertSerial) > 20 {
		return ra.InvalidFields([]ra.FieldError{{Field: "cert_serial", Problem: "required: the serial of the qualified certificate the application was signed with"}})
	}
	info, err := s.Certificate(ctx, in.CertSerial)
	if errors.Is(err, ra.ErrNoCertificate) {
		return errf(ra.CodeIdentityMismatch, "no certificate with that serial")
	}
	if err != nil {
		return err
	}
	o := &a.Owner
	switch {
	case !info.Valid:
		return errf(ra.CodeIdentityMismatch, "the certificate is not valid now (expired, revoked or suspended)")
	case !info.Qualified:
		return errf(ra.CodeIdentityMismatch, "the certificate is not a qualified one")
	case info.SNILS != o.SNILS || info.INN != o.INN || info.Surname != o.Surname || info.GivenName != appdata.GivenAndPatronymic(o):
		return errf(ra.CodeIdentityMismatch, "the certificate belongs to another person: full name, SNILS and INN must all match")
	}
	rec.CertSerial = append([]byte(nil), in.CertSerial...)
	return nil
}
