// Package ratest is the harness of the tests of ra and of its
// sub-packages (ra/identity, ra/registry, ra/renewal, ra/sweep): the
// registration authority on a real Pebble store with an injected clock,
// a CA façade that records what it is asked to issue, and the walk of a
// natural-person application to any state through ra's exported actions.
package ratest

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/identity"
	"github.com/gostca/gostca/ra/registry"
	"github.com/gostca/gostca/store"
)

var ctx = context.Background()

// T0 is the test clock's start.
var T0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// RecordingCA is the tests' CA façade: it records every request, issues
// serials 0x70 n (the same one again for a repeated idempotency key, as
// the real façade must), fails the next requests with the errors Fail
// queued, and knows the certificates AddCertificate gave it.
type RecordingCA struct {
	mu     sync.Mutex
	calls  []ra.IssueRequest
	byKey  map[string][]byte
	next   []error
	serial int
	certs  map[string]ra.CertInfo // by serial bytes
}

func (f *RecordingCA) Issue(_ context.Context, req ra.IssueRequest) (ra.IssuedCert, error) {
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
	return ra.IssuedCert{Serial: s, NotAfter: T0.AddDate(1, 3, 0)}, nil
}

// Certificate answers what AddCertificate gave for the serial.
func (f *RecordingCA) Certificate(_ context.Context, serial []byte) (ra.CertInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	info, ok := f.certs[string(serial)]
	if !ok {
		return ra.CertInfo{}, ra.ErrNoCertificate
	}
	return info, nil
}

// AddCertificate makes Certificate answer info for serial.
func (f *RecordingCA) AddCertificate(serial []byte, info ra.CertInfo) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.certs[string(serial)] = info
}

// Fail makes the next requests fail with errs, one each.
func (f *RecordingCA) Fail(errs ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next = append(f.next, errs...)
}

// Issued makes the CA answer serial for the idempotency key, as if it
// had issued for it already (and the answer was lost).
func (f *RecordingCA) Issued(key string, serial []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.byKey[key] = serial
}

// Calls is every request so far.
func (f *RecordingCA) Calls() []ra.IssueRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ra.IssueRequest(nil), f.calls...)
}

// Last is the latest request.
func (f *RecordingCA) Last() ra.IssueRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[len(f.calls)-1]
}

// H is a service on a real store in a temporary directory.
type H struct {
	St    *store.Store
	CA    *RecordingCA
	Svc   *ra.Service
	clock atomic.Int64 // Unix nanoseconds
	phone atomic.Int64 // the last subscriber phone given
}

// New makes a harness on a store that does not sync its writes;
// applications get a 30-day deadline.
func New(t testing.TB) *H {
	t.Helper()
	return open(t, false)
}

// NewSynced is New on a store that syncs every write, as in production.
func NewSynced(t testing.TB) *H {
	t.Helper()
	return open(t, true)
}

// Start is the first line of a sub-package's test: a harness and the
// context its calls take.
func Start(t testing.TB) (*H, context.Context) {
	t.Helper()
	return open(t, false), ctx
}

