package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/internal/testlog"
	"github.com/gostca/gostca/store"
)

// registryOrg writes what the simulated tax registry answers about the
// employee walks' organisation (the simulator reads the file at every
// query).
func registryOrg(t *testing.T, file, name, street string, head map[string]string) {
	t.Helper()
	org := map[string]any{"name": name, "inn": empOrgINN, "kpp": empOrgKPP, "ogrn": empOrgOGRN,
		"region": "77 г. Москва", "locality": "Москва", "street": street, "head": head}
	b, err := json.Marshal(map[string]any{empOrgINN: org})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file+".tmp", b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(file+".tmp", file); err != nil {
		t.Fatal(err)
	}
}

var (
	headIvanov = map[string]string{"surname": "Иванов", "given_name": "Иван", "patronymic": "Иванович", "inn": "500100123426",
		"position": "Генеральный директор"}
	headSidorova = map[string]string{"surname": "Сидорова", "given_name": "Мария", "patronymic": "Петровна",
		"position": "Генеральный директор"}
)

// TestCabinetRenewalOrganisation: two employees' certificates of one
// organisation are issued from the cabinet (the organisation and its
// head from the simulated tax registry's signed answer, kept as the
// organisation's registry record with its audit entry). Later answers
// about the organisation, brought by a service centre's new
// applications, decide renewal: the same data written differently
// (case, quotes, a no-break space, dashes, spaces in the address) let
// both certificates' renewals be signed; a new name arriving after the
// signature refuses the first renewal's issuance (and the second's
// renewal) with renewal_organization_changed, and with the name back
// the first renewal is issued with the same code; a new head refuses
// the second's renewal, at eligibility and at the issuance of the
// renewal signed before, with renewal_responsible_person_changed. Each
// refusal writes nothing.
func TestCabinetRenewalOrganisation(t *testing.T) {
	dir := t.TempDir()
	sec := writeSecret(t, dir, "hooks.key", key(12))
	orgs := dir + "/orgs.json"
	registryOrg(t, orgs, empOrgName, "ул. Тестовая, д. 5", headIvanov)
	env := &cabinetEnv{clk: &testClock{t: time.Now().UTC()}, logs: &testlog.Buffer{}, last: map[string]uint64{}}
	logger := slog.New(slog.NewTextHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts, sim := startHookServer(t, hookSetup{simArgs: []string{"-secret-file", sec, "-org-file", orgs}, engineFiles: []string{sec},
		more: []string{"registry_check", "sms"}, caOpts: func(o *ca.Options) { o.Now, o.Logger = env.clk.now, logger },
		apiOpts: func(o *api.Options) { o.Logger = logger }})
	env.testServer, env.sim = ts, sim
	o := newOSSL(t)
	ts.writeChain(t, o)
	op2, _, err := ts.e.CreateToken(context.Background(), "test", auth.RoleCAOperator, "", "second operator")
	if err != nil {
		t.Fatal(err)
	}
	first := walkEmployee(t, env, o, op2, "first", "power_of_attorney", "owner", 0)
	second := walkEmployee(t, env, o, op2, "second", "power_of_attorney", "owner", 1)
	waitUntil(t, "ESIA SUCCEEDED", func() bool {
		return esiaState(t, ts, first.Serial).State == "SUCCEEDED" && esiaState(t, ts, second.Serial).State == "SUCCEEDED"
	})

	// The registry's answers made the organisation's record, head and
	// all, audited.
	key := store.OrgKey{Kind: store.OrgKeyINN, Number: empOrgINN}
	rec, err := ts.e.Store().OrgRecord(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Org.Name != empOrgName || rec.Org.OGRN != empOrgOGRN || rec.Head.Surname != "Иванов" || rec.Head.INN != "500100123426" ||
		rec.Registry != "egrul" || !rec.HeadChanged.IsZero() || rec.Application != second.ID {
		t.Fatalf("organisation record %+v", rec)
	}
	recorded := 0
	for _, e := range env.auditAll(t) {
		if e.Action == "organisation_record" && e.Subject == "organisation:L"+empOrgINN {
			recorded++
			if strings.Contains(e.Details, "Иванов") || strings.Contains(e.Details, "Ромашка") {
				t.Fatalf("the audit entry carries the registry's data: %s", e.Details)
			}
		}
	}
	if recorded != 2 {
		t.Fatalf("%d organisation_record audit entries, want 2", recorded)
	}

	cab := env.tokens[auth.RoleCabinet]
	notAfter := func(sess, serial string) time.Time {
		resp, body := env.call(t, cab, sess, "GET", "/api/v1/cabinet/certificates", nil)
		wantStatus(t, resp, body, 200)
		for _, c := range decode[cabinetapi.CertificatesJSON](t, body).Items {
			if strings.EqualFold(c.Serial, serial) {
				return c.NotAfter
			}
		}
		t.Fatalf("certificate %s not listed: %s", serial, body)
		return time.Time{}
	}
	login := func(phone string) string {
		t.Helper()
		env.clk.add(3 * time.Minute) // past the resend pause of the last code
		return env.login(t, cab, phone)
	}
	sess := login(first.Phone)
	env.setClock(notAfter(sess, first.Serial).Add(-60 * 24 * time.Hour))

	// asked makes the registry answer again: a service centre opens an
	// application for the organisation and the answer fills it.
	phones := 2
	asked := func(wantName string) {
		t.Helper()
		sc := ts.tokens[auth.RoleServiceCentre]
		a, _ := ts.appCall(t, sc, "POST", "/api/v1/applications", raapi.CreateApplicationRequest{CertType: "employee",
			Phone: "+7916123450" + string(rune('0'+phones)), Organisation: empOrgINN}, 201)
		phones++
		waitUntil(t, "the registry's new answer", func() bool {
			a, _ = ts.appCall(t, sc, "GET", "/api/v1/applications/"+a.ID, nil, 200)
			return a.Organisation.Name == wantName
		})
	}
	eligibility := func(sess, serial, want string) {
		t.Helper()
		renew := "/api/v1/cabinet/certificates/" + serial + "/renewal"
		env.unchanged(t, want, func() {
			resp, body := env.call(t, cab, sess, "GET", renew, nil)
			wantStatus(t, resp, body, 200)
			el := decode[cabinetapi.EligibilityJSON](t, body)
			if el.Code != want || el.Allowed != (want == "") {
				t.Fatalf("eligibility: %s, want %q", body, want)
			}
			if want != "" {
				resp, body = env.call(t, cab, sess, "POST", renew, nil)
				wantProblem(t, resp, body, 409, want)
			}
		})
	}

	// openSigned opens the renewal of a certificate, signs its form with
	// that certificate, agrees to its data and submits a request: what
	// is left is the confirmation, whose code it returns.
	openSigned := func(sess, phone, serial, name string) (id string, confirm cabinetapi.ConfirmRequest) {
		t.Helper()
		eligibility(sess, serial, "")
		resp, body := env.call(t, cab, sess, "POST", "/api/v1/cabinet/certificates/"+serial+"/renewal", nil)
		wantStatus(t, resp, body, 201)
		rn := decode[cabinetapi.RenewalJSON](t, body)
		if rn.Application.Organisation.Name != empOrgName {
			t.Fatalf("the renewal's organisation is not the certificate's: %+v", rn.Application.Organisation)
		}
		o.write("form.pdf", rn.FormPDF)
		o.run("cms", "-sign", "-binary", "-cades", "-in", "form.pdf", "-signer", name+".pem", "-inkey", name+".key", "-outform", "DER", "-out", "sig.der")
		path := "/api/v1/cabinet/applications/" + rn.Application.ID
		resp, body = env.do(t, "POST", path+"/renewal-signature", cab, "application/pkcs7-signature", o.read("sig.der"), "X-Subscriber-Session", sess)
		wantStatus(t, resp, body, 200)
		resp, body = env.call(t, cab, sess, "GET", path+"/issue-data", nil)
		wantStatus(t, resp, body, 200)
		resp, body = env.call(t, cab, sess, "POST", path+"/consent", cabinetapi.ConsentRequest{SHA256: decode[cabinetapi.IssueDataJSON](t, body).SHA256},
			"If-Match", resp.Header.Get("ETag"))
		wantStatus(t, resp, body, 200)
		csr := o.csr(name+"-renewed", "gost2012_256", "TCA")
		env.drainSMS(t)
		resp, body = env.call(t, cab, sess, "POST", path+"/request", cabinetapi.CabinetRequest{CSR: string(csr)})
		wantStatus(t, resp, body, 202)
		rc := decode[cabinetapi.RequestChallenge](t, body)
		return rn.Application.ID, cabinetapi.ConfirmRequest{Challenge: rc.Challenge.Challenge, Code: env.code(t, phone), CSR: string(csr),
			SubjectSignTool: "КриптоПро CSP"}
	}
	// confirmRefused: the issuance's last step is refused with code and
	// writes nothing (the code is not used up either).
	confirmRefused := func(sess, id string, in cabinetapi.ConfirmRequest, code string) {
		t.Helper()
		env.unchanged(t, code+" at issuance", func() {
			resp, body := env.call(t, cab, sess, "POST", "/api/v1/cabinet/applications/"+id+"/confirm", in)
			wantProblem(t, resp, body, 409, code)
		})
	}

	// The same data, written differently: both renewals are signed and
	// wait for their confirmation.
	registryOrg(t, orgs, "ооо\u00a0«Ромашка—Тест»", "ул.Тестовая,д.5", map[string]string{"surname": "ИВАНОВ", "given_name": "Иван",
		"patronymic": "Иванович", "position": "Директор"})
	asked("ооо\u00a0«Ромашка—Тест»")
	sess2 := login(second.Phone)
	id2, confirm2 := openSigned(sess2, second.Phone, second.Serial, "second")
	sess = login(first.Phone)
	id1, confirm1 := openSigned(sess, first.Phone, first.Serial, "first")

	// A new name arrives after the signatures: the first renewal's
	// issuance is refused; the second certificate cannot be renewed.
	registryOrg(t, orgs, `ООО "Ромашка-Плюс"`, "ул. Тестовая, д. 5", headIvanov)
	asked(`ООО "Ромашка-Плюс"`)
	confirmRefused(sess, id1, confirm1, "renewal_organization_changed")
	sess2 = login(second.Phone)
	eligibility(sess2, second.Serial, "renewal_organization_changed")

	// The name back: the first renewal is issued with the same code.
	registryOrg(t, orgs, empOrgName, "ул. Тестовая, д. 5", headIvanov)
	asked(empOrgName)
	resp, body := env.call(t, cab, sess, "POST", "/api/v1/cabinet/applications/"+id1+"/confirm", confirm1)
	wantStatus(t, resp, body, 201)
	if renewed := decode[raapi.Application](t, body); renewed.State != "issued" || renewed.Serial == "" {
		t.Fatalf("renewal %+v", renewed)
	}

	// A new head: the responsible person changed, at eligibility and at
	// the signed renewal's issuance.
	registryOrg(t, orgs, empOrgName, "ул. Тестовая, д. 5", headSidorova)
	asked(empOrgName)
	rec, err = ts.e.Store().OrgRecord(context.Background(), key)
	if err != nil || rec.Head.Surname != "Сидорова" || rec.HeadChanged.IsZero() {
		t.Fatalf("organisation record after the new head: %+v, %v", rec, err)
	}
	sess2 = login(second.Phone)
	eligibility(sess2, second.Serial, "renewal_responsible_person_changed")
	confirmRefused(sess2, id2, confirm2, "renewal_responsible_person_changed")
}
