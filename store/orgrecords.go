package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The latest tax-registry record of each organisation (prefix 0x94 of
// the range 0x94–0x97, doc.go "Organisation records"): what ЕГРЮЛ or
// ЕГРИП last answered about it, its head included, written in the batch
// of the application change that took the answer (AppChange.OrgRecord).
// Renewal without a visit compares a certificate's organisation with it.

const pOrgRecord byte = 0x94 // kind(1) registry number → organisation record

// Organisation record key kinds: a legal entity by its INN (10 digits;
// the ЕГРЮЛ answer is matched to the application by it), an individual
// entrepreneur by OGRNIP (15 digits).
const (
	OrgKeyINN    byte = 'L'
	OrgKeyOGRNIP byte = 'P'
)

// OrgKey names an organisation's record: kind and registry number.
type OrgKey struct {
	Kind   byte
	Number string
}

// OrgKeyOf is the key of an organisation block; ok is false when it
// names none (a natural person's application).
func OrgKeyOf(g *Organisation) (OrgKey, bool) {
	switch {
	case g.OGRNIP != "":
		return OrgKey{OrgKeyOGRNIP, g.OGRNIP}, true
	case g.INN != "":
		return OrgKey{OrgKeyINN, g.INN}, true
	}
	return OrgKey{}, false
}

// String is the key as the audit log names it ("organisation:L7712345671").
func (k OrgKey) String() string { return "organisation:" + string(k.Kind) + k.Number }

func (k OrgKey) valid() bool {
	if (k.Kind != OrgKeyINN || len(k.Number) != 10) && (k.Kind != OrgKeyOGRNIP || len(k.Number) != 15) {
		return false
	}
	for i := 0; i < len(k.Number); i++ {
		if k.Number[i] < '0' || k.Number[i] > '9' {
			return false
		}
	}
	return true
}

func orgRecordKey(k OrgKey) []byte { return append([]byte{pOrgRecord, k.Kind}, k.Number...) }

// RegistryPerson is the person the registry names as acting for the
// organisation without a power of attorney (its head; for an
// entrepreneur, the entrepreneur).
type RegistryPerson struct {
	Surname, GivenName, Patronymic string
	INN                            string // 12 digits, or empty
	Position                       string
}

// IsZero reports whether the registry named nobody.
func (p RegistryPerson) IsZero() bool { return p == RegistryPerson{} }

// OrgRecord is the latest registry record of one organisation.
type OrgRecord struct {
	Key      OrgKey
	Registry string       // the check that brought it: "egrul" or "egrip"
	Org      Organisation // UpdatedAt is not kept
	Head     RegistryPerson
	// AsOf is the time the registry was asked (the answered check's
	// RequestedAt): the registry's state the record shows. An answer
	// asked earlier than the stored record's never replaces it.
	AsOf time.Time
	// Received is when the answer was taken.
	Received time.Time
	// Application is the application whose check brought the answer.
	Application string
	// HeadChanged is the AsOf of the first answer that named Head after
	// an answer that had named another person; zero while no change of
	// the head is on record.
	HeadChanged time.Time
}

// OrgUpdate writes a registry record with an application's change.
type OrgUpdate struct {
	Key OrgKey
	// Merge gets the stored record of Key (nil: none), under the writer
	// lock, and returns the record to store with the details of its
	// audit entry (no personal data), or nil to keep the stored one.
	Merge func(old *OrgRecord) (rec *OrgRecord, details string)
}

// putOrgRecord runs an OrgUpdate in the application change's batch; its
// audit entry (action organisation_record, subject the key) follows the
// application's, by the same actor.
func (t *txn) putOrgRecord(u *OrgUpdate, actor string) error {
	if !u.Key.valid() || u.Merge == nil {
		return invalid("organisation record key %q", u.Key.String())
	}
	var old *OrgRecord
	v, err := t.get(orgRecordKey(u.Key))
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return err
	default:
		if old, err = decodeOrgRecord(u.Key, v); err != nil {
			return err
		}
	}
	rec, details := u.Merge(old)
	if rec == nil {
		return nil
	}
	r := *rec
	r.Key, r.Org.UpdatedAt = u.Key, time.Time{}
	if r.Received.IsZero() {
		r.Received = t.now
	}
	if err := checkOrgRecord(&r); err != nil {
		return err
	}
	if err := t.set(orgRecordKey(u.Key), encodeOrgRecord(&r)); err != nil {
		return err
	}
	return t.audit(&AuditEntry{At: t.now, Actor: actor, Action: "organisation_record", Subject: u.Key.String(), Details: details})
}

