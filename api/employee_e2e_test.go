package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/auth"
)

// The organisation of the employee walks (made-up identifiers with valid
// checksums), as the simulated tax registry knows it.
const (
	empOrgINN  = "7712345671"
	empOrgOGRN = "1027700123450"
	empOrgKPP  = "771201001"
	empOrgName = `ООО "Ромашка-Тест"`
)

// TestApplicationEmployeeWalk walks two employee applications over HTTP on
// a real server, store, signer and hook simulator: one under a paper
// power of attorney, one under a machine-readable power of attorney
// (МЧД). A service centre opens each naming the organisation by its INN;
// the organisation block arrives only through the tax registry's signed
// callback; the owner's data with a position, the scans (typed; SNILS and
// INN waived by the confirmed registry checks, the ЕГРЮЛ extract by the
// confirmed ЕГРЮЛ check) and submission follow; the profile's two review
// steps are decided by two different operators; the centre verifies the
// identity (the owner for one, a representative for the other) and sends
// it to the cabinet; the subscriber issues from the cabinet (SMS login,
// consent, an OpenSSL-made CSR, a confirmation code). OpenSSL reads the organisation, its identifiers and address and
// the employee's position in the certificate's subject and verifies its
// chain. The first application is then exported as an archive whose
// every SHA-256 and history count are checked.
func TestApplicationEmployeeWalk(t *testing.T) {
	dir := t.TempDir()
	sec := writeSecret(t, dir, "hooks.key", key(11))
	orgs := dir + "/orgs.json"
	if err := os.WriteFile(orgs, []byte(`{"`+empOrgINN+`": {"name": "ООО \"Ромашка-Тест\"", "inn": "`+empOrgINN+`", "kpp": "`+empOrgKPP+`",
		"ogrn": "`+empOrgOGRN+`", "region": "77 г. Москва", "locality": "Москва", "street": "ул. Тестовая, д. 5"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ts, sim := startHookServer(t, hookSetup{simArgs: []string{"-secret-file", sec, "-org-file", orgs}, engineFiles: []string{sec},
		more: []string{"registry_check", "sms"}})
	env := cabinetOn(ts, sim)
	o := newOSSL(t)
	op2, _, err := ts.e.CreateToken(context.Background(), "test", auth.RoleCAOperator, "", "second operator")
	if err != nil {
		t.Fatal(err)
	}
	ts.writeChain(t, o)

	var first, second raapi.Application
	for i, c := range []struct{ name, poa, presenter string }{
		{"paper", "power_of_attorney", "owner"},
		{"mchd", "mchd", "representative"},
	} {
		a := walkEmployee(t, env, o, op2, c.name, c.poa, c.presenter, i)
		if i == 0 {
			first = a
		} else {
			second = a
		}
	}

	// The archive of the first: an auditor exports it, so does its
	// centre; a foreign centre and the cabinet cannot.
	checkArchive(t, ts, first)
	foreign, _, err := ts.e.CreateToken(context.Background(), "test", auth.RoleServiceCentre, "centre-2", "foreign centre")
	if err != nil {
		t.Fatal(err)
	}
	r, body := ts.do(t, "GET", "/api/v1/applications/"+first.ID+"/archive", foreign, "", nil)
	wantProblem(t, r, body, 404, "application_not_found")
	r, body = ts.do(t, "GET", "/api/v1/applications/"+first.ID+"/archive", ts.tokens[auth.RoleServiceCentre], "", nil)
	wantStatus(t, r, body, 200)
	if _, err := zip.NewReader(bytes.NewReader(body), int64(len(body))); err != nil {
		t.Fatalf("the centre's own export: %v", err)
	}
	r, body = ts.do(t, "GET", "/api/v1/applications/"+first.ID+"/archive", ts.tokens[auth.RoleCabinet], "", nil)
	wantStatus(t, r, body, 403)

	// A document file that no longer matches its SHA-256 aborts the
	// archive: what arrives is no readable zip.
	h := second.Documents[len(second.Documents)-1].SHA256
	cfg := ts.e.Config()
	if err := os.WriteFile(filepath.Join(cfg.DocumentsDir(), h[:2], h), testPNG(t, 9, 9), 0o600); err != nil {
		t.Fatal(err)
	}
	r, body = ts.do(t, "GET", "/api/v1/applications/"+second.ID+"/archive", ts.tokens[auth.RoleAuditor], "", nil)
	if _, err := zip.NewReader(bytes.NewReader(body), int64(len(body))); err == nil {
		t.Fatalf("an archive with a corrupt document reads as a zip (status %d)", r.StatusCode)
	}
}

func walkEmployee(t *testing.T, env *cabinetEnv, o *ossl, op2, name, poa, presenter string, n int) raapi.Application {
	ts := env.testServer
	t.Helper()
	sc, op := ts.tokens[auth.RoleServiceCentre], ts.tokens[auth.RoleCAOperator]
	const base = "/api/v1/applications"
	a, resp := ts.appCall(t, sc, "POST", base, raapi.CreateApplicationRequest{CertType: "employee",
		Phone: "+7916123450" + string(rune('0'+n)), Organisation: empOrgINN}, 201)
	path := base + "/" + a.ID

	// The organisation comes from the registry's callback, never typed in.
	waitUntil(t, name+": the organisation filled from the tax registry", func() bool {
		a, resp = ts.appCall(t, sc, "GET", path, nil, 200)
		return a.Organisation.Name != ""
	})
	if g := a.Organisation; g.Name != empOrgName || g.INN != empOrgINN || g.KPP != empOrgKPP || g.OGRN != empOrgOGRN ||
		g.Street != "ул. Тестовая, д. 5" {
		t.Fatalf("%s: organisation %+v", name, g)
	}
	owner := appOwner()
	owner.Position = "Главный бухгалтер"
	owner.Email = "buh@romashka.example"
	a, resp = ts.appCall(t, sc, "PUT", path+"/data", raapi.ApplicationDataRequest{Phone: a.Phone, Owner: owner}, 200, etag(t, resp)...)
	waitUntil(t, name+": the registry checks confirmed", func() bool {
		a, resp = ts.appCall(t, sc, "GET", path, nil, 200)
		confirmed := 0
		for _, c := range a.Checks {
			if c.Status == "confirmed" {
				confirmed++
			}
		}
		return confirmed == len(a.Checks) && len(a.Checks) == 4 // egrul, snils, inn, passport
	})

	// Without the power of attorney the submission names it missing.
	for _, typ := range []string{"passport", "signed_application"} {
		a, resp = ts.appCall(t, sc, "POST", path+"/documents?type="+typ, rawBody(testPDF(name+" "+typ)), 201, etag(t, resp)...)
	}
	r, body := ts.do(t, "POST", path+"/actions/submit", sc, "", nil, etag(t, resp)...)
	if ap := decode[raapi.AppProblem](t, body); r.StatusCode != 422 || ap.Code != "application_incomplete" ||
		len(ap.Missing) != 1 || !strings.Contains(ap.Missing[0], "power_of_attorney") || !strings.Contains(ap.Missing[0], "mchd") {
		t.Fatalf("%s: submission without a power of attorney: %d %s", name, r.StatusCode, body)
	}
	// The scan of the power of attorney, typed; an МЧД is its XML and
	// detached signature (mchd_e2e_test.go).
	if poa == "mchd" {
		a, resp = uploadMCHD(t, ts, path, resp)
	} else {
		a, resp = ts.appCall(t, sc, "POST", path+"/documents?type="+poa, rawBody(testPNG(t, 120+n, 170)), 201, etag(t, resp)...)
		if d := a.Documents[len(a.Documents)-1]; d.Type != poa || d.ContentType != "image/png" {
			t.Fatalf("%s: document %+v", name, d)
		}
	}
	a, resp = ts.appCall(t, sc, "POST", path+"/actions/submit", nil, 200, etag(t, resp)...)

	// Two review steps, two operators; the first may not decide the
	// second.
	a, resp = ts.appCall(t, op, "POST", path+"/actions/claim", nil, 200, etag(t, resp)...)
	a, resp = ts.appCall(t, op, "POST", path+"/actions/approve", nil, 200, etag(t, resp)...)
	if a.State != "submitted" {
		t.Fatalf("%s: after the first step: %s", name, a.State)
	}
	r, body = ts.do(t, "POST", path+"/actions/claim", op, "", nil, etag(t, resp)...)
	wantProblem(t, r, body, 403, "forbidden")
	a, resp = ts.appCall(t, op2, "POST", path+"/actions/claim", nil, 200, etag(t, resp)...)
	a, resp = ts.appCall(t, op2, "POST", path+"/actions/approve", nil, 200, etag(t, resp)...)
	if a.State != "approved" || len(a.Reviews) != 2 {
		t.Fatalf("%s: after the second step: %s, %d reviews", name, a.State, len(a.Reviews))
	}

	id := raapi.IdentityRequest{Method: "in_person", Presenter: presenter, Document: "паспорт 4510 123456", Confirmed: true}
	if presenter == "representative" {
		id.Representative = "Петров Пётр Петрович"
	}
	a, resp = ts.appCall(t, sc, "POST", path+"/actions/verify_identity", id, 200, etag(t, resp)...)
	a, _ = ts.appCall(t, sc, "POST", path+"/actions/send_to_cabinet", nil, 200, etag(t, resp)...)
	if a.State != "ready_to_issue" || a.Identity == nil || a.Identity.Presenter != presenter {
		t.Fatalf("%s: ready to issue? %+v", name, a)
	}
	csr := o.csr(name, "gost2012_256", "TCA")
	a = env.issueThroughCabinet(t, a, cabinetIssue{CSR: csr, SubjectSignTool: `"КриптоПро CSP" (версия 5.0)`})

	r, pemBytes := ts.do(t, "GET", "/api/v1/certificates/"+a.Serial+"?format=pem", sc, "", nil)
	wantStatus(t, r, pemBytes, 200)
	if blk, _ := pem.Decode(pemBytes); blk == nil {
		t.Fatalf("not PEM: %s", pemBytes)
	}
	f := o.write(name+".pem", pemBytes)
	if out := o.run("verify", "-CAfile", "root.pem", "-untrusted", "ca.pem", f); !strings.Contains(out, ": OK") {
		t.Fatalf("%s: openssl verify: %s", name, out)
	}
	subj := o.run("x509", "-in", f, "-noout", "-subject", "-nameopt", "utf8,sep_multiline,oid")
	for _, want := range []string{
		"2.5.4.3=Ёлкина Анна-Мария", // CN: the employee (the profile's CN is the person)
		"2.5.4.4=Ёлкина", "2.5.4.42=Анна-Мария",
		"2.5.4.12=Главный бухгалтер",             // title: the position
		"2.5.4.10=" + empOrgName,                 // O
		"1.2.643.100.4=" + empOrgINN,             // INNLE
		"1.2.643.100.1=" + empOrgOGRN,            // OGRN
		"1.2.643.100.3=11223344595",              // SNILS
		"1.2.643.3.131.1.1=500100123426",         // INN of the person
		"2.5.4.8=77 г. Москва", "2.5.4.7=Москва", // ST, L
		"2.5.4.9=ул. Тестовая, д. 5", // street
	} {
		if !strings.Contains(subj, want) {
			t.Errorf("%s: the certificate's subject lacks %q:\n%s", name, want, subj)
		}
	}
	if strings.Contains(subj, "CN="+name) || strings.Contains(subj, "2.5.4.3="+name) {
		t.Errorf("%s: the CSR's subject reached the certificate:\n%s", name, subj)
	}
	return a
}

// checkArchive exports an application as an auditor and checks the zip:
// the manifest's application and history (one event per version), the
// audit entries naming it (its whole trail and the certificate's
// issuance), every document's SHA-256 against its file and the
// metadata, the form and the certificate against their digests, and
// nothing else in the archive.
func checkArchive(t *testing.T, ts *testServer, a raapi.Application) {
	t.Helper()
	r, body := ts.do(t, "GET", "/api/v1/applications/"+a.ID+"/archive", ts.tokens[auth.RoleAuditor], "", nil)
	wantStatus(t, r, body, 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/zip" || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("archive answered as %q, %q", ct, r.Header.Get("Content-Disposition"))
	}
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc) // checks the zip's CRC-32 too
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = b
	}
	if z.File[0].Name != "manifest.json" {
		t.Fatalf("the first file is %s", z.File[0].Name)
	}
	var m raapi.ArchiveManifest
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	if m.Format != raapi.ArchiveFormat || m.Application.ID != a.ID || m.Application.Version != a.Version || m.Application.Serial != a.Serial {
		t.Fatalf("manifest application %+v", m.Application)
	}
	if uint64(len(m.History)) != a.Version || m.History[len(m.History)-1].To != "issued" {
		t.Fatalf("history of %d events for version %d", len(m.History), a.Version)
	}
	for i, e := range m.History {
		if e.Version != uint64(i+1) {
			t.Fatalf("history event %d has version %d", i, e.Version)
		}
	}
	actions := map[string]int{}
	for _, e := range m.Audit {
		actions[e.Action]++
	}
	// One application_* entry per version (the store writes them in one
	// batch), the export itself, and the certificate's issuance.
	appEntries := 0
	for act, n := range actions {
		if strings.HasPrefix(act, "application_") && act != "application_export" {
			appEntries += n
		}
	}
	if uint64(appEntries) != a.Version || actions["application_export"] != 1 || actions["issue"] != 1 {
		t.Fatalf("audit entries in the archive: %v (version %d)", actions, a.Version)
	}
	want := len(a.Documents) + 3 // the documents, the manifest, the form, the certificate
	if len(files) != want || len(m.Documents) != len(a.Documents) {
		t.Fatalf("%d files (%d documents) in the archive, want %d", len(files), len(m.Documents), want)
	}
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	for i, d := range m.Documents {
		b, ok := files[d.File]
		if !ok || sum(b) != d.SHA256 || d.SHA256 != a.Documents[i].SHA256 || int64(len(b)) != d.Size {
			t.Fatalf("document %s (%s): in archive %v, SHA-256 %s, metadata %+v", d.ID, d.File, ok, sum(b), a.Documents[i])
		}
		// And byte-identical to the download.
		r, dl := ts.do(t, "GET", "/api/v1/applications/"+a.ID+"/documents/"+d.ID, ts.tokens[auth.RoleAuditor], "", nil)
		wantStatus(t, r, dl, 200)
		if !bytes.Equal(dl, b) {
			t.Fatalf("document %s differs from its download", d.ID)
		}
	}
	for _, f := range []*raapi.ArchiveFile{m.Form, m.Certificate} {
		if f == nil {
			t.Fatal("the archive lacks the form or the certificate")
		}
		if b := files[f.File]; sum(b) != f.SHA256 || int64(len(b)) != f.Size {
			t.Fatalf("%s: SHA-256 %s, manifest %+v", f.File, sum(b), f)
		}
	}
	if !bytes.HasPrefix(files[m.Form.File], []byte("%PDF-")) {
		t.Fatal("the form is not a PDF")
	}
	r, der := ts.do(t, "GET", "/api/v1/certificates/"+a.Serial+"?format=der", ts.tokens[auth.RoleAuditor], "", nil)
	wantStatus(t, r, der, 200)
	if !bytes.Equal(files[m.Certificate.File], der) {
		t.Fatal("the archive's certificate differs from the CA's")
	}
}
