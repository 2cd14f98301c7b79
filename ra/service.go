package ra

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/mchd"
	"github.com/gostca/gostca/store"
)

// Store is what the service needs of storage (store.Applications; *store.Store
// implements it).
type Store interface {
	PutApplication(ctx context.Context, a *store.Application, expect uint64, ch store.AppChange) error
	Application(ctx context.Context, id string) (*store.Application, error)
	FindApplications(ctx context.Context, q store.AppQuery) ([]store.Application, string, error)
	ApplicationHistory(ctx context.Context, id string) ([]store.AppEvent, error)
}

// Options configure New. The zero value is usable.
type Options struct {
	// Profiles are the application profiles; nil means DefaultProfiles().
	Profiles []appdata.Profile
	// Deadline is how long an application may take from creation to
	// issuance; past it, Expire may close it. Zero: applications never
	// expire.
	Deadline time.Duration
	// MaxDocumentSize bounds one uploaded file; zero means 10 MiB.
	MaxDocumentSize int64
	// ContentTypes are the file types accepted (as detected from the
	// content by the caller); nil means DefaultContentTypes.
	ContentTypes []string
	// Documents reads uploaded files for the МЧД checks (package ra/mchd); nil:
	// an application with an МЧД's XML or signature cannot be submitted.
	Documents mchd.Documents
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NewID makes application and document ids; nil means 128 random
	// bits in lower-case base32 (26 characters).
	NewID func() string
	// Logger; nil means slog.Default(). Personal data is never logged.
	Logger *slog.Logger
}

// DefaultContentTypes are the document formats a service centre may
// upload (package docstore decides a file's type by its content): jpeg,
// png, gif, tiff, pdf, bmp, heic.
var DefaultContentTypes = []string{"image/jpeg", "image/png", "image/gif", "image/tiff", "application/pdf", "image/bmp", "image/heic"}

// DefaultMaxDocumentSize is the default per-file limit (10 MiB).
const DefaultMaxDocumentSize = 10 << 20

// Service is the registration authority: every action on applications.
// It is safe for concurrent use; concurrent changes of one application
// are serialised by the store's compare-and-set on the version.
type Service struct {
	st       Store
	ca       CA
	profiles map[string]*appdata.Profile
	opts     Options
	log      *slog.Logger
}

// New checks the profiles and returns a service.
func New(st Store, ca CA, opts Options) (*Service, error) {
	if st == nil || ca == nil {
		return nil, errors.New("ra: a store and a CA are required")
	}
	if opts.Profiles == nil {
		opts.Profiles = appdata.DefaultProfiles()
	}
	if len(opts.Profiles) == 0 {
		return nil, errors.New("ra: no application profiles")
	}
	if opts.MaxDocumentSize <= 0 {
		opts.MaxDocumentSize = DefaultMaxDocumentSize
	}
	if opts.ContentTypes == nil {
		opts.ContentTypes = DefaultContentTypes
	}
	if opts.Deadline < 0 {
		return nil, errors.New("ra: negative deadline")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = randomID
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Service{st: st, ca: ca, profiles: map[string]*appdata.Profile{}, opts: opts, log: opts.Logger.With("component", "ra")}
	for i := range opts.Profiles {
		p := opts.Profiles[i]
		if err := p.Validate(); err != nil {
			return nil, err
		}
		if _, dup := s.profiles[p.Name]; dup {
			return nil, fmt.Errorf("ra: application profile %q defined twice", p.Name)
		}
		s.profiles[p.Name] = &p
	}
	return s, nil
}

// Profile returns the application profile of a certificate type.
func (s *Service) Profile(name string) (appdata.Profile, bool) {
	p, ok := s.profiles[name]
	if !ok {
		return appdata.Profile{}, false
	}
	return *p, true
}

// ProfileNames lists the certificate types (application profile names),
// sorted.
func (s *Service) ProfileNames() []string {
	out := make([]string, 0, len(s.profiles))
	for n := range s.profiles {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return idEncoding.EncodeToString(b[:])
}

// now is the service clock in UTC.
func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// Get returns an application the actor may see.
func (s *Service) Get(ctx context.Context, actor Actor, id string) (*store.Application, error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	return s.load(ctx, actor, id)
}

// load reads an application and hides it from an actor who may not see
// it.
func (s *Service) load(ctx context.Context, actor Actor, id string) (*store.Application, error) {
	if !store.ValidAppID(id) {
		return nil, errf(CodeNotFound, "no such application")
	}
	a, err := s.st.Application(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !actor.sees(a)) {
		return nil, &Error{Code: CodeNotFound, Detail: "no such application", Err: err}
	}
	if err != nil {
		return nil, s.internal("read application", err)
	}
	return a, nil
}

// internal wraps a storage failure; it is logged here once.
func (s *Service) internal(what string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: CodeInternal, Detail: what + ": cancelled", Err: err}
	}
	s.log.Error("ra: "+what+" failed", "err", err)
	return &Error{Code: CodeInternal, Detail: what + " failed", Err: err}
}

