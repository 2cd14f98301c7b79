package renewal_test

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
	"github.com/gostca/gostca/store"
)

// The renewal tests' harness: the registration authority on a real
// Pebble store, a CA façade that records what it is asked to issue, and
// the walk of a natural-person application to a state through ra's
// exported actions (as ra's own tests walk it).

var ctx = context.Background()

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// recordingCA issues serials 0x70 n (the same again for a repeated
// idempotency key) and records the requests.
type recordingCA struct {
	mu    sync.Mutex
	calls []ra.IssueRequest
	byKey map[string][]byte
}

func (f *recordingCA) Issue(_ context.Context, req ra.IssueRequest) (ra.IssuedCert, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, req)
	if s, ok := f.byKey[req.IdempotencyKey]; ok {
		return ra.IssuedCert{Serial: s}, nil
	}
	s := []byte{0x70, byte(len(f.byKey) + 1)}
	f.byKey[req.IdempotencyKey] = s
	return ra.IssuedCert{Serial: s, NotAfter: t0.AddDate(1, 3, 0)}, nil
}

func (f *recordingCA) Certificate(context.Context, []byte) (ra.CertInfo, error) {
	return ra.CertInfo{}, ra.ErrNoCertificate
}

func (f *recordingCA) last() ra.IssueRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[len(f.calls)-1]
}

type harness struct {
	st    *store.Store
	ca    *recordingCA
	svc   *ra.Service
	clock atomic.Int64
	phone atomic.Int64
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{ca: &recordingCA{byKey: map[string][]byte{}}}
	h.clock.Store(t0.UnixNano())
	now := func() time.Time { return time.Unix(0, h.clock.Load()).UTC() }
	st, err := store.Open(t.TempDir(), store.Options{NoSync: true, Logger: slog.New(slog.DiscardHandler), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	h.st = st
	if h.svc, err = ra.New(st, h.ca, ra.Options{Deadline: 30 * 24 * time.Hour, Logger: slog.New(slog.DiscardHandler), Now: now}); err != nil {
		t.Fatal(err)
	}
	return h
}

var (
	scActor        = ra.Actor{Kind: ra.ServiceCentre, ID: "token:sc1/service_centre/c1", Centre: "c1"}
	op1            = ra.Actor{Kind: ra.Operator, ID: "token:op1/ca_operator"}
	systemActor    = ra.Actor{Kind: ra.System, ID: "system:registry"}
	foreignCabinet = ra.Actor{Kind: ra.Cabinet, ID: "token:cab/cabinet", Phone: "+79990000000"}
)

func cabinetFor(a *store.Application) ra.Actor {
	return ra.Actor{Kind: ra.Cabinet, ID: "token:cab/cabinet", Phone: a.Phone}
}

func owner() store.Owner {
	return store.Owner{
		Surname: "Ёлкина", GivenName: "Анна-Мария", Sex: store.SexFemale,
		BirthDate: time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Тверь",
		IDDoc: store.IdentityDocument{Type: store.IDRussianPassport, Series: "4510", Number: "123456",
			IssuedOn: time.Date(2010, 6, 1, 0, 0, 0, 0, time.UTC), Issuer: "ОВД района Тверской", IssuerCode: "770-001"},
		SNILS: "112-233-445 95", INN: "500100123426", Email: "anna@example.ru",
	}
}

func doc(typ string, n int) ra.DocumentInput {
	return ra.DocumentInput{Type: typ, SHA256: [32]byte{byte(n), 1}, Size: 1000 + int64(n), ContentType: "application/pdf"}
}

// inState walks a fresh natural-person application to st (new, ready
// to issue or issued).
func (h *harness) inState(t testing.TB, st store.AppState) *store.Application {
	t.Helper()
	a, err := h.svc.Create(ctx, scActor, ra.CreateInput{CertType: "natural-person", Phone: fmt.Sprintf("8 (916) %07d", h.phone.Add(1))})
	steps := []func(a *store.Application) (*store.Application, error){
		func(a *store.Application) (*store.Application, error) {
			return h.svc.UpdateData(ctx, scActor, a.ID, a.Version, ra.Data{Phone: a.Phone, Owner: owner()})
		},
		func(a *store.Application) (*store.Application, error) { return h.confirm(a, appdata.CheckSNILS) },
		func(a *store.Application) (*store.Application, error) { return h.confirm(a, appdata.CheckINN) },
		func(a *store.Application) (*store.Application, error) {
			return h.svc.AddDocument(ctx, scActor, a.ID, a.Version, doc(appdata.DocPassport, 1))
		},
		func(a *store.Application) (*store.Application, error) {
			return h.svc.AddDocument(ctx, scActor, a.ID, a.Version, doc(appdata.DocSignedApplication, 2))
		},
		func(a *store.Application) (*store.Application, error) {
			return h.svc.Submit(ctx, scActor, a.ID, a.Version)
		},
		func(a *store.Application) (*store.Application, error) { return h.svc.Claim(ctx, op1, a.ID, a.Version) },
		func(a *store.Application) (*store.Application, error) {
			return h.svc.Approve(ctx, op1, a.ID, a.Version)
		},
		func(a *store.Application) (*store.Application, error) {
			return h.svc.VerifyIdentity(ctx, scActor, a.ID, a.Version, ra.IdentityInput{Method: appdata.IdentifyInPerson,
				Presenter: store.PresenterOwner, Document: "паспорт 4510 123456", Confirmed: true})
		},
		func(a *store.Application) (*store.Application, error) {
			return h.svc.SendToCabinet(ctx, scActor, a.ID, a.Version)
		},
		func(a *store.Application) (*store.Application, error) { return h.issue(a) },
	}
	for _, step := range steps {
		if err != nil {
			t.Fatalf("to %s: %v", st, err)
		}
		if a.State == st {
			return a
		}
		a, err = step(a)
	}
	if err != nil || a.State != st {
		t.Fatalf("to %s: %v (%v)", st, err, a)
	}
	return a
}

func (h *harness) confirm(a *store.Application, kind string) (*store.Application, error) {
	for _, c := range a.Checks {
		if c.Kind == kind && c.Status == store.CheckPending {
			a, _, err := h.svc.RecordCheck(ctx, systemActor, a.ID, ra.CheckResult{Kind: kind, RequestedAt: c.RequestedAt,
				Status: store.CheckConfirmed, Detail: "совпадает"})
			return a, err
		}
	}
	return nil, fmt.Errorf("no pending %s check", kind)
}

func (h *harness) issue(a *store.Application) (*store.Application, error) {
	return h.svc.Issue(ctx, cabinetFor(a), a.ID, a.Version, ra.IssueInput{
		CSR:             []byte("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"),
		SubjectSignTool: "«КриптоПро CSP» (версия 5.0)"})
}

func wantCode(t testing.TB, what string, err error, code ra.Code) {
	t.Helper()
	if got := ra.CodeOf(err); got != code {
		t.Fatalf("%s: %v (code %q), want code %q", what, err, got, code)
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

func (h *harness) lastEvent(t testing.TB, id string) store.AppEvent {
	t.Helper()
	hist, err := h.svc.History(ctx, op1, id)
	if err != nil || len(hist) == 0 {
		t.Fatalf("history of %s: %v", id, err)
	}
	return hist[len(hist)-1]
}
