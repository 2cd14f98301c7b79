package api_test

import (
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/ra/appdata"
)

// cloudProfile adds a "natural-person-cloud" certificate type (the
// natural person's rules, keys made by the CA) to the shipped profiles.
func cloudProfile(c *config.Config) {
	c.RA.Profiles = map[string]appdata.Profile{}
	for _, p := range appdata.DefaultProfiles() {
		c.RA.Profiles[p.Name] = p
		if p.Name == "natural-person" {
			p.Name, p.Title, p.KeyStorage = "natural-person-cloud", "natural person, cloud key", appdata.KeyStorageCloud
			c.RA.Profiles[p.Name] = p
		}
	}
}

// readyTypedApplication walks an application of certType for phone over
// HTTP to ready_to_issue: a service centre opens and fills it, an
// operator approves it, the centre verifies the identity in person and
// sends it to the cabinet.
func (env *cabinetEnv) readyTypedApplication(t *testing.T, certType, phone string) raapi.Application {
	t.Helper()
	sc, op := env.tokens[auth.RoleServiceCentre], env.tokens[auth.RoleCAOperator]
	const base = "/api/v1/applications"
	a, resp := env.appCall(t, sc, "POST", base, raapi.CreateApplicationRequest{CertType: certType, Phone: phone, Email: "anna@example.ru"}, 201)
	path := base + "/" + a.ID
	a, resp = env.appCall(t, sc, "PUT", path+"/data", raapi.ApplicationDataRequest{Phone: a.Phone, Owner: appOwner()}, 200, etag(t, resp)...)
	for _, typ := range []string{"passport", "signed_application", "snils", "inn"} {
		a, resp = env.appCall(t, sc, "POST", path+"/documents?type="+typ, rawBody(testPDF(typ+" scan")), 201, etag(t, resp)...)
	}
	a, resp = env.appCall(t, sc, "POST", path+"/actions/submit", nil, 200, etag(t, resp)...)
	a, resp = env.appCall(t, op, "POST", path+"/actions/claim", nil, 200, etag(t, resp)...)
	a, resp = env.appCall(t, op, "POST", path+"/actions/approve", nil, 200, etag(t, resp)...)
	a, resp = env.appCall(t, sc, "POST", path+"/actions/verify_identity", raapi.IdentityRequest{Method: "in_person",
		Presenter: "owner", Document: "паспорт 4510 123456", Confirmed: true}, 200, etag(t, resp)...)
	a, _ = env.appCall(t, sc, "POST", path+"/actions/send_to_cabinet", nil, 200, etag(t, resp)...)
	if a.State != "ready_to_issue" {
		t.Fatalf("application %s is %s", a.ID, a.State)
	}
	env.drainSMS(t)
	return a
}

// consent reads an application's issue data and agrees to it.
func (env *cabinetEnv) consent(t *testing.T, tok, sess, apath string) {
	t.Helper()
	resp, body := env.call(t, tok, sess, "GET", apath+"/issue-data", nil)
	wantStatus(t, resp, body, 200)
	shown := decode[cabinetapi.IssueDataJSON](t, body)
	resp, body = env.call(t, tok, sess, "POST", apath+"/consent", cabinetapi.ConsentRequest{SHA256: shown.SHA256}, "If-Match", resp.Header.Get("ETag"))
	wantStatus(t, resp, body, 200)
}

