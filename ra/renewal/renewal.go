package ra

import (
	"bytes"
	"context"
	"slices"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// Renewal without a visit (issue 13): the subscriber, in the cabinet,
// opens a renewal of a certificate of theirs; the data and documents
// are copied from that certificate's application, the owner block as
// the subscriber corrected it (the organisation is never theirs to
// change). The renewal form is signed with the certificate being
// renewed; once package cabinet has verified that signature,
// RenewalSigned makes the application ready to issue, identified
// remotely by a qualified certificate, with no review and no visit.

// RenewalInput opens a renewal.
type RenewalInput struct {
	// From is the issued application of the certificate being renewed
	// (read by the same actor).
	From *store.Application
	// Owner, when not nil, replaces the owner block (validated as
	// UpdateData does); nil keeps From's.
	Owner *store.Owner
}

// OpenRenewal opens a renewal application in state "new": kind
// replacement naming From's certificate, its type, centre, phone,
// recipient, owner (or in.Owner), organisation and documents copied (one
// batch: the record, its history event and audit entry).
func (s *Service) OpenRenewal(ctx context.Context, actor Actor, in RenewalInput) (*store.Application, error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	if !slices.Contains(rules[ActRenew].actors, actor.Kind) {
		return nil, errf(CodeForbidden, "only the subscriber's cabinet opens a renewal")
	}
	from := in.From
	if from == nil || !actor.sees(from) {
		return nil, errf(CodeNotFound, "no such application")
	}
	if from.State != store.AppIssued || len(from.Serial) == 0 {
		return nil, errf(CodeWrongState, "only the application of an issued certificate can be renewed")
	}
	p, ok := s.profiles[from.CertType]
	if !ok {
		return nil, errf(CodeUnknownType, "the certificate type %q has no profile any more; apply at a service centre", from.CertType)
	}
	now := s.now()
	a := &store.Application{
		ID: s.opts.NewID(), Kind: store.AppKindReplacement, Replaces: slices.Clone(from.Serial), CertType: from.CertType,
		Centre: from.Centre, Phone: from.Phone, Recipient: from.Recipient, Owner: from.Owner, Org: from.Org,
		State: store.AppNew, StateSince: now, CreatedAt: now, CreatedBy: actor.ID,
	}
	if s.opts.Deadline > 0 {
		a.Deadline = now.Add(s.opts.Deadline)
	}
	if in.Owner != nil {
		o := *in.Owner
		if errs := appdata.ValidateOwner(&o, p, now); len(errs) > 0 {
			return nil, invalidFields(errs)
		}
		a.Owner = o
	}
	for _, d := range from.Documents {
		d.ID = s.opts.NewID()
		a.Documents = append(a.Documents, d)
	}
	var st step
	st.note = "renews application " + from.ID
	if !appdata.SameOwner(&a.Owner, &from.Owner) {
		st.note += "; owner data changed"
	}
	return s.write(ctx, actor, a, 0, ActRenew, &st)
}

// RenewalSignedInput records the verified signature of a renewal form.
type RenewalSignedInput struct {
	// CertSerial is the certificate that signed the form: the one the
	// application replaces.
	CertSerial []byte
	// Documents are the signed form and its detached signature, stored
	// by the caller (content-addressed); they are added to the
	// application's documents.
	Documents []DocumentInput
}

// RenewalSigned makes a renewal application ready to issue: the
// subscriber signed its form with the certificate it replaces (package
// cabinet verified the CAdES signature and the signer). The
// identification is recorded as remote by a qualified certificate, so
// the new certificate says so; the signed form and signature become
// documents. No review, no identity visit.
func (s *Service) RenewalSigned(ctx context.Context, actor Actor, id string, version uint64, in RenewalSignedInput) (*store.Application, error) {
	return s.change(ctx, actor, id, version, ActRenewalSigned, func(a *store.Application, p *appdata.Profile, st *step) error {
		if a.Kind != store.AppKindReplacement || len(a.Replaces) == 0 {
			return errf(CodeWrongState, "the application is not a renewal")
		}
		if !bytes.Equal(a.Replaces, in.CertSerial) {
			return errf(CodeIdentityMismatch, "the renewal is signed with another certificate than the one it replaces")
		}
		if err := checkSubject(a, p); err != nil {
			return err
		}
		if len(a.Documents)+len(in.Documents) > maxDocuments {
			return errf(CodeLimit, "an application holds at most %d files", maxDocuments)
		}
		now := s.now()
		for _, d := range in.Documents {
			a.Documents = append(a.Documents, store.Document{ID: s.opts.NewID(), Type: d.Type, SHA256: d.SHA256, Size: d.Size,
				ContentType: d.ContentType, AddedBy: actor.ID, AddedAt: now})
		}
		a.Identity = store.Identification{Method: store.IdentQualifiedCert, VerifiedBy: actor.ID, At: now, CertSerial: slices.Clone(in.CertSerial)}
		st.to = store.AppReadyToIssue
		st.note = "renewal signed with the certificate it replaces"
		return nil
	})
}
