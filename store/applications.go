package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Applications is the storage API of the registration authority (package
// ra). *Store implements it on Pebble.
type Applications interface {
	// PutApplication writes a new application (expect 0) or replaces the
	// one whose stored Version is expect, with its indexes, its audit
	// entry and its outbox rows, in one synced batch. On success a.Version
	// is expect+1 and a.UpdatedAt the store time. Another version stored
	// (or, for expect 0, any application with that id) is ErrConflict and
	// nothing is written.
	PutApplication(ctx context.Context, a *Application, expect uint64, ch AppChange) error
	// Application returns one application; ErrNotFound if none.
	Application(ctx context.Context, id string) (*Application, error)
	// FindApplications pages through one index (see AppQuery).
	FindApplications(ctx context.Context, q AppQuery) (page []Application, next string, err error)
	// ApplicationHistory returns an application's events, version 1
	// first; ErrNotFound if there is no such application.
	ApplicationHistory(ctx context.Context, id string) ([]AppEvent, error)
	// OrgRecord returns an organisation's latest registry record
	// (orgrecords.go); ErrNotFound if none.
	OrgRecord(ctx context.Context, k OrgKey) (*OrgRecord, error)
}

var _ Applications = (*Store)(nil)

// ErrConflict: the application was changed (or created) by someone else
// since the version the caller read. Read it again and decide again.
var ErrConflict = errors.New("version conflict")

// ValidAppID reports whether id is a well-formed application or document
// id: 1–MaxAppIDLen characters of [a-z0-9-].
func ValidAppID(id string) bool {
	if len(id) == 0 || len(id) > MaxAppIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// PutApplication implements Applications.
func (s *Store) PutApplication(ctx context.Context, a *Application, expect uint64, ch AppChange) error {
	if err := checkApp(a); err != nil {
		return fmt.Errorf("store: put application: %w", err)
	}
	ev := ch.Event
	if err := checkAppEvent(&ev); err != nil {
		return fmt.Errorf("store: put application %s: %w", a.ID, err)
	}
	audit := ch.Audit
	if audit.Subject == "" {
		audit.Subject = "application:" + a.ID
	}
	if err := checkAudit(audit); err != nil {
		return fmt.Errorf("store: put application %s: %w", a.ID, err)
	}
	for _, r := range ch.Outbox {
		if err := checkLen("outbox kind", r.Kind, 1, maxKindLen); err != nil {
			return err
		}
		if err := checkBytes("outbox payload", r.Payload, 0, maxPayloadLen); err != nil {
			return err
		}
	}
	if ch.Consent != nil {
		if err := checkConsent(ch.Consent); err != nil || ch.Consent.Application != a.ID {
			return fmt.Errorf("store: put application %s: consent: %w", a.ID, errors.Join(err, ErrInvalidInput))
		}
	}
	rec := *a
	rec.Version = expect + 1
	err := s.update(ctx, "put application", func(t *txn) error {
		rec.UpdatedAt = t.now
		ev.Version = rec.Version
		if ev.At.IsZero() {
			ev.At = t.now
		}
		if ch.Consent != nil {
			if err := t.putConsent(ch.Consent, rec.Version); err != nil {
				return err
			}
		}
		if err := t.putApp(&rec, expect, &ev, &audit, ch.Outbox); err != nil || ch.OrgRecord == nil {
			return err
		}
		return t.putOrgRecord(ch.OrgRecord, audit.Actor)
	})
	if err != nil {
		return err
	}
	a.Version, a.UpdatedAt = rec.Version, rec.UpdatedAt
	return nil
}

func (t *txn) putApp(a *Application, expect uint64, ev *AppEvent, audit *AuditEntry, outbox []OutboxRow) error {
	old, err := t.s.loadApp(t.s.db, a.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		if expect != 0 {
			return fmt.Errorf("store: application %s: %w", a.ID, ErrNotFound)
		}
	case err != nil:
		return err
	case expect == 0:
		return fmt.Errorf("store: application %s exists: %w", a.ID, ErrConflict)
	case old.Version != expect:
		return fmt.Errorf("store: application %s is at version %d, not %d: %w", a.ID, old.Version, expect, ErrConflict)
	default:
		if old.Centre != a.Centre || !old.CreatedAt.Equal(a.CreatedAt) {
			return invalid("application %s: centre and creation time never change", a.ID)
		}
		for _, k := range appIndexKeys(old) {
			if err := t.del(k); err != nil {
				return err
			}
		}
	}
	if err := t.set(appKey(a.ID), encodeApp(a)); err != nil {
		return err
	}
	if err := t.set(appEventKey(a.ID, a.Version), encodeAppEvent(ev)); err != nil {
		return err
	}
	for _, k := range appIndexKeys(a) {
		if err := t.set(k, nil); err != nil {
			return err
		}
	}
	for i := range outbox {
		r := OutboxRow{Kind: outbox[i].Kind, Payload: outbox[i].Payload}
		if err := t.outbox(&r); err != nil {
			return err
		}
	}
	return t.audit(audit)
}

// Application implements Applications.
func (s *Store) Application(ctx context.Context, id string) (*Application, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if !ValidAppID(id) {
		return nil, invalid("application id: want 1–%d characters of a-z 0-9 -", MaxAppIDLen)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: application %s: %w", id, err)
	}
	a, err := s.loadApp(s.db, id)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("store: application %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if err := s.durableRead(); err != nil {
		return nil, err
	}
	return a, nil
}

// loadApp reads one application (bare ErrNotFound if absent).
func (s *Store) loadApp(r pebble.Reader, id string) (*Application, error) {
	v, err := s.get(r, appKey(id))
	if err != nil {
		return nil, err
	}
	a, err := decodeApp(v)
	if err != nil {
		return nil, fmt.Errorf("store: application %s: %w", id, err)
	}
	if a.ID != id {
		return nil, corrupt("application %s: record names %s", id, a.ID)
	}
	return a, nil
}

// FindApplications implements Applications. Results come in index
// order: creation time for the centre, phone, SNILS and INN indexes, time
// in state for ByAppState (oldest first: the review queue).
func (s *Store) FindApplications(ctx context.Context, q AppQuery) ([]Application, string, error) {
	if err := s.enter(); err != nil {
		return nil, "", err
	}
	defer s.leave()
	prefix, err := appQueryPrefix(q)
	if err != nil {
		return nil, "", fmt.Errorf("store: find applications: %w", err)
	}
	if q.State > appStateMax {
		return nil, "", invalid("find applications: unknown state %d", q.State)
	}
	if err := checkCentre(q.Centre); err != nil {
		return nil, "", err
	}
	var out []Application
	next, err := page(ctx, s.db, prefix, nil, nil, q.Cursor, q.Limit, func(k, _ []byte) (bool, error) {
		_, id, ok := appIndexTarget(k)
		if !ok {
			return false, corrupt("application index key %x", k)
		}
		a, err := s.loadApp(s.db, id)
		if errors.Is(err, ErrNotFound) {
			return false, corrupt("application index key %x points to a missing application", k)
		}
		if err != nil {
			return false, err
		}
		if (q.State != 0 && a.State != q.State) || (q.Centre != "" && a.Centre != q.Centre) {
			return false, nil
		}
		out = append(out, *a)
		return true, nil
	})
	if err != nil {
		return nil, "", err
	}
	if err := s.durableRead(); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// appQueryPrefix checks q's field and value and returns the scan prefix.
func appQueryPrefix(q AppQuery) ([]byte, error) {
	switch q.Field {
	case ByAppState:
		st, ok := ParseAppState(q.Value)
		if !ok {
			return nil, invalid("unknown application state %q", q.Value)
		}
		return appStatePrefix(st), nil
	case ByAppCentre:
		if err := checkCentreID(q.Value); err != nil {
			return nil, err
		}
	case ByAppPhone:
		if !validPhone(q.Value) {
			return nil, invalid("phone: want +7 and 10 digits")
		}
	case ByAppSNILS:
		if err := checkIdent(BySNILS, q.Value); err != nil {
			return nil, err
		}
	case ByAppINN:
		if err := checkIdent(ByINN, q.Value); err != nil {
			return nil, err
		}
	default:
		return nil, invalid("unknown application index %d", q.Field)
	}
	return appIndexPrefix(q.Field, q.Value), nil
}

// validPhone: "+7" and 10 digits, the canonical form package ra writes.
func validPhone(p string) bool {
	if len(p) != maxPhoneLen || p[0] != '+' || p[1] != '7' {
		return false
	}
	for i := 2; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

// checkApp checks the bounds of a record (the contents are package ra's
// business): well-formed id, centre and phone (they are index keys),
// known enumerations, canonical identifiers, bounded lists and strings.
func checkApp(a *Application) error {
	if !ValidAppID(a.ID) {
		return invalid("application id: want 1–%d characters of a-z 0-9 -", MaxAppIDLen)
	}
	if err := checkCentreID(a.Centre); err != nil {
		return err
	}
	if !validPhone(a.Phone) {
		return invalid("application %s: phone: want +7 and 10 digits", a.ID)
	}
	switch {
	case a.Kind != AppKindNew && a.Kind != AppKindReplacement:
		return invalid("application %s: unknown kind %d", a.ID, a.Kind)
	case a.State < AppNew || a.State > appStateMax:
		return invalid("application %s: unknown state %d", a.ID, a.State)
	case a.CreatedAt.IsZero() || a.StateSince.IsZero():
		return invalid("application %s: creation or state time unset", a.ID)
	case len(a.Replaces) > maxSerialLen || len(a.Serial) > maxSerialLen || len(a.Identity.CertSerial) > maxSerialLen:
		return invalid("application %s: serial longer than %d bytes", a.ID, maxSerialLen)
	case len(a.Documents) > maxAppDocuments || len(a.Checks) > maxAppChecks || len(a.Reviews) > maxAppReviews ||
		len(a.Editors) > maxAppEditors:
		return invalid("application %s: too many documents, checks, reviews or editors", a.ID)
	case a.Owner.Sex > SexFemale || a.Owner.IDDoc.Type > idDocTypeMax ||
		a.Identity.Method > identMethodMax || a.Identity.Presenter > presenterMax:
		return invalid("application %s: unknown sex, document type, identification method or presenter", a.ID)
	}
	if a.Owner.SNILS != "" {
		if err := checkIdent(BySNILS, a.Owner.SNILS); err != nil {
			return err
		}
	}
	if a.Owner.INN != "" {
		if err := checkIdent(ByINN, a.Owner.INN); err != nil {
			return err
		}
	}
	ids := map[string]bool{}
	for i := range a.Documents {
		d := &a.Documents[i]
		if !ValidAppID(d.ID) || ids[d.ID] {
			return invalid("application %s: document %d: id missing, malformed or repeated", a.ID, i)
		}
		ids[d.ID] = true
		if err := checkLen("document type", d.Type, 1, maxDocTypeLen); err != nil {
			return err
		}
		if d.Size < 0 {
			return invalid("application %s: document %d: negative size", a.ID, i)
		}
	}
	for i := range a.Checks {
		c := &a.Checks[i]
		if err := checkLen("check kind", c.Kind, 1, maxDocTypeLen); err != nil {
			return err
		}
		if c.Status < CheckPending || c.Status > checkStatusMax {
			return invalid("application %s: check %s: unknown status %d", a.ID, c.Kind, c.Status)
		}
	}
	for i := range a.Reviews {
		if len(a.Reviews[i].Reasons) > maxAppReasons {
			return invalid("application %s: review %d: more than %d reasons", a.ID, i, maxAppReasons)
		}
	}
	return checkAppStrings(a)
}

// checkAppStrings bounds every string of a record (as its decoder does).
func checkAppStrings(a *Application) error {
	type str struct {
		what string
		v    string
		max  int
	}
	list := []str{
		{"certificate type", a.CertType, maxAppShort}, {"recipient", a.Recipient, maxAppText},
		{"created by", a.CreatedBy, maxActorLen}, {"assignee", a.Assignee, maxActorLen},
		{"surname", a.Owner.Surname, maxAppText}, {"given name", a.Owner.GivenName, maxAppText},
		{"patronymic", a.Owner.Patronymic, maxAppText}, {"birth place", a.Owner.BirthPlace, maxAppText},
		{"document series", a.Owner.IDDoc.Series, maxAppShort}, {"document number", a.Owner.IDDoc.Number, maxAppShort},
		{"document issuer", a.Owner.IDDoc.Issuer, maxAppText}, {"document issuer code", a.Owner.IDDoc.IssuerCode, maxAppShort},
		{"citizenship", a.Owner.Citizenship, maxAppShort}, {"e-mail", a.Owner.Email, maxAppText},
		{"position", a.Owner.Position, maxAppText},
		{"organisation name", a.Org.Name, maxAppText}, {"organisation INN", a.Org.INN, 32}, {"KPP", a.Org.KPP, 32},
		{"OGRN", a.Org.OGRN, 32}, {"OGRNIP", a.Org.OGRNIP, 32}, {"region", a.Org.Region, maxAppText},
		{"locality", a.Org.Locality, maxAppText}, {"street", a.Org.Street, maxAppText},
		{"verified by", a.Identity.VerifiedBy, maxActorLen}, {"representative", a.Identity.Representative, maxAppText},
		{"document checked", a.Identity.Document, maxAppText},
	}
	if a.CertType == "" {
		return invalid("application %s: certificate type is empty", a.ID)
	}
	for _, d := range a.Documents {
		list = append(list, str{"content type", d.ContentType, maxAppShort}, str{"added by", d.AddedBy, maxActorLen})
	}
	for _, c := range a.Checks {
		list = append(list, str{"check detail", c.Detail, maxAppText})
	}
	for _, r := range a.Reviews {
		list = append(list, str{"review step", r.Step, maxAppShort}, str{"reviewer", r.Reviewer, maxActorLen})
		for _, rs := range r.Reasons {
			list = append(list, str{"reason target", rs.Target, maxAppShort}, str{"reason code", rs.Code, maxAppShort},
				str{"reason text", rs.Text, maxAppText})
		}
	}
	for _, e := range a.Editors {
		list = append(list, str{"editor", e, maxActorLen})
	}
	for _, s := range list {
		if len(s.v) > s.max {
			return invalid("application %s: %s is %d bytes, at most %d", a.ID, s.what, len(s.v), s.max)
		}
	}
	return nil
}

// checkAppEvent checks the bounds of a history event.
func checkAppEvent(h *AppEvent) error {
	if err := checkLen("event actor", h.Actor, 1, maxActorLen); err != nil {
		return err
	}
	if err := checkLen("event action", h.Action, 1, maxActionLen); err != nil {
		return err
	}
	if h.From > appStateMax || h.To < AppNew || h.To > appStateMax {
		return invalid("event: unknown state")
	}
	return checkLen("event note", h.Note, 0, maxAppText)
}

// ApplicationHistory implements Applications.
func (s *Store) ApplicationHistory(ctx context.Context, id string) ([]AppEvent, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if !ValidAppID(id) {
		return nil, invalid("application id: want 1–%d characters of a-z 0-9 -", MaxAppIDLen)
	}
	snap := s.db.NewSnapshot()
	defer snap.Close()
	a, err := s.loadApp(snap, id)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("store: application %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	out := make([]AppEvent, 0, min(a.Version, 1024))
	prefix := appEventPrefix(id)
	err = scanPrefix(ctx, snap, prefix, func(k, v []byte) (bool, error) {
		if len(k) != len(prefix)+8 {
			return false, corrupt("application event key %x", k)
		}
		ev, err := decodeAppEvent(binary.BigEndian.Uint64(k[len(prefix):]), v)
		if err != nil {
			return false, fmt.Errorf("store: application %s: %w", id, err)
		}
		out = append(out, *ev)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if uint64(len(out)) != a.Version || (len(out) > 0 && out[len(out)-1].Version != a.Version) {
		return nil, corrupt("application %s: %d history events for version %d", id, len(out), a.Version)
	}
	if err := s.durableRead(); err != nil {
		return nil, err
	}
	return out, nil
}

// appIndexTarget parses an index key of prefix pAppIndex or pAppState
// into its scan prefix length and application id.
func appIndexTarget(k []byte) (prefixLen int, id string, ok bool) {
	switch {
	case len(k) >= 2 && k[0] == pAppState:
		prefixLen = 2
	case len(k) >= 3 && k[0] == pAppIndex:
		_, rest, ok := cutLen(k[2:])
		if !ok {
			return 0, "", false
		}
		prefixLen = len(k) - len(rest)
	default:
		return 0, "", false
	}
	_, rest, ok := cutTime(k[prefixLen:])
	if !ok {
		return 0, "", false
	}
	raw, rest, ok := cutLen(rest)
	if !ok || len(rest) != 0 || !ValidAppID(string(raw)) {
		return 0, "", false
	}
	return prefixLen, string(raw), true
}
