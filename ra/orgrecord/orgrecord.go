// Package orgrecord decides what is kept of the tax registry's answers
// about organisations: every ЕГРЮЛ or ЕГРИП answer that carries an
// organisation also becomes the latest record of that organisation, with
// the head it names, written by package ra in the batch of the
// application's registry_answer change (store.AppChange.OrgRecord).
// Renewal without a visit compares a certificate's organisation and head
// with it (cabinet/renewalorg.go).
package orgrecord

import (
	"fmt"
	"strings"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// ValidateHead checks the head named by a registry answer (nil: none).
func ValidateHead(h *store.RegistryPerson) []appdata.FieldError {
	if h == nil {
		return nil
	}
	var errs []appdata.FieldError
	for _, f := range []struct{ name, v string }{
		{"head.surname", h.Surname}, {"head.given_name", h.GivenName}, {"head.patronymic", h.Patronymic}, {"head.position", h.Position},
	} {
		if f.v == "" {
			continue
		}
		if prob := appdata.VisibleText(f.v, appdata.MaxTextRunes); prob != "" {
			errs = append(errs, appdata.FieldError{Field: "organisation." + f.name, Problem: prob})
		}
	}
	if h.Surname == "" || h.GivenName == "" {
		errs = append(errs, appdata.FieldError{Field: "organisation.head", Problem: "the head's surname and given name are required"})
	}
	if h.INN != "" {
		if err := pkix.ValidateINNPerson(h.INN); err != nil {
			errs = append(errs, appdata.FieldError{Field: "organisation.head.inn", Problem: err.Error()})
		}
	}
	return errs
}

// Update makes the record update of a validated organisation answer of
// registry (the check's kind) asked at asked, naming head (nil: nobody),
// for application app: nil when the organisation has no key.
func Update(g *store.Organisation, registry string, asked time.Time, head *store.RegistryPerson, app string, now time.Time) *store.OrgUpdate {
	key, ok := store.OrgKeyOf(g)
	if !ok {
		return nil
	}
	rec := &store.OrgRecord{Key: key, Registry: registry, Org: *g, AsOf: asked.UTC(), Received: now, Application: app}
	if head != nil {
		rec.Head = *head
	}
	return &store.OrgUpdate{Key: key, Merge: func(old *store.OrgRecord) (*store.OrgRecord, string) {
		return Merge(old, rec)
	}}
}

// Merge decides what is stored when rec arrives over old (nil:
// none): an answer asked before the stored one is not taken (nil); the
// head's change is dated by the first answer naming another head than
// the stored one (an answer naming nobody keeps the stored head). The
// details name what changed, never the values.
func Merge(old, rec *store.OrgRecord) (*store.OrgRecord, string) {
	r := *rec
	details := fmt.Sprintf("%s as of %s from application %s", r.Registry, r.AsOf.Format(time.RFC3339), r.Application)
	if old == nil {
		return &r, details + "; first record"
	}
	if r.AsOf.Before(old.AsOf) {
		return nil, ""
	}
	changed := appdata.OrgChanges(&old.Org, &r.Org)
	r.HeadChanged = old.HeadChanged
	switch {
	case r.Head.IsZero():
		r.Head = old.Head // an answer naming nobody forgets no one
	case !old.Head.IsZero() && !appdata.SamePerson(old.Head, r.Head):
		changed = append(changed, "head")
		r.HeadChanged = r.AsOf
	}
	if len(changed) == 0 {
		return &r, details + "; unchanged"
	}
	return &r, details + "; changed " + strings.Join(changed, ", ")
}
