package api_test

import (
	"bytes"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/pkix"
)

// issueInCabinet walks a ready application of the session through
// issue-data, consent, request (a key OpenSSL makes as name.key) and
// code, and writes the certificate as name.pem; it answers the issued
// application.
func (env *cabinetEnv) issueInCabinet(t *testing.T, o *ossl, sess, phone, id, name, alg, paramset string) raapi.Application {
	t.Helper()
	cab := env.tokens[auth.RoleCabinet]
	path := "/api/v1/cabinet/applications/" + id
	resp, body := env.call(t, cab, sess, "GET", path+"/issue-data", nil)
	wantStatus(t, resp, body, 200)
	resp, body = env.call(t, cab, sess, "POST", path+"/consent", cabinetapi.ConsentRequest{SHA256: decode[cabinetapi.IssueDataJSON](t, body).SHA256},
		"If-Match", resp.Header.Get("ETag"))
	wantStatus(t, resp, body, 200)
	csr := o.csr(name, alg, paramset)
	env.drainSMS(t)
	resp, body = env.call(t, cab, sess, "POST", path+"/request", cabinetapi.CabinetRequest{CSR: string(csr)})
	wantStatus(t, resp, body, 202)
	rc := decode[cabinetapi.RequestChallenge](t, body)
	code := env.code(t, phone)
	resp, body = env.call(t, cab, sess, "POST", path+"/confirm", cabinetapi.ConfirmRequest{Challenge: rc.Challenge.Challenge, Code: code,
		CSR: string(csr), SubjectSignTool: "КриптоПро CSP"})
	wantStatus(t, resp, body, 201)
	a := decode[raapi.Application](t, body)
	resp, pemBytes := env.call(t, cab, sess, "GET", path+"/certificate", nil)
	wantStatus(t, resp, pemBytes, 200)
	o.write(name+".pem", pemBytes)
	return a
}

// setClock moves the injected clock to at.
func (env *cabinetEnv) setClock(at time.Time) { env.clk.add(at.Sub(env.clk.now())) }

