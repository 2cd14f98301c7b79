package ra_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/identity"
	"github.com/gostca/gostca/ra/registry"
	"github.com/gostca/gostca/store"
)

var ctx = context.Background()

// t0 is the test clock's start.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Identifiers with valid checksums (made up, not anybody's).
const (
	testSNILS  = "11223344595"
	testINN    = "500100123426"
	testOrgINN = "7707083893"
	testOGRN   = "1027700132195"
	testOGRNIP = "304500116000157"
	testKPP    = "773601001"
)

// fakeCA is the test's CA façade: it records every call, issues serials
// 1, 2, … (the same one again for a repeated idempotency key, as the
// real façade must), and fails the next calls with the queued errors.
type fakeCA struct {
	mu     sync.Mutex
	calls  []ra.IssueRequest
	byKey  map[string][]byte
	next   []error
	serial int
	certs  map[string]ra.CertInfo // by serial hex
}

func newFakeCA() *fakeCA { return &fakeCA{byKey: map[string][]byte{}, certs: map[string]ra.CertInfo{}} }

func (f *fakeCA) Issue(_ context.Context, req ra.IssueRequest) (ra.IssuedCert, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, req)
	if len(f.next) > 0 {
		err := f.next[0]
		f.next = f.next[1:]
		return ra.IssuedCert{}, err
	}
	if s, ok := f.byKey[req.IdempotencyKey]; ok {
		return ra.IssuedCert{Serial: s}, nil
	}
	f.serial++
	s := []byte{0x70, byte(f.serial)}
	f.byKey[req.IdempotencyKey] = s
	return ra.IssuedCert{Serial: s, NotAfter: t0.AddDate(1, 3, 0)}, nil
}

func (f *fakeCA) Certificate(_ context.Context, serial []byte) (ra.CertInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	info, ok := f.certs[fmt.Sprintf("%x", serial)]
	if !ok {
		return ra.CertInfo{}, ra.ErrNoCertificate
	}
	return info, nil
}

func (f *fakeCA) fail(errs ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next = append(f.next, errs...)
}

func (f *fakeCA) issued() []ra.IssueRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ra.IssueRequest(nil), f.calls...)
}

// harness is a service on a real Pebble store in a temporary directory.
type harness struct {
	st    *store.Store
	ca    *fakeCA
	svc   *ra.Service
	clock atomic.Int64 // Unix nanoseconds
	phone atomic.Int64 // next subscriber phone
}

