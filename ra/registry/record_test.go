package registry_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/internal/ratest"
	"github.com/gostca/gostca/ra/registry"
	"github.com/gostca/gostca/store"
)

// TestOrgRecord: every ЕГРЮЛ answer with an organisation becomes the
// organisation's registry record in the application change's batch,
// with its own audit entry naming no data; a bad head refuses the
// answer and writes neither; an answer asked before the stored record
// does not replace it; the head's change is dated by the first answer
// naming the new head, and an answer naming nobody keeps the head.
func TestOrgRecord(t *testing.T) {
	h, ctx := ratest.Start(t)
	key := store.OrgKey{Kind: store.OrgKeyINN, Number: ratest.OrgINN}
	org := &store.Organisation{Name: "ПАО «Сбербанк России»", INN: ratest.OrgINN, KPP: ratest.OrgKPP, OGRN: ratest.OGRN,
		Region: "77 г. Москва", Locality: "Москва", Street: "ул. Вавилова, д. 19"}
	gref := &store.RegistryPerson{Surname: "Греф", GivenName: "Герман", Patronymic: "Оскарович", Position: "Президент"}
	answer := func(a *store.Application, asked time.Time, head *store.RegistryPerson) error {
		_, _, err := registry.Record(ctx, h.Svc, ratest.SystemActor, a.ID, registry.Answer{Kind: appdata.CheckEGRUL, RequestedAt: asked,
			Status: store.CheckConfirmed, Organisation: org, Head: head})
		return err
	}

	a := h.Create(t, "employee", ratest.OrgINN)
	asked1 := ratest.PendingCheck(t, a, appdata.CheckEGRUL)
	before := ratest.AuditSeq(t, h.St)
	bad := &store.RegistryPerson{Surname: "Греф", Position: "Президент", INN: "1234"}
	err := answer(a, asked1, bad)
	ratest.WantCode(t, "a head without a given name and a bad INN", err, ra.CodeInvalidData)
	var e *ra.Error
	if !errors.As(err, &e) || len(e.Fields) != 2 || e.Fields[0].Field != "organisation.head" || e.Fields[1].Field != "organisation.head.inn" {
		t.Fatalf("bad head: %v", err)
	}
	if _, err := h.St.OrgRecord(ctx, key); !errors.Is(err, store.ErrNotFound) || ratest.AuditSeq(t, h.St) != before {
		t.Fatalf("a refused answer wrote something: %v", err)
	}

	h.Advance(time.Hour)
	if err := answer(a, asked1, gref); err != nil {
		t.Fatal(err)
	}
	rec, err := h.St.OrgRecord(ctx, key)
	if err != nil || rec.Org.Name != org.Name || rec.Head != *gref || !rec.AsOf.Equal(asked1) || rec.Application != a.ID ||
		rec.Registry != appdata.CheckEGRUL || !rec.HeadChanged.IsZero() || rec.Received.IsZero() {
		t.Fatalf("record %+v, %v", rec, err)
	}
	tail := ratest.AuditTail(t, h.St, before)
	if len(tail) != 2 || tail[0].Action != "application_registry_answer" || tail[1].Action != "organisation_record" ||
		tail[1].Subject != "organisation:L"+ratest.OrgINN || !strings.Contains(tail[1].Details, "first record") ||
		strings.Contains(tail[1].Details, "Греф") || strings.Contains(tail[1].Details, "Сбербанк") {
		t.Fatalf("audit %+v", tail)
	}

	// Two more applications of the organisation: the one asked later
	// answers first, naming a new head; the earlier one's answer after
	// it does not replace it.
	b := h.Create(t, "employee", ratest.OrgINN)
	askedB := ratest.PendingCheck(t, b, appdata.CheckEGRUL)
	h.Advance(time.Minute)
	c := h.Create(t, "employee", ratest.OrgINN)
	askedC := ratest.PendingCheck(t, c, appdata.CheckEGRUL)
	gref2 := *gref
	gref2.Surname, gref2.GivenName, gref2.Patronymic = "Ведяхин", "Александр", "Александрович"
	if err := answer(c, askedC, &gref2); err != nil {
		t.Fatal(err)
	}
	if err := answer(b, askedB, gref); err != nil {
		t.Fatal(err)
	}
	rec, err = h.St.OrgRecord(ctx, key)
	if err != nil || rec.Head.Surname != "Ведяхин" || !rec.HeadChanged.Equal(askedC) || rec.Application != c.ID {
		t.Fatalf("after a new head and a late old answer: %+v, %v", rec, err)
	}
	// An answer naming nobody keeps the head and its date.
	d := h.Create(t, "employee", ratest.OrgINN)
	h.Advance(time.Minute)
	if err := answer(d, ratest.PendingCheck(t, d, appdata.CheckEGRUL), nil); err != nil {
		t.Fatal(err)
	}
	rec, err = h.St.OrgRecord(ctx, key)
	if err != nil || rec.Head.Surname != "Ведяхин" || !rec.HeadChanged.Equal(askedC) || rec.Application != d.ID {
		t.Fatalf("after an answer naming nobody: %+v, %v", rec, err)
	}
}

// TestOrganisationChangeDropsSignedApplication: a registry answer that
// changes the organisation deletes the signed application in the same
// write, and is refused once the application left the filling states.
func TestOrganisationChangeDropsSignedApplication(t *testing.T) {
	h, ctx := ratest.Start(t)
	a := h.Create(t, "legal-entity-head", ratest.OrgINN)
	a = h.Must(t)(h.Svc.AddDocument(ctx, ratest.ScActor, a.ID, a.Version, ratest.Doc(appdata.DocSignedApplication, 1)))
	org := &store.Organisation{Name: "ООО «Ромашка»", INN: ratest.OrgINN, KPP: ratest.OrgKPP, OGRN: ratest.OGRN, Region: "77 г. Москва", Locality: "Москва"}
	a, changed, err := registry.Record(ctx, h.Svc, ratest.SystemActor, a.ID, registry.Answer{Kind: appdata.CheckEGRUL, RequestedAt: ratest.PendingCheck(t, a, appdata.CheckEGRUL),
		Status: store.CheckConfirmed, Organisation: org})
	if err != nil || len(changed) == 0 || len(a.Documents) != 0 {
		t.Fatalf("changed %v, documents %+v, %v", changed, a.Documents, err)
	}
	// An OGRNIP on a legal entity's record is forbidden by the profile.
	a = h.Must(t)(h.Svc.Cancel(ctx, ratest.ScActor, a.ID, a.Version, "ошибка"))
	if _, _, err := registry.Record(ctx, h.Svc, ratest.SystemActor, a.ID, registry.Answer{Kind: appdata.CheckEGRUL, Status: store.CheckConfirmed}); ra.CodeOf(err) != ra.CodeWrongState {
		t.Fatalf("answer after cancel: %v", err)
	}
}
