package api_test

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/pkix/cms"
)

// cloudIssued walks a cloud application of phone to its certificate:
// login, consent, the key made, the code confirmed. It returns the
// session, the key's path and the certificate; with o, it writes
// trust.pem (the root and the chain) into o's directory.
func (env *cabinetEnv) cloudIssued(t *testing.T, o *ossl, phone string) (string, string, *pkix.Certificate) {
	t.Helper()
	cab := env.tokens[auth.RoleCabinet]
	a := env.readyTypedApplication(t, "natural-person-cloud", phone)
	apath := "/api/v1/cabinet/applications/" + a.ID
	sess := env.login(t, cab, phone)
	env.consent(t, cab, sess, apath)
	resp, body := env.call(t, cab, sess, "POST", apath+"/cloud-key", nil)
	wantStatus(t, resp, body, 202)
	made := decode[cabinetapi.CloudKeyChallenge](t, body)
	resp, body = env.call(t, cab, sess, "POST", apath+"/cloud-confirm", cabinetapi.CodeRequest{Challenge: made.Challenge.Challenge, Code: env.code(t, phone)})
	wantStatus(t, resp, body, 201)
	if got := decode[raapi.Application](t, body); got.State != "issued" {
		t.Fatalf("cloud application %+v", got)
	}
	resp, leaf := env.call(t, cab, sess, "GET", apath+"/certificate", nil)
	wantStatus(t, resp, leaf, 200)
	cert, err := pkix.ParseCertificate(leaf)
	if err != nil {
		t.Fatal(err)
	}
	if o != nil {
		resp, chain := env.call(t, cab, sess, "GET", apath+"/chain", nil)
		wantStatus(t, resp, chain, 200)
		_, root := env.do(t, "GET", "/ca/root.crt", "", "", nil)
		o.write("root.der", root)
		o.run("x509", "-inform", "DER", "-in", "root.der", "-out", "root.pem")
		o.write("trust.pem", append(o.read("root.pem"), chain...))
	}
	return sess, "/api/v1/cabinet/keys/" + a.ID, cert
}

// TestCabinetCloudCAdES: a confirmed cloud operation answers a
// CAdES-BES signature besides the raw one. Detached (the default) and
// attached (asked), our pkix/cms verifier accepts it with the
// subscriber's certificate as signer and the CA's clock as signing time;
// OpenSSL's gost engine verifies it against the CA chain (`openssl cms
// -verify -binary -inform DER -content … -CAfile chain`); tampered
// content fails in both. The .p7s download is the same bytes,
// application/pkcs7-signature; a pending operation has none (409). An
// attached signature of a digest is refused.
func TestCabinetCloudCAdES(t *testing.T) {
	env := startCabinet(t, cloudProfile)
	o := newOSSL(t)
	cab := env.tokens[auth.RoleCabinet]
	const phone = "+79161234567"
	sess, kpath, cert := env.cloudIssued(t, o, phone)
	doc := []byte("Акт приёмки № 5 от 3 декабря 2026 г.\n\x00\xff")
	tampered := append([]byte(nil), doc...)
	tampered[3] ^= 1
	o.write("doc.bin", doc)
	o.write("tampered.bin", tampered)

	env.unchanged(t, "attached signature of a digest", func() {
		resp, body := env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{
			Digest: base64.StdEncoding.EncodeToString(make([]byte, 32)), Description: "хэш", Attached: true})
		wantProblem(t, resp, body, 422, "invalid_sign_request")
	})

	for _, attached := range []bool{false, true} {
		env.clk.add(time.Minute)
		resp, body := env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{
			Document: base64.StdEncoding.EncodeToString(doc), Description: "Акт № 5", Attached: attached})
		wantStatus(t, resp, body, 202)
		op := decode[cabinetapi.OperationJSON](t, body)
		opath := kpath + "/operations/" + op.ID
		if op.Attached != attached || op.CMS != "" {
			t.Fatalf("pending operation %+v", op)
		}
		env.unchanged(t, "CMS of a pending operation", func() {
			resp, body := env.call(t, cab, sess, "GET", opath+"/signature.p7s", nil)
			wantProblem(t, resp, body, 409, "signature_not_available")
		})
		signedAt := env.clk.now().Truncate(time.Second)
		resp, body = env.call(t, cab, sess, "POST", opath+"/confirm", cabinetapi.CodeRequest{Code: env.code(t, phone)})
		wantStatus(t, resp, body, 200)
		signed := decode[cabinetapi.OperationJSON](t, body)
		p7, err := base64.StdEncoding.DecodeString(signed.CMS)
		if signed.State != "signed" || signed.Signature == "" || err != nil || len(p7) == 0 {
			t.Fatalf("signed operation %+v", signed)
		}
		resp, dl := env.call(t, cab, sess, "GET", opath+"/signature.p7s", nil)
		wantStatus(t, resp, dl, 200)
		if string(dl) != string(p7) || resp.Header.Get("Content-Type") != "application/pkcs7-signature" {
			t.Fatalf("download: %s, %d bytes (cms %d)", resp.Header.Get("Content-Type"), len(dl), len(p7))
		}
		o.write("op.p7s", p7)

		// Our verifier.
		vo := cms.VerifyOptions{}
		if !attached {
			vo.Content = doc
		}
		sig, err := cms.Verify(p7, vo)
		if err != nil {
			t.Fatalf("attached %v: pkix/cms: %v", attached, err)
		}
		if string(sig.Signer.Raw) != string(cert.Raw) || sig.Detached == attached || string(sig.Content) != string(doc) ||
			sig.SigningTime.Before(signedAt) || sig.SigningTime.After(signedAt.Add(time.Second)) {
			t.Fatalf("attached %v: signer, content or signing time %v (want %v)", attached, sig.SigningTime, signedAt)
		}
		if _, err := cms.Verify(p7, cms.VerifyOptions{Content: tampered}); err == nil {
			t.Fatalf("attached %v: pkix/cms accepted tampered content", attached)
		}

		// OpenSSL, against the CA chain.
		if attached {
			out := o.run("cms", "-verify", "-binary", "-inform", "DER", "-in", "op.p7s", "-CAfile", "trust.pem")
			if !strings.Contains(out, string(doc[:20])) {
				t.Fatalf("OpenSSL's content of the attached signature: %q", out)
			}
			i := strings.Index(string(p7), string(doc))
			bad := append([]byte(nil), p7...)
			bad[i+3] ^= 1
			o.write("bad.p7s", bad)
			if out, err := o.try("cms", "-verify", "-binary", "-inform", "DER", "-in", "bad.p7s", "-CAfile", "trust.pem"); err == nil {
				t.Fatalf("OpenSSL verified a tampered attached signature: %s", out)
			}
			continue
		}
		o.run("cms", "-verify", "-binary", "-inform", "DER", "-in", "op.p7s", "-content", "doc.bin", "-CAfile", "trust.pem", "-out", "/dev/null")
		if out, err := o.try("cms", "-verify", "-binary", "-inform", "DER", "-in", "op.p7s", "-content", "tampered.bin", "-CAfile", "trust.pem", "-out", "/dev/null"); err == nil {
			t.Fatalf("OpenSSL verified the signature over tampered content: %s", out)
		}
		// The raw signature stays what it was: OpenSSL verifies it with
		// the certificate's key.
		raw, _ := base64.StdEncoding.DecodeString(signed.Signature)
		o.write("op.sig", raw)
		o.write("leaf.der", cert.Raw)
		o.run("x509", "-inform", "DER", "-in", "leaf.der", "-noout", "-pubkey", "-out", "leaf.pub")
		o.run("dgst", "-engine", "gost", "-md_gost12_256", "-verify", "leaf.pub", "-signature", "op.sig", "doc.bin")
	}
}