func checkOrgRecord(r *OrgRecord) error {
	for _, s := range []struct {
		what string
		v    string
		max  int
	}{
		{"registry", r.Registry, maxAppShort}, {"application", r.Application, MaxAppIDLen},
		{"name", r.Org.Name, maxAppText}, {"INN", r.Org.INN, 32}, {"KPP", r.Org.KPP, 32}, {"OGRN", r.Org.OGRN, 32},
		{"OGRNIP", r.Org.OGRNIP, 32}, {"region", r.Org.Region, maxAppText}, {"locality", r.Org.Locality, maxAppText},
		{"street", r.Org.Street, maxAppText}, {"head surname", r.Head.Surname, maxAppText},
		{"head given name", r.Head.GivenName, maxAppText}, {"head patronymic", r.Head.Patronymic, maxAppText},
		{"head INN", r.Head.INN, 32}, {"head position", r.Head.Position, maxAppText},
	} {
		if len(s.v) > s.max {
			return invalid("organisation record: %s: at most %d bytes", s.what, s.max)
		}
	}
	if r.Registry == "" || r.AsOf.IsZero() {
		return invalid("organisation record: registry and time asked are required")
	}
	return nil
}

// encodeOrgRecord: version 1 ‖ registry ‖ organisation (as in the
// application record, its time zero) ‖ head surname, given name,
// patronymic, INN, position ‖ as of ‖ received ‖ application ‖ head
// changed.
func encodeOrgRecord(r *OrgRecord) []byte {
	e := enc{b: []byte{1}}
	e.str(r.Registry)
	g := r.Org
	g.UpdatedAt = time.Time{}
	encodeOrg(&e, &g)
	h := &r.Head
	e.strs(h.Surname, h.GivenName, h.Patronymic, h.INN, h.Position)
	e.time(r.AsOf)
	e.time(r.Received)
	e.str(r.Application)
	e.time(r.HeadChanged)
	return e.b
}

func decodeOrgRecord(k OrgKey, v []byte) (*OrgRecord, error) {
	d := dec{b: v}
	d.version(1)
	r := &OrgRecord{Key: k, Registry: d.str(maxAppShort)}
	decodeOrg(&d, &r.Org)
	r.Org.UpdatedAt = time.Time{}
	r.Head = RegistryPerson{Surname: d.str(maxAppText), GivenName: d.str(maxAppText), Patronymic: d.str(maxAppText),
		INN: d.str(32), Position: d.str(maxAppText)}
	r.AsOf, r.Received = d.time(), d.time()
	r.Application = d.str(MaxAppIDLen)
	r.HeadChanged = d.time()
	return r, d.finish("organisation record")
}

// OrgRecord reads the latest registry record of an organisation
// (ErrNotFound when no answer about it was ever taken).
func (s *Store) OrgRecord(ctx context.Context, k OrgKey) (*OrgRecord, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if !k.valid() {
		return nil, invalid("organisation record key %q", k.String())
	}
	v, err := s.get(s.db, orgRecordKey(k))
	if err != nil {
		return nil, fmt.Errorf("store: organisation record: %w", err)
	}
	return decodeOrgRecord(k, v)
}

// orgRecord checks one organisation record (Check).
func (c *checker) orgRecord(k, v []byte) {
	key := OrgKey{}
	if len(k) > 2 {
		key = OrgKey{Kind: k[1], Number: string(k[2:])}
	}
	if !key.valid() {
		c.problem("decode", k, "organisation record key")
		return
	}
	if _, err := decodeOrgRecord(key, v); err != nil {
		c.problem("decode", k, "%v", err)
	}
}
