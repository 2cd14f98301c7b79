package ra_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/identity"
	"github.com/gostca/gostca/ra/internal/ratest"
	"github.com/gostca/gostca/ra/outbox"
	"github.com/gostca/gostca/ra/registry"
	"github.com/gostca/gostca/store"
)

// tracker reads back, after each action, what the action wrote besides
// the record: exactly one audit entry, and the outbox rows.
type tracker struct {
	t      *testing.T
	h      *ratest.H
	seq    uint64
	outbox map[string]int // pending rows seen per kind
}

func newTracker(t *testing.T, h *ratest.H) *tracker {
	return &tracker{t: t, h: h, seq: ratest.AuditSeq(t, h.St), outbox: map[string]int{}}
}

// step checks the action's writes: the stored record is a (same version
// and state), one audit entry names the action, the actor and the
// application, and exactly the outbox rows of the kinds given were added.
func (k *tracker) step(a *store.Application, actor ra.Actor, act ra.Action, rows ...string) {
	k.t.Helper()
	got, err := k.h.St.Application(ctx, a.ID)
	if err != nil || got.Version != a.Version || got.State != a.State {
		k.t.Fatalf("%s: stored %+v, returned version %d state %s (%v)", act, got, a.Version, a.State, err)
	}
	entries := ratest.AuditTail(k.t, k.h.St, k.seq)
	if len(entries) != 1 {
		k.t.Fatalf("%s: %d audit entries, want 1: %+v", act, len(entries), entries)
	}
	e := entries[0]
	if e.Action != "application_"+string(act) || e.Actor != actor.ID || e.Subject != "application:"+a.ID ||
		!strings.Contains(e.Details, "→ "+a.State.String()) {
		k.t.Fatalf("%s: audit entry %+v", act, e)
	}
	k.seq = e.Seq
	want := map[string]int{}
	for _, r := range rows {
		want[r]++
	}
	for _, kind := range []string{outbox.SMS, outbox.Email, outbox.RegistryCheck} {
		pending, err := k.h.St.OutboxPending(ctx, kind, 1000)
		if err != nil {
			k.t.Fatal(err)
		}
		if added := len(pending) - k.outbox[kind]; added != want[kind] {
			k.t.Fatalf("%s: %d new %s outbox rows, want %d", act, added, kind, want[kind])
		}
		k.outbox[kind] = len(pending)
	}
	last := k.h.LastEvent(k.t, a.ID)
	if last.Action != string(act) || last.Actor != actor.ID || last.To != a.State || last.Version != a.Version {
		k.t.Fatalf("%s: history event %+v", act, last)
	}
}