// TestCabinetCloudKey: for a cloud application the CA makes the key (a
// soft GOST key sealed under the server secret), builds the request and
// issues the certificate after a code bound to the key and the consent
// (OpenSSL verifies it; its key is the cloud key's). A document is
// signed through an operation confirmed by a code, and OpenSSL's gost
// engine verifies the signature with the certificate's key. A wrong
// code, a second confirmation, an expired or refused operation sign
// nothing; another phone sees neither the key nor the operations; a
// non-cloud application gets no cloud key; no response carries a
// private key.
func TestCabinetCloudKey(t *testing.T) {
	env := startCabinet(t, func(c *config.Config) { cloudProfile(c); c.Cabinet.PerPhone = 20 })
	o := newOSSL(t)
	cab := env.tokens[auth.RoleCabinet]
	const phone, phone2 = "+79161234567", "+79031112233"
	a := env.readyTypedApplication(t, "natural-person-cloud", phone)
	plain := env.readyTypedApplication(t, "natural-person", phone)
	apath := "/api/v1/cabinet/applications/" + a.ID
	sess := env.login(t, cab, phone)

	// Before consent, nothing is made.
	env.unchanged(t, "cloud key before consent", func() {
		resp, body := env.call(t, cab, sess, "POST", apath+"/cloud-key", nil)
		wantProblem(t, resp, body, 409, "consent_required")
	})
	env.consent(t, cab, sess, apath)
	env.consent(t, cab, sess, "/api/v1/cabinet/applications/"+plain.ID)
	env.unchanged(t, "cloud key of a token application", func() {
		resp, body := env.call(t, cab, sess, "POST", "/api/v1/cabinet/applications/"+plain.ID+"/cloud-key", nil)
		wantProblem(t, resp, body, 409, "not_cloud_type")
	})

	env.unchanged(t, "own request for a cloud type", func() {
		resp, body := env.call(t, cab, sess, "POST", apath+"/request", cabinetapi.CabinetRequest{CSR: string(o.csr("own", "gost2012_256", "A"))})
		wantProblem(t, resp, body, 409, "cloud_key_type")
	})

	// The key is made; the code confirms the certificate.
	resp, body := env.call(t, cab, sess, "POST", apath+"/cloud-key", nil)
	wantStatus(t, resp, body, 202)
	made := decode[cabinetapi.CloudKeyChallenge](t, body)
	if made.Key.ID != a.ID || made.Key.Curve != "tc26-256-A" || !strings.Contains(made.Key.PublicKey, "BEGIN PUBLIC KEY") {
		t.Fatalf("cloud key %+v", made.Key)
	}
	code := env.code(t, phone)
	env.unchanged(t, "wrong issuance code", func() {
		resp, body := env.call(t, cab, sess, "POST", apath+"/cloud-confirm", cabinetapi.CodeRequest{Challenge: made.Challenge.Challenge, Code: wrongCode(code)})
		wantProblem(t, resp, body, 422, "code_wrong")
	})
	resp, body = env.call(t, cab, sess, "POST", apath+"/cloud-confirm", cabinetapi.CodeRequest{Challenge: made.Challenge.Challenge, Code: code})
	wantStatus(t, resp, body, 201)
	if got := decode[raapi.Application](t, body); got.State != "issued" || got.Serial == "" {
		t.Fatalf("after confirmation: %+v", got)
	}
	resp, leaf := env.call(t, cab, sess, "GET", apath+"/certificate", nil)
	wantStatus(t, resp, leaf, 200)
	resp, chain := env.call(t, cab, sess, "GET", apath+"/chain", nil)
	wantStatus(t, resp, chain, 200)
	_, root := env.do(t, "GET", "/ca/root.crt", "", "", nil)
	o.write("root.der", root)
	o.run("x509", "-inform", "DER", "-in", "root.der", "-out", "root.pem")
	o.write("chain.pem", chain)
	o.write("leaf.pem", leaf)
	if out := o.run("verify", "-CAfile", "root.pem", "-untrusted", "chain.pem", "leaf.pem"); !strings.Contains(out, "leaf.pem: OK") {
		t.Fatalf("openssl verify: %s", out)
	}
	certKey := o.run("x509", "-in", "leaf.pem", "-noout", "-pubkey")
	o.write("cloud.pub", []byte(made.Key.PublicKey))
	if k := o.run("pkey", "-pubin", "-in", "cloud.pub"); k != certKey {
		t.Fatalf("certificate key %s is not the cloud key %s", certKey, k)
	}
	o.write("cert.pub", []byte(certKey))

	// Sign a document: the operation shows what is signed; a wrong code
	// signs nothing; the right one signs once.
	kpath := "/api/v1/cabinet/keys/" + a.ID
	doc := []byte("Договор № 17 от 3 декабря 2026 г.\nПоставка 100 единиц.\n")
	env.clk.add(2 * time.Minute)
	resp, body = env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{
		Document: base64.StdEncoding.EncodeToString(doc), Description: "Договор № 17"})
	wantStatus(t, resp, body, 202)
	op := decode[cabinetapi.OperationJSON](t, body)
	if op.State != "pending" || op.Description != "Договор № 17" || op.DocumentSize != uint64(len(doc)) || op.Signature != "" {
		t.Fatalf("new operation %+v", op)
	}
	opath := kpath + "/operations/" + op.ID
	code = env.code(t, phone)
	env.unchanged(t, "wrong signing code", func() {
		resp, body := env.call(t, cab, sess, "POST", opath+"/confirm", cabinetapi.CodeRequest{Code: wrongCode(code)})
		wantProblem(t, resp, body, 422, "code_wrong")
	})

	// Another phone sees neither the key nor the operation.
	sess2 := env.login(t, cab, phone2)
	env.unchanged(t, "another phone's key and operation", func() {
		resp, body := env.call(t, cab, sess2, "GET", kpath, nil)
		wantProblem(t, resp, body, 404, "cloud_key_not_found")
		resp, body = env.call(t, cab, sess2, "POST", kpath+"/operations", cabinetapi.OperationRequest{Document: "AA==", Description: "x"})
		wantProblem(t, resp, body, 404, "cloud_key_not_found")
		resp, body = env.call(t, cab, sess2, "POST", opath+"/confirm", cabinetapi.CodeRequest{Code: code})
		wantProblem(t, resp, body, 404, "cloud_key_not_found")
		resp, body = env.call(t, cab, sess2, "GET", opath, nil)
		wantProblem(t, resp, body, 404, "cloud_key_not_found")
	})

	resp, body = env.call(t, cab, sess, "POST", opath+"/confirm", cabinetapi.CodeRequest{Code: code})
	wantStatus(t, resp, body, 200)
	signed := decode[cabinetapi.OperationJSON](t, body)
	sig, err := base64.StdEncoding.DecodeString(signed.Signature)
	if signed.State != "signed" || err != nil || len(sig) != 64 {
		t.Fatalf("signed operation %+v", signed)
	}
	o.write("doc.txt", doc)
	o.write("doc.sig", sig)
	o.run("dgst", "-engine", "gost", "-md_gost12_256", "-verify", "cert.pub", "-signature", "doc.sig", "doc.txt")
	o.write("other.txt", append([]byte("X"), doc...))
	if out, err := o.try("dgst", "-engine", "gost", "-md_gost12_256", "-verify", "cert.pub", "-signature", "doc.sig", "other.txt"); err == nil {
		t.Fatalf("OpenSSL accepted the signature over another document: %s", out)
	}
	env.unchanged(t, "second confirmation", func() {
		resp, body := env.call(t, cab, sess, "POST", opath+"/confirm", cabinetapi.CodeRequest{Code: code})
		wantProblem(t, resp, body, 409, "operation_not_pending")
	})
	resp, body = env.call(t, cab, sess, "GET", opath, nil)
	wantStatus(t, resp, body, 200)
	if got := decode[cabinetapi.OperationJSON](t, body); got.State != "signed" || got.Signature != signed.Signature {
		t.Fatalf("operation read back %+v", got)
	}

	// An expired operation signs nothing, even with its right code.
	env.clk.add(2 * time.Minute)
	resp, body = env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{
		Digest: base64.StdEncoding.EncodeToString(make([]byte, 32)), Description: "просрочится"})
	wantStatus(t, resp, body, 202)
	expiring := decode[cabinetapi.OperationJSON](t, body)
	code = env.code(t, phone)
	env.clk.add(5*time.Minute + time.Second)
	env.unchanged(t, "expired operation", func() {
		resp, body := env.call(t, cab, sess, "POST", kpath+"/operations/"+expiring.ID+"/confirm", cabinetapi.CodeRequest{Code: code})
		wantProblem(t, resp, body, 409, "operation_not_pending")
	})
	resp, body = env.call(t, cab, sess, "GET", kpath+"/operations/"+expiring.ID, nil)
	wantStatus(t, resp, body, 200)
	if got := decode[cabinetapi.OperationJSON](t, body); got.State != "expired" || got.Signature != "" {
		t.Fatalf("expired operation %+v", got)
	}

	// A refused operation signs nothing.
	resp, body = env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{
		Document: base64.StdEncoding.EncodeToString([]byte("не подписывать")), Description: "отказ"})
	wantStatus(t, resp, body, 202)
	refused := decode[cabinetapi.OperationJSON](t, body)
	code = env.code(t, phone)
	resp, body = env.call(t, cab, sess, "POST", kpath+"/operations/"+refused.ID+"/refuse", nil)
	wantStatus(t, resp, body, 200)
	env.unchanged(t, "refused operation", func() {
		resp, body := env.call(t, cab, sess, "POST", kpath+"/operations/"+refused.ID+"/confirm", cabinetapi.CodeRequest{Code: code})
		wantProblem(t, resp, body, 409, "operation_not_pending")
	})

	// A digest computed by OpenSSL, confirmed four times at once: one
	// signature, of the digest as given, which OpenSSL verifies over the
	// file.
	env.clk.add(2 * time.Minute)
	o.write("big.bin", []byte(strings.Repeat("строка большого документа\n", 100000)))
	o.run("dgst", "-engine", "gost", "-md_gost12_256", "-binary", "-out", "big.dgst", "big.bin")
	digest := o.read("big.dgst")
	resp, body = env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{
		Digest: base64.StdEncoding.EncodeToString(digest), Description: "большой документ"})
	wantStatus(t, resp, body, 202)
	byDigest := decode[cabinetapi.OperationJSON](t, body)
	code = env.code(t, phone)
	var wg sync.WaitGroup
	answers := make([][]byte, 4)
	statuses := make([]int, 4)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, body := env.call(t, cab, sess, "POST", kpath+"/operations/"+byDigest.ID+"/confirm", cabinetapi.CodeRequest{Code: code})
			statuses[i], answers[i] = resp.StatusCode, body
		}()
	}
	wg.Wait()
	var one []byte
	for i, st := range statuses {
		if st == 200 {
			if one != nil {
				t.Fatalf("two confirmations signed: %v", statuses)
			}
			one = answers[i]
		}
	}
	if one == nil {
		t.Fatalf("no confirmation signed: %v", statuses)
	}
	sig, _ = base64.StdEncoding.DecodeString(decode[cabinetapi.OperationJSON](t, one).Signature)
	o.write("big.sig", sig)
	o.run("dgst", "-engine", "gost", "-md_gost12_256", "-verify", "cert.pub", "-signature", "big.sig", "big.bin")
	signs := 0
	for _, e := range env.auditAll(t) {
		if e.Action == "cabinet.sign" && e.Subject == "operation:"+byDigest.ID {
			signs++
		}
	}
	if signs != 1 {
		t.Fatalf("%d cabinet.sign audit entries for one operation", signs)
	}

	// Bad input changes nothing.
	env.unchanged(t, "bad operations", func() {
		resp, body := env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{Digest: "AAAA", Description: "short"})
		wantProblem(t, resp, body, 422, "invalid_sign_request")
		resp, body = env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{Document: "AA==", Description: ""})
		wantProblem(t, resp, body, 422, "invalid_sign_request")
		resp, body = env.call(t, cab, sess, "POST", kpath+"/operations/"+strings.Repeat("0", 32)+"/confirm", cabinetapi.CodeRequest{Code: "123456"})
		wantProblem(t, resp, body, 404, "operation_not_found")
	})

	// The signature is audited with the operation, key and digest.
	var found bool
	for _, e := range env.auditAll(t) {
		if e.Action == "cabinet.sign" && e.Subject == "operation:"+op.ID && strings.Contains(e.Details, "key "+a.ID) {
			found = true
		}
	}
	if !found {
		t.Fatal("no cabinet.sign audit entry for the operation")
	}
	// No response carries a private key.
	env.mu.Lock()
	defer env.mu.Unlock()
	for _, b := range env.seen {
		if strings.Contains(string(b), "PRIVATE") || strings.Contains(string(b), "sealed") {
			t.Fatalf("a response carries key material: %.200s", b)
		}
	}
}