// identificationKind reads the certificate's IdentificationKind.
func identificationKind(t *testing.T, pemBytes []byte) pkix.IdentificationKind {
	t.Helper()
	blk, _ := pem.Decode(pemBytes)
	if blk == nil {
		t.Fatal("no PEM certificate")
	}
	c, err := pkix.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range c.Extensions {
		if e.ID.Equal(pkix.OIDExtIdentificationKind) {
			k, err := pkix.ParseIdentificationKind(e.Value)
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
	}
	t.Fatal("no identificationKind extension")
	return 0
}

// TestCabinetRenewalEndToEnd: the subscriber's first certificate is
// issued in the cabinet on a key OpenSSL made; 71 days before expiry
// renewal is refused as too early; at 60 days the renewal form is
// signed by OpenSSL (openssl cms -sign -cades, detached) with the old
// certificate and accepted: the application is ready to issue with no
// review and no visit, consent + request + code issue a certificate
// OpenSSL verifies, whose IdentificationKind is remote by a qualified
// certificate. Refused, each writing nothing: a signature over another
// PDF, by another subscriber's certificate, with its signed attributes
// altered, a change of organisation; a revoked certificate; an expired
// one, also for a form signed before expiry and posted after. A 512-bit
// key signs the other subscriber's renewal, as indefinite-length BER.
func TestCabinetRenewalEndToEnd(t *testing.T) {
	env := startCabinet(t, nil)
	o := newOSSL(t)
	cab, op := env.tokens[auth.RoleCabinet], env.tokens[auth.RoleCAOperator]
	const phone, phone2 = "+79161234567", "+79031112233"

	a := env.readyApplication(t, phone)
	b := env.readyApplication(t, phone2)
	sess := env.login(t, cab, phone)
	first := env.issueInCabinet(t, o, sess, phone, a.ID, "old", "gost2012_256", "A")
	// The qualified certificate is registered in ESIA (the simulator
	// answers VALIDATING, then SUCCEEDED, by signed callbacks) before the
	// story moves on to its renewal.
	waitUntil(t, "ESIA SUCCEEDED", func() bool { return esiaState(t, env.testServer, first.Serial).State == "SUCCEEDED" })
	env.clk.add(3 * time.Minute)
	sess2 := env.login(t, cab, phone2)
	second := env.issueInCabinet(t, o, sess2, phone2, b.ID, "other", "gost2012_512", "A")
	if identificationKind(t, o.read("old.pem")) != pkix.IdentificationPersonal {
		t.Fatal("the first certificate is not marked as issued in person")
	}

	// The session's certificates.
	resp, body := env.call(t, cab, sess, "GET", "/api/v1/cabinet/certificates", nil)
	wantStatus(t, resp, body, 200)
	certs := decode[cabinetapi.CertificatesJSON](t, body)
	if len(certs.Items) != 1 || certs.Items[0].Application != a.ID || certs.Items[0].Status != "valid" {
		t.Fatalf("certificates %s", body)
	}
	cert := certs.Items[0]
	renew := "/api/v1/cabinet/certificates/" + cert.Serial + "/renewal"
	env.unchanged(t, "another subscriber's certificate", func() {
		resp, body := env.call(t, cab, sess, "GET", "/api/v1/cabinet/certificates/"+second.Serial+"/renewal", nil)
		wantProblem(t, resp, body, 404, "certificate_not_found")
	})

	// 71 days before expiry: too early, says when it opens.
	env.setClock(cert.NotAfter.Add(-71 * 24 * time.Hour))
	sess = env.login(t, cab, phone)
	env.unchanged(t, "at 71 days", func() {
		resp, body := env.call(t, cab, sess, "GET", renew, nil)
		wantStatus(t, resp, body, 200)
		el := decode[cabinetapi.EligibilityJSON](t, body)
		if el.Allowed || el.Code != "renewal_too_early" || !strings.Contains(el.Message, "opens on") || el.OpensAt == nil ||
			!el.OpensAt.Equal(cert.NotAfter.Add(-70*24*time.Hour)) {
			t.Fatalf("eligibility at 71 days: %s", body)
		}
		resp, body = env.call(t, cab, sess, "POST", renew, nil)
		wantProblem(t, resp, body, 409, "renewal_too_early")
	})

	// 60 days before expiry: allowed; the organisation may not change.
	env.setClock(cert.NotAfter.Add(-60 * 24 * time.Hour))
	sess = env.login(t, cab, phone)
	resp, body = env.call(t, cab, sess, "GET", renew, nil)
	wantStatus(t, resp, body, 200)
	if el := decode[cabinetapi.EligibilityJSON](t, body); !el.Allowed || el.Code != "" {
		t.Fatalf("eligibility at 60 days: %s", body)
	}
	env.unchanged(t, "organisation change", func() {
		resp, body := env.call(t, cab, sess, "POST", renew, map[string]any{"organisation": map[string]string{"name": "ООО Другое"}})
		wantProblem(t, resp, body, 422, "invalid_data")
		if !strings.Contains(string(body), `"organisation"`) {
			t.Fatalf("no organisation field problem: %s", body)
		}
	})
	owner := appOwner()
	owner.Email = "anna.new@example.ru"
	resp, body = env.call(t, cab, sess, "POST", renew, cabinetapi.RenewalRequest{Owner: &owner})
	wantStatus(t, resp, body, 201)
	rn := decode[cabinetapi.RenewalJSON](t, body)
	if rn.Application.Kind != "replacement" || rn.Application.State != "new" || rn.Application.Owner.Email != "anna.new@example.ru" ||
		len(rn.Application.Documents) != 4 {
		t.Fatalf("renewal application %s", body)
	}
	rpath := "/api/v1/cabinet/applications/" + rn.Application.ID
	resp, form := env.call(t, cab, sess, "GET", rpath+"/renewal-form.pdf", nil)
	wantStatus(t, resp, form, 200)
	if !bytes.Equal(form, rn.FormPDF) || !bytes.HasPrefix(form, []byte("%PDF-")) {
		t.Fatal("the form fetched again differs from the one answered")
	}
	resp, body = env.call(t, cab, sess, "GET", renew, nil)
	wantStatus(t, resp, body, 200)
	if el := decode[cabinetapi.EligibilityJSON](t, body); el.Application != rn.Application.ID {
		t.Fatalf("eligibility does not name the open renewal: %s", body)
	}
	o.write("form.pdf", form)
	o.write("other-form.pdf", append(bytes.Clone(form), "\n%tampered\n"...))
	sign := func(in, cert, key string, flags ...string) []byte {
		o.run(append([]string{"cms", "-sign", "-binary", "-cades", "-in", in, "-signer", cert, "-inkey", key, "-outform", "DER", "-out", "sig.der"}, flags...)...)
		return o.read("sig.der")
	}
	post := func(sig []byte) (*http.Response, []byte) {
		return env.call(t, cab, sess, "POST", rpath+"/renewal-signature", cabinetapi.RenewalSignatureRequest{Signature: string(pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: sig}))})
	}
	good := sign("form.pdf", "old.pem", "old.key")
	env.unchanged(t, "signature refusals", func() {
		resp, body := post(sign("other-form.pdf", "old.pem", "old.key"))
		wantProblem(t, resp, body, 422, "renewal_signature_invalid")
		resp, body = post(sign("form.pdf", "other.pem", "other.key"))
		wantProblem(t, resp, body, 422, "renewal_signer_certificate_mismatch")
		resp, body = post(tamperUTCTime(t, good))
		wantProblem(t, resp, body, 422, "renewal_signature_invalid")
		resp, body = post([]byte("not a signature"))
		wantProblem(t, resp, body, 422, "renewal_signature_invalid")
	})
	// The signature as raw DER: accepted.
	resp, body = env.do(t, "POST", rpath+"/renewal-signature", cab, "application/pkcs7-signature", good, "X-Subscriber-Session", sess)
	wantStatus(t, resp, body, 200)
	signed := decode[raapi.Application](t, body)
	if signed.State != "ready_to_issue" || len(signed.Documents) != 6 {
		t.Fatalf("after the signature: %s", body)
	}
	env.unchanged(t, "signed twice", func() {
		resp, body := post(good)
		wantProblem(t, resp, body, 409, "action_not_allowed_in_state")
	})
	renewed := env.issueInCabinet(t, o, sess, phone, rn.Application.ID, "new", "gost2012_256", "TCA")
	if renewed.State != "issued" {
		t.Fatalf("renewal %+v", renewed)
	}
	_, root := env.do(t, "GET", "/ca/root.crt", "", "", nil)
	o.write("root.der", root)
	o.run("x509", "-inform", "DER", "-in", "root.der", "-out", "root.pem")
	resp, chain := env.call(t, cab, sess, "GET", rpath+"/chain", nil)
	wantStatus(t, resp, chain, 200)
	o.write("chain.pem", chain)
	if out := o.run("verify", "-CAfile", "root.pem", "-untrusted", "chain.pem", "new.pem"); !strings.Contains(out, "new.pem: OK") {
		t.Fatalf("openssl verify: %s", out)
	}
	if k := identificationKind(t, o.read("new.pem")); k != pkix.IdentificationRemoteCertificate {
		t.Fatalf("the renewed certificate's identificationKind is %d", k)
	}
	// No review and no visit in its history.
	var actions []string
	for _, e := range env.auditAll(t) {
		if e.Subject == "application:"+rn.Application.ID {
			actions = append(actions, e.Action)
		}
	}
	trail := strings.Join(actions, ",")
	if !strings.Contains(trail, "application_renew,application_renewal_signed,application_consent") ||
		strings.Contains(trail, "approve") || strings.Contains(trail, "verify_identity") {
		t.Fatalf("the renewal's audit trail: %v", actions)
	}

	// The other subscriber signs with a 512-bit key, BER with indefinite
	// lengths as OpenSSL streams it (CryptoPro emits both); then a revoked
	// certificate cannot be renewed.
	env.clk.add(3 * time.Minute)
	sess2 = env.login(t, cab, phone2)
	renew2 := "/api/v1/cabinet/certificates/" + second.Serial + "/renewal"
	resp, body = env.call(t, cab, sess2, "POST", renew2, nil)
	wantStatus(t, resp, body, 201)
	rn2 := decode[cabinetapi.RenewalJSON](t, body)
	o.write("form2.pdf", rn2.FormPDF)
	ber := sign("form2.pdf", "other.pem", "other.key", "-stream")
	if !bytes.HasPrefix(ber, []byte{0x30, 0x80}) {
		t.Fatalf("openssl -stream made no indefinite-length BER: % x", ber[:4])
	}
	resp, body = env.do(t, "POST", "/api/v1/cabinet/applications/"+rn2.Application.ID+"/renewal-signature", cab, "application/octet-stream",
		ber, "X-Subscriber-Session", sess2)
	wantStatus(t, resp, body, 200)
	resp, body = env.call(t, op, "", "POST", "/api/v1/certificates/"+second.Serial+"/revoke", api.StatusRequest{Reason: "keyCompromise"})
	wantStatus(t, resp, body, 200)
	env.unchanged(t, "revoked", func() {
		resp, body := env.call(t, cab, sess2, "GET", renew2, nil)
		wantStatus(t, resp, body, 200)
		if el := decode[cabinetapi.EligibilityJSON](t, body); el.Allowed || el.Code != "renewal_certificate_revoked" {
			t.Fatalf("eligibility of a revoked certificate: %s", body)
		}
		resp, body = env.call(t, cab, sess2, "POST", renew2, nil)
		wantProblem(t, resp, body, 409, "renewal_certificate_revoked")
	})

	// A second renewal of the old certificate, signed the day before it
	// expires and posted after: refused.
	env.setClock(cert.NotAfter.Add(-24 * time.Hour))
	sess = env.login(t, cab, phone)
	resp, body = env.call(t, cab, sess, "POST", renew, nil)
	wantStatus(t, resp, body, 201)
	late := decode[cabinetapi.RenewalJSON](t, body)
	o.write("late.pdf", late.FormPDF)
	lateSig := sign("late.pdf", "old.pem", "old.key")

	// After expiry.
	env.setClock(cert.NotAfter.Add(time.Hour))
	sess = env.login(t, cab, phone)
	env.unchanged(t, "expired", func() {
		resp, body := env.do(t, "POST", "/api/v1/cabinet/applications/"+late.Application.ID+"/renewal-signature", cab,
			"application/pkcs7-signature", lateSig, "X-Subscriber-Session", sess)
		wantProblem(t, resp, body, 409, "renewal_certificate_expired")
		resp, body = env.call(t, cab, sess, "GET", renew, nil)
		wantStatus(t, resp, body, 200)
		if el := decode[cabinetapi.EligibilityJSON](t, body); el.Allowed || el.Code != "renewal_certificate_expired" {
			t.Fatalf("eligibility of an expired certificate: %s", body)
		}
		resp, body = env.call(t, cab, sess, "POST", renew, nil)
		wantProblem(t, resp, body, 409, "renewal_certificate_expired")
	})
}

// tamperUTCTime changes the last digit of the first UTCTime in a DER
// CMS (the signing-time attribute, inside the signed attributes).
func tamperUTCTime(t *testing.T, der []byte) []byte {
	t.Helper()
	out := bytes.Clone(der)
	i := bytes.Index(out, []byte{0x17, 0x0d})
	// Skip the certificate's validity times: the signing time is the
	// last UTCTime in the CMS.
	if j := bytes.LastIndex(out, []byte{0x17, 0x0d}); j > i {
		i = j
	}
	if i < 0 {
		t.Fatal("no UTCTime in the signature")
	}
	d := i + 2 + 11 // the second's last digit
	if out[d] == '0' {
		out[d] = '1'
	} else {
		out[d] = '0'
	}
	return out
}
