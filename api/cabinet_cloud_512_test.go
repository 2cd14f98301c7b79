package api_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/pkix/cms"
	"github.com/gostca/gostca/store"
)

// cloud512Profile adds, besides natural-person-cloud (tc26-256-A, the
// default), "natural-person-cloud-512" whose cloud keys are tc26-512-A
// ([cloud] type_curves).
func cloud512Profile(c *config.Config) {
	cloudProfile(c)
	p := c.RA.Profiles["natural-person-cloud"]
	p.Name, p.Title = "natural-person-cloud-512", "natural person, cloud key, 512 bits"
	c.RA.Profiles[p.Name] = p
	c.Cloud.TypeCurves = map[string]string{p.Name: "tc26-512-A"}
}

// TestCabinetCloud512: a certificate type whose profile chooses
// tc26-512-A gets a 512-bit cloud key over HTTP. Before its certificate
// is issued the key signs nothing (409 cloud_key_not_certified, nothing
// written). The certificate is issued (OpenSSL verifies it against the
// chain and reads a GOST 2012 512-bit key, the cloud key's); a 32-byte
// digest is refused for the 512-bit key; a document is signed: the raw
// 128-byte signature verifies with OpenSSL's md_gost12_512 and the
// CAdES-BES signature with pkix/cms and with `openssl cms -verify`,
// Streebog-512 throughout. After the certificate is revoked, a new
// operation is refused, and so is the confirmation of one made before
// (it stays pending, unsigned). A 256-bit type of the same CA still
// gets tc26-256-A.
func TestCabinetCloud512(t *testing.T) {
	env := startCabinet(t, cloud512Profile)
	o := newOSSL(t)
	cab := env.tokens[auth.RoleCabinet]
	const phone = "+79161234567"
	a := env.readyTypedApplication(t, "natural-person-cloud-512", phone)
	apath := "/api/v1/cabinet/applications/" + a.ID
	kpath := "/api/v1/cabinet/keys/" + a.ID
	sess := env.login(t, cab, phone)
	env.consent(t, cab, sess, apath)
	resp, body := env.call(t, cab, sess, "POST", apath+"/cloud-key", nil)
	wantStatus(t, resp, body, 202)
	made := decode[cabinetapi.CloudKeyChallenge](t, body)
	if made.Key.Curve != "tc26-512-A" {
		t.Fatalf("cloud key %+v", made.Key)
	}

	// No certificate yet: no operation, no code sent.
	doc := []byte("Доверенность № 42 от 3 декабря 2026 г.\n")
	env.unchanged(t, "operation before the certificate", func() {
		resp, body := env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{
			Document: base64.StdEncoding.EncodeToString(doc), Description: "Доверенность № 42"})
		p := wantProblem(t, resp, body, 409, "cloud_key_not_certified")
		if !strings.Contains(p.Detail, "cloud-confirm") {
			t.Fatalf("detail %q says not what to do", p.Detail)
		}
	})

	resp, body = env.call(t, cab, sess, "POST", apath+"/cloud-confirm", cabinetapi.CodeRequest{Challenge: made.Challenge.Challenge, Code: env.code(t, phone)})
	wantStatus(t, resp, body, 201)
	issued := decode[raapi.Application](t, body)
	if issued.State != "issued" {
		t.Fatalf("application %+v", issued)
	}
	resp, leaf := env.call(t, cab, sess, "GET", apath+"/certificate", nil)
	wantStatus(t, resp, leaf, 200)
	cert, err := pkix.ParseCertificate(leaf)
	if err != nil {
		t.Fatal(err)
	}
	resp, chain := env.call(t, cab, sess, "GET", apath+"/chain", nil)
	wantStatus(t, resp, chain, 200)
	_, root := env.do(t, "GET", "/ca/root.crt", "", "", nil)
	o.write("root.der", root)
	o.run("x509", "-inform", "DER", "-in", "root.der", "-out", "root.pem")
	o.write("trust.pem", append(o.read("root.pem"), chain...))
	o.write("leaf.pem", leaf) // PEM, as the cabinet serves it
	if out := o.run("verify", "-CAfile", "trust.pem", "leaf.pem"); !strings.Contains(out, "leaf.pem: OK") {
		t.Fatalf("openssl verify: %s", out)
	}
	if text := o.run("x509", "-in", "leaf.pem", "-noout", "-text"); !strings.Contains(text, "GOST R 34.10-2012 with 512 bit modulus") {
		t.Fatalf("the certificate's key is not a 512-bit GOST key:\n%s", text)
	}
	certKey := o.run("x509", "-in", "leaf.pem", "-noout", "-pubkey")
	o.write("cloud.pub", []byte(made.Key.PublicKey))
	if k := o.run("pkey", "-pubin", "-in", "cloud.pub"); k != certKey {
		t.Fatalf("certificate key %s is not the cloud key %s", certKey, k)
	}
	o.write("cert.pub", []byte(certKey))

	env.unchanged(t, "256-bit digest for a 512-bit key", func() {
		resp, body := env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{
			Digest: base64.StdEncoding.EncodeToString(make([]byte, 32)), Description: "хэш"})
		wantProblem(t, resp, body, 422, "invalid_sign_request")
	})

	env.clk.add(time.Minute)
	resp, body = env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{
		Document: base64.StdEncoding.EncodeToString(doc), Description: "Доверенность № 42"})
	wantStatus(t, resp, body, 202)
	op := decode[cabinetapi.OperationJSON](t, body)
	if d, _ := base64.StdEncoding.DecodeString(op.Digest); len(d) != 64 {
		t.Fatalf("operation digest of %d bytes, want Streebog-512", len(d))
	}
	resp, body = env.call(t, cab, sess, "POST", kpath+"/operations/"+op.ID+"/confirm", cabinetapi.CodeRequest{Code: env.code(t, phone)})
	wantStatus(t, resp, body, 200)
	signed := decode[cabinetapi.OperationJSON](t, body)
	raw, _ := base64.StdEncoding.DecodeString(signed.Signature)
	p7, _ := base64.StdEncoding.DecodeString(signed.CMS)
	if signed.State != "signed" || len(raw) != 128 || len(p7) == 0 {
		t.Fatalf("signed operation %+v", signed)
	}
	o.write("doc.bin", doc)
	o.write("doc.sig", raw)
	o.run("dgst", "-engine", "gost", "-md_gost12_512", "-verify", "cert.pub", "-signature", "doc.sig", "doc.bin")
	sig, err := cms.Verify(p7, cms.VerifyOptions{Content: doc})
	if err != nil || string(sig.Signer.Raw) != string(cert.Raw) || !sig.Detached {
		t.Fatalf("pkix/cms: %+v, %v", sig, err)
	}
	o.write("op.p7s", p7)
	o.run("cms", "-verify", "-binary", "-inform", "DER", "-in", "op.p7s", "-content", "doc.bin", "-CAfile", "trust.pem", "-out", "/dev/null")
	if out := o.run("cms", "-cmsout", "-print", "-inform", "DER", "-in", "op.p7s"); !strings.Contains(out, "1.2.643.7.1.1.2.3") && !strings.Contains(out, "streebog512") && !strings.Contains(strings.ToLower(out), "34.11-2012 with 512") {
		t.Fatalf("the CMS names no Streebog-512 digest:\n%s", out)
	}
	o.write("other.bin", append([]byte("X"), doc...))
	if out, err := o.try("cms", "-verify", "-binary", "-inform", "DER", "-in", "op.p7s", "-content", "other.bin", "-CAfile", "trust.pem", "-out", "/dev/null"); err == nil {
		t.Fatalf("OpenSSL verified the signature over another document: %s", out)
	}

	// Revoked: neither a new operation nor one made before signs.
	env.clk.add(time.Minute)
	resp, body = env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{
		Document: base64.StdEncoding.EncodeToString(doc), Description: "после отзыва"})
	wantStatus(t, resp, body, 202)
	before := decode[cabinetapi.OperationJSON](t, body)
	code := env.code(t, phone)
	resp, body = env.json(t, "POST", "/api/v1/certificates/"+issued.Serial+"/revoke", auth.RoleCAOperator, api.StatusRequest{Reason: "keyCompromise"})
	wantStatus(t, resp, body, 200)
	env.unchanged(t, "operation with a revoked certificate", func() {
		resp, body := env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{
			Document: base64.StdEncoding.EncodeToString(doc), Description: "после отзыва"})
		wantProblem(t, resp, body, 409, "cloud_key_not_certified")
	})
	resp, body = env.call(t, cab, sess, "POST", kpath+"/operations/"+before.ID+"/confirm", cabinetapi.CodeRequest{Code: code})
	if p := wantProblem(t, resp, body, 409, "cloud_key_not_certified"); !strings.Contains(p.Detail, "revoked") {
		t.Fatalf("detail %q", p.Detail)
	}
	resp, body = env.call(t, cab, sess, "GET", kpath+"/operations/"+before.ID, nil)
	wantStatus(t, resp, body, 200)
	if got := decode[cabinetapi.OperationJSON](t, body); got.State != "pending" || got.Signature != "" || got.CMS != "" {
		t.Fatalf("operation confirmed after revocation: %+v", got)
	}

	// The default type keeps tc26-256-A.
	sess2, k256, _ := env.cloudIssued(t, nil, "+79031112233")
	resp, body = env.call(t, cab, sess2, "GET", k256, nil)
	wantStatus(t, resp, body, 200)
	if k := decode[cabinetapi.CloudKeyJSON](t, body); k.Curve != "tc26-256-A" {
		t.Fatalf("default type's key %+v", k)
	}
}

