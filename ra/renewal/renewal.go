// Package renewal holds the registration authority's side of renewal
// without a visit (issue 13): the subscriber, in the cabinet, opens a
// renewal of a certificate of theirs; the data and documents are copied
// from that certificate's application, the owner block as the
// subscriber corrected it (the organisation is never theirs to change).
// The renewal form is signed with the certificate being renewed; once
// package cabinet has verified that signature, Signed makes the
// application ready to issue, identified remotely by a qualified
// certificate, with no review and no visit. Both are actions of the
// registration authority's table (ra.ActRenew, ra.ActRenewalSigned),
// written through ra.Service like its own.
package renewal

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// Input opens a renewal.
type Input struct {
	// From is the issued application of the certificate being renewed
	// (read by the same actor).
	From *store.Application
	// Owner, when not nil, replaces the owner block (validated as
	// UpdateData does); nil keeps From's.
	Owner *store.Owner
}

// Open opens a renewal application in state "new": kind replacement
// naming From's certificate, its type, centre, phone, recipient, owner
// (or in.Owner), organisation and documents copied (one batch: the
// record, its history event and audit entry).
func Open(ctx context.Context, s *ra.Service, actor ra.Actor, in Input) (*store.Application, error) {
	from := in.From
	return s.OpenFrom(ctx, actor, from, ra.ActRenew, func(a *store.Application, p *appdata.Profile, st *ra.Step) error {
		if from.State != store.AppIssued || len(from.Serial) == 0 {
			return &ra.Error{Code: ra.CodeWrongState, Detail: "only the application of an issued certificate can be renewed"}
		}
		if p == nil {
			return &ra.Error{Code: ra.CodeUnknownType, Detail: fmt.Sprintf("the certificate type %q has no profile any more; apply at a service centre", from.CertType)}
		}
		a.Kind, a.Replaces, a.CertType = store.AppKindReplacement, slices.Clone(from.Serial), from.CertType
		a.Centre, a.Phone, a.Recipient, a.Owner, a.Org = from.Centre, from.Phone, from.Recipient, from.Owner, from.Org
		if in.Owner != nil {
			o := *in.Owner
			if errs := appdata.ValidateOwner(&o, p, s.Now()); len(errs) > 0 {
				return ra.InvalidFields(errs)
			}
			a.Owner = o
		}
		for _, d := range from.Documents {
			d.ID = s.NewID()
			a.Documents = append(a.Documents, d)
		}
		st.Note = "renews application " + from.ID
		if !appdata.SameOwner(&a.Owner, &from.Owner) {
			st.Note += "; owner data changed"
		}
		return nil
	})
}

// SignedInput records the verified signature of a renewal form.
type SignedInput struct {
	// CertSerial is the certificate that signed the form: the one the
	// application replaces.
	CertSerial []byte
	// Documents are the signed form and its detached signature, stored
	// by the caller (content-addressed); they are added to the
	// application's documents.
	Documents []ra.DocumentInput
}

// Signed makes a renewal application ready to issue: the subscriber
// signed its form with the certificate it replaces (package cabinet
// verified the CAdES signature and the signer). The identification is
// recorded as remote by a qualified certificate, so the new certificate
// says so; the signed form and signature become documents. No review,
// no identity visit.
func Signed(ctx context.Context, s *ra.Service, actor ra.Actor, id string, version uint64, in SignedInput) (*store.Application, error) {
	return s.Change(ctx, actor, id, version, ra.ActRenewalSigned, func(a *store.Application, p *appdata.Profile, st *ra.Step) error {
		if a.Kind != store.AppKindReplacement || len(a.Replaces) == 0 {
			return &ra.Error{Code: ra.CodeWrongState, Detail: "the application is not a renewal"}
		}
		if !bytes.Equal(a.Replaces, in.CertSerial) {
			return &ra.Error{Code: ra.CodeIdentityMismatch, Detail: "the renewal is signed with another certificate than the one it replaces"}
		}
		if err := ra.CheckSubject(a, p); err != nil {
			return err
		}
		if len(a.Documents)+len(in.Documents) > ra.MaxDocuments {
			return &ra.Error{Code: ra.CodeLimit, Detail: fmt.Sprintf("an application holds at most %d files", ra.MaxDocuments)}
		}
		now := s.Now()
		for _, d := range in.Documents {
			a.Documents = append(a.Documents, store.Document{ID: s.NewID(), Type: d.Type, SHA256: d.SHA256, Size: d.Size,
				ContentType: d.ContentType, AddedBy: actor.ID, AddedAt: now})
		}
		a.Identity = store.Identification{Method: store.IdentQualifiedCert, VerifiedBy: actor.ID, At: now, CertSerial: slices.Clone(in.CertSerial)}
		st.To = store.AppReadyToIssue
		st.Note = "renewal signed with the certificate it replaces"
		return nil
	})
}
