// Package ratest is the harness of the tests of ra's sub-packages
// (ra/identity, ra/registry, ra/renewal, ra/sweep): the registration authority on a real Pebble
// store with an injected clock, a CA façade that records what it is
// asked to issue, and the walk of a natural-person application to a
// state through ra's exported actions (ra's own tests walk it with
// their internal helpers).
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

// RecordingCA issues serials 0x70 n (the same again for a repeated
// idempotency key) and records the requests; it knows the certificates
// AddCertificate gave it.
type RecordingCA struct {
	mu    sync.Mutex
	calls []ra.IssueRequest
	byKey map[string][]byte
	certs map[string]ra.CertInfo // by serial bytes
}

func (f *RecordingCA) Issue(_ context.Context, req ra.IssueRequest) (ra.IssuedCert, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, req)
	if s, ok := f.byKey[req.IdempotencyKey]; ok {
		return ra.IssuedCert{Serial: s}, nil
	}
	s := []byte{0x70, byte(len(f.byKey) + 1)}
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
	if f.certs == nil {
		f.certs = map[string]ra.CertInfo{}
	}
	f.certs[string(serial)] = info
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
	clock atomic.Int64
	phone atomic.Int64
}

// New makes a harness; applications get a 30-day deadline.
func New(t testing.TB) *H {
	t.Helper()
	h := &H{CA: &RecordingCA{byKey: map[string][]byte{}}}
	h.clock.Store(T0.UnixNano())
	now := func() time.Time { return time.Unix(0, h.clock.Load()).UTC() }
	st, err := store.Open(t.TempDir(), store.Options{NoSync: true, Logger: slog.New(slog.DiscardHandler), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	h.St = st
	if h.Svc, err = ra.New(st, h.CA, ra.Options{Deadline: 30 * 24 * time.Hour, Logger: slog.New(slog.DiscardHandler), Now: now}); err != nil {
		t.Fatal(err)
	}
	return h
}

// Now is the harness clock.
func (h *H) Now() time.Time { return time.Unix(0, h.clock.Load()).UTC() }

// Advance moves the clock.
func (h *H) Advance(d time.Duration) { h.clock.Add(int64(d)) }

// Actors.
var (
	ScActor        = ra.Actor{Kind: ra.ServiceCentre, ID: "token:sc1/service_centre/c1", Centre: "c1"}
	Op1            = ra.Actor{Kind: ra.Operator, ID: "token:op1/ca_operator"}
	SystemActor    = ra.Actor{Kind: ra.System, ID: "system:registry"}
	ForeignCabinet = ra.Actor{Kind: ra.Cabinet, ID: "token:cab/cabinet", Phone: "+79990000000"}
)

// CabinetFor is the cabinet acting for the application's phone.
func CabinetFor(a *store.Application) ra.Actor {
	return ra.Actor{Kind: ra.Cabinet, ID: "token:cab/cabinet", Phone: a.Phone}
}

// Owner is valid natural-person data.
func Owner() store.Owner {
	return store.Owner{
		Surname: "Ёлкина", GivenName: "Анна-Мария", Sex: store.SexFemale,
		BirthDate: time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Тверь",
		IDDoc: store.IdentityDocument{Type: store.IDRussianPassport, Series: "4510", Number: "123456",
			IssuedOn: time.Date(2010, 6, 1, 0, 0, 0, 0, time.UTC), Issuer: "ОВД района Тверской", IssuerCode: "770-001"},
		SNILS: "112-233-445 95", INN: "500100123426", Email: "anna@example.ru",
	}
}

// Doc is the metadata of a made-up uploaded PDF.
func Doc(typ string, n int) ra.DocumentInput {
	return ra.DocumentInput{Type: typ, SHA256: [32]byte{byte(n), 1}, Size: 1000 + int64(n), ContentType: "application/pdf"}
}

// InState walks a fresh natural-person application to st: new,
// filling (data only), submitted, in review, approved, identity
// verified, ready to issue or issued.
func (h *H) InState(t testing.TB, st store.AppState) *store.Application {
	t.Helper()
	return h.walk(t, st, -1)
}

// Filled is a fresh natural-person application in filling with
// everything needed to submit: owner data, SNILS and INN confirmed,
// passport scan, signed application.
func (h *H) Filled(t testing.TB) *store.Application {
	t.Helper()
	return h.walk(t, store.AppFilling, 5)
}

// walk takes a fresh application through the steps until it is in st
// (after step stop when stop is not -1).
func (h *H) walk(t testing.TB, st store.AppState, stop int) *store.Application {
	t.Helper()
	a, err := h.Svc.Create(ctx, ScActor, ra.CreateInput{CertType: "natural-person", Phone: fmt.Sprintf("8 (916) %07d", h.phone.Add(1))})
	steps := []func(a *store.Application) (*store.Application, error){
		func(a *store.Application) (*store.Application, error) {
			return h.Svc.UpdateData(ctx, ScActor, a.ID, a.Version, ra.Data{Phone: a.Phone, Owner: Owner()})
		},
		func(a *store.Application) (*store.Application, error) { return h.confirm(a, appdata.CheckSNILS) },
		func(a *store.Application) (*store.Application, error) { return h.confirm(a, appdata.CheckINN) },
		func(a *store.Application) (*store.Application, error) {
			return h.Svc.AddDocument(ctx, ScActor, a.ID, a.Version, Doc(appdata.DocPassport, 1))
		},
		func(a *store.Application) (*store.Application, error) {
			return h.Svc.AddDocument(ctx, ScActor, a.ID, a.Version, Doc(appdata.DocSignedApplication, 2))
		},
		func(a *store.Application) (*store.Application, error) {
			return h.Svc.Submit(ctx, ScActor, a.ID, a.Version)
		},
		func(a *store.Application) (*store.Application, error) { return h.Svc.Claim(ctx, Op1, a.ID, a.Version) },
		func(a *store.Application) (*store.Application, error) {
			return h.Svc.Approve(ctx, Op1, a.ID, a.Version)
		},
		func(a *store.Application) (*store.Application, error) {
			return identity.Verify(ctx, h.Svc, ScActor, a.ID, a.Version, InPerson())
		},
		func(a *store.Application) (*store.Application, error) {
			return h.Svc.SendToCabinet(ctx, ScActor, a.ID, a.Version)
		},
		func(a *store.Application) (*store.Application, error) { return h.Issue(a) },
	}
	for i, step := range steps {
		if err != nil {
			t.Fatalf("to %s: %v", st, err)
		}
		if a.State == st && (stop < 0 || i == stop) {
			return a
		}
		a, err = step(a)
	}
	if err != nil || a.State != st {
		t.Fatalf("to %s: %v (%v)", st, err, a)
	}
	return a
}

func (h *H) confirm(a *store.Application, kind string) (*store.Application, error) {
	for _, c := range a.Checks {
		if c.Kind == kind && c.Status == store.CheckPending {
			a, _, err := registry.Record(ctx, h.Svc, SystemActor, a.ID, registry.Answer{Kind: kind, RequestedAt: c.RequestedAt,
				Status: store.CheckConfirmed, Detail: "совпадает"})
			return a, err
		}
	}
	return nil, fmt.Errorf("no pending %s check", kind)
}

// InPerson is the identification in person of the owner.
func InPerson() identity.Input {
	return identity.Input{Method: appdata.IdentifyInPerson, Presenter: store.PresenterOwner, Document: "паспорт 4510 123456", Confirmed: true}
}

// Issue issues a ready application from its cabinet.
func (h *H) Issue(a *store.Application) (*store.Application, error) {
	return h.Svc.Issue(ctx, CabinetFor(a), a.ID, a.Version, ra.IssueInput{
		CSR:             []byte("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"),
		SubjectSignTool: "«КриптоПро CSP» (версия 5.0)"})
}

// WantCode fails unless err is an ra error with code.
func WantCode(t testing.TB, what string, err error, code ra.Code) {
	t.Helper()
	if got := ra.CodeOf(err); got != code {
		t.Fatalf("%s: %v (code %q), want code %q", what, err, got, code)
	}
}

// Identifiers of a made-up organisation (valid checksums, nobody's).
const (
	OrgINN = "7707083893"
	OrgKPP = "773601001"
	OGRN   = "1027700132195"
)

// Create opens an application of certType for the organisation orgINN
// ("" for none) with a fresh phone.
func (h *H) Create(t testing.TB, certType, orgINN string) *store.Application {
	t.Helper()
	return h.Must(t)(h.Svc.Create(ctx, ScActor, ra.CreateInput{CertType: certType,
		Phone: fmt.Sprintf("8 (916) %07d", h.phone.Add(1)), Organisation: orgINN}))
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
