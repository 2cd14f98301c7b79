package api_test

import (
	"context"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/pkix"
)

// appOwner is valid natural-person data: Ё kept, a hyphenated given
// name, no patronymic.
func appOwner() raapi.OwnerJSON {
	return raapi.OwnerJSON{
		Surname: "Ёлкина", GivenName: "Анна-Мария", Sex: "female", BirthDate: "1990-05-17", BirthPlace: "г. Тверь",
		IdentityDocument: &raapi.IDDocJSON{Type: "russian_passport", Series: "4510", Number: "123456",
			IssuedOn: "2010-06-01", Issuer: "ОВД района Тверской", IssuerCode: "770-001"},
		SNILS: "112-233-445 95", INN: "500100123426", Email: "anna@example.ru",
	}
}

// etag is the If-Match header pair for a response's ETag.
func etag(t *testing.T, resp *http.Response) []string {
	t.Helper()
	e := resp.Header.Get("ETag")
	if e == "" {
		t.Fatalf("%s %s: no ETag", resp.Request.Method, resp.Request.URL.Path)
	}
	return []string{"If-Match", e}
}

// appCall sends one application request as a token and decodes the
// application answered (status want).
// rawBody is a request body sent as is (a document upload).
type rawBody []byte

func (ts *testServer) appCall(t *testing.T, token, method, path string, body any, want int, hdr ...string) (raapi.Application, *http.Response) {
	t.Helper()
	var b []byte
	ct := ""
	if raw, ok := body.(rawBody); ok { // a document upload: the file itself
		b, ct = raw, "application/octet-stream"
	} else if body != nil {
		b, ct = mustJSON(t, body), "application/json"
	}
	resp, data := ts.do(t, method, path, token, ct, b, hdr...)
	wantStatus(t, resp, data, want)
	a := decode[raapi.Application](t, data)
	if got := resp.Header.Get("ETag"); got != `"`+strconv.FormatUint(a.Version, 10)+`"` {
		t.Fatalf("%s %s: ETag %q for version %d", method, path, got, a.Version)
	}
	return a, resp
}

// auditAll reads the whole audit log.
func (ts *testServer) auditAll(t *testing.T) []wire.AuditEntry {
	t.Helper()
	var out []wire.AuditEntry
	cursor := ""
	for {
		resp, body := ts.json(t, "GET", "/api/v1/audit?limit=1000&cursor="+url.QueryEscape(cursor), auth.RoleAuditor, nil)
		wantStatus(t, resp, body, 200)
		page := decode[struct {
			Items []wire.AuditEntry `json:"items"`
			Next  string            `json:"next_cursor"`
		}](t, body)
		out = append(out, page.Items...)
		if page.Next == "" {
			return out
		}
		cursor = page.Next
	}
}

