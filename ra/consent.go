package ra

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// IssueSubject is what a ready-to-issue application's certificate will
// carry: the subject built from the application (never from a CSR) and
// the application profile, for the subscriber to read before agreeing.
// Only the subscriber's cabinet asks; another's application is not
// found. An application being issued (issuing: a call to repeat)
// answers too.
func (s *Service) IssueSubject(ctx context.Context, actor Actor, id string) (*store.Application, pkix.Subject, appdata.Profile, error) {
	if err := actor.check(); err != nil {
		return nil, pkix.Subject{}, appdata.Profile{}, err
	}
	if actor.Kind != Cabinet {
		return nil, pkix.Subject{}, appdata.Profile{}, errf(CodeForbidden, "only the subscriber's cabinet reads the data to agree to")
	}
	a, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, pkix.Subject{}, appdata.Profile{}, err
	}
	if a.State != store.AppReadyToIssue && a.State != store.AppIssuing {
		return nil, pkix.Subject{}, appdata.Profile{}, wrongState(ActConsent, a.State)
	}
	p, ok := s.profiles[a.CertType]
	if !ok {
		return nil, pkix.Subject{}, appdata.Profile{}, errf(CodeUnknownType, "the application's certificate type %q has no profile any more", a.CertType)
	}
	return a, appdata.Subject(a, p), *p, nil
}

// Consent records the subscriber's acknowledgement of the certificate's
// contents on a ready-to-issue application: the exact data shown (made
// by the cabinet from IssueSubject), its SHA-256 (which must be sum) and
// the time go into the store with the application's new version, its
// history event ("consent sha256 …") and audit entry, in one batch. The
// state does not change; the data holds personal data and is never
// logged or put in the history note.
func (s *Service) Consent(ctx context.Context, actor Actor, id string, version uint64, data []byte, sum [32]byte) (*store.Application, error) {
	if len(data) == 0 || sha256.Sum256(data) != sum {
		return nil, invalidFields([]FieldError{{Field: "sha256", Problem: "the SHA-256 of the data shown, as the cabinet read it"}})
	}
	return s.change(ctx, actor, id, version, ActConsent, func(a *store.Application, p *appdata.Profile, st *step) error {
		if err := checkSubject(a, p); err != nil {
			return err
		}
		st.note = "consent sha256 " + hex.EncodeToString(sum[:])
		st.consent = &store.Consent{Application: a.ID, Data: append([]byte(nil), data...), Sum: sum, At: s.now(), Actor: actor.ID}
		return nil
	})
}