// TestCloudSigningCodeLimits: signing codes have limits of their own
// ([cloud]). A subscriber confirms 20 signing operations in a row within
// minutes while the login codes keep theirs (5 per phone per hour: the
// 6th login or issuance code of the phone is refused). The 21st signing
// code, over sign_per_phone = 20, is refused with 429
// code_rate_limited, a Retry-After and a detail saying when to try
// again, writing nothing. /metrics shows both sets of limits and counts.
func TestCloudSigningCodeLimits(t *testing.T) {
	env := startCabinet(t, func(c *config.Config) { cloudProfile(c); c.Cloud.Sign.PerPhone = 20 })
	cab := env.tokens[auth.RoleCabinet]
	const phone = "+79161234567"
	sess, kpath, _ := env.cloudIssued(t, nil, phone) // 2 login-limit codes: login and issuance
	start := env.clk.now()
	create := func() (*http.Response, []byte) {
		resp, body := env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{
			Document: base64.StdEncoding.EncodeToString([]byte("документ " + env.clk.now().String())), Description: "пакет документов"})
		return resp, body
	}
	for i := range 20 {
		env.clk.add(5 * time.Second) // [cloud] sign_resend_after
		resp, body := create()
		wantStatus(t, resp, body, 202)
		op := decode[cabinetapi.OperationJSON](t, body)
		resp, body = env.call(t, cab, sess, "POST", kpath+"/operations/"+op.ID+"/confirm", cabinetapi.CodeRequest{Code: env.code(t, phone)})
		wantStatus(t, resp, body, 200)
		if got := decode[cabinetapi.OperationJSON](t, body); got.State != "signed" || got.CMS == "" {
			t.Fatalf("operation %d: %+v", i+1, got)
		}
	}
	if d := env.clk.now().Sub(start); d > 10*time.Minute {
		t.Fatalf("20 operations took %s", d)
	}
	env.clk.add(5 * time.Second)
	env.unchanged(t, "21st signing code", func() {
		resp, body := create()
		p := wantProblem(t, resp, body, 429, "code_rate_limited")
		after, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if err != nil || after < 50*60 || after > 3600 {
			t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
		}
		if !strings.Contains(p.Detail, "try again in") {
			t.Fatalf("detail %q says not when to try again", p.Detail)
		}
	})

	// The login codes keep their own limit: 2 used, 3 more, then refused.
	for range 3 {
		env.clk.add(2 * time.Minute)
		env.login(t, cab, phone)
	}
	env.clk.add(2 * time.Minute)
	env.unchanged(t, "6th login code", func() {
		resp, body := env.call(t, cab, "", "POST", "/api/v1/cabinet/login", cabinetapi.LoginRequest{Phone: phone})
		wantProblem(t, resp, body, 429, "code_rate_limited")
	})

	_, metrics := env.do(t, "GET", "/metrics", "", "", nil)
	for _, want := range []string{`gostca_otp_sign_limit{limit="per_phone"} 20`, `gostca_otp_sign_limit{limit="resend_after_seconds"} 5`,
		`gostca_otp_sign_limit{limit="max_tries"} 5`, `gostca_otp_sign_sent_total{purpose="sign"} 20`,
		`gostca_otp_sign_send_refused_total{reason="rate_phone"} 1`, `gostca_otp_limit{limit="per_phone"} 5`,
		`gostca_otp_sent_total{purpose="login"} 4`, `gostca_otp_send_refused_total{reason="rate_phone"} 1`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(string(metrics), `gostca_otp_sent_total{purpose="sign"}`) {
		t.Error("signing codes counted among the cabinet's codes")
	}
}
