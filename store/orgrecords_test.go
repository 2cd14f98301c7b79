package store

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// TestOrgRecord: an application change carrying an OrgUpdate writes the
// record and its audit entry in its batch (the merge sees the stored
// record); a merge that keeps the stored record writes no entry; a
// conflicting application change writes no record; the record survives
// a reopen exactly; Check decodes it and reports a corrupt one; bad
// keys are refused.
func TestOrgRecord(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	key := OrgKey{Kind: OrgKeyINN, Number: "7712345671"}
	rec := &OrgRecord{Registry: "egrul", Org: Organisation{Name: `ООО "Ромашка"`, INN: key.Number, KPP: "771201001",
		OGRN: "1027700123450", Street: "ул. Тестовая, д. 5", UpdatedAt: t0},
		Head: RegistryPerson{Surname: "Иванов", GivenName: "Иван", Patronymic: "Иванович", INN: "500100123426", Position: "Директор"},
		AsOf: t0, Received: t0.Add(time.Minute), Application: "app-0001", HeadChanged: t0.Add(-time.Hour)}
	var seen []*OrgRecord
	update := func(r *OrgRecord) *OrgUpdate {
		return &OrgUpdate{Key: key, Merge: func(old *OrgRecord) (*OrgRecord, string) {
			seen = append(seen, old)
			return r, "details"
		}}
	}
	a := appN(1, "c1")
	before, _, _ := s.AuditHead(ctx)
	put(t, s, a, 0, AppChange{OrgRecord: update(rec)})
	got, err := s.OrgRecord(ctx, key)
	want := *rec
	want.Key, want.Org.UpdatedAt = key, time.Time{}
	if err != nil || !reflect.DeepEqual(got, &want) || len(seen) != 1 || seen[0] != nil {
		t.Fatalf("record %+v, %v; merge saw %v", got, err, seen)
	}
	entries, _, err := s.AuditEntries(ctx, "", 100)
	if err != nil || len(entries) != int(before)+2 {
		t.Fatalf("audit %d entries, %v", len(entries), err)
	}
	if e := entries[len(entries)-1]; e.Action != "organisation_record" || e.Subject != "organisation:L7712345671" ||
		e.Actor != "tester" || e.Details != "details" {
		t.Fatalf("audit entry %+v", e)
	}

	// A merge keeping the stored record writes nothing of its own; a
	// conflicting change writes no record.
	put(t, s, a, 1, AppChange{OrgRecord: update(nil)})
	if len(seen) != 2 || seen[1] == nil || seen[1].Head.Surname != "Иванов" {
		t.Fatalf("the merge did not see the stored record: %v", seen)
	}
	if n, _, _ := s.AuditHead(ctx); n != before+3 {
		t.Fatalf("a kept record was audited: head %d", n)
	}
	other := *rec
	other.Org.Name = "другое"
	if err := s.PutApplication(ctx, a, 1, AppChange{Event: event(AppNew), Audit: AuditEntry{Actor: "x", Action: "y"},
		OrgRecord: update(&other)}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale version: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{})
	if got, err := s.OrgRecord(ctx, key); err != nil || !reflect.DeepEqual(got, &want) {
		t.Fatalf("after a conflict and a reopen: %+v, %v", got, err)
	}
	if rep, err := s.Check(ctx); err != nil || !rep.OK() {
		t.Fatalf("Check: %+v %v", rep, err)
	}

	for _, k := range []OrgKey{{OrgKeyINN, "771234567"}, {OrgKeyOGRNIP, "7712345671"}, {'X', "7712345671"}, {OrgKeyINN, "77123456a1"}} {
		if _, err := s.OrgRecord(ctx, k); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("key %+v: %v", k, err)
		}
		if err := s.PutApplication(ctx, appN(9, "c1"), 0, AppChange{Event: event(AppNew), Audit: AuditEntry{Actor: "x", Action: "y"},
			OrgRecord: &OrgUpdate{Key: k, Merge: func(*OrgRecord) (*OrgRecord, string) { return rec, "" }}}); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("put with key %+v: %v", k, err)
		}
	}
	if _, err := s.OrgRecord(ctx, OrgKey{OrgKeyOGRNIP, "304500116000157"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no record: %v", err)
	}
	if err := s.db.Set(orgRecordKey(key), []byte{1, 5, 'e'}, nil); err != nil {
		t.Fatal(err)
	}
	if rep, err := s.Check(ctx); err != nil || rep.OK() {
		t.Fatalf("Check of a corrupt record: %+v %v", rep, err)
	}
}