// TestCabinetCloudPurge: an attached operation never confirmed keeps
// its document only until the purge: with the CA's clock past its
// expiry and one purge interval, the cloud purge (the job's one run)
// marks it expired and deletes the document, with one audit entry
// naming the count; the operation still answers, expired, with its
// description and digest; a pending one not yet expired is untouched;
// a second run writes nothing.
func TestCabinetCloudPurge(t *testing.T) {
	env := startCabinet(t, cloudProfile)
	cab := env.tokens[auth.RoleCabinet]
	const phone = "+79161234567"
	sess, kpath, _ := env.cloudIssued(t, nil, phone)
	doc := []byte("Счёт № 9")
	create := func(desc string) cabinetapi.OperationJSON {
		env.clk.add(5 * time.Second)
		resp, body := env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{
			Document: base64.StdEncoding.EncodeToString(doc), Description: desc, Attached: true})
		wantStatus(t, resp, body, 202)
		env.code(t, phone)
		return decode[cabinetapi.OperationJSON](t, body)
	}
	stale := create("не подтверждён")
	env.clk.add(5*time.Minute + cabinet.PurgeInterval)
	fresh := create("ещё ждёт")
	ctx := context.Background()
	n, docs, err := env.e.Cloud().PurgeOnce(ctx)
	if err != nil || n != 1 || docs != 1 {
		t.Fatalf("purge: %d expired, %d documents, %v", n, docs, err)
	}
	for _, c := range []struct {
		op    cabinetapi.OperationJSON
		state string
		doc   bool
	}{{stale, "expired", false}, {fresh, "pending", true}} {
		resp, body := env.call(t, cab, sess, "GET", kpath+"/operations/"+c.op.ID, nil)
		wantStatus(t, resp, body, 200)
		got := decode[cabinetapi.OperationJSON](t, body)
		if got.State != c.state || got.Description != c.op.Description || got.Digest != c.op.Digest {
			t.Fatalf("operation %s after the purge: %+v", c.op.Description, got)
		}
		raw, _ := hex.DecodeString(c.op.ID)
		rec, err := env.e.Store().CloudOperation(ctx, [store.CloudOpIDLen]byte(raw))
		if err != nil || (len(rec.Document) > 0) != c.doc {
			t.Fatalf("stored operation %s: document %d bytes, %v", c.op.Description, len(rec.Document), err)
		}
		if c.state == "expired" && (got.DoneAt == nil || !got.DoneAt.Equal(got.ExpiresAt)) {
			t.Fatalf("expired operation's done_at %v, expires_at %v", got.DoneAt, got.ExpiresAt)
		}
	}
	var found int
	for _, e := range env.auditAll(t) {
		if e.Action == "cabinet.purge_cloud_operations" && e.Actor == "system/cabinet" && strings.HasPrefix(e.Details, "1 signing operations expired") {
			found++
		}
	}
	if found != 1 {
		t.Fatalf("%d purge audit entries", found)
	}
	env.unchanged(t, "second purge", func() {
		if n, _, err := env.e.Cloud().PurgeOnce(ctx); n != 0 || err != nil {
			t.Fatalf("second purge: %d %v", n, err)
		}
	})
}
