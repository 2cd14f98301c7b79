package cabinet

// The organisation rules of renewal: a certificate issued for an
// organisation is renewed without a visit only while the tax registry
// (ЕГРЮЛ, ЕГРИП) still shows the organisation's details the certificate's
// application holds, and the same head. The registry's latest answer
// about each organisation is kept by the store (store.OrgRecord, written
// with every registry answer that carries an organisation); these rules
// compare with it. docs/cabinet.md "Organisation and head".

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// OrgRecords reads the organisations' latest registry records
// (*store.Store).
type OrgRecords interface {
	OrgRecord(ctx context.Context, k store.OrgKey) (*store.OrgRecord, error)
}

// OrgFacts are what the registry's latest record says against a
// certificate's application.
type OrgFacts struct {
	// Changed lists the organisation fields that differ
	// (appdata.OrgChanges).
	Changed []string
	// HeadChanged: the registry named another head after the
	// certificate's organisation data were checked.
	HeadChanged bool
}

// RenewalOrgFacts compares the certificate's application (its
// organisation block and the time its organisation check was asked; the
// certificate's notBefore when it has none) with the registry's latest
// record rec. A nil record (no answer about the organisation was ever
// taken) and an application without an organisation change nothing.
func RenewalOrgFacts(app *store.Application, notBefore time.Time, rec *store.OrgRecord) OrgFacts {
	if rec == nil || app == nil {
		return OrgFacts{}
	}
	if _, ok := store.OrgKeyOf(&app.Org); !ok {
		return OrgFacts{}
	}
	checked := notBefore
	if i := slices.IndexFunc(app.Checks, func(c store.RegistryCheck) bool {
		return (c.Kind == appdata.CheckEGRUL || c.Kind == appdata.CheckEGRIP) && c.Status == store.CheckConfirmed
	}); i >= 0 {
		checked = app.Checks[i].RequestedAt
	}
	return OrgFacts{
		Changed:     appdata.OrgChanges(&app.Org, &rec.Org),
		HeadChanged: !rec.HeadChanged.IsZero() && rec.HeadChanged.After(checked),
	}
}

// renewalOrgFacts sets the organisation facts of a renewal request for
// the subscriber's certificate c.
func (s *Service) renewalOrgFacts(ctx context.Context, c *SubscriberCert, req *RenewalRequest) error {
	reg := s.opts.Renewal.Registry
	key, ok := store.OrgKeyOf(&c.App.Org)
	if reg == nil || !ok {
		return nil
	}
	rec, err := reg.OrgRecord(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return s.internal("read the organisation's registry record", err)
	}
	f := RenewalOrgFacts(c.App, c.Cert.NotBefore, rec)
	req.OrganizationChanged, req.ResponsiblePersonChanged = len(f.Changed) > 0, f.HeadChanged
	return nil
}
