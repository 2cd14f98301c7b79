package api_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/store"
)

// TestCabinetCloudExpired: a cloud key whose certificate has expired
// (still valid in the store: expiry is no revocation) signs nothing.
// The CA's clock is moved, not waited on: two minutes before the
// certificate's notAfter an attached document's operation is accepted
// and its code sent; a second past notAfter its confirmation is 409
// cloud_key_not_certified saying the certificate has expired and what
// to do, and the only write is the documented use of the code (no
// signature, no CMS, no cabinet.sign entry; the operation stays pending
// with its document until it expires); a new operation is refused the
// same way before anything is written: no audit entry, no operation, no
// code sent by SMS.
func TestCabinetCloudExpired(t *testing.T) {
	env := startCabinet(t, func(c *config.Config) { cloudProfile(c); c.Cabinet.PerPhone = 20 })
	cab := env.tokens[auth.RoleCabinet]
	const phone = "+79161234567"
	_, kpath, cert := env.cloudIssued(t, nil, phone)
	ctx := context.Background()
	doc := []byte("Акт № 7 от 3 декабря 2026 г.\n")
	create := func(sess, desc string) (*http.Response, []byte) {
		return env.call(t, cab, sess, "POST", kpath+"/operations", cabinetapi.OperationRequest{
			Document: base64.StdEncoding.EncodeToString(doc), Description: desc, Attached: true})
	}

	// Two minutes before notAfter the key still signs: an operation is
	// made and its code sent (a new session: the first one has lapsed).
	env.clk.add(cert.NotAfter.Sub(env.clk.now()) - 2*time.Minute)
	sess := env.login(t, cab, phone)
	resp, body := create(sess, "до истечения")
	wantStatus(t, resp, body, 202)
	before := decode[cabinetapi.OperationJSON](t, body)
	code := env.code(t, phone)

	// A second past notAfter.
	env.clk.add(2*time.Minute + time.Second)
	if now := env.clk.now(); !now.After(cert.NotAfter) || now.After(cert.NotAfter.Add(2*time.Second)) {
		t.Fatalf("clock %v, notAfter %v", now, cert.NotAfter)
	}
	app, err := env.e.Store().Application(ctx, strings.TrimPrefix(kpath, "/api/v1/cabinet/keys/"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := env.e.Store().Certificate(ctx, app.Serial)
	if err != nil || rec.Status.State != store.Valid || !rec.NotAfter.Equal(cert.NotAfter) {
		t.Fatalf("the certificate's record: %+v, %v (the test is about expiry, not revocation)", rec, err)
	}
	head := env.auditHead(t)
	resp, body = env.call(t, cab, sess, "POST", kpath+"/operations/"+before.ID+"/confirm", cabinetapi.CodeRequest{Code: code})
	if p := wantProblem(t, resp, body, 409, "cloud_key_not_certified"); !strings.Contains(p.Detail, "expired") ||
		!strings.Contains(p.Detail, "apply for a new certificate") {
		t.Fatalf("detail %q says neither that the certificate expired nor what to do", p.Detail)
	}
	if wrote := env.auditSince(t, head); len(wrote) != 1 || wrote[0].Action != "cabinet.confirm_sign" {
		t.Fatalf("the refused confirmation wrote %+v, want only the code's use (cabinet.confirm_sign)", wrote)
	}
	raw, _ := hex.DecodeString(before.ID)
	op, err := env.e.Store().CloudOperation(ctx, [store.CloudOpIDLen]byte(raw))
	if err != nil || op.State != store.CloudOpPending || len(op.Signature) != 0 || len(op.CMS) != 0 || string(op.Document) != string(doc) {
		t.Fatalf("operation after the refusal: state %d, %d-byte signature, %d-byte CMS, %d-byte document, %v",
			op.State, len(op.Signature), len(op.CMS), len(op.Document), err)
	}
	resp, body = env.call(t, cab, sess, "GET", kpath+"/operations/"+before.ID, nil)
	wantStatus(t, resp, body, 200)
	if got := decode[cabinetapi.OperationJSON](t, body); got.State != "pending" || got.Signature != "" || got.CMS != "" {
		t.Fatalf("operation read after the refusal: %+v", got)
	}
	resp, body = env.call(t, cab, sess, "GET", kpath+"/operations/"+before.ID+"/signature.p7s", nil)
	wantProblem(t, resp, body, 409, "signature_not_available")

	// A new operation: refused before anything is written or sent.
	env.drainSMS(t)
	sms := env.smsSeq(t, phone)
	env.unchanged(t, "operation with an expired certificate", func() {
		resp, body := create(sess, "после истечения")
		if p := wantProblem(t, resp, body, 409, "cloud_key_not_certified"); !strings.Contains(p.Detail, "expired") {
			t.Fatalf("detail %q", p.Detail)
		}
	})
	env.drainSMS(t)
	if n := env.smsSeq(t, phone); n != sms {
		t.Fatalf("an SMS (seq %d) after the refusal, the newest before was %d", n, sms)
	}
}

// auditSince lists the audit entries after seq but the hook
// deliveries' (actor "hook:…": see unchanged).
func (env *cabinetEnv) auditSince(t *testing.T, seq uint64) []store.AuditEntry {
	t.Helper()
	var out []store.AuditEntry
	for cursor := ""; ; {
		page, next, err := env.e.Store().AuditEntries(context.Background(), cursor, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			if e.Seq > seq && !strings.HasPrefix(e.Actor, "hook:") {
				out = append(out, e)
			}
		}
		if next == "" {
			return out
		}
		cursor = next
	}
}

// smsSeq is the sequence number of the newest SMS the gateway received
// for phone (0: none).
func (env *cabinetEnv) smsSeq(t *testing.T, phone string) uint64 {
	t.Helper()
	var last uint64
	for _, m := range env.sms(t, phone) {
		last = max(last, m.Seq)
	}
	return last
}
