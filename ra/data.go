package ra

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/mchd"
	"github.com/gostca/gostca/ra/outbox"
	"github.com/gostca/gostca/store"
)

// Data is the part of an application its filler edits: the owner block
// and the contact phone and recipient. UpdateData replaces all of it
// (send what you read, changed). The organisation block is not here: it
// comes only from registry answers (package ra/registry).
type Data struct {
	Phone     string
	Recipient string
	Owner     store.Owner
}

// UpdateData validates and stores the data. In the same batch it
//
//   - deletes every signed application already uploaded when the owner
//     data changed: the printed form no longer matches, it must be
//     printed and signed again;
//   - asks again (pending + outbox row) every registry check whose data
//     changed and is complete, and drops those whose data is incomplete;
//   - records the actor among the application's editors (an operator who
//     edited the data may not approve it).
//
// A "new" application becomes "filling"; a rejected one stays rejected
// until it is submitted again.
func (s *Service) UpdateData(ctx context.Context, actor Actor, id string, version uint64, d Data) (*store.Application, error) {
	return s.change(ctx, actor, id, version, ActUpdateData, func(a *store.Application, p *appdata.Profile, st *step) error {
		var errs []FieldError
		phone, err := appdata.NormalisePhone(d.Phone)
		if err != nil {
			errs = append(errs, FieldError{Field: "phone", Problem: err.Error()})
		}
		if d.Recipient != "" {
			if prob := appdata.VisibleText(d.Recipient, appdata.MaxTextRunes); prob != "" {
				errs = append(errs, FieldError{Field: "recipient", Problem: prob})
			}
		}
		o := d.Owner
		errs = append(errs, appdata.ValidateOwner(&o, p, s.now())...)
		if len(errs) > 0 {
			return invalidFields(errs)
		}
		if actor.Kind == Cabinet && phone != a.Phone {
			return invalidFields([]FieldError{{Field: "phone", Problem: "the subscriber cannot change the phone the cabinet logs in with; ask the service centre"}})
		}
		ownerChanged := !appdata.SameOwner(&o, &a.Owner)
		if !ownerChanged && phone == a.Phone && d.Recipient == a.Recipient {
			st.nothing = a.State != store.AppNew
			st.to, st.note = store.AppFilling, "no change"
			return nil
		}
		old := *a
		a.Phone, a.Recipient, a.Owner = phone, d.Recipient, o
		var changed []string
		if ownerChanged {
			changed = append(changed, "owner")
			st.note = dropSigned(a)
			addEditor(a, actor.ID)
		}
		if phone != old.Phone {
			changed = append(changed, "phone")
		}
		if d.Recipient != old.Recipient {
			changed = append(changed, "recipient")
		}
		st.note = strings.TrimPrefix(st.note+"; changed "+strings.Join(changed, ", "), "; ")
		st.outbox = append(st.outbox, s.requestChecks(&old, a, p)...)
		if a.State == store.AppNew {
			st.to = store.AppFilling
		}
		return nil
	})
}

// dropSigned deletes the signed applications; it returns a history note
// ("" if there were none).
func dropSigned(a *store.Application) string {
	n := len(a.Documents)
	a.Documents = slices.DeleteFunc(a.Documents, func(d store.Document) bool { return d.Type == appdata.DocSignedApplication })
	if dropped := n - len(a.Documents); dropped > 0 {
		return fmt.Sprintf("%d signed application file(s) deleted: print and sign it again", dropped)
	}
	return ""
}

func addEditor(a *store.Application, id string) {
	if !slices.Contains(a.Editors, id) && len(a.Editors) < 64 {
		a.Editors = append(a.Editors, id)
	}
}