// TestNaturalPersonLifecycle walks a natural person's application from
// creation to issued, including a rejection with two field reasons, a
// correction (which drops the signed application) and a second review.
func TestNaturalPersonLifecycle(t *testing.T) {
	h := ratest.NewSynced(t)
	k := newTracker(t, h)

	a := h.Must(t)(h.Svc.Create(ctx, ratest.ScActor, ra.CreateInput{CertType: "natural-person", Phone: "+7 (916) 555-01-02", Email: "anna@example.ru"}))
	if a.State != store.AppNew || a.Phone != "+79165550102" || a.Centre != "c1" || a.Version != 1 {
		t.Fatalf("created %+v", a)
	}
	k.step(a, ratest.ScActor, ra.ActCreate)

	// Saving owner data asks the three person checks.
	a = h.Must(t)(h.Svc.UpdateData(ctx, ratest.ScActor, a.ID, a.Version, ra.Data{Phone: a.Phone, Owner: ratest.Owner()}))
	if a.State != store.AppFilling || a.Owner.SNILS != ratest.SNILS || a.Owner.Citizenship != "RU" || a.Owner.Patronymic != "" {
		t.Fatalf("after update: %+v", a.Owner)
	}
	k.step(a, ratest.ScActor, ra.ActUpdateData, outbox.RegistryCheck, outbox.RegistryCheck, outbox.RegistryCheck)

	// Submitting now names everything missing.
	_, err := h.Svc.Submit(ctx, ratest.ScActor, a.ID, a.Version)
	ratest.WantCode(t, "premature submit", err, ra.CodeIncomplete)
	var e *ra.Error
	errors.As(err, &e)
	wantMissing := []string{"document: signed_application", "document: passport",
		"document: snils (not needed once the snils registry check confirms the data)",
		"document: inn (not needed once the inn registry check confirms the data)"}
	if !slices.Equal(e.Missing, wantMissing) {
		t.Fatalf("missing %q\nwant %q", e.Missing, wantMissing)
	}
	if ratest.AuditSeq(t, h.St) != k.seq {
		t.Fatal("a refused submit wrote an audit entry")
	}

	// Registry answers waive the SNILS and INN scans.
	a = h.Confirm(t, a, appdata.CheckSNILS, nil)
	k.step(a, ratest.SystemActor, ra.ActRegistryAnswer)
	a = h.Confirm(t, a, appdata.CheckINN, nil)
	k.step(a, ratest.SystemActor, ra.ActRegistryAnswer)
	a = h.Must(t)(h.Svc.AddDocument(ctx, ratest.ScActor, a.ID, a.Version, ratest.Doc(appdata.DocPassport, 1)))
	k.step(a, ratest.ScActor, ra.ActAddDocument)
	a = h.Must(t)(h.Svc.AddDocument(ctx, ratest.ScActor, a.ID, a.Version, ratest.Doc(appdata.DocSignedApplication, 2)))
	k.step(a, ratest.ScActor, ra.ActAddDocument)

	a = h.Must(t)(h.Svc.Submit(ctx, ratest.ScActor, a.ID, a.Version))
	k.step(a, ratest.ScActor, ra.ActSubmit)
	a = h.Must(t)(h.Svc.Claim(ctx, ratest.Op1, a.ID, a.Version))
	if a.Assignee != ratest.Op1.ID || a.State != store.AppInReview {
		t.Fatalf("claimed: %+v", a)
	}
	k.step(a, ratest.Op1, ra.ActClaim)

	reasons := []ra.Reason{
		{Target: "owner.birth_place", Code: "does_not_match_passport", Text: "Место рождения — как в паспорте: «гор. Тверь»"},
		{Target: "owner.identity_document.number", Code: "does_not_match_passport", Text: "Номер паспорта не совпадает со сканом"},
	}
	a = h.Must(t)(h.Svc.Reject(ctx, ratest.Op1, a.ID, a.Version, reasons))
	if a.State != store.AppRejected || len(a.Reviews) != 1 || len(a.Reviews[0].Reasons) != 2 || a.Reviews[0].Approved {
		t.Fatalf("rejected: %+v", a.Reviews)
	}
	k.step(a, ratest.Op1, ra.ActReject, outbox.SMS, outbox.Email)

	// The correction changes owner data: the signed application goes in
	// the same write, and the changed data is checked again.
	o := ratest.Owner()
	o.BirthPlace, o.IDDoc.Number = "гор. Тверь", "654321"
	a = h.Must(t)(h.Svc.UpdateData(ctx, ratest.ScActor, a.ID, a.Version, ra.Data{Phone: a.Phone, Owner: o}))
	if slices.ContainsFunc(a.Documents, func(d store.Document) bool { return d.Type == appdata.DocSignedApplication }) {
		t.Fatal("signed application kept after a data change")
	}
	if note := h.LastEvent(t, a.ID).Note; a.State != store.AppRejected || !strings.Contains(note, "signed application") {
		t.Fatalf("after correction: state %s, note %q", a.State, note)
	}
	// The passport number is checked data: the INN and passport checks
	// are asked again; the SNILS check covers no passport data and stays
	// confirmed.
	k.step(a, ratest.ScActor, ra.ActUpdateData, outbox.RegistryCheck, outbox.RegistryCheck)
	if !checkConfirmed(a, appdata.CheckSNILS) || checkConfirmed(a, appdata.CheckINN) {
		t.Fatalf("checks after correction: %+v", a.Checks)
	}
	_, err = h.Svc.Submit(ctx, ratest.ScActor, a.ID, a.Version)
	ratest.WantCode(t, "submit without the signed application", err, ra.CodeIncomplete)
	a = h.Confirm(t, a, appdata.CheckINN, nil)
	k.step(a, ratest.SystemActor, ra.ActRegistryAnswer)
	a = h.Must(t)(h.Svc.AddDocument(ctx, ratest.ScActor, a.ID, a.Version, ratest.Doc(appdata.DocSignedApplication, 3)))
	k.step(a, ratest.ScActor, ra.ActAddDocument)
	a = h.Must(t)(h.Svc.Submit(ctx, ratest.ScActor, a.ID, a.Version))
	k.step(a, ratest.ScActor, ra.ActSubmit)

	a = h.Must(t)(h.Svc.Claim(ctx, ratest.Op2, a.ID, a.Version))
	k.step(a, ratest.Op2, ra.ActClaim)
	a = h.Must(t)(h.Svc.Approve(ctx, ratest.Op2, a.ID, a.Version))
	if a.State != store.AppApproved || !a.Reviews[1].Approved || a.Reviews[1].Round != 2 {
		t.Fatalf("approved: %+v", a.Reviews)
	}
	k.step(a, ratest.Op2, ra.ActApprove)

	a = h.Must(t)(identity.Verify(ctx, h.Svc, ratest.ScActor, a.ID, a.Version, ratest.InPerson()))
	if a.Identity.Method != store.IdentInPerson || a.Identity.VerifiedBy != ratest.ScActor.ID || a.Identity.Presenter != store.PresenterOwner {
		t.Fatalf("identity: %+v", a.Identity)
	}
	k.step(a, ratest.ScActor, ra.ActVerifyIdentity)
	a = h.Must(t)(h.Svc.SendToCabinet(ctx, ratest.ScActor, a.ID, a.Version))
	k.step(a, ratest.ScActor, ra.ActSendToCabinet, outbox.SMS, outbox.Email)
	a = h.Must(t)(h.Svc.TakeBack(ctx, ratest.Op1, a.ID, a.Version, "уточнить e-mail"))
	k.step(a, ratest.Op1, ra.ActTakeBack)
	a = h.Must(t)(h.Svc.SendToCabinet(ctx, ratest.Op1, a.ID, a.Version))
	k.step(a, ratest.Op1, ra.ActSendToCabinet, outbox.SMS, outbox.Email)

	// The SMS row tells the subscriber on the application's phone.
	rows, _ := h.St.OutboxPending(ctx, outbox.SMS, 1000)
	var p outbox.NoticePayload
	if err := json.Unmarshal(rows[len(rows)-1].Payload, &p); err != nil || p.Template != outbox.NoticeReadyToIssue || p.To != "+79165550102" || p.Application != a.ID {
		t.Fatalf("sms payload %s: %v", rows[len(rows)-1].Payload, err)
	}

	cab := ratest.CabinetFor(a)
	a = h.Must(t)(h.Svc.Issue(ctx, cab, a.ID, a.Version, ratest.IssueInput()))
	if a.State != store.AppIssued || !bytes.Equal(a.Serial, []byte{0x70, 1}) || a.IssueAttempt != 1 {
		t.Fatalf("issued: %+v", a)
	}
	// Issue wrote twice: issuing, then issued.
	entries := ratest.AuditTail(t, h.St, k.seq)
	if len(entries) != 2 || entries[0].Action != "application_issue" || entries[1].Action != "application_issued" ||
		!strings.Contains(entries[1].Details, "serial 7001") {
		t.Fatalf("issue audit: %+v", entries)
	}
	k.seq = entries[0].Seq
	k.step(a, cab, ra.ActIssued, outbox.SMS, outbox.Email)

	calls := h.CA.Calls()
	if len(calls) != 1 {
		t.Fatalf("CA calls: %d", len(calls))
	}
	c := calls[0]
	want := pkix.Subject{CommonName: "Ёлкина Анна-Мария", Surname: "Ёлкина", GivenName: "Анна-Мария", Country: "RU",
		SNILS: ratest.SNILS, INN: ratest.INN, Email: "anna@example.ru"}
	if c.Subject != want || c.Profile != "qualified-person" || c.IdempotencyKey != "ra:"+a.ID+":1" ||
		c.IdentificationKind != pkix.IdentificationPersonal || c.Centre != "c1" || c.Actor != cab.ID ||
		!slices.Equal(c.Emails, []string{"anna@example.ru"}) || c.SubjectSignTool != ratest.IssueInput().SubjectSignTool {
		t.Fatalf("CA request: %+v", c)
	}

	// Final: nothing else applies, and the whole store checks out.
	_, err = h.Svc.Cancel(ctx, ratest.ScActor, a.ID, a.Version, "поздно")
	ratest.WantCode(t, "cancel issued", err, ra.CodeWrongState)
	if rep, err := h.St.Check(ctx); err != nil || !rep.OK() {
		t.Fatalf("store check: %+v %v", rep, err)
	}
	if err := h.St.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestEmployeeTwoStepReview: an employee's application with the
// organisation from the tax registry, a machine-readable power of
// attorney, two review steps by two different operators, and a
// representative identified with the power of attorney.
func TestEmployeeTwoStepReview(t *testing.T) {
	h := ratest.New(t)
	_, err := h.Svc.Create(ctx, ratest.ScActor, ra.CreateInput{CertType: "employee", Phone: "+79160000001"})
	ratest.WantCode(t, "employee without organisation", err, ra.CodeInvalidData)
	_, err = h.Svc.Create(ctx, ratest.ScActor, ra.CreateInput{CertType: "employee", Phone: "+79160000001", Organisation: "7707083894"})
	ratest.WantCode(t, "organisation INN with a bad checksum", err, ra.CodeInvalidData)

	a := h.Create(t, "employee", ratest.OrgINN)
	if a.Org.INN != ratest.OrgINN || len(a.Checks) != 1 || a.Checks[0].Kind != appdata.CheckEGRUL {
		t.Fatalf("created: %+v %+v", a.Org, a.Checks)
	}
	o := ratest.Owner()
	o.Position = "Главный бухгалтер"
	// An operator fills the data: that operator may not review it later.
	a = h.Must(t)(h.Svc.UpdateData(ctx, ratest.Op3, a.ID, a.Version, ra.Data{Phone: a.Phone, Owner: o}))

	org := &store.Organisation{Name: "ПАО «Сбербанк России»", INN: ratest.OrgINN, KPP: ratest.OrgKPP, OGRN: ratest.OGRN,
		Region: "77 г. Москва", Locality: "Москва", Street: "ул. Вавилова, д. 19"}
	bad := *org
	bad.KPP = "77360100"
	_, _, err = registry.Record(ctx, h.Svc, ratest.SystemActor, a.ID, registry.Answer{Kind: appdata.CheckEGRUL, RequestedAt: ratest.PendingCheck(t, a, appdata.CheckEGRUL),
		Status: store.CheckConfirmed, Organisation: &bad})
	ratest.WantCode(t, "registry answer with a bad KPP", err, ra.CodeInvalidData)
	other := *org
	other.INN = "7736050003"
	_, _, err = registry.Record(ctx, h.Svc, ratest.SystemActor, a.ID, registry.Answer{Kind: appdata.CheckEGRUL, RequestedAt: ratest.PendingCheck(t, a, appdata.CheckEGRUL),
		Status: store.CheckConfirmed, Organisation: &other})
	ratest.WantCode(t, "registry answer about another organisation", err, ra.CodeInvalidData)
	if e := (*ra.Error)(nil); !errors.As(err, &e) || e.Fields[0].Field != "organisation" {
		t.Fatalf("another organisation: %v", err)
	}
	a, changed, err := registry.Record(ctx, h.Svc, ratest.SystemActor, a.ID, registry.Answer{Kind: appdata.CheckEGRUL, RequestedAt: ratest.PendingCheck(t, a, appdata.CheckEGRUL),
		Status: store.CheckConfirmed, Organisation: org})
	if err != nil {
		t.Fatal(err)
	}
	wantChanged := []string{"organisation.name", "organisation.kpp", "organisation.ogrn", "organisation.address.region",
		"organisation.address.locality", "organisation.address.street"}
	if !slices.Equal(changed, wantChanged) || a.Org.Name != org.Name || a.Org.UpdatedAt.IsZero() {
		t.Fatalf("changed %v, org %+v", changed, a.Org)
	}
	_, _, err = registry.Record(ctx, h.Svc, ratest.SystemActor, a.ID, registry.Answer{Kind: appdata.CheckEGRUL, RequestedAt: a.Checks[0].RequestedAt,
		Status: store.CheckConfirmed, Organisation: org})
	ratest.WantCode(t, "second answer to an answered check", err, ra.CodeStaleCheck)

	a = h.Confirm(t, a, appdata.CheckSNILS, nil)
	a = h.Confirm(t, a, appdata.CheckINN, nil)
	for i, typ := range []string{appdata.DocPassport, appdata.DocPowerOfAttorney, appdata.DocSignedApplication} {
		a = h.Must(t)(h.Svc.AddDocument(ctx, ratest.ScActor, a.ID, a.Version, ratest.Doc(typ, i)))
	}
	a = h.Must(t)(h.Svc.Submit(ctx, ratest.ScActor, a.ID, a.Version))

	_, err = h.Svc.Claim(ctx, ratest.Op3, a.ID, a.Version)
	ratest.WantCode(t, "claim by the operator who edited the data", err, ra.CodeForbidden)
	a = h.Must(t)(h.Svc.Claim(ctx, ratest.Op1, a.ID, a.Version))
	_, err = h.Svc.Approve(ctx, ratest.Op2, a.ID, a.Version)
	ratest.WantCode(t, "approve by an operator who did not claim", err, ra.CodeForbidden)
	a = h.Must(t)(h.Svc.Approve(ctx, ratest.Op1, a.ID, a.Version))
	if a.State != store.AppSubmitted || a.ReviewStep != 1 || a.Assignee != "" {
		t.Fatalf("after step 1: %s step %d", a.State, a.ReviewStep)
	}
	_, err = h.Svc.Claim(ctx, ratest.Op1, a.ID, a.Version)
	ratest.WantCode(t, "second step by the first step's operator", err, ra.CodeForbidden)
	a = h.Must(t)(h.Svc.Claim(ctx, ratest.Op2, a.ID, a.Version))
	a = h.Must(t)(h.Svc.Approve(ctx, ratest.Op2, a.ID, a.Version))
	if a.State != store.AppApproved || len(a.Reviews) != 2 || a.Reviews[0].Step != "ca_operator" || a.Reviews[1].Step != "second_operator" {
		t.Fatalf("after step 2: %s %+v", a.State, a.Reviews)
	}

	// A representative: the МЧД among the documents allows it.
	id := ratest.InPerson()
	id.Presenter, id.Representative = store.PresenterRepresentative, "Петров Пётр Петрович"
	a = h.Must(t)(identity.Verify(ctx, h.Svc, ratest.ScActor, a.ID, a.Version, id))
	a = h.Must(t)(h.Svc.SendToCabinet(ctx, ratest.ScActor, a.ID, a.Version))
	a = h.Must(t)(h.Svc.Issue(ctx, ratest.CabinetFor(a), a.ID, a.Version, ratest.IssueInput()))
	if a.Identity.Presenter != store.PresenterRepresentative || a.Identity.Representative != "Петров Пётр Петрович" || a.State != store.AppIssued {
		t.Fatalf("employee issued: %s %+v", a.State, a.Identity)
	}
	c := h.CA.Calls()[0]
	if c.Profile != "qualified-employee" || c.Subject.Organization != org.Name || c.Subject.INNLE != ratest.OrgINN ||
		c.Subject.OGRN != ratest.OGRN || c.Subject.Title != "Главный бухгалтер" || c.Subject.Region != "77 г. Москва" ||
		c.Subject.CommonName != "Ёлкина Анна-Мария" {
		t.Fatalf("employee subject: %+v", c.Subject)
	}
}

// TestIssueOutcomes: a refusal returns the application to "ready to
// issue" for a new request; an unknown outcome keeps it "issuing" and a
// repeat makes the same keyed CA call, getting the certificate the lost
// answer carried, never a second one.
func TestIssueOutcomes(t *testing.T) {
	h := ratest.New(t)
	a := h.InState(t, store.AppReadyToIssue)
	cab := ratest.CabinetFor(a)

	h.CA.Fail(fmt.Errorf("bad proof of possession: %w", ra.ErrCARefused))
	_, err := h.Svc.Issue(ctx, cab, a.ID, a.Version, ratest.IssueInput())
	ratest.WantCode(t, "refused", err, ra.CodeIssueRefused)
	a = h.Must(t)(h.Svc.Get(ctx, cab, a.ID))
	if a.State != store.AppReadyToIssue || a.IssueAttempt != 1 || h.LastEvent(t, a.ID).Action != string(ra.ActIssueRefused) {
		t.Fatalf("after refusal: %s attempt %d", a.State, a.IssueAttempt)
	}

	// The CA issues but the answer is lost.
	h.CA.Issued(fmt.Sprintf("ra:%s:2", a.ID), []byte{0x7f, 0x42})
	h.CA.Fail(errors.New("connection reset"))
	_, err = h.Svc.Issue(ctx, cab, a.ID, a.Version, ratest.IssueInput())
	ratest.WantCode(t, "lost answer", err, ra.CodeIssuePending)
	a = h.Must(t)(h.Svc.Get(ctx, cab, a.ID))
	if a.State != store.AppIssuing {
		t.Fatalf("after a lost answer: %s", a.State)
	}
	_, err = h.Svc.Issue(ctx, cab, a.ID, a.Version-1, ratest.IssueInput())
	ratest.WantCode(t, "repeat with a stale version", err, ra.CodeConflict)
	a = h.Must(t)(h.Svc.Issue(ctx, cab, a.ID, a.Version, ratest.IssueInput()))
	if a.State != store.AppIssued || !bytes.Equal(a.Serial, []byte{0x7f, 0x42}) || a.IssueAttempt != 2 {
		t.Fatalf("after repeat: %s %x attempt %d", a.State, a.Serial, a.IssueAttempt)
	}
	calls := h.CA.Calls()
	if len(calls) != 3 || calls[1].IdempotencyKey != calls[2].IdempotencyKey || calls[0].IdempotencyKey == calls[1].IdempotencyKey {
		t.Fatalf("CA keys: %v %v %v", calls[0].IdempotencyKey, calls[1].IdempotencyKey, calls[2].IdempotencyKey)
	}

	_, err = h.Svc.Issue(ctx, cab, a.ID, a.Version, ra.IssueInput{})
	ratest.WantCode(t, "no CSR", err, ra.CodeInvalidData)
	_, err = h.Svc.Cancel(ctx, ratest.ScActor, a.ID, 0, "без версии")
	ratest.WantCode(t, "change without a version", err, ra.CodeVersionRequired)
}

// TestConcurrentDecisions: two operators decide on the same version at
// once; one wins, the other gets a version conflict, and only the
// winner's change reaches the record and the audit log.
func TestConcurrentDecisions(t *testing.T) {
	h := ratest.NewSynced(t)
	for round := 0; round < 5; round++ {
		a := h.InState(t, store.AppFilling)
		seq := ratest.AuditSeq(t, h.St)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		places := []string{"г. Тула", "г. Орёл"}
		for i := range errs {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				o := ratest.Owner()
				o.BirthPlace = places[i]
				_, errs[i] = h.Svc.UpdateData(ctx, []ra.Actor{ratest.ScActor, ratest.Op1}[i], a.ID, a.Version, ra.Data{Phone: a.Phone, Owner: o})
			}(i)
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch ra.CodeOf(err) {
			case "":
				winner = i
			case ra.CodeConflict:
			default:
				t.Fatalf("writer %d: %v", i, err)
			}
		}
		if winner < 0 || (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("outcomes %v", errs)
		}
		got := h.Must(t)(h.Svc.Get(ctx, ratest.Op1, a.ID))
		if got.Owner.BirthPlace != places[winner] || got.Version != a.Version+1 {
			t.Fatalf("stored %q v%d, winner %d", got.Owner.BirthPlace, got.Version, winner)
		}
		if n := len(ratest.AuditTail(t, h.St, seq)); n != 1 {
			t.Fatalf("%d audit entries, want 1", n)
		}
	}
}

