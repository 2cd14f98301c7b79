package cabinet

import (
	"slices"
	"testing"
	"time"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// TestRenewalOrgFacts: the certificate's application against the
// registry's latest record: no record, or no organisation, changes
// nothing; the same data written differently is no change; a new name
// is; the head's change counts when dated after the certificate's
// organisation check was asked (or, without a check, after notBefore).
func TestRenewalOrgFacts(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	org := store.Organisation{Name: `ООО "Ромашка-Тест"`, INN: "7712345671", KPP: "771201001", OGRN: "1027700123450", Street: "ул. Тестовая, д. 5"}
	app := &store.Application{Org: org, Checks: []store.RegistryCheck{
		{Kind: appdata.CheckSNILS, Status: store.CheckConfirmed, RequestedAt: t0.Add(-time.Hour)},
		{Kind: appdata.CheckEGRUL, Status: store.CheckConfirmed, RequestedAt: t0}}}
	notBefore := t0.Add(24 * time.Hour)
	rec := &store.OrgRecord{Org: org}
	rec.Org.Name, rec.Org.Street = `ооо «РОМАШКА—ТЕСТ»`, "ул.Тестовая,д.5"

	if f := RenewalOrgFacts(app, notBefore, nil); len(f.Changed) != 0 || f.HeadChanged {
		t.Fatalf("no record: %+v", f)
	}
	if f := RenewalOrgFacts(&store.Application{}, notBefore, rec); len(f.Changed) != 0 || f.HeadChanged {
		t.Fatalf("a natural person: %+v", f)
	}
	if f := RenewalOrgFacts(app, notBefore, rec); len(f.Changed) != 0 || f.HeadChanged {
		t.Fatalf("the same data written differently: %+v", f)
	}
	renamed := *rec
	renamed.Org.Name = `ООО "Ромашка-Плюс"`
	if f := RenewalOrgFacts(app, notBefore, &renamed); !slices.Equal(f.Changed, []string{"organisation.name"}) || f.HeadChanged {
		t.Fatalf("renamed: %+v", f)
	}
	for _, c := range []struct {
		name    string
		changed time.Time
		checks  bool
		want    bool
	}{
		{"head changed before the check", t0.Add(-time.Minute), true, false},
		{"head changed by the check's own answer", t0, true, false},
		{"head changed after the check, before issuance", t0.Add(time.Hour), true, true},
		{"head changed after issuance", notBefore.Add(time.Hour), true, true},
		{"no check: before notBefore", t0.Add(time.Hour), false, false},
		{"no check: after notBefore", notBefore.Add(time.Second), false, true},
	} {
		r := *rec
		r.HeadChanged = c.changed
		a := *app
		if !c.checks {
			a.Checks = nil
		}
		if f := RenewalOrgFacts(&a, notBefore, &r); f.HeadChanged != c.want || len(f.Changed) != 0 {
			t.Errorf("%s: %+v", c.name, f)
		}
	}
}