func newHarness(t testing.TB, sync bool) *harness {
	t.Helper()
	h := &harness{ca: newFakeCA()}
	h.clock.Store(t0.UnixNano())
	st, err := store.Open(t.TempDir(), store.Options{NoSync: !sync, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return time.Unix(0, h.clock.Load()).UTC() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	h.st = st
	h.svc, err = ra.New(st, h.ca, ra.Options{Deadline: 30 * 24 * time.Hour, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return time.Unix(0, h.clock.Load()).UTC() }})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) advance(d time.Duration) { h.clock.Add(int64(d)) }

// Actors.
var (
	scActor       = ra.Actor{Kind: ra.ServiceCentre, ID: "token:sc1/service_centre/c1", Centre: "c1"}
	foreignCentre = ra.Actor{Kind: ra.ServiceCentre, ID: "token:sc2/service_centre/c2", Centre: "c2"}
	op1           = ra.Actor{Kind: ra.Operator, ID: "token:op1/ca_operator"}
	op2           = ra.Actor{Kind: ra.Operator, ID: "token:op2/ca_operator"}
	op3           = ra.Actor{Kind: ra.Operator, ID: "token:op3/ca_operator"}
	systemActor   = ra.Actor{Kind: ra.System, ID: "system:registry"}
)

func cabinetFor(a *store.Application) ra.Actor {
	return ra.Actor{Kind: ra.Cabinet, ID: "token:cab/cabinet", Phone: a.Phone}
}

var foreignCabinet = ra.Actor{Kind: ra.Cabinet, ID: "token:cab/cabinet", Phone: "+79990000000"}

// owner is valid natural-person data: Ё kept, no patronymic.
func owner() store.Owner {
	return store.Owner{
		Surname: "Ёлкина", GivenName: "Анна-Мария", Sex: store.SexFemale,
		BirthDate: time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Тверь",
		IDDoc: store.IdentityDocument{Type: store.IDRussianPassport, Series: "4510", Number: "123456",
			IssuedOn: time.Date(2010, 6, 1, 0, 0, 0, 0, time.UTC), Issuer: "ОВД района Тверской", IssuerCode: "770-001"},
		SNILS: "112-233-445 95", INN: testINN, Email: "anna@example.ru",
	}
}

// must(t)(call()) fails the test on the call's error.
func must(t testing.TB) func(*store.Application, error) *store.Application {
	return func(a *store.Application, err error) *store.Application {
		t.Helper()
		if err != nil {
			t.Fatalf("%v", err)
		}
		return a
	}
}

// create opens a natural-person application with a fresh phone.
func (h *harness) create(t testing.TB, certType, org string) *store.Application {
	t.Helper()
	n := h.phone.Add(1)
	return must(t)(h.svc.Create(ctx, scActor, ra.CreateInput{CertType: certType, Phone: fmt.Sprintf("8 (916) %07d", n), Organisation: org}))
}

func (h *harness) pendingCheck(t testing.TB, a *store.Application, kind string) time.Time {
	t.Helper()
	for _, c := range a.Checks {
		if c.Kind == kind && c.Status == store.CheckPending {
			return c.RequestedAt
		}
	}
	t.Fatalf("no pending %s check in %+v", kind, a.Checks)
	return time.Time{}
}

func (h *harness) confirm(t testing.TB, a *store.Application, kind string, org *store.Organisation) *store.Application {
	t.Helper()
	a, _, err := registry.Record(ctx, h.svc, systemActor, a.ID, registry.Answer{Kind: kind, RequestedAt: h.pendingCheck(t, a, kind),
		Status: store.CheckConfirmed, Detail: "совпадает", Organisation: org})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func doc(typ string, n int) ra.DocumentInput {
	return ra.DocumentInput{Type: typ, SHA256: [32]byte{byte(n), 1}, Size: 1000 + int64(n), ContentType: "application/pdf"}
}

// filled takes a new natural-person application to "filling" with
// everything needed to submit: owner data, SNILS and INN confirmed by
// the registries (their scans waived), passport scan, signed
// application. The passport check stays pending.
func (h *harness) filled(t testing.TB, a *store.Application) *store.Application {
	t.Helper()
	a = must(t)(h.svc.UpdateData(ctx, scActor, a.ID, a.Version, ra.Data{Phone: a.Phone, Owner: owner()}))
	a = h.confirm(t, a, appdata.CheckSNILS, nil)
	a = h.confirm(t, a, appdata.CheckINN, nil)
	a = must(t)(h.svc.AddDocument(ctx, scActor, a.ID, a.Version, doc(appdata.DocPassport, 1)))
	return must(t)(h.svc.AddDocument(ctx, scActor, a.ID, a.Version, doc(appdata.DocSignedApplication, 2)))
}

// inState returns a fresh natural-person application in state st.
func (h *harness) inState(t testing.TB, st store.AppState) *store.Application {
	t.Helper()
	a := h.create(t, "natural-person", "")
	steps := []struct {
		to store.AppState
		do func(a *store.Application) (*store.Application, error)
	}{
		{store.AppFilling, func(a *store.Application) (*store.Application, error) { return h.filled(t, a), nil }},
		{store.AppSubmitted, func(a *store.Application) (*store.Application, error) {
			return h.svc.Submit(ctx, scActor, a.ID, a.Version)
		}},
		{store.AppInReview, func(a *store.Application) (*store.Application, error) { return h.svc.Claim(ctx, op1, a.ID, a.Version) }},
		{store.AppApproved, func(a *store.Application) (*store.Application, error) {
			return h.svc.Approve(ctx, op1, a.ID, a.Version)
		}},
		{store.AppIdentityVerified, func(a *store.Application) (*store.Application, error) {
			return identity.Verify(ctx, h.svc, scActor, a.ID, a.Version, inPerson())
		}},
		{store.AppReadyToIssue, func(a *store.Application) (*store.Application, error) {
			return h.svc.SendToCabinet(ctx, scActor, a.ID, a.Version)
		}},
		{store.AppIssued, func(a *store.Application) (*store.Application, error) {
			return h.svc.Issue(ctx, cabinetFor(a), a.ID, a.Version, issueInput())
		}},
	}
	switch st {
	case store.AppNew:
		return a
	case store.AppCancelled:
		return must(t)(h.svc.Cancel(ctx, scActor, a.ID, a.Version, "передумал"))
	case store.AppExpired:
		h.advance(31 * 24 * time.Hour)
		defer h.advance(-31 * 24 * time.Hour)
		return must(t)(h.svc.Expire(ctx, systemActor, a.ID, 0))
	case store.AppRejected:
		a = h.inState(t, store.AppInReview)
		return must(t)(h.svc.Reject(ctx, op1, a.ID, a.Version, []ra.Reason{{Target: "owner.birth_place", Code: "does_not_match_passport", Text: "как в паспорте"}}))
	case store.AppIssuing:
		a = h.inState(t, store.AppReadyToIssue)
		h.ca.fail(context.DeadlineExceeded)
		if _, err := h.svc.Issue(ctx, cabinetFor(a), a.ID, a.Version, issueInput()); ra.CodeOf(err) != ra.CodeIssuePending {
			t.Fatalf("issue with a timing-out CA: %v", err)
		}
		return must(t)(h.svc.Get(ctx, op1, a.ID))
	}
	for _, s := range steps {
		var err error
		a, err = s.do(a)
		if err != nil {
			t.Fatalf("to %s: %v", s.to, err)
		}
		if a.State != s.to {
			t.Fatalf("to %s: got %s", s.to, a.State)
		}
		if a.State == st {
			return a
		}
	}
	t.Fatalf("no way to state %s", st)
	return nil
}

func inPerson() identity.Input {
	return identity.Input{Method: appdata.IdentifyInPerson, Presenter: store.PresenterOwner, Document: "паспорт 4510 123456", Confirmed: true}
}

func issueInput() ra.IssueInput {
	return ra.IssueInput{CSR: []byte("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"), SubjectSignTool: "«КриптоПро CSP» (версия 5.0)"}
}

// wantCode fails unless err is a package error with code.
func wantCode(t testing.TB, what string, err error, code ra.Code) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("%s: %v, want success", what, err)
		}
		return
	}
	if got := ra.CodeOf(err); got != code {
		t.Fatalf("%s: %v (code %q), want code %q", what, err, got, code)
	}
}

