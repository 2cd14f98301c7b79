package ra

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/mchd"
	"github.com/gostca/gostca/ra/orgrecord"
	"github.com/gostca/gostca/store"
)

// Data is the part of an application its filler edits: the owner block
// and the contact phone and recipient. UpdateData replaces all of it
// (send what you read, changed). The organisation block is not here: it
// comes only from registry answers (RecordCheck).
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
			rows = append(rows, checkRow(a.ID, kind, now))
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

// maxDetailBytes bounds a registry answer's summary.
const maxDetailBytes = 1024

// CheckResult is a registry's answer to one check.
type CheckResult struct {
	Kind string
	// RequestedAt quotes the pending check's request time (from the
	// outbox payload): an answer to an older request is stale.
	RequestedAt time.Time
	Status      store.CheckStatus // confirmed, refuted or failed
	Detail      string            // summary shown to the operator (no more than 1 KiB)
	// Organisation is the tax registry's record (CheckEGRUL, CheckEGRIP);
	// it replaces the organisation block and the organisation's registry
	// record (package ra/orgrecord).
	Organisation *store.Organisation
	// Head is the person the registry names as acting for the
	// organisation without a power of attorney (with Organisation only;
	// nil: the answer named nobody).
	Head *store.RegistryPerson
}

// RecordCheck stores a registry answer (system actor). It returns the
// application and, for an organisation answer, the organisation fields
// that changed ("organisation.name", …), which the operator is shown as
// highlighted lines. An organisation change deletes the signed
// applications, like an owner change, and is accepted only while the
// application is being filled; an answer arriving later is refused, as
// is an answer to a check that is not pending or was asked again since.
// Conflicts with concurrent changes are retried.
func (s *Service) RecordCheck(ctx context.Context, actor Actor, id string, res CheckResult) (*store.Application, []string, error) {
	if res.Status != store.CheckConfirmed && res.Status != store.CheckRefuted && res.Status != store.CheckFailed {
		return nil, nil, invalidFields([]FieldError{{Field: "status", Problem: "confirmed, refuted or failed"}})
	}
	if len(res.Detail) > maxDetailBytes {
		return nil, nil, invalidFields([]FieldError{{Field: "detail", Problem: fmt.Sprintf("at most %d bytes", maxDetailBytes)}})
	}
	if prob := appdata.VisibleText(res.Detail, maxDetailBytes); prob != "" && res.Detail != "" {
		return nil, nil, invalidFields([]FieldError{{Field: "detail", Problem: prob}})
	}
	var changed []string
	for attempt := 0; ; attempt++ {
		a, err := s.change(ctx, actor, id, 0, ActRegistryAnswer, func(a *store.Application, p *appdata.Profile, st *step) error {
			changed = nil
			i := slices.IndexFunc(a.Checks, func(c store.RegistryCheck) bool { return c.Kind == res.Kind })
			if i < 0 || a.Checks[i].Status != store.CheckPending || !a.Checks[i].RequestedAt.Equal(res.RequestedAt) {
				return errf(CodeStaleCheck, "no pending %s check asked at that time: the data changed and it was asked again, or it was answered", res.Kind)
			}
			c := &a.Checks[i]
			c.Status, c.AnsweredAt, c.Detail = res.Status, s.now(), res.Detail
			st.note = fmt.Sprintf("check %s: %s", res.Kind, res.Status)
			if res.Organisation == nil {
				return nil
			}
			if res.Kind != p.OrgRegistry {
				return invalidFields([]FieldError{{Field: "organisation", Problem: "only the " + p.OrgRegistry + " answer fills the organisation"}})
			}
			if !slices.Contains(editable, a.State) {
				return wrongState("change of the organisation data", a.State)
			}
			g := *res.Organisation
			g.UpdatedAt = time.Time{}
			if (p.OrgRegistry == appdata.CheckEGRUL && g.INN != a.Org.INN) || (p.OrgRegistry == appdata.CheckEGRIP && g.OGRNIP != a.Org.OGRNIP) {
				return invalidFields([]FieldError{{Field: "organisation", Problem: "the answer is about another organisation than the one asked for"}})
			}
			if errs := appdata.ValidateOrg(&g, p); len(errs) > 0 {
				return invalidFields(errs)
			}
			if errs := orgrecord.ValidateHead(res.Head); len(errs) > 0 {
				return invalidFields(errs)
			}
			st.org = orgrecord.Update(&g, res.Kind, res.RequestedAt, res.Head, a.ID, s.now())
			changed = appdata.OrgDiff(&a.Org, &g)
			if len(changed) == 0 {
				return nil
			}
			g.UpdatedAt = s.now()
			a.Org = g
			st.note += "; changed " + strings.Join(changed, ", ")
			if n := dropSigned(a); n != "" {
				st.note += "; " + n
			}
			return nil
		})
		if CodeOf(err) == CodeConflict && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		return a, changed, nil
	}
}