// TestApplicationEndToEnd walks a natural-person application over HTTP
// on a real server, store and signer: a service centre opens it, fills
// the data and documents and submits it; an operator claims and approves
// it; the centre verifies the identity and sends it to the cabinet; the
// subscriber issues from the cabinet (SMS login, consent, a CSR made by
// OpenSSL's gost engine, a confirmation code); a request that is not a
// PKCS#10 is refused there and writes nothing.
// The certificate's subject is the application's data (not the CSR's),
// OpenSSL verifies its chain, the application shows the serial, every
// step is in the audit log and the history, and a foreign centre's
// token finds nothing.
func TestApplicationEndToEnd(t *testing.T) {
	env := startCabinet(t, nil)
	ts := env.testServer
	o := newOSSL(t)
	foreign, _, err := ts.e.CreateToken(context.Background(), "test", auth.RoleServiceCentre, "centre-2", "foreign centre")
	if err != nil {
		t.Fatal(err)
	}
	sc, op := ts.tokens[auth.RoleServiceCentre], ts.tokens[auth.RoleCAOperator]
	const base = "/api/v1/applications"

	a, resp := ts.appCall(t, sc, "POST", base, raapi.CreateApplicationRequest{CertType: "natural-person",
		Phone: "8 (916) 123-45-67", Email: "anna@example.ru"}, 201)
	if a.State != "new" || a.ServiceCentre != "centre-1" || a.Phone != "+79161234567" || a.Version != 1 ||
		resp.Header.Get("Location") != base+"/"+a.ID {
		t.Fatalf("created %+v, Location %q", a, resp.Header.Get("Location"))
	}
	id := a.ID
	path := base + "/" + id
	steps := []string{"application_create"}

	a, resp = ts.appCall(t, sc, "PUT", path+"/data", raapi.ApplicationDataRequest{Phone: a.Phone, Owner: appOwner()}, 200, etag(t, resp)...)
	steps = append(steps, "application_update_data")
	if a.State != "filling" || a.Owner.Surname != "Ёлкина" || a.Owner.SNILS != "11223344595" {
		t.Fatalf("after update: %+v", a)
	}
	for _, typ := range []string{"passport", "signed_application", "snils", "inn"} {
		a, resp = ts.appCall(t, sc, "POST", path+"/documents?type="+typ, rawBody(testPDF(typ+" scan")), 201, etag(t, resp)...)
		steps = append(steps, "application_add_document")
	}
	if len(a.Documents) != 4 {
		t.Fatalf("documents %+v", a.Documents)
	}
	a, resp = ts.appCall(t, sc, "POST", path+"/actions/submit", nil, 200, etag(t, resp)...)
	steps = append(steps, "application_submit")

	// The operator's queue holds it; the centre's list too; the foreign
	// centre's list does not.
	r, body := ts.do(t, "GET", base+"?state=submitted", op, "", nil)
	wantStatus(t, r, body, 200)
	if q := decode[raapi.ApplicationPage](t, body); len(q.Items) != 1 || q.Items[0].ID != id {
		t.Fatalf("queue %+v", q)
	}
	r, body = ts.do(t, "GET", base+"?snils=11223344595", sc, "", nil)
	wantStatus(t, r, body, 200)
	if q := decode[raapi.ApplicationPage](t, body); len(q.Items) != 1 || q.Items[0].ID != id {
		t.Fatalf("centre's search %+v", q)
	}
	r, body = ts.do(t, "GET", base+"?snils=11223344595", foreign, "", nil)
	wantStatus(t, r, body, 200)
	if q := decode[raapi.ApplicationPage](t, body); len(q.Items) != 0 {
		t.Fatalf("foreign centre's search found %+v", q)
	}

	// First review: rejected with two field reasons; the centre corrects
	// the birth place, which drops the signed application (it must be
	// printed and signed again), uploads it again and resubmits.
	a, resp = ts.appCall(t, op, "POST", path+"/actions/claim", nil, 200, etag(t, resp)...)
	a, resp = ts.appCall(t, op, "POST", path+"/actions/reject", raapi.RejectRequest{Reasons: []raapi.ReasonJSON{
		{Target: "owner.birth_place", Code: "does_not_match_passport", Text: "Место рождения — как в паспорте"},
		{Target: "document:passport", Code: "unreadable", Text: "Скан разворота нечитаем"}}}, 200, etag(t, resp)...)
	steps = append(steps, "application_claim", "application_reject")
	if a.State != "rejected" || len(a.Reviews) != 1 || a.Reviews[0].Approved || len(a.Reviews[0].Reasons) != 2 {
		t.Fatalf("after rejection: %+v", a)
	}
	fixed := appOwner()
	fixed.BirthPlace = "гор. Тверь Калининской обл."
	a, resp = ts.appCall(t, sc, "PUT", path+"/data", raapi.ApplicationDataRequest{Phone: a.Phone, Owner: fixed}, 200, etag(t, resp)...)
	steps = append(steps, "application_update_data")
	if a.State != "rejected" || len(a.Documents) != 3 {
		t.Fatalf("after correction (the signed application must be gone): %+v", a.Documents)
	}
	r, body = ts.do(t, "POST", path+"/actions/submit", sc, "", nil, etag(t, resp)...)
	if ap := decode[raapi.AppProblem](t, body); r.StatusCode != 422 || ap.Code != "application_incomplete" || len(ap.Missing) != 1 || !strings.Contains(ap.Missing[0], "signed_application") {
		t.Fatalf("resubmission without the signed application: %d %s", r.StatusCode, body)
	}
	a, resp = ts.appCall(t, sc, "POST", path+"/documents?type=signed_application", rawBody(testPDF("signed form, again")), 201, etag(t, resp)...)
	a, resp = ts.appCall(t, sc, "POST", path+"/actions/submit", nil, 200, etag(t, resp)...)
	steps = append(steps, "application_add_document", "application_submit")

	a, resp = ts.appCall(t, op, "POST", path+"/actions/claim", nil, 200, etag(t, resp)...)
	a, resp = ts.appCall(t, op, "POST", path+"/actions/approve", nil, 200, etag(t, resp)...)
	steps = append(steps, "application_claim", "application_approve")
	if a.Round != 2 {
		t.Fatalf("approved in round %d, want 2", a.Round)
	}
	if a.State != "approved" || len(a.Reviews) != 2 || !a.Reviews[1].Approved {
		t.Fatalf("after approval: %+v", a)
	}
	a, resp = ts.appCall(t, sc, "POST", path+"/actions/verify_identity", raapi.IdentityRequest{Method: "in_person",
		Presenter: "owner", Document: "паспорт 4510 123456", Confirmed: true}, 200, etag(t, resp)...)
	a, _ = ts.appCall(t, sc, "POST", path+"/actions/send_to_cabinet", nil, 200, etag(t, resp)...)
	steps = append(steps, "application_verify_identity", "application_send_to_cabinet")
	if a.State != "ready_to_issue" || a.Identity == nil || a.Identity.Method != "in_person" {
		t.Fatalf("after sending to the cabinet: %+v", a)
	}

	// The subscriber issues from the cabinet; a request that is not a
	// PKCS#10 is refused there and writes nothing. The CSR names someone
	// else; the certificate must not.
	csr := o.csr("desk", "gost2012_256", "TCA")
	a = env.issueThroughCabinet(t, a, cabinetIssue{CSR: csr, SubjectSignTool: `"КриптоПро CSP" (версия 5.0)`,
		AfterConsent: func(cab, sess, cpath string) {
			env.unchanged(t, "not a PKCS#10", func() {
				r, body := env.call(t, cab, sess, "POST", cpath+"/request", cabinetapi.CabinetRequest{CSR: "MIIBAAAA"})
				wantProblem(t, r, body, 422, "csr_invalid")
			})
		}})
	steps = append(steps, "application_consent", "cabinet.confirm_issue", "application_issue", "issue", "application_issued")
	if a.IssueAttempt != 1 {
		t.Fatalf("after issuance: %+v", a)
	}
	r, pemBytes := ts.do(t, "GET", "/api/v1/certificates/"+a.Serial+"?format=pem", sc, "", nil)
	wantStatus(t, r, pemBytes, 200)
	blk, _ := pem.Decode(pemBytes)
	if blk == nil {
		t.Fatalf("not PEM: %s", pemBytes)
	}
	cert, err := pkix.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cert.Subject.Subject()
	if err != nil {
		t.Fatal(err)
	}
	want := pkix.Subject{CommonName: "Ёлкина Анна-Мария", Surname: "Ёлкина", GivenName: "Анна-Мария", Country: "RU",
		SNILS: "11223344595", INN: "500100123426", Email: "anna@example.ru"}
	if *got != want {
		t.Fatalf("certificate subject %+v, want the application's %+v", *got, want)
	}
	// The chain, by OpenSSL; and OpenSSL reads the same subject.
	ts.writeChain(t, o)
	o.write("app.pem", pemBytes)
	if out := o.run("verify", "-CAfile", "root.pem", "-untrusted", "ca.pem", "app.pem"); !strings.Contains(out, "app.pem: OK") {
		t.Fatalf("openssl verify: %s", out)
	}
	subj := o.run("x509", "-in", "app.pem", "-noout", "-subject", "-nameopt", "utf8,sep_multiline")
	if !strings.Contains(subj, "CN=Ёлкина Анна-Мария") || strings.Contains(subj, "desk") {
		t.Fatalf("openssl reads the subject as %s", subj)
	}
	if certKey, csrKey := o.run("x509", "-in", "app.pem", "-noout", "-pubkey"), o.run("req", "-in", "desk.csr", "-noout", "-pubkey"); certKey != csrKey {
		t.Fatal("certificate key differs from the request's")
	}

	// The application as everyone reads it now.
	a, _ = ts.appCall(t, sc, "GET", path, nil, 200)
	if a.State != "issued" || a.Serial != hex.EncodeToString(cert.SerialNumber.Bytes()) && a.Serial != cert.SerialNumber.Text(16) {
		t.Fatalf("stored application %+v, certificate serial %x", a, cert.SerialNumber)
	}
	r, body = ts.do(t, "GET", path+"/history", op, "", nil)
	wantStatus(t, r, body, 200)
	hist := decode[struct {
		Items []raapi.EventJSON `json:"items"`
	}](t, body)
	if uint64(len(hist.Items)) != a.Version || hist.Items[len(hist.Items)-1].To != "issued" {
		t.Fatalf("history of %d events for version %d: %+v", len(hist.Items), a.Version, hist.Items)
	}

	// Every step in the audit log, in order, under the application (the
	// certificate's own entry under its serial).
	var trail []string
	for _, e := range ts.auditAll(t) {
		if e.Subject == "application:"+id || (e.Action == "issue" && strings.Contains(e.Subject, a.Serial)) {
			trail = append(trail, e.Action)
		}
	}
	if strings.Join(trail, ",") != strings.Join(steps, ",") {
		t.Fatalf("audit trail\n %v\nwant\n %v", trail, steps)
	}

	// Another centre's token: the application does not exist.
	for _, c := range []struct{ method, path string }{{"GET", path}, {"GET", path + "/history"},
		{"POST", path + "/actions/cancel"}} {
		var b []byte
		ct := ""
		if c.method == "POST" {
			b, ct = []byte(`{"reason":"проверка"}`), "application/json"
		}
		r, body := ts.do(t, c.method, c.path, foreign, ct, b, "If-Match", `"`+strconv.FormatUint(a.Version, 10)+`"`)
		wantProblem(t, r, body, 404, "application_not_found")
	}
	r, body = ts.do(t, "GET", base+"/nosuchapplication", sc, "", nil)
	wantProblem(t, r, body, 404, "application_not_found")

	// An operator opens one on the foreign centre's behalf: it is that
	// centre's, and ours does not see it.
	b, _ := ts.appCall(t, op, "POST", base, raapi.CreateApplicationRequest{CertType: "natural-person", Phone: "+79260000001",
		ServiceCentre: "centre-2"}, 201)
	if b.ServiceCentre != "centre-2" || !strings.HasSuffix(b.CreatedBy, "/ca_operator") {
		t.Fatalf("opened on a centre's behalf: %+v", b)
	}
	ts.appCall(t, foreign, "GET", base+"/"+b.ID, nil, 200)
	r, body = ts.do(t, "GET", base+"/"+b.ID, sc, "", nil)
	wantProblem(t, r, body, 404, "application_not_found")
}