// requestChecks compares the data each owner check covers before and
// after a change: a check whose data changed is dropped, and asked again
// (pending, with an outbox row) when its data is complete.
func (s *Service) requestChecks(old, a *store.Application, p *appdata.Profile) []store.OutboxRow {
	now := s.now()
	var rows []store.OutboxRow
	for _, kind := range []string{appdata.CheckSNILS, appdata.CheckINN, appdata.CheckPassport} {
		before, _ := appdata.CheckInputs(kind, old, p)
		after, ready := appdata.CheckInputs(kind, a, p)
		if before == after && slices.ContainsFunc(a.Checks, func(c store.RegistryCheck) bool { return c.Kind == kind }) {
			continue
		}
		a.Checks = slices.DeleteFunc(a.Checks, func(c store.RegistryCheck) bool { return c.Kind == kind })
		if ready {
			a.Checks = append(a.Checks, store.RegistryCheck{Kind: kind, Status: store.CheckPending, RequestedAt: now})
			rows = append(rows, outbox.CheckRow(a.ID, kind, now))
		}
	}
	return rows
}

// DocumentInput is the metadata of an uploaded file. The caller (the
// upload endpoint) has stored the bytes content-addressed by SHA256 and
// detected ContentType from the content itself.
type DocumentInput struct {
	Type        string
	SHA256      [32]byte
	Size        int64
	ContentType string
}

// maxDocuments per application (the store allows more).
const maxDocuments = 200

// AddDocument records an uploaded file; the new document is the last of
// the returned application's Documents.
func (s *Service) AddDocument(ctx context.Context, actor Actor, id string, version uint64, in DocumentInput) (*store.Application, error) {
	var errs []FieldError
	if !slices.Contains(appdata.DocumentTypes, in.Type) {
		errs = append(errs, FieldError{Field: "type", Problem: "unknown document type; one of " + strings.Join(appdata.DocumentTypes, ", ")})
	}
	if in.Size <= 0 || in.Size > s.opts.MaxDocumentSize {
		errs = append(errs, FieldError{Field: "size", Problem: fmt.Sprintf("a file is 1 byte to %d MiB", s.opts.MaxDocumentSize>>20)})
	}
	if !slices.Contains(s.opts.ContentTypes, in.ContentType) &&
		(in.Type != appdata.DocMCHD || !slices.Contains(mchd.ContentTypes, in.ContentType)) {
		problem := "accepted: jpeg, png, gif, tiff, pdf, bmp, heic"
		if slices.Contains(mchd.ContentTypes, in.ContentType) {
			problem += " (XML and signatures only as type " + appdata.DocMCHD + ")"
		}
		errs = append(errs, FieldError{Field: "content_type", Problem: problem})
	}
	if in.SHA256 == ([32]byte{}) {
		errs = append(errs, FieldError{Field: "sha256", Problem: "missing content hash"})
	}
	if len(errs) > 0 {
		return nil, invalidFields(errs)
	}
	return s.change(ctx, actor, id, version, ActAddDocument, func(a *store.Application, p *appdata.Profile, st *step) error {
		if len(a.Documents) >= maxDocuments {
			return errf(CodeLimit, "an application holds at most %d files; delete some first", maxDocuments)
		}
		doc := store.Document{ID: s.opts.NewID(), Type: in.Type, SHA256: in.SHA256, Size: in.Size,
			ContentType: in.ContentType, AddedBy: actor.ID, AddedAt: s.now()}
		a.Documents = append(a.Documents, doc)
		st.note = "document " + doc.ID + " (" + doc.Type + ")"
		if a.State == store.AppNew {
			st.to = store.AppFilling
		}
		return nil
	})
}

// RemoveDocument deletes a document's metadata. (The content-addressed
// bytes stay while any application refers to them; retention decides
// the rest.)
func (s *Service) RemoveDocument(ctx context.Context, actor Actor, id string, version uint64, docID string) (*store.Application, error) {
	return s.change(ctx, actor, id, version, ActRemoveDocument, func(a *store.Application, p *appdata.Profile, st *step) error {
		i := slices.IndexFunc(a.Documents, func(d store.Document) bool { return d.ID == docID })
		if i < 0 {
			return errf(CodeDocumentNotFound, "the application has no such document")
		}
		st.note = "document " + docID + " (" + a.Documents[i].Type + ")"
		a.Documents = slices.Delete(a.Documents, i, i+1)
		return nil
	})
}
