package cabinet_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/identity"
	"github.com/gostca/gostca/store"
)

// fakeCA records what the registration authority asks and refuses the
// first Refuse calls definitively.
type fakeCA struct {
	mu     sync.Mutex
	reqs   []ra.IssueRequest
	Refuse int
}

func (f *fakeCA) Issue(_ context.Context, req ra.IssueRequest) (ra.IssuedCert, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
	if f.Refuse > 0 {
		f.Refuse--
		return ra.IssuedCert{}, ra.ErrCARefused
	}
	return ra.IssuedCert{Serial: []byte{0x42, byte(len(f.reqs))}, NotAfter: time.Now().Add(time.Hour)}, nil
}

func (f *fakeCA) Certificate(context.Context, []byte) (ra.CertInfo, error) {
	return ra.CertInfo{}, ra.ErrNoCertificate
}

type env struct {
	st   *store.Store
	ca   *fakeCA
	rs   *ra.Service
	cab  *cabinet.Service
	sec  *otp.Secret
	now  time.Time
	mu   sync.Mutex
	cl   cabinet.Client
	seen map[string]bool
}

func (e *env) clock() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
func (e *env) add(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

func newEnv(t *testing.T) *env {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{st: st, ca: &fakeCA{}, now: time.Now().UTC(), cl: cabinet.Client{Actor: "token:c1/cabinet", Addr: "192.0.2.1"}, seen: map[string]bool{}}
	if e.rs, err = ra.New(st, e.ca, ra.Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	if e.sec, err = otp.NewSecret(bytes.Repeat([]byte{7}, 32)); err != nil {
		t.Fatal(err)
	}
	codes, err := otp.New(st, e.sec, otp.Options{Now: e.clock, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if e.cab, err = cabinet.New(st, e.rs, codes, cabinet.Options{Now: e.clock, Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	return e
}

// code is the newest code sent: derived from the newest SMS row's nonce,
// as the delivery worker does.
func (e *env) code(t *testing.T) string {
	t.Helper()
	rows, err := e.st.OutboxPending(context.Background(), otp.SMSKind, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(rows) - 1; i >= 0; i-- {
		var p otp.SMSPayload
		if json.Unmarshal(rows[i].Payload, &p) != nil || p.Nonce == "" || e.seen[p.Challenge] {
			continue
		}
		e.seen[p.Challenge] = true
		nonce, _ := base64.StdEncoding.DecodeString(p.Nonce)
		return e.sec.Code(nonce)
	}
	t.Fatal("no new code row")
	return ""
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// ready makes a natural person's application ready to issue through ra.
func (e *env) ready(t *testing.T, phone string) *store.Application {
	t.Helper()
	ctx := context.Background()
	sc := ra.Actor{Kind: ra.ServiceCentre, ID: "token:sc/service_centre/c1", Centre: "c1"}
	op := ra.Actor{Kind: ra.Operator, ID: "token:op/ca_operator"}
	step := must[*store.Application](t)
	a := step(e.rs.Create(ctx, sc, ra.CreateInput{CertType: "natural-person", Phone: phone}))
	a = step(e.rs.UpdateData(ctx, sc, a.ID, a.Version, ra.Data{Phone: a.Phone, Owner: store.Owner{
		Surname: "Ёлкина", GivenName: "Анна-Мария", Sex: store.SexFemale, BirthDate: time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC),
		BirthPlace: "г. Тверь", IDDoc: store.IdentityDocument{Type: store.IDRussianPassport, Series: "4510", Number: "123456",
			IssuedOn: time.Date(2010, 6, 1, 0, 0, 0, 0, time.UTC), Issuer: "ОВД района Тверской", IssuerCode: "770-001"},
		SNILS: "11223344595", INN: "500100123426"}}))
	for _, typ := range []string{appdata.DocSignedApplication, appdata.DocPassport, appdata.DocSNILS, appdata.DocINN} {
		a = step(e.rs.AddDocument(ctx, sc, a.ID, a.Version, ra.DocumentInput{Type: typ, SHA256: sha256.Sum256([]byte(typ)), Size: 10, ContentType: "application/pdf"}))
	}
	a = step(e.rs.Submit(ctx, sc, a.ID, a.Version))
	a = step(e.rs.Claim(ctx, op, a.ID, a.Version))
	a = step(e.rs.Approve(ctx, op, a.ID, a.Version))
	a = step(identity.Verify(ctx, e.rs, sc, a.ID, a.Version, identity.Input{Method: appdata.IdentifyInPerson, Presenter: store.PresenterOwner,
		Document: "паспорт 4510 123456", Confirmed: true}))
	return step(e.rs.SendToCabinet(ctx, sc, a.ID, a.Version))
}

func (e *env) login(t *testing.T, phone string) (*cabinet.Subscriber, string) {
	t.Helper()
	ctx := context.Background()
	sent := must[*otp.Sent](t)(e.cab.Login(ctx, e.cl, phone))
	sess := must[*cabinet.Session](t)(e.cab.VerifyLogin(ctx, e.cl, sent.ID, e.code(t)))
	return must[*cabinet.Subscriber](t)(e.cab.Session(ctx, e.cl, sess.Token)), sess.Token
}

func codeOf(err error) string {
	var ce *cabinet.Error
	var oe *otp.Error
	var re *ra.Error
	switch {
	case errors.As(err, &ce):
		return string(ce.Code)
	case errors.As(err, &oe):
		return string(oe.Code)
	case errors.As(err, &re):
		return string(re.Code)
	}
	return ""
}

// TestConfirmIssuesTheApplicationsSubject: the CA is asked with the
// application's subject (not the CSR's), the request's DER and the key
// ra:<id>:1. When the CA refuses, the application is ready again, the
// code is spent, and a new request with a new code issues under attempt
// 2. A session only works through the client that opened it.
func TestConfirmIssuesTheApplicationsSubject(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	a := e.ready(t, "+79161234567")
	sub, token := e.login(t, "+79161234567")
	if _, err := e.cab.Session(ctx, cabinet.Client{Actor: "token:other/cabinet"}, token); codeOf(err) != "session_invalid" {
		t.Fatalf("another client's session: %v", err)
	}
	shown := must[*cabinet.Shown](t)(e.cab.IssueData(ctx, sub, a.ID))
	if shown.Data.Subject[0] != (cabinet.Attribute{Name: "CN", Value: "Ёлкина Анна-Мария"}) || sha256.Sum256(shown.Bytes) != shown.SHA256 {
		t.Fatalf("shown %+v", shown.Data)
	}
	a = must[*store.Application](t)(e.cab.Consent(ctx, sub, a.ID, shown.Version, shown.SHA256))
	c, err := e.st.LatestConsent(ctx, a.ID)
	if err != nil || !bytes.Equal(c.Data, shown.Bytes) || c.AppVersion != a.Version {
		t.Fatalf("consent %+v %v", c, err)
	}

	e.ca.Refuse = 1
	csr := catest.CSR(t, "tc26-256-A")
	r := must[*cabinet.Request](t)(e.cab.SubmitRequest(ctx, sub, e.cl, a.ID, csr))
	code := e.code(t)
	in := cabinet.ConfirmInput{Challenge: r.Sent.ID, Code: code, CSR: csr, SubjectSignTool: "КриптоПро CSP"}
	if _, err := e.cab.Confirm(ctx, sub, e.cl, a.ID, in); codeOf(err) != string(ra.CodeIssueRefused) {
		t.Fatalf("refused by the CA: %v", err)
	}
	got := must[*store.Application](t)(e.rs.Get(ctx, ra.Actor{Kind: ra.Operator, ID: "op"}, a.ID))
	if got.State != store.AppReadyToIssue || got.IssueAttempt != 1 {
		t.Fatalf("after the refusal: %s attempt %d", got.State, got.IssueAttempt)
	}
	e.add(2 * time.Minute)
	if _, err := e.cab.Confirm(ctx, sub, e.cl, a.ID, in); codeOf(err) != string(otp.CodeUsed) {
		t.Fatalf("the spent code again: %v", err)
	}
	r = must[*cabinet.Request](t)(e.cab.SubmitRequest(ctx, sub, e.cl, a.ID, csr))
	in.Challenge, in.Code = r.Sent.ID, e.code(t)
	if _, err := e.cab.Confirm(ctx, sub, cabinet.Client{Actor: "token:other/cabinet"}, a.ID, in); codeOf(err) != string(otp.CodeUnknown) {
		t.Fatalf("another client's code: %v", err)
	}
	got = must[*store.Application](t)(e.cab.Confirm(ctx, sub, e.cl, a.ID, in))
	if got.State != store.AppIssued || got.IssueAttempt != 2 {
		t.Fatalf("issued: %s attempt %d", got.State, got.IssueAttempt)
	}
	last := e.ca.reqs[len(e.ca.reqs)-1]
	want, _ := pkix.ParseCertificateRequest(csr)
	if last.IdempotencyKey != "ra:"+a.ID+":2" || last.Subject.CommonName != "Ёлкина Анна-Мария" || last.Subject.SNILS != "11223344595" ||
		!bytes.Equal(last.CSR, want.Raw) || last.SubjectSignTool != "КриптоПро CSP" || !strings.Contains(last.Actor, "/session:") {
		t.Fatalf("CA request %+v", last)
	}
	// Payment of an unknown application; a malformed invoice.
	if _, err := e.cab.SetPayment(ctx, "token:b/billing", "nosuch", true, ""); codeOf(err) != string(ra.CodeNotFound) {
		t.Fatalf("payment of no application: %v", err)
	}
	if _, err := e.cab.SetPayment(ctx, "token:b/billing", a.ID, true, "INV\n1"); codeOf(err) != string(cabinet.CodeInvalidPayment) {
		t.Fatalf("bad invoice: %v", err)
	}
	// Expiry of the session.
	e.add(31 * time.Minute)
	if _, err := e.cab.Session(ctx, e.cl, token); codeOf(err) != "session_invalid" {
		t.Fatalf("expired: %v", err)
	}
}
