// Package registry takes the registries' answers to an application's
// checks into the application (the registration authority's
// registry_answer action, the system's): the pension fund's SNILS, the
// tax service's INN and ЕГРЮЛ/ЕГРИП, the interior ministry's passport.
// ra asks (a check becomes pending, with its outbox row, in the batch
// of the data change that needs it); the hook workers deliver the
// request and bring the signed answer back to Record, which quotes the
// request time. A tax registry's answer also fills the application's
// organisation block and becomes the organisation's latest registry
// record (package ra/orgrecord) in the same batch. The action is written
// through ra.Service like ra's own (ra.ActRegistryAnswer).
package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/orgrecord"
	"github.com/gostca/gostca/store"
)

// maxDetailBytes bounds a registry answer's summary.
const maxDetailBytes = 1024

// Answer is a registry's answer to one check.
type Answer struct {
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

func invalid(field, problem string) error {
	return ra.InvalidFields([]ra.FieldError{{Field: field, Problem: problem}})
}

// Record stores a registry answer (system actor) in application id. It
// returns the application and, for an organisation answer, the
// organisation fields that changed ("organisation.name", …), which the
// operator is shown as highlighted lines. An organisation change deletes
// the signed applications, like an owner change, and is accepted only
// while the application is being filled; an answer arriving later is
// refused, as is an answer to a check that is not pending or was asked
// again since. Conflicts with concurrent changes are retried.
func Record(ctx context.Context, s *ra.Service, actor ra.Actor, id string, res Answer) (*store.Application, []string, error) {
	if res.Status != store.CheckConfirmed && res.Status != store.CheckRefuted && res.Status != store.CheckFailed {
		return nil, nil, invalid("status", "confirmed, refuted or failed")
	}
	if len(res.Detail) > maxDetailBytes {
		return nil, nil, invalid("detail", fmt.Sprintf("at most %d bytes", maxDetailBytes))
	}
	if prob := appdata.VisibleText(res.Detail, maxDetailBytes); prob != "" && res.Detail != "" {
		return nil, nil, invalid("detail", prob)
	}
	var changed []string
	for attempt := 0; ; attempt++ {
		a, err := s.Change(ctx, actor, id, 0, ra.ActRegistryAnswer, func(a *store.Application, p *appdata.Profile, st *ra.Step) error {
			changed = nil
			i := slices.IndexFunc(a.Checks, func(c store.RegistryCheck) bool { return c.Kind == res.Kind })
			if i < 0 || a.Checks[i].Status != store.CheckPending || !a.Checks[i].RequestedAt.Equal(res.RequestedAt) {
				return &ra.Error{Code: ra.CodeStaleCheck, Detail: fmt.Sprintf("no pending %s check asked at that time: the data changed and it was asked again, or it was answered", res.Kind)}
			}
			c := &a.Checks[i]
			c.Status, c.AnsweredAt, c.Detail = res.Status, s.Now(), res.Detail
			st.Note = fmt.Sprintf("check %s: %s", res.Kind, res.Status)
			if res.Organisation == nil {
				return nil
			}
			if res.Kind != p.OrgRegistry {
				return invalid("organisation", "only the "+p.OrgRegistry+" answer fills the organisation")
			}
			if !ra.Editable(a.State) {
				return &ra.Error{Code: ra.CodeWrongState, Detail: fmt.Sprintf("change of the organisation data is not allowed while the application is %s", a.State)}
			}
			g := *res.Organisation
			g.UpdatedAt = time.Time{}
			if (p.OrgRegistry == appdata.CheckEGRUL && g.INN != a.Org.INN) || (p.OrgRegistry == appdata.CheckEGRIP && g.OGRNIP != a.Org.OGRNIP) {
				return invalid("organisation", "the answer is about another organisation than the one asked for")
			}
			if errs := appdata.ValidateOrg(&g, p); len(errs) > 0 {
				return ra.InvalidFields(errs)
			}
			if errs := orgrecord.ValidateHead(res.Head); len(errs) > 0 {
				return ra.InvalidFields(errs)
			}
			st.Org = orgrecord.Update(&g, res.Kind, res.RequestedAt, res.Head, a.ID, s.Now())
			changed = appdata.OrgDiff(&a.Org, &g)
			if len(changed) == 0 {
				return nil
			}
			g.UpdatedAt = s.Now()
			a.Org = g
			st.Note += "; changed " + strings.Join(changed, ", ")
			if n := ra.DropSigned(a); n != "" {
				st.Note += "; " + n
			}
			return nil
		})
		if ra.CodeOf(err) == ra.CodeConflict && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		return a, changed, nil
	}
}