// History returns the events of an application the actor may see, one
// per version, oldest first: who did what, from which state to which,
// and the note (reasons, why).
func (s *Service) History(ctx context.Context, actor Actor, id string) ([]store.AppEvent, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	h, err := s.st.ApplicationHistory(ctx, id)
	if err != nil {
		return nil, s.internal("read application history", err)
	}
	return h, nil
}

// ListQuery selects applications: one of State (the review queue,
// oldest in state first), Centre, Phone, SNILS or INN, the others
// filtering (State and Centre only) or empty.
type ListQuery struct {
	State  store.AppState
	Centre string
	Phone  string
	SNILS  string
	INN    string
	Cursor string
	Limit  int
}

// List pages through applications. A service centre lists only its own
// (its centre is imposed, naming another is forbidden); a cabinet only
// those of its subscriber's phone; operators and the system everything.
func (s *Service) List(ctx context.Context, actor Actor, q ListQuery) ([]store.Application, string, error) {
	if err := actor.check(); err != nil {
		return nil, "", err
	}
	switch actor.Kind {
	case ServiceCentre:
		if q.Centre != "" && q.Centre != actor.Centre {
			return nil, "", errf(CodeForbidden, "a service centre lists only its own applications")
		}
		q.Centre = actor.Centre
	case Cabinet:
		p, _ := appdata.NormalisePhone(actor.Phone)
		if q.Phone != "" && q.Phone != p {
			return nil, "", errf(CodeForbidden, "the cabinet lists only its subscriber's applications")
		}
		q.Phone = p
	}
	sq := store.AppQuery{State: q.State, Centre: q.Centre, Cursor: q.Cursor, Limit: q.Limit}
	set := 0
	for _, c := range []struct {
		f store.AppField
		v string
	}{{store.ByAppPhone, q.Phone}, {store.ByAppSNILS, q.SNILS}, {store.ByAppINN, q.INN}} {
		if c.v != "" {
			sq.Field, sq.Value = c.f, c.v
			set++
		}
	}
	switch {
	case set > 1:
		return nil, "", errf(CodeInvalidData, "give at most one of phone, SNILS and INN")
	case set == 1:
	case q.State != 0:
		sq.Field, sq.Value, sq.State = store.ByAppState, q.State.String(), 0
	case q.Centre != "":
		sq.Field, sq.Value, sq.Centre = store.ByAppCentre, q.Centre, ""
	default:
		return nil, "", errf(CodeInvalidData, "give a state, a centre, a phone, a SNILS or an INN")
	}
	if sq.Field == store.ByAppPhone {
		p, err := appdata.NormalisePhone(sq.Value)
		if err != nil {
			return nil, "", invalidFields([]FieldError{{Field: "phone", Problem: err.Error()}})
		}
		sq.Value = p
	}
	if sq.Field == store.ByAppSNILS {
		sq.Value = strings.NewReplacer("-", "", " ", "").Replace(sq.Value)
	}
	page, next, err := s.st.FindApplications(ctx, sq)
	if errors.Is(err, store.ErrInvalidInput) {
		return nil, "", &Error{Code: CodeInvalidData, Detail: "malformed query or cursor", Err: err}
	}
	if err != nil {
		return nil, "", s.internal("list applications", err)
	}
	return page, next, nil
}

