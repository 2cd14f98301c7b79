package api_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/config"
)

// issueReady issues a new ready application of phone through the cabinet
// (issueInCabinet) and answers its serial.
func (env *cabinetEnv) issueReady(t *testing.T, o *ossl, sess, phone, name string) string {
	t.Helper()
	a := env.readyApplication(t, phone)
	env.clk.add(2*time.Minute + time.Second) // past the resend pause of the last issuance code
	return env.issueInCabinet(t, o, sess, phone, a.ID, name, "gost2012_256", "TCA").Serial
}

// lastSMS is the text of the newest SMS the gateway got for phone.
func (env *cabinetEnv) lastSMS(t *testing.T, phone string) string {
	t.Helper()
	env.drainSMS(t)
	resp, err := http.Get(env.sim.Base + "/sms/last?phone=" + url.QueryEscape(phone))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// settle waits until the SMS rows are delivered and the audit head
// stays put for 300 ms: deliveries (ESIA registration, notices) write
// entries of their own, which a refusal's "nothing written" must not
// count.
func (env *cabinetEnv) settle(t *testing.T) {
	t.Helper()
	env.drainSMS(t)
	for head := env.auditHead(t); ; {
		time.Sleep(300 * time.Millisecond)
		now := env.auditHead(t)
		if now == head {
			return
		}
		head = now
	}
}

// TestCabinetStatusRequests: a subscriber asks, confirmed by an SMS code,
// to revoke one certificate and to suspend another; an operator approves
// both and OpenSSL's OCSP client and CRL parser see them revoked (the
// second with certificateHold); a third request is rejected and leaves
// its certificate good. Refusals (wrong code, another phone's
// certificate, a second pending request, a revoked certificate, a reason
// a subscriber may not give, an operator's call by the cabinet token)
// write no audit entry.
func TestCabinetStatusRequests(t *testing.T) {
	env := startCabinet(t, func(c *config.Config) { c.Cabinet.PerPhone, c.Cabinet.PerPrefix = 100, 100 })
	o := newOSSL(t)
	for name, path := range map[string]string{"root": "/ca/root.crt", "ca": "/ca/gost256.crt"} {
		resp, der := env.do(t, "GET", path, "", "", nil)
		wantStatus(t, resp, der, 200)
		o.write(name+".der", der)
		o.run("x509", "-inform", "DER", "-in", name+".der", "-out", name+".pem")
	}
	cab, op := env.tokens[auth.RoleCabinet], env.tokens[auth.RoleCAOperator]
	const phone, phone2 = "+79161234567", "+79031112233"
	sess := env.login(t, cab, phone)
	sess2 := env.login(t, cab, phone2)
	revokeMe := env.issueReady(t, o, sess, phone, "a")
	suspendMe := env.issueReady(t, o, sess, phone, "b")
	keepMe := env.issueReady(t, o, sess, phone, "c")
	foreign := env.issueReady(t, o, sess2, phone2, "d")

	ocsp := func(t *testing.T, leaf, want string) string {
		t.Helper()
		out := o.run("ocsp", "-url", env.base+"/ocsp", "-issuer", "ca.pem", "-cert", leaf+".pem", "-CAfile", "root.pem", "-resp_text")
		for _, w := range []string{"Response verify OK", leaf + ".pem: " + want} {
			if !strings.Contains(out, w) {
				t.Fatalf("openssl ocsp lacks %q:\n%s", w, out)
			}
		}
		return out
	}
	crl := func(t *testing.T) string {
		t.Helper()
		resp, der := env.do(t, "GET", "/crl/gost256.crl", "", "", nil)
		wantStatus(t, resp, der, 200)
		o.write("crl.der", der)
		out := o.run("crl", "-inform", "DER", "-in", "crl.der", "-CAfile", "ca.pem", "-noout", "-text")
		if !strings.Contains(out, "verify OK") {
			t.Fatalf("openssl crl: %s", out)
		}
		return out
	}
	serialLine := func(s string) string {
		if len(s)%2 == 1 {
			s = "0" + s
		}
		return "Serial Number: " + strings.ToUpper(s)
	}
	ask := func(t *testing.T, s, serial string, body cabinetapi.StatusRequestBody) (*http.Response, []byte) {
		t.Helper()
		return env.call(t, cab, s, "POST", "/api/v1/cabinet/certificates/"+serial+"/status-requests", body)
	}
	// askAndConfirm asks, reads the code from the SMS and confirms.
	askAndConfirm := func(t *testing.T, serial string, body cabinetapi.StatusRequestBody, wrongFirst bool) cabinetapi.StatusRequestJSON {
		t.Helper()
		env.drainSMS(t)
		env.clk.add(2*time.Minute + time.Second)
		resp, b := ask(t, sess, serial, body)
		wantStatus(t, resp, b, 202)
		id := decode[cabinetapi.Challenge](t, b).Challenge
		code := env.code(t, phone)
		path := "/api/v1/cabinet/status-requests/" + id
		if wrongFirst {
			env.settle(t)
			env.unchanged(t, "wrong code", func() {
				resp, b := env.call(t, cab, sess, "POST", path+"/confirm", cabinetapi.StatusConfirmBody{Code: wrongCode(code)})
				wantProblem(t, resp, b, 422, "code_wrong")
			})
			env.settle(t)
			env.unchanged(t, "another phone's session", func() {
				resp, b := env.call(t, cab, sess2, "POST", path+"/confirm", cabinetapi.StatusConfirmBody{Code: code})
				wantProblem(t, resp, b, 404, "code_challenge_not_found")
			})
		}
		resp, b = env.call(t, cab, sess, "POST", path+"/confirm", cabinetapi.StatusConfirmBody{Code: code})
		wantStatus(t, resp, b, 200)
		r := decode[cabinetapi.StatusRequestJSON](t, b)
		if r.State != "pending" || r.ID != id || !strings.EqualFold(r.Serial, strings.TrimLeft(serial, "0")) && !strings.EqualFold(r.Serial, serial) {
			t.Fatalf("confirmed request %+v", r)
		}
		if sms := env.lastSMS(t, phone); !strings.Contains(sms, "ждёт решения") {
			t.Fatalf("no notice of the request: %q", sms)
		}
		return r
	}

	t.Run("refusals before asking", func(t *testing.T) {
		env.clk.add(2*time.Minute + time.Second)
		env.settle(t)
		env.unchanged(t, "another phone's certificate", func() {
			resp, b := ask(t, sess, foreign, cabinetapi.StatusRequestBody{Action: "revoke", Reason: "keyCompromise"})
			wantProblem(t, resp, b, 404, "certificate_not_found")
		})
		env.settle(t)
		env.unchanged(t, "a reason the subscriber may not give", func() {
			for _, body := range []cabinetapi.StatusRequestBody{{Action: "revoke", Reason: "cACompromise"}, {Action: "revoke", Reason: "certificateHold"},
				{Action: "suspend", Reason: "keyCompromise"}, {Action: "revoke"}} {
				resp, b := ask(t, sess, revokeMe, body)
				wantProblem(t, resp, b, 422, "reason_not_allowed")
			}
			resp, b := ask(t, sess, revokeMe, cabinetapi.StatusRequestBody{Action: "resume"})
			wantProblem(t, resp, b, 422, "invalid_status_request")
		})
	})

	var revReq cabinetapi.StatusRequestJSON
	t.Run("revoke approved", func(t *testing.T) {
		ocsp(t, "a", "good")
		revReq = askAndConfirm(t, revokeMe, cabinetapi.StatusRequestBody{Action: "revoke", Reason: "keyCompromise", Comment: "токен утерян"}, true)
		env.settle(t)
		env.unchanged(t, "a second pending request", func() {
			env.clk.add(2*time.Minute + time.Second)
			resp, b := ask(t, sess, revokeMe, cabinetapi.StatusRequestBody{Action: "suspend"})
			wantProblem(t, resp, b, 409, "status_request_pending")
		})
		ocsp(t, "a", "good") // pending: no change yet
		env.settle(t)
		env.unchanged(t, "the cabinet deciding", func() {
			resp, b := env.call(t, cab, "", "POST", "/api/v1/status-requests/"+revReq.ID+"/approve", nil)
			wantProblem(t, resp, b, 403, "forbidden")
		})
		resp, b := env.call(t, op, "", "GET", "/api/v1/status-requests?state=pending", nil)
		wantStatus(t, resp, b, 200)
		if page := decode[cabinetapi.StatusRequestPage](t, b); len(page.Items) != 1 || page.Items[0].ID != revReq.ID || page.Items[0].Reason != "keyCompromise" {
			t.Fatalf("pending requests: %s", b)
		}
		resp, b = env.call(t, op, "", "POST", "/api/v1/status-requests/"+revReq.ID+"/approve", nil)
		wantStatus(t, resp, b, 200)
		if r := decode[cabinetapi.StatusRequestJSON](t, b); r.State != "approved" || r.DecidedAt == nil {
			t.Fatalf("approved: %s", b)
		}
		out := ocsp(t, "a", "revoked")
		if !strings.Contains(out, "keyCompromise") {
			t.Fatalf("OCSP revocation without its reason:\n%s", out)
		}
		if out := crl(t); !strings.Contains(out, serialLine(revokeMe)) || !strings.Contains(out, "Key Compromise") {
			t.Fatalf("revoked certificate not in the CRL:\n%s", out)
		}
		if sms := env.lastSMS(t, phone); !strings.Contains(sms, "исполнен") {
			t.Fatalf("no notice of the approval: %q", sms)
		}
		env.settle(t)
		env.unchanged(t, "approving twice", func() {
			resp, b := env.call(t, op, "", "POST", "/api/v1/status-requests/"+revReq.ID+"/approve", nil)
			wantProblem(t, resp, b, 409, "invalid_transition")
		})
		env.settle(t)
		env.unchanged(t, "an already revoked certificate", func() {
			env.clk.add(2*time.Minute + time.Second)
			resp, b := ask(t, sess, revokeMe, cabinetapi.StatusRequestBody{Action: "revoke", Reason: "superseded"})
			wantProblem(t, resp, b, 409, "certificate_status_final")
		})
	})

	t.Run("suspend approved", func(t *testing.T) {
		r := askAndConfirm(t, suspendMe, cabinetapi.StatusRequestBody{Action: "suspend", Comment: "уехал"}, false)
		resp, b := env.call(t, op, "", "POST", "/api/v1/status-requests/"+r.ID+"/approve", nil)
		wantStatus(t, resp, b, 200)
		out := ocsp(t, "b", "revoked")
		if !strings.Contains(out, "certificateHold") {
			t.Fatalf("OCSP hold without certificateHold:\n%s", out)
		}
		if out := crl(t); !strings.Contains(out, serialLine(suspendMe)) || !strings.Contains(out, "Certificate Hold") {
			t.Fatalf("suspended certificate not in the CRL as held:\n%s", out)
		}
	})

	t.Run("rejected", func(t *testing.T) {
		r := askAndConfirm(t, keepMe, cabinetapi.StatusRequestBody{Action: "revoke", Reason: "superseded"}, false)
		env.settle(t)
		env.unchanged(t, "a rejection without a reason", func() {
			resp, b := env.call(t, op, "", "POST", "/api/v1/status-requests/"+r.ID+"/reject", cabinetapi.RejectBody{})
			wantProblem(t, resp, b, 400, "invalid_request")
		})
		resp, b := env.call(t, op, "", "POST", "/api/v1/status-requests/"+r.ID+"/reject", cabinetapi.RejectBody{Reason: "сертификат нужен для отчётности"})
		wantStatus(t, resp, b, 200)
		if got := decode[cabinetapi.StatusRequestJSON](t, b); got.State != "rejected" || got.Rejection == "" {
			t.Fatalf("rejected: %s", b)
		}
		ocsp(t, "c", "good")
		if out := crl(t); strings.Contains(out, serialLine(keepMe)) {
			t.Fatalf("a rejected request's certificate in the CRL:\n%s", out)
		}
		if sms := env.lastSMS(t, phone); !strings.Contains(sms, "отклонён") {
			t.Fatalf("no notice of the rejection: %q", sms)
		}
		resp, b = env.call(t, cab, sess, "GET", "/api/v1/cabinet/status-requests/"+r.ID, nil)
		wantStatus(t, resp, b, 200)
		if got := decode[cabinetapi.StatusRequestJSON](t, b); got.State != "rejected" || got.DecidedBy != "" {
			t.Fatalf("the subscriber's view: %s", b)
		}
		resp, b = env.call(t, op, "", "GET", "/api/v1/status-requests?state=pending", nil)
		wantStatus(t, resp, b, 200)
		if page := decode[cabinetapi.StatusRequestPage](t, b); len(page.Items) != 0 {
			t.Fatalf("pending after every decision: %s", b)
		}
		resp, b = env.call(t, op, "", "GET", "/api/v1/status-requests?state=approved&limit=1", nil)
		wantStatus(t, resp, b, 200)
		page := decode[cabinetapi.StatusRequestPage](t, b)
		if len(page.Items) != 1 || page.NextCursor == "" || page.Items[0].ID != revReq.ID {
			t.Fatalf("approved, first page: %s", b)
		}
		resp, b = env.call(t, op, "", "GET", "/api/v1/status-requests?state=approved&limit=1&cursor="+page.NextCursor, nil)
		wantStatus(t, resp, b, 200)
		if p2 := decode[cabinetapi.StatusRequestPage](t, b); len(p2.Items) != 1 || p2.Items[0].ID == revReq.ID || p2.NextCursor != "" {
			t.Fatalf("approved, second page: %s", b)
		}
	})

	rep, err := env.e.Store().Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 0 {
		t.Fatalf("store check: %+v", rep.Problems)
	}
	env.noCodesLeaked(t)
}
