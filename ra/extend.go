package ra

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// Actions defined beside this package (ra/renewal) run through the same
// machinery as its own: the rules table, the actor's view, one batch
// with the history event and audit entry.

// Step is what such an action decides for the application.
type Step struct {
	To   store.AppState   // new state; zero keeps it
	Note string           // history note and audit detail (no personal data)
	Org  *store.OrgUpdate // the organisation's registry record, written in the batch (ra/registry)
}

// Change runs act (of the rules table) on the application id at version
// as change does: fn changes the loaded application.
func (s *Service) Change(ctx context.Context, actor Actor, id string, version uint64, act Action,
	fn func(a *store.Application, p *appdata.Profile, st *Step) error) (*store.Application, error) {
	return s.change(ctx, actor, id, version, act, func(a *store.Application, p *appdata.Profile, st *step) error {
		var x Step
		err := fn(a, p, &x)
		st.to, st.note, st.org = x.To, x.Note, x.Org
		return err
	})
}

// OpenFrom stores a new application that act makes from one the actor
// sees (from): the actor's kind must be allowed act, fn fills the new
// application (id, creation, state new, deadline set) from from and its
// profile, and the record, its event and audit entry are one batch.
func (s *Service) OpenFrom(ctx context.Context, actor Actor, from *store.Application, act Action,
	fn func(a *store.Application, p *appdata.Profile, st *Step) error) (*store.Application, error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	if !slices.Contains(rules[act].actors, actor.Kind) {
		return nil, errf(CodeForbidden, "a %s may not %s an application", actor.Kind, act)
	}
	if from == nil || !actor.sees(from) {
		return nil, errf(CodeNotFound, "no such application")
	}
	now := s.now()
	a := &store.Application{ID: s.opts.NewID(), State: store.AppNew, StateSince: now, CreatedAt: now, CreatedBy: actor.ID}
	if s.opts.Deadline > 0 {
		a.Deadline = now.Add(s.opts.Deadline)
	}
	var x Step
	if err := fn(a, s.profiles[from.CertType], &x); err != nil {
		return nil, err
	}
	return s.write(ctx, actor, a, 0, act, &step{to: x.To, note: x.Note, org: x.Org})
}

// Rewrite stores a, as read and changed by the caller, for act (of the
// rules table, allowed to the actor's kind in a's state), compared-and-set
// on the version read, with its history event and audit entry: for a
// sweep that changes what no profile rule governs (ra/sweep).
func (s *Service) Rewrite(ctx context.Context, actor Actor, a *store.Application, act Action, note string) (*store.Application, error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	if !slices.Contains(rules[act].actors, actor.Kind) {
		return nil, errf(CodeForbidden, "a %s may not %s an application", actor.Kind, act)
	}
	if !slices.Contains(rules[act].from, a.State) {
		return nil, wrongState(act, a.State)
	}
	return s.write(ctx, actor, a, a.Version, act, &step{note: note})
}

// Editable reports whether an application in state st is being filled
// (its data may change).
func Editable(st store.AppState) bool { return slices.Contains(editable, st) }

// DropSigned deletes a's signed applications (their data changed: the
// form must be printed and signed again) and returns the history note,
// "" if there were none.
func DropSigned(a *store.Application) string { return dropSigned(a) }

// Deadline is how long an application may take (zero: no deadline).
func (s *Service) Deadline() time.Duration { return s.opts.Deadline }

// NewID makes a document or application id.
func (s *Service) NewID() string { return s.opts.NewID() }

// Now is the service's clock, in UTC.
func (s *Service) Now() time.Time { return s.now() }

// Certificate reads a certificate through the CA façade, for
// identification by it (ra/identity): ErrNoCertificate when the serial
// is unknown; any other failure is an internal error, logged here.
func (s *Service) Certificate(ctx context.Context, serial []byte) (CertInfo, error) {
	info, err := s.ca.Certificate(ctx, serial)
	if err != nil && !errors.Is(err, ErrNoCertificate) {
		return CertInfo{}, s.internal("look up the identifying certificate", err)
	}
	return info, err
}

// InvalidFields is the error of invalid data, naming the fields.
func InvalidFields(fields []FieldError) error { return invalidFields(fields) }

// CheckSubject checks that an application makes a valid certificate
// subject under its profile.
func CheckSubject(a *store.Application, p *appdata.Profile) error { return checkSubject(a, p) }

// MaxDocuments is how many files an application holds at most.
const MaxDocuments = maxDocuments