func open(t testing.TB, sync bool) *H {
	t.Helper()
	h := &H{CA: &RecordingCA{byKey: map[string][]byte{}, certs: map[string]ra.CertInfo{}}}
	h.clock.Store(T0.UnixNano())
	st, err := store.Open(t.TempDir(), store.Options{NoSync: !sync, Logger: slog.New(slog.DiscardHandler), Now: h.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	h.St = st
	if h.Svc, err = ra.New(st, h.CA, ra.Options{Deadline: 30 * 24 * time.Hour, Logger: slog.New(slog.DiscardHandler), Now: h.Now}); err != nil {
		t.Fatal(err)
	}
	return h
}

// Now is the harness clock.
func (h *H) Now() time.Time { return time.Unix(0, h.clock.Load()).UTC() }

// Advance moves the clock.
func (h *H) Advance(d time.Duration) { h.clock.Add(int64(d)) }

// NextPhone is a mobile number no application of the harness has had.
func (h *H) NextPhone() string { return fmt.Sprintf("8 (916) %07d", h.phone.Add(1)) }

// Actors.
var (
	ScActor        = ra.Actor{Kind: ra.ServiceCentre, ID: "token:sc1/service_centre/c1", Centre: "c1"}
	ForeignCentre  = ra.Actor{Kind: ra.ServiceCentre, ID: "token:sc2/service_centre/c2", Centre: "c2"}
	Op1            = ra.Actor{Kind: ra.Operator, ID: "token:op1/ca_operator"}
	Op2            = ra.Actor{Kind: ra.Operator, ID: "token:op2/ca_operator"}
	Op3            = ra.Actor{Kind: ra.Operator, ID: "token:op3/ca_operator"}
	SystemActor    = ra.Actor{Kind: ra.System, ID: "system:registry"}
	ForeignCabinet = ra.Actor{Kind: ra.Cabinet, ID: "token:cab/cabinet", Phone: "+79990000000"}
)

// CabinetFor is the cabinet acting for the application's phone.
func CabinetFor(a *store.Application) ra.Actor {
	return ra.Actor{Kind: ra.Cabinet, ID: "token:cab/cabinet", Phone: a.Phone}
}

// Identifiers with valid checksums (made up, not anybody's): the
// owner's, and a made-up organisation's.
const (
	SNILS  = "11223344595"
	INN    = "500100123426"
	OrgINN = "7707083893"
	OrgKPP = "773601001"
	OGRN   = "1027700132195"
	OGRNIP = "304500116000157"
)

// Owner is valid natural-person data: Ё kept, no patronymic.
func Owner() store.Owner {
	return store.Owner{
		Surname: "Ёлкина", GivenName: "Анна-Мария", Sex: store.SexFemale,
		BirthDate: time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Тверь",
		IDDoc: store.IdentityDocument{Type: store.IDRussianPassport, Series: "4510", Number: "123456",
			IssuedOn: time.Date(2010, 6, 1, 0, 0, 0, 0, time.UTC), Issuer: "ОВД района Тверской", IssuerCode: "770-001"},
		SNILS: "112-233-445 95", INN: INN, Email: "anna@example.ru",
	}
}

// Doc is the metadata of a made-up uploaded PDF.
func Doc(typ string, n int) ra.DocumentInput {
	return ra.DocumentInput{Type: typ, SHA256: [32]byte{byte(n), 1}, Size: 1000 + int64(n), ContentType: "application/pdf"}
}

// InState is a fresh natural-person application in state st. In
// filling it has everything needed to submit: owner data, SNILS and
// INN confirmed by the registries (their scans waived), passport scan,
// signed application; the passport check stays pending. Rejected and
// issuing go through review and issuance; cancelled and expired are
// closed while new.
func (h *H) InState(t testing.TB, st store.AppState) *store.Application {
	t.Helper()
	a := h.Create(t, "natural-person", "")
	switch st {
	case store.AppNew:
		return a
	case store.AppCancelled:
		return h.Must(t)(h.Svc.Cancel(ctx, ScActor, a.ID, a.Version, "передумал"))
	case store.AppExpired:
		h.Advance(31 * 24 * time.Hour)
		defer h.Advance(-31 * 24 * time.Hour)
		return h.Must(t)(h.Svc.Expire(ctx, SystemActor, a.ID, 0))
	case store.AppRejected:
		a = h.walk(t, a, store.AppInReview)
		return h.Must(t)(h.Svc.Reject(ctx, Op1, a.ID, a.Version, []ra.Reason{{Target: "owner.birth_place", Code: "does_not_match_passport", Text: "как в паспорте"}}))
	case store.AppIssuing:
		a = h.walk(t, a, store.AppReadyToIssue)
		h.CA.Fail(context.DeadlineExceeded)
		if _, err := h.Issue(a); ra.CodeOf(err) != ra.CodeIssuePending {
			t.Fatalf("issue with a timing-out CA: %v", err)
		}
		return h.Get(t, a.ID)
	}
	return h.walk(t, a, st)
}

// walk takes a new application a step at a time until it is in st.
func (h *H) walk(t testing.TB, a *store.Application, st store.AppState) *store.Application {
	t.Helper()
	steps := []struct {
		to store.AppState
		do func(a *store.Application) (*store.Application, error)
	}{
		{store.AppFilling, func(a *store.Application) (*store.Application, error) { return h.fill(t, a), nil }},
		{store.AppSubmitted, func(a *store.Application) (*store.Application, error) {
			return h.Svc.Submit(ctx, ScActor, a.ID, a.Version)
		}},
		{store.AppInReview, func(a *store.Application) (*store.Application, error) { return h.Svc.Claim(ctx, Op1, a.ID, a.Version) }},
		{store.AppApproved, func(a *store.Application) (*store.Application, error) {
			return h.Svc.Approve(ctx, Op1, a.ID, a.Version)
		}},
		{store.AppIdentityVerified, func(a *store.Application) (*store.Application, error) {
			return identity.Verify(ctx, h.Svc, ScActor, a.ID, a.Version, InPerson())
		}},
		{store.AppReadyToIssue, func(a *store.Application) (*store.Application, error) {
			return h.Svc.SendToCabinet(ctx, ScActor, a.ID, a.Version)
		}},
		{store.AppIssued, h.Issue},
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

// fill takes a new application to filling with everything needed to
// submit.
func (h *H) fill(t testing.TB, a *store.Application) *store.Application {
	t.Helper()
	a = h.Must(t)(h.Svc.UpdateData(ctx, ScActor, a.ID, a.Version, ra.Data{Phone: a.Phone, Owner: Owner()}))
	a = h.Confirm(t, a, appdata.CheckSNILS, nil)
	a = h.Confirm(t, a, appdata.CheckINN, nil)
	a = h.Must(t)(h.Svc.AddDocument(ctx, ScActor, a.ID, a.Version, Doc(appdata.DocPassport, 1)))
	return h.Must(t)(h.Svc.AddDocument(ctx, ScActor, a.ID, a.Version, Doc(appdata.DocSignedApplication, 2)))
}

// Confirm records the registry's confirmation of a's pending check of
// kind (with the organisation org for ЕГРЮЛ, nil otherwise).
func (h *H) Confirm(t testing.TB, a *store.Application, kind string, org *store.Organisation) *store.Application {
	t.Helper()
	a, _, err := registry.Record(ctx, h.Svc, SystemActor, a.ID, registry.Answer{Kind: kind, RequestedAt: PendingCheck(t, a, kind),
		Status: store.CheckConfirmed, Detail: "совпадает", Organisation: org})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// InPerson is the identification in person of the owner.
func InPerson() identity.Input {
	return identity.Input{Method: appdata.IdentifyInPerson, Presenter: store.PresenterOwner, Document: "паспорт 4510 123456", Confirmed: true}
}

// IssueInput is a cabinet's issuance request.
func IssueInput() ra.IssueInput {
	return ra.IssueInput{CSR: []byte("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"),
		SubjectSignTool: "«КриптоПро CSP» (версия 5.0)"}
}

// Issue issues a ready application from its cabinet.
func (h *H) Issue(a *store.Application) (*store.Application, error) {
	return h.Svc.Issue(ctx, CabinetFor(a), a.ID, a.Version, IssueInput())
}

// WantCode fails unless err is an ra error with code (no error for
// code "").
func WantCode(t testing.TB, what string, err error, code ra.Code) {
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

// Create opens an application of certType for the organisation orgINN
// ("" for none) with a fresh phone.
func (h *H) Create(t testing.TB, certType, orgINN string) *store.Application {
	t.Helper()
	return h.Must(t)(h.Svc.Create(ctx, ScActor, ra.CreateInput{CertType: certType, Phone: h.NextPhone(), Organisation: orgINN}))
}

// PendingCheck is the request time of a's pending check of kind.
func PendingCheck(t testing.TB, a *store.Application, kind string) time.Time {
	t.Helper()
	for _, c := range a.Checks {
		if c.Kind == kind && c.Status == store.CheckPending {
			return c.RequestedAt
		}
	}
	t.Fatalf("no pending %s check in %+v", kind, a.Checks)
	return time.Time{}
}

// AuditTail is the audit entries after sequence number after.
func AuditTail(t testing.TB, st *store.Store, after uint64) []store.AuditEntry {
	t.Helper()
	var out []store.AuditEntry
	for cursor := ""; ; {
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

// AuditSeq is the audit chain's head.
func AuditSeq(t testing.TB, st *store.Store) uint64 {
	t.Helper()
	seq, _, err := st.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// LastEvent is the newest history event of an application.
func (h *H) LastEvent(t testing.TB, id string) store.AppEvent {
	t.Helper()
	hist, err := h.Svc.History(ctx, Op1, id)
	if err != nil || len(hist) == 0 {
		t.Fatalf("history of %s: %v", id, err)
	}
	return hist[len(hist)-1]
}

// Get reads an application as an operator.
func (h *H) Get(t testing.TB, id string) *store.Application {
	t.Helper()
	return h.Must(t)(h.Svc.Get(ctx, Op1, id))
}

// Must(t)(call()) fails the test on the call's error.
func (h *H) Must(t testing.TB) func(*store.Application, error) *store.Application {
	return func(a *store.Application, err error) *store.Application {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
}