// step is what one action does to a loaded application, decided by its
// function before anything is written.
type step struct {
	to      store.AppState // new state; zero keeps the state
	note    string         // history note and audit detail (no personal data)
	outbox  []store.OutboxRow
	nothing bool             // the action changed nothing: write nothing, return the application as it is
	consent *store.Consent   // written with the change (consent.go)
	org     *store.OrgUpdate // the organisation's registry record (ra/orgrecord)
}

// change runs one action: it checks the actor and the action's rule
// (actor kinds, states), loads the application the actor may see,
// compares the version the caller saw, lets fn change it, and writes the
// result with its history event, audit entry and outbox rows in one
// batch, compared-and-set on the version. version 0 is allowed to the
// system actor only and means "whatever is current". Any error leaves
// the application as it was.
func (s *Service) change(ctx context.Context, actor Actor, id string, version uint64, act Action,
	fn func(a *store.Application, p *appdata.Profile, st *step) error) (*store.Application, error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	rule := rules[act]
	if !slices.Contains(rule.actors, actor.Kind) {
		return nil, errf(CodeForbidden, "a %s may not %s an application", actor.Kind, act)
	}
	if version == 0 && actor.Kind != System {
		return nil, errf(CodeVersionRequired, "give the version of the application you decided on (If-Match)")
	}
	a, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if version != 0 && a.Version != version {
		return nil, errf(CodeConflict, "the application is at version %d, you saw %d: read it again", a.Version, version)
	}
	if !slices.Contains(rule.from, a.State) {
		return nil, wrongState(act, a.State)
	}
	p, ok := s.profiles[a.CertType]
	if !ok {
		return nil, errf(CodeUnknownType, "the application's certificate type %q has no profile any more; ask an administrator", a.CertType)
	}
	expect := a.Version
	var st step
	if err := fn(a, p, &st); err != nil {
		return nil, err
	}
	if st.nothing {
		return a, nil
	}
	return s.write(ctx, actor, a, expect, act, &st)
}

// write appends the history event and stores a with its audit entry and
// outbox rows (expect 0: a new application).
func (s *Service) write(ctx context.Context, actor Actor, a *store.Application, expect uint64, act Action, st *step) (*store.Application, error) {
	now := s.now()
	from := a.State
	if st.to != 0 && st.to != from {
		a.State, a.StateSince = st.to, now
	}
	if expect == 0 {
		from = 0
	}
	st.note = cutNote(st.note)
	details := fmt.Sprintf("state %s → %s; version %d", stateName(from), a.State, expect+1)
	if st.note != "" {
		details += "; " + st.note
	}
	ch := store.AppChange{
		Event:   store.AppEvent{At: now, Actor: actor.ID, Action: string(act), From: from, To: a.State, Note: st.note},
		Audit:   store.AuditEntry{At: now, Actor: actor.ID, Action: "application_" + string(act), Details: details},
		Outbox:  st.outbox,
		Consent: st.consent, OrgRecord: st.org,
	}
	err := s.st.PutApplication(ctx, a, expect, ch)
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, &Error{Code: CodeConflict, Detail: "the application changed meanwhile: read it again", Err: err}
	case errors.Is(err, store.ErrNotFound):
		return nil, &Error{Code: CodeNotFound, Detail: "no such application", Err: err}
	case errors.Is(err, store.ErrInvalidInput):
		// ra validated everything the store bounds; reaching this is a
		// bug or an oversized record, and nothing was written.
		return nil, s.internal("store application", err)
	case err != nil:
		return nil, s.internal("store application", err)
	}
	s.log.Info("application changed", "application", a.ID, "action", string(act), "from", stateName(from),
		"to", a.State.String(), "version", a.Version, "actor", actor.ID)
	return a, nil
}

// maxNote bounds a history note in bytes (the store keeps up to 1 KiB).
const maxNote = 1000

// cutNote shortens a note to maxNote bytes at a character boundary.
func cutNote(s string) string {
	if len(s) <= maxNote {
		return s
	}
	cut := maxNote - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func stateName(s store.AppState) string {
	if s == 0 {
		return "none"
	}
	return s.String()
}
