package ca_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/identity"
	"github.com/gostca/gostca/ra/outbox"
	"github.com/gostca/gostca/store"
)

// lossyCA issues through the real façade and then, while lose is set,
// loses the answer: the certificate exists, the RA does not know it (a
// timeout, or a crash between the certificate's batch and the
// application's).
type lossyCA struct {
	ra.CA
	lose bool
	// unlinked drops the application link, as an RA or intent of the
	// version before the link did: the application's change is then the
	// RA's own write.
	unlinked bool
}

func (l *lossyCA) Issue(ctx context.Context, req ra.IssueRequest) (ra.IssuedCert, error) {
	if l.unlinked {
		req.ApplicationVersion, req.Attempt = 0, 0
	}
	got, err := l.CA.Issue(ctx, req)
	if err == nil && l.lose {
		return ra.IssuedCert{}, errors.New("connection reset after the CA answered")
	}
	return got, err
}

// TestRAIssueRepeatAfterLostAnswer: with the real signer and store, an
// unlinked issuance (the path before the application link, kept for
// intents written by older versions) whose answer is lost leaves the
// application "issuing"; the repeat (even with another CSR) answers with
// the certificate already issued for the attempt's key: one
// certificate, the application issued with its serial.
func TestRAIssueRepeatAfterLostAnswer(t *testing.T) {
	ctx := context.Background()
	c := catest.Open(t, catest.Config(t))
	lossy := &lossyCA{CA: c.RAFacade(), lose: true, unlinked: true}
	svc, err := ra.New(c.Store(), lossy, ra.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := readyToIssue(t, svc)
	op := ra.Actor{Kind: ra.Operator, ID: "token:op/ca_operator"}
	step := func(a *store.Application, err error) *store.Application {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a
	}

	in := ra.IssueInput{CSR: catest.CSR(t, "tc26-256-A"), SubjectSignTool: "«КриптоПро CSP» (версия 5.0)"}
	cab := ra.Actor{Kind: ra.Cabinet, ID: "token:cab/cabinet/session:1", Phone: a.Phone} // only the cabinet issues
	if _, err := svc.Issue(ctx, cab, a.ID, a.Version, in); ra.CodeOf(err) != ra.CodeIssuePending {
		t.Fatalf("lost answer: %v, want issuance_pending", err)
	}
	a = step(svc.Get(ctx, op, a.ID))
	key := "ra:" + a.ID + ":1"
	rec, err := c.Store().CertificateByRequestID(ctx, key)
	if a.State != store.AppIssuing || err != nil || rec.Centre != "c1" {
		t.Fatalf("after the lost answer: application %s, certificate %v %v", a.State, rec, err)
	}

	lossy.lose = false
	in.CSR = catest.CSR(t, "tc26-256-A") // the caller retries with a new request: the key decides
	a = step(svc.Issue(ctx, cab, a.ID, a.Version, in))
	if a.State != store.AppIssued || !bytes.Equal(a.Serial, rec.Serial) || a.IssueAttempt != 1 {
		t.Fatalf("after the repeat: %s serial %x attempt %d, want issued %x", a.State, a.Serial, a.IssueAttempt, rec.Serial)
	}
	page, _, err := c.Store().FindCertificates(ctx, store.Query{Field: store.BySNILS, Value: "11223344595"})
	if err != nil || len(page) != 1 {
		t.Fatalf("%d certificates for the subscriber (%v), want 1", len(page), err)
	}
}

// readyToIssue walks a natural-person application of centre c1 to
// "ready to issue".
func readyToIssue(t *testing.T, svc *ra.Service) *store.Application {
	t.Helper()
	ctx := context.Background()
	sc := ra.Actor{Kind: ra.ServiceCentre, ID: "token:sc/service_centre/c1", Centre: "c1"}
	op := ra.Actor{Kind: ra.Operator, ID: "token:op/ca_operator"}
	step := func(a *store.Application, err error) *store.Application {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := step(svc.Create(ctx, sc, ra.CreateInput{CertType: "natural-person", Phone: "+79161234567"}))
	a = step(svc.UpdateData(ctx, sc, a.ID, a.Version, ra.Data{Phone: a.Phone, Owner: store.Owner{
		Surname: "Ёлкина", GivenName: "Анна-Мария", Sex: store.SexFemale, BirthDate: time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC),
		BirthPlace: "г. Тверь", IDDoc: store.IdentityDocument{Type: store.IDRussianPassport, Series: "4510", Number: "123456",
			IssuedOn: time.Date(2010, 6, 1, 0, 0, 0, 0, time.UTC), Issuer: "ОВД района Тверской", IssuerCode: "770-001"},
		SNILS: "11223344595", INN: "500100123426"}}))
	for _, typ := range []string{appdata.DocSignedApplication, appdata.DocPassport, appdata.DocSNILS, appdata.DocINN} {
		a = step(svc.AddDocument(ctx, sc, a.ID, a.Version, ra.DocumentInput{Type: typ, SHA256: sha256.Sum256([]byte(typ)), Size: 10, ContentType: "application/pdf"}))
	}
	a = step(svc.Submit(ctx, sc, a.ID, a.Version))
	a = step(svc.Claim(ctx, op, a.ID, a.Version))
	a = step(svc.Approve(ctx, op, a.ID, a.Version))
	a = step(identity.Verify(ctx, svc, sc, a.ID, a.Version, identity.Input{Method: appdata.IdentifyInPerson, Presenter: store.PresenterOwner,
		Document: "паспорт 4510 123456", Confirmed: true}))
	a = step(svc.SendToCabinet(ctx, sc, a.ID, a.Version))
	return a
}

// TestRAIssueLinkedOneBatch: through the real façade the application's
// "issued" change is written in the certificate's batch — the "issue"
// entry and the "application_issued" entry are adjacent in the audit
// chain, one of each — so an answer lost after the CA committed leaves
// the application issued, not "issuing", with its notices queued once.
func TestRAIssueLinkedOneBatch(t *testing.T) {
	ctx := context.Background()
	c := catest.Open(t, catest.Config(t))
	lossy := &lossyCA{CA: c.RAFacade(), lose: true}
	svc, err := ra.New(c.Store(), lossy, ra.Options{})
	if err != nil {
		t.Fatal(err)
	}
	op := ra.Actor{Kind: ra.Operator, ID: "token:op/ca_operator"}
	a := readyToIssue(t, svc)
	in := ra.IssueInput{CSR: catest.CSR(t, "tc26-256-A"), SubjectSignTool: "«КриптоПро CSP» (версия 5.0)"}
	cab := ra.Actor{Kind: ra.Cabinet, ID: "token:cab/cabinet/session:1", Phone: a.Phone} // only the cabinet issues
	if _, err := svc.Issue(ctx, cab, a.ID, a.Version, in); ra.CodeOf(err) != ra.CodeIssuePending {
		t.Fatalf("lost answer: %v, want issuance_pending", err)
	}
	rec, err := c.Store().CertificateByRequestID(ctx, "ra:"+a.ID+":1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Get(ctx, op, a.ID)
	if err != nil || got.State != store.AppIssued || !bytes.Equal(got.Serial, rec.Serial) || got.Version != a.Version+2 {
		t.Fatalf("after the lost answer: %+v %v; want issued with %x at version %d", got, err, rec.Serial, a.Version+2)
	}
	var issueSeq, appSeq []uint64
	for cursor := ""; ; {
		page, next, err := c.Store().AuditEntries(ctx, cursor, 200)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			switch {
			case e.Action == "issue" && bytes.Equal(e.Serial, rec.Serial):
				issueSeq = append(issueSeq, e.Seq)
			case e.Action == "application_issued" && e.Subject == "application:"+a.ID:
				appSeq = append(appSeq, e.Seq)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(issueSeq) != 1 || len(appSeq) != 1 || appSeq[0] != issueSeq[0]+1 {
		t.Fatalf("issue entries %v, application_issued entries %v: want one each, adjacent", issueSeq, appSeq)
	}
	rows, err := c.Store().OutboxList(ctx, outbox.SMS, store.OutboxAny, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	notices := 0
	for _, r := range rows {
		if bytes.Contains(r.Payload, []byte(outbox.NoticeIssued)) && bytes.Contains(r.Payload, []byte(a.ID)) {
			notices++
		}
	}
	if notices != 1 {
		t.Fatalf("%d certificate_issued SMS notices, want 1", notices)
	}
	// The repeat of the RA's call finds the application issued.
	lossy.lose = false
	if _, err := svc.Issue(ctx, cab, a.ID, got.Version, in); err == nil {
		t.Fatal("issued an issued application again")
	}
	if rep, err := c.Store().Check(ctx); err != nil || !rep.OK() {
		t.Fatalf("store check: %v %+v", err, rep)
	}
}
