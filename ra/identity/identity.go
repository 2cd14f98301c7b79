package ra

import (
	"context"
	"errors"
	"slices"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// IdentityInput records how the owner's identity was verified.
type IdentityInput struct {
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

// VerifyIdentity records the identification of an approved application's
// owner.
func (s *Service) VerifyIdentity(ctx context.Context, actor Actor, id string, version uint64, in IdentityInput) (*store.Application, error) {
	method, ok := appdata.IdentMethod(in.Method)
	if !ok {
		return nil, invalidFields([]FieldError{{Field: "method", Problem: "in_person, qualified_certificate or esia_biometric"}})
	}
	return s.change(ctx, actor, id, version, ActVerifyIdentity, func(a *store.Application, p *appdata.Profile, st *step) error {
		if !p.AllowsMethod(method) {
			return errf(CodeUnsupported, "a %s certificate does not allow identification by %s", p.Title, in.Method)
		}
		rec := store.Identification{Method: method, VerifiedBy: actor.ID, At: s.now()}
		switch method {
		case store.IdentInPerson:
			if err := s.inPerson(a, actor, in, &rec); err != nil {
				return err
			}
		case store.IdentQualifiedCert:
			if err := s.byCertificate(ctx, a, in, &rec); err != nil {
				return err
			}
		case store.IdentESIABiometric:
			// The state and the method exist so that the remote path can
			// plug in; the ESIA + biometric exchange itself is not built.
			return errf(CodeUnsupported, "identification through ESIA and the biometric system is not available yet")
		}
		a.Identity = rec
		st.to = store.AppIdentityVerified
		st.note = "by " + in.Method
		return nil
	})
}

func (s *Service) inPerson(a *store.Application, actor Actor, in IdentityInput, rec *store.Identification) error {
	if actor.Kind != ServiceCentre {
		return errf(CodeForbidden, "identity in person is verified at the service centre")
	}
	var errs []FieldError
	if !in.Confirmed {
		errs = append(errs, FieldError{Field: "confirmed", Problem: "confirm that you verified the identity and that all scans match the originals"})
	}
	if prob := appdata.VisibleText(in.Document, appdata.MaxTextRunes); in.Document == "" || prob != "" {
		if prob == "" {
			prob = "required: the document you checked (type, series, number)"
		}
		errs = append(errs, FieldError{Field: "document", Problem: prob})
	}
	switch in.Presenter {
	case store.PresenterOwner:
		if in.Representative != "" {
			errs = append(errs, FieldError{Field: "representative", Problem: "the owner came: leave it empty"})
		}
	case store.PresenterRepresentative:
		if prob := appdata.NameProblem(in.Representative, false); in.Representative == "" || prob != "" {
			if prob == "" {
				prob = "required: the full name of who came"
			}
			errs = append(errs, FieldError{Field: "representative", Problem: prob})
		}
		if !slices.ContainsFunc(a.Documents, func(d store.Document) bool { return d.Type == appdata.DocPowerOfAttorney || d.Type == appdata.DocMCHD }) {
			return incomplete("identification of a representative", []string{"document: power_of_attorney or mchd"})
		}
	default:
		errs = append(errs, FieldError{Field: "presenter", Problem: "who came: the owner or a representative"})
	}
	if len(errs) > 0 {
		return invalidFields(errs)
	}
	rec.Presenter, rec.Representative, rec.Document = in.Presenter, in.Representative, in.Document
	return nil
}

// byCertificate identifies the owner by a valid qualified certificate of
// the same person: same full name, SNILS and INN.
func (s *Service) byCertificate(ctx context.Context, a *store.Application, in IdentityInput, rec *store.Identification) error {
	if len(in.CertSerial) == 0 || len(in.CertSerial) > 20 {
		return invalidFields([]FieldError{{Field: "cert_serial", Problem: "required: the serial of the qualified certificate the application was signed with"}})
	}
	info, err := s.ca.Certificate(ctx, in.CertSerial)
	if errors.Is(err, ErrNoCertificate) {
		return errf(CodeIdentityMismatch, "no certificate with that serial")
	}
	if err != nil {
		return s.internal("look up the identifying certificate", err)
	}
	o := &a.Owner
	switch {
	case !info.Valid:
		return errf(CodeIdentityMismatch, "the certificate is not valid now (expired, revoked or suspended)")
	case !info.Qualified:
		return errf(CodeIdentityMismatch, "the certificate is not a qualified one")
	case info.SNILS != o.SNILS || info.INN != o.INN || info.Surname != o.Surname || info.GivenName != appdata.GivenAndPatronymic(o):
		return errf(CodeIdentityMismatch, "the certificate belongs to another person: full name, SNILS and INN must all match")
	}
	rec.CertSerial = append([]byte(nil), in.CertSerial...)
	return nil
}

// SendToCabinet makes the application ready to issue and tells the
// subscriber (SMS and e-mail rows in the same batch).
func (s *Service) SendToCabinet(ctx context.Context, actor Actor, id string, version uint64) (*store.Application, error) {
	return s.change(ctx, actor, id, version, ActSendToCabinet, func(a *store.Application, p *appdata.Profile, st *step) error {
		if err := checkSubject(a, p); err != nil {
			return err
		}
		st.to = store.AppReadyToIssue
		st.outbox = notices(a, NoticeReadyToIssue, nil)
		return nil
	})
}

// TakeBack returns a ready-to-issue application from the cabinet.
func (s *Service) TakeBack(ctx context.Context, actor Actor, id string, version uint64, why string) (*store.Application, error) {
	if prob := appdata.VisibleText(why, appdata.MaxTextRunes); why == "" || prob != "" {
		if prob == "" {
			prob = "required: why the application is taken back"
		}
		return nil, invalidFields([]FieldError{{Field: "reason", Problem: prob}})
	}
	return s.change(ctx, actor, id, version, ActTakeBack, func(a *store.Application, p *appdata.Profile, st *step) error {
		st.to = store.AppIdentityVerified
		st.note = why
		return nil
	})
}