// TestExpire: only past the deadline.
func TestExpire(t *testing.T) {
	h := ratest.New(t)
	a := h.Create(t, "natural-person", "")
	_, err := h.Svc.Expire(ctx, ratest.SystemActor, a.ID, 0)
	ratest.WantCode(t, "before the deadline", err, ra.CodeTooEarly)
	h.Advance(30*24*time.Hour + time.Second)
	a = h.Must(t)(h.Svc.Expire(ctx, ratest.SystemActor, a.ID, 0))
	if a.State != store.AppExpired {
		t.Fatal(a.State)
	}
}

// TestListScopes: a service centre lists its own centre's applications,
// a cabinet its subscriber's; the queue is oldest first.
func TestListScopes(t *testing.T) {
	h := ratest.New(t)
	a1 := h.Create(t, "natural-person", "")
	h.Advance(time.Minute)
	a2 := h.Create(t, "natural-person", "")
	other := h.Must(t)(h.Svc.Create(ctx, ratest.ForeignCentre, ra.CreateInput{CertType: "natural-person", Phone: a1.Phone}))

	ids := func(actor ra.Actor, q ra.ListQuery) []string {
		t.Helper()
		page, _, err := h.Svc.List(ctx, actor, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		var out []string
		for _, a := range page {
			out = append(out, a.ID)
		}
		return out
	}
	if got := ids(ratest.ScActor, ra.ListQuery{State: store.AppNew}); !slices.Equal(got, []string{a1.ID, a2.ID}) {
		t.Fatalf("centre queue %v", got)
	}
	if got := ids(ratest.Op1, ra.ListQuery{State: store.AppNew}); len(got) != 3 {
		t.Fatalf("operator queue %v", got)
	}
	if got := ids(ratest.CabinetFor(a1), ra.ListQuery{}); !slices.Equal(got, []string{a1.ID, other.ID}) {
		t.Fatalf("cabinet %v", got)
	}
	if got := ids(ratest.Op1, ra.ListQuery{Phone: "8 916 000 00 02"}); !slices.Equal(got, []string{a2.ID}) {
		t.Fatalf("by phone %v", got)
	}
	if _, _, err := h.Svc.List(ctx, ratest.ScActor, ra.ListQuery{Centre: "c2"}); ra.CodeOf(err) != ra.CodeForbidden {
		t.Fatalf("centre lists another: %v", err)
	}
	if _, err := h.Svc.Get(ctx, ratest.ScActor, other.ID); ra.CodeOf(err) != ra.CodeNotFound {
		t.Fatalf("centre reads another's: %v", err)
	}
	a1 = h.Must(t)(h.Svc.UpdateData(ctx, ratest.ScActor, a1.ID, a1.Version, ra.Data{Phone: a1.Phone, Owner: ratest.Owner()}))
	if got := ids(ratest.Op1, ra.ListQuery{SNILS: "112-233-445 95"}); !slices.Equal(got, []string{a1.ID}) {
		t.Fatalf("by SNILS %v", got)
	}
	if got := ids(ratest.Op1, ra.ListQuery{INN: ratest.INN}); !slices.Equal(got, []string{a1.ID}) {
		t.Fatalf("by INN %v", got)
	}
}

// TestLargestRejectionFits: a rejection with the most and longest
// reasons allowed is stored (its history note is shortened), not
// refused by the store's bounds as an internal error.
func TestLargestRejectionFits(t *testing.T) {
	h := ratest.New(t)
	a := h.InState(t, store.AppInReview)
	var reasons []ra.Reason
	for i := 0; i < 64; i++ {
		reasons = append(reasons, ra.Reason{Target: "organisation.address.locality", Code: strings.Repeat("x", 64), Text: strings.Repeat("Ж", appdata.MaxTextRunes)})
	}
	a = h.Must(t)(h.Svc.Reject(ctx, ratest.Op1, a.ID, a.Version, reasons))
	if note := h.LastEvent(t, a.ID).Note; len(note) > maxNote || !strings.HasSuffix(note, "…") {
		t.Fatalf("note of %d bytes", len(note))
	}
	if got := h.Must(t)(h.Svc.Get(ctx, ratest.Op1, a.ID)); len(got.Reviews[0].Reasons) != 64 {
		t.Fatalf("stored %d reasons", len(got.Reviews[0].Reasons))
	}
	reasons = append(reasons, reasons[0])
	_, err := h.Svc.Reject(ctx, ratest.Op1, a.ID, a.Version, reasons)
	ratest.WantCode(t, "65 reasons", err, ra.CodeInvalidData)
}
