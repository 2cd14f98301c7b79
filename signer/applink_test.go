package signer

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/gostca/gostca/ra/outbox"
	"github.com/gostca/gostca/store"
)

// issuingApp stores an application in "issuing" at attempt 1, as the
// RA's step 1 leaves it, and returns it (version 1).
func issuingApp(t *testing.T, st *store.Store, id string) *store.Application {
	t.Helper()
	now := time.Now().UTC()
	a := &store.Application{ID: id, Kind: store.AppKindNew, CertType: "natural-person", Centre: "c1", Phone: "+79161234567",
		State: store.AppIssuing, StateSince: now, CreatedAt: now, CreatedBy: "token:sc", IssueAttempt: 1,
		Owner: store.Owner{Surname: "Иванов", GivenName: "Иван Иванович", SNILS: "11223344595", Email: "ivanov@example.org"}}
	err := st.PutApplication(context.Background(), a, 0, store.AppChange{
		Event: store.AppEvent{Actor: "token:sc", Action: "issue", To: store.AppIssuing},
		Audit: store.AuditEntry{Actor: "token:sc", Action: "application_issue"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func linkedRequest(t *testing.T, a *store.Application) *Request {
	req := request(t, "ca", "tc26-256-A", fmt.Sprintf("ra:%s:%d", a.ID, a.IssueAttempt))
	req.Centre = a.Centre
	req.App = &store.AppLink{ID: a.ID, Version: a.Version, Attempt: a.IssueAttempt, Actor: "token:op"}
	return req
}

// auditOf returns the audit entries, oldest first.
func auditOf(t *testing.T, st *store.Store) []store.AuditEntry {
	t.Helper()
	var all []store.AuditEntry
	for cursor := ""; ; {
		page, next, err := st.AuditEntries(context.Background(), cursor, 100)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		cursor = next
	}
}

// checkIssuedTogether asserts the certificate serial and application id
// were committed together: the application issued with the serial at
// version 2 with one "issued" event, one "issue" entry for the
// certificate directly followed by the one "application_issued" entry,
// and the subscriber's notices (SMS and e-mail) in the outbox once.
func checkIssuedTogether(t *testing.T, st *store.Store, serial []byte, id string) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.Certificate(ctx, serial); err != nil {
		t.Fatalf("certificate: %v", err)
	}
	a, err := st.Application(ctx, id)
	if err != nil || a.State != store.AppIssued || !bytes.Equal(a.Serial, serial) || a.Version != 2 {
		t.Fatalf("application: %+v %v, want issued with %x at version 2", a, err, serial)
	}
	hist, err := st.ApplicationHistory(ctx, id)
	if err != nil || len(hist) != 2 || hist[1].Action != "issued" || hist[1].From != store.AppIssuing || hist[1].To != store.AppIssued {
		t.Fatalf("history %+v %v", hist, err)
	}
	var issue, appIssued []store.AuditEntry
	for _, e := range auditOf(t, st) {
		switch {
		case e.Action == "issue" && bytes.Equal(e.Serial, serial):
			issue = append(issue, e)
		case e.Action == "application_issued" && e.Subject == "application:"+id:
			appIssued = append(appIssued, e)
		case e.Action == "application.issue_stale":
			t.Fatalf("stale link audited: %+v", e)
		}
	}
	if len(issue) != 1 || len(appIssued) != 1 {
		t.Fatalf("%d issue entries, %d application_issued entries; want one each", len(issue), len(appIssued))
	}
	if appIssued[0].Seq != issue[0].Seq+1 {
		t.Fatalf("issue entry %d, application entry %d: not adjacent, so not one batch", issue[0].Seq, appIssued[0].Seq)
	}
	rows, err := st.OutboxList(ctx, "", store.OutboxAny, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, r := range rows {
		var p outbox.NoticePayload
		if json.Unmarshal(r.Payload, &p) != nil || p.Application != id {
			continue
		}
		if p.Template != outbox.NoticeIssued || p.Serial != hex.EncodeToString(serial) {
			t.Fatalf("notice %+v", p)
		}
		kinds[r.Kind]++
	}
	if kinds[outbox.SMS] != 1 || kinds[outbox.Email] != 1 || len(kinds) != 2 {
		t.Fatalf("notices in the outbox: %v, want one SMS and one e-mail", kinds)
	}
	if err := st.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	if rep, err := st.Check(ctx); err != nil || !rep.OK() {
		t.Fatalf("store check: %v %+v", err, rep)
	}
}

// The normal path: a linked request commits the certificate and the
// application's "issued" change in one batch.
func TestIssueLinkedApplicationOneBatch(t *testing.T) {
	st := keyedStore(t, t.TempDir())
	defer st.Close()
	a := issuingApp(t, st, "app-1")
	s, err := Open(context.Background(), st, []*Issuer{newIssuer(t, "ca", "tc26-256-A")},
		Options{RecoverInterval: -1, Logger: quietLog, AppNotices: outbox.IssuedNotices})
	if err != nil {
		t.Fatal(err)
	}
	res := mustIssue(t, s, linkedRequest(t, a))
	s.Close()
	checkIssuedTogether(t, st, res.Serial, a.ID)
}

// A crash between the intent and the commit: recovery signs the intent
// and commits the certificate and the application's change together.
func TestRecoveryCompletesLinkedApplication(t *testing.T) {
	dir := t.TempDir()
	st := keyedStore(t, dir)
	a := issuingApp(t, st, "app-2")
	is := newIssuer(t, "ca", "tc26-256-A")
	s0 := &Signer{issuers: map[string]*Issuer{"ca": is}, opts: Options{}}
	s0.opts.setDefaults()
	j, _, err := s0.prepare(context.Background(), linkedRequest(t, a))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := st.PutIntents(context.Background(), []store.Intent{j.intent}); err != nil || res[0].Err != nil {
		t.Fatalf("intent: %v %v", err, res[0].Err)
	}
	if err := st.Close(); err != nil { // the crash: signed or not, never committed
		t.Fatal(err)
	}

	st = keyedStore(t, dir)
	defer st.Close()
	if p, err := st.PendingIntents(context.Background()); err != nil || len(p) != 1 || !p[0].App.Equal(j.intent.App) {
		t.Fatalf("pending after the crash: %+v %v", p, err)
	}
	if a2, _ := st.Application(context.Background(), a.ID); a2.State != store.AppIssuing {
		t.Fatalf("application before recovery: %s", a2.State)
	}
	s, err := Open(context.Background(), st, []*Issuer{is}, Options{RecoverInterval: -1, Logger: quietLog, AppNotices: outbox.IssuedNotices})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := s.Stats().Recovered; got != 1 {
		t.Fatalf("recovered %d", got)
	}
	checkIssuedTogether(t, st, j.intent.Serial, a.ID)
}

// A link that no longer matches (the application moved on, here to
// another version) does not hold the certificate back: it commits, the
// application is left as it is for the RA, and the entry says why.
func TestIssueStaleLinkCommitsCertificate(t *testing.T) {
	st := keyedStore(t, t.TempDir())
	defer st.Close()
	a := issuingApp(t, st, "app-3")
	req := linkedRequest(t, a)
	req.App.Version = 7
	s, err := Open(context.Background(), st, []*Issuer{newIssuer(t, "ca", "tc26-256-A")},
		Options{RecoverInterval: -1, Logger: quietLog, AppNotices: outbox.IssuedNotices})
	if err != nil {
		t.Fatal(err)
	}
	res := mustIssue(t, s, req)
	s.Close()
	ctx := context.Background()
	if got, err := st.Application(ctx, a.ID); err != nil || got.State != store.AppIssuing || got.Version != 1 {
		t.Fatalf("application changed by a stale link: %+v %v", got, err)
	}
	var stale int
	for _, e := range auditOf(t, st) {
		if e.Action == "application.issue_stale" && e.Subject == "application:"+a.ID {
			stale++
		}
	}
	if stale != 1 {
		t.Fatalf("%d stale-link entries, want 1", stale)
	}
	if rows, _ := st.OutboxList(ctx, "", store.OutboxAny, 0, 100); len(rows) != 0 {
		t.Fatalf("%d outbox rows for a stale link", len(rows))
	}
	if _, err := st.Certificate(ctx, res.Serial); err != nil {
		t.Fatal(err)
	}
	if rep, err := st.Check(ctx); err != nil || !rep.OK() {
		t.Fatalf("store check: %v %+v", err, rep)
	}
}