// auditTail returns the audit entries after seq.
func auditTail(t testing.TB, st *store.Store, after uint64) []store.AuditEntry {
	t.Helper()
	var out []store.AuditEntry
	cursor := ""
	for {
		page, next, err := st.AuditEntries(ctx, cursor, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			if e.Seq > after {
				out = append(out, e)
			}
		}
		if next == "" {
			return out
		}
		cursor = next
	}
}

func auditSeq(t testing.TB, st *store.Store) uint64 {
	t.Helper()
	seq, _, err := st.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// sameApp compares the stored application with a reference by version
// and encoded-visible fields that matter here.
func sameApp(a, b *store.Application) bool {
	return a.Version == b.Version && a.State == b.State && a.Round == b.Round &&
		len(a.Documents) == len(b.Documents) && bytes.Equal(a.Serial, b.Serial)
}

var _ = errors.Is
var _ = pkix.IdentificationPersonal

func errorsAs(err error, target **ra.Error) bool { return errors.As(err, target) }

// lastEvent is the newest history event of an application.
func (h *harness) lastEvent(t testing.TB, id string) store.AppEvent {
	t.Helper()
	hist, err := h.svc.History(ctx, op1, id)
	if err != nil || len(hist) == 0 {
		t.Fatalf("history of %s: %v", id, err)
	}
	return hist[len(hist)-1]
}

// checkConfirmed: a's check of kind is confirmed.
func checkConfirmed(a *store.Application, kind string) bool {
	return slices.ContainsFunc(a.Checks, func(c store.RegistryCheck) bool {
		return c.Kind == kind && c.Status == store.CheckConfirmed
	})
}

// maxNote is the bound ra keeps a history note to, in bytes.
const maxNote = 1000
