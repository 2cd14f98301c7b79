package ra

import (
	"context"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/outbox"
	"github.com/gostca/gostca/store"
)

// CreateInput opens an application.
type CreateInput struct {
	// Replaces is the serial (big-endian magnitude) of the certificate
	// this application renews; empty for a new certificate.
	Replaces []byte
	// CertType names the application profile.
	CertType string
	// Centre is the service centre the application belongs to: a service
	// centre's own (naming another is forbidden), or the centre an
	// operator acts for (required).
	Centre string
	// Phone is the subscriber's mobile phone (required: without it nobody
	// can receive the certificate); normalised to "+79XXXXXXXXX".
	Phone string
	// Email is the owner's e-mail (optional; notices and reminders).
	Email string
	// Recipient is the recipient organisation as free text (optional).
	Recipient string
	// Organisation names the organisation of profiles that have one, by
	// the identifier its registry is asked with: the legal entity's INN
	// (10 digits; org_registry "egrul") or the entrepreneur's OGRNIP (15
	// digits; "egrip"). The rest of the organisation block comes from
	// the registry's answer only.
	Organisation string
}

// Create opens an application in state "new" (one batch: the record, its
// audit entry, and the organisation's registry request if any).
func (s *Service) Create(ctx context.Context, actor Actor, in CreateInput) (*store.Application, error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	if !Allowed(ActCreate, actor.Kind, 0) {
		return nil, errf(CodeForbidden, "only a service centre, or an operator on a centre's behalf, opens applications")
	}
	centre := in.Centre
	switch actor.Kind {
	case ServiceCentre:
		if centre != "" && centre != actor.Centre {
			return nil, errf(CodeForbidden, "a service centre opens applications only for itself")
		}
		centre = actor.Centre
	case Operator:
		if centre == "" {
			return nil, invalidFields([]FieldError{{Field: "centre", Problem: "required: the service centre the operator acts for"}})
		}
	}
	p, ok := s.profiles[in.CertType]
	if !ok {
		return nil, errf(CodeUnknownType, "no application profile for certificate type %q", in.CertType)
	}
	now := s.now()
	a := &store.Application{
		ID: s.opts.NewID(), Kind: store.AppKindNew, CertType: p.Name, Centre: centre,
		State: store.AppNew, StateSince: now, CreatedAt: now, CreatedBy: actor.ID,
	}
	if s.opts.Deadline > 0 {
		a.Deadline = now.Add(s.opts.Deadline)
	}
	var errs []FieldError
	bad := func(field, problem string) { errs = append(errs, FieldError{Field: field, Problem: problem}) }
	if !store.ValidCentreID(centre) {
		bad("centre", "1–64 characters of A-Z a-z 0-9 . _ -")
	}
	if phone, err := appdata.NormalisePhone(in.Phone); err != nil {
		if in.Phone == "" {
			bad("phone", "required: the subscriber's mobile phone, to receive the certificate")
		} else {
			bad("phone", err.Error())
		}
	} else {
		a.Phone = phone
	}
	if len(in.Replaces) > 0 {
		serial := in.Replaces
		for len(serial) > 0 && serial[0] == 0 {
			serial = serial[1:]
		}
		if len(serial) == 0 || len(serial) > 20 {
			bad("replaces", "the serial of the certificate being renewed: 1–20 bytes, not zero")
		}
		a.Kind, a.Replaces = store.AppKindReplacement, serial
	}
	if in.Email != "" {
		sub := pkix.Subject{Email: in.Email}
		if sub.Validate() != nil {
			bad("email", "not an e-mail address: ASCII name@domain, e.g. ivanov@example.ru")
		}
		a.Owner.Email = in.Email
	}
	if in.Recipient != "" {
		if prob := appdata.VisibleText(in.Recipient, appdata.MaxTextRunes); prob != "" {
			bad("recipient", prob)
		}
		a.Recipient = in.Recipient
	}
	var st step
	switch {
	case p.OrgRegistry == "" && in.Organisation != "":
		bad("organisation", "a "+p.Title+" certificate names no organisation: leave it empty")
	case p.OrgRegistry == appdata.CheckEGRUL:
		if err := pkix.ValidateINNLE(in.Organisation); err != nil {
			bad("organisation", "the organisation's INN (10 digits) is required: "+appdata.IdentReason(err))
		}
		a.Org.INN = in.Organisation
	case p.OrgRegistry == appdata.CheckEGRIP:
		if err := pkix.ValidateOGRNIP(in.Organisation); err != nil {
			bad("organisation", "the entrepreneur's OGRNIP (15 digits) is required: "+appdata.IdentReason(err))
		}
		a.Org.OGRNIP = in.Organisation
	}
	if len(errs) > 0 {
		return nil, invalidFields(errs)
	}
	if p.OrgRegistry != "" {
		a.Checks = append(a.Checks, store.RegistryCheck{Kind: p.OrgRegistry, Status: store.CheckPending, RequestedAt: now})
		st.outbox = append(st.outbox, outbox.CheckRow(a.ID, p.OrgRegistry, now))
	}
	st.note = "type " + p.Name
	return s.write(ctx, actor, a, 0, ActCreate, &st)
}
