package api_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
)

// storeState is what a rejected request must leave unchanged. (Pre-signed
// OCSP responses are left out: the background job writes them at any time.)
type storeState struct {
	auditSeq                     uint64
	certs, pending, failed, outb int
}

func snapshot(t *testing.T, ts *testServer) storeState {
	t.Helper()
	ctx := context.Background()
	seq, _, err := ts.e.Store().AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ts.e.Store().Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("store check: %v", rep.Problems)
	}
	return storeState{seq, rep.Certificates, rep.PendingIntents, rep.FailedIntents, rep.OutboxRows}
}

// TestBadInput sends malformed and refused requests: each gets its
// documented problem code and leaves the store as it was (no
// certificate, intent or audit entry written).
func TestBadInput(t *testing.T) {
	ts := startServer(t, nil)
	person := pkix.ProfileQualifiedPerson.Name
	valid := issueDirect(t, ts)
	revoked := issueDirect(t, ts)
	if _, err := ts.e.SetStatus(context.Background(), &auth.Principal{TokenID: "fixture", Role: auth.RoleCAAdmin},
		catest.Serial(t, revoked), ca.StatusRequest{Action: ca.Revoke, Reason: "superseded"}); err != nil {
		t.Fatal(err)
	}
	certified := goCSR(t)
	resp, body := ts.json(t, "POST", "/api/v1/certificates", auth.RoleCabinet, issueBody(person, []byte(base64.StdEncoding.EncodeToString(certified))))
	wantStatus(t, resp, body, 201)

	withSubject := func(f func(*api.SubjectJSON)) []byte {
		b := issueBody(person, []byte(base64.StdEncoding.EncodeToString(goCSR(t))))
		f(&b.Subject)
		return mustJSON(t, b)
	}
	withBody := func(f func(*api.IssueRequest)) []byte {
		b := issueBody(person, []byte(base64.StdEncoding.EncodeToString(goCSR(t))))
		f(&b)
		return mustJSON(t, b)
	}
	cases := []struct {
		name        string
		method      string
		path        string
		role        auth.Role
		contentType string
		body        []byte
		status      int
		code        string
		field       string
	}{
		{"invalid JSON", "POST", "/api/v1/certificates", auth.RoleCabinet, "application/json", []byte(`{"csr": "x",`), 400, "invalid_json", ""},
		{"JSON not an object", "POST", "/api/v1/certificates", auth.RoleCabinet, "application/json", []byte(`[1,2]`), 400, "invalid_json", ""},
		{"trailing data", "POST", "/api/v1/certificates", auth.RoleCabinet, "application/json", append(withBody(func(*api.IssueRequest) {}), []byte(` {}`)...), 400, "invalid_json", ""},
		{"unknown field", "POST", "/api/v1/certificates", auth.RoleCabinet, "application/json", []byte(`{"csr":"","profile":"qualified-person","subjekt":{}}`), 400, "invalid_json", ""},
		{"wrong content type", "POST", "/api/v1/certificates", auth.RoleCabinet, "text/plain", withBody(func(*api.IssueRequest) {}), 415, "unsupported_media_type", ""},
		{"no content type", "POST", "/api/v1/certificates", auth.RoleCabinet, "", withBody(func(*api.IssueRequest) {}), 415, "unsupported_media_type", ""},
		{"CSR garbage", "POST", "/api/v1/certificates", auth.RoleCabinet, "application/json", withBody(func(b *api.IssueRequest) { b.CSR = "not a CSR at all!" }), 422, "csr.encoding.malformed", "csr"},
		{"CSR base64 garbage", "POST", "/api/v1/certificates", auth.RoleCabinet, "application/json", withBody(func(b *api.IssueRequest) { b.CSR = base64.StdEncoding.EncodeToString([]byte("0123456789")) }), 422, "csr.encoding.malformed", "csr"},
		{"CSR missing", "POST", "/api/v1/certificates", auth.RoleCabinet, "application/json", withBody(func(b *api.IssueRequest) { b.CSR = "" }), 400, "invalid_request", "csr"},
		{"CSR key already certified", "POST", "/api/v1/certificates", auth.RoleCabinet, "application/json", withBody(func(b *api.IssueRequest) { b.CSR = base64.StdEncoding.EncodeToString(certified) }), 409, "key_reused", ""},
		{"SNILS checksum", "POST", "/api/v1/certificates", auth.RoleCabinet, "application/json", withSubject(func(s *api.SubjectJSON) { s.SNILS = "11223344596" }), 422, "subject_invalid", "subject.SNILS"},
		{"INN checksum", "POST", "/api/v1/certificates", auth.RoleCabinet, "application/json", withSubject(func(s *api.SubjectJSON) { s.INN = "500100123427" }), 422, "subject_invalid", "subject.INN"},
		{"OGRN checksum", "POST", "/api/v1/certificates", auth.RoleCabinet, "application/json", withSubject(func(s *api.SubjectJSON) { s.OGRN = "1027700132196" }), 422, "subject_invalid", "subject.OGRN"},
		{"missing required attribute", "POST", "/api/v1/certificates", auth.RoleCabinet, "application/json", withSubject(func(s *api.SubjectJSON) { s.SNILS = "" }), 422, "profile_violation", "subject.snils"},
		{"unknown profile", "POST", "/api/v1/certificates", auth.RoleCabinet, "application/json", withBody(func(b *api.IssueRequest) { b.Profile = "root-ca" }), 422, "unknown_profile", "profile"},
		{"unknown issuer", "POST", "/api/v1/certificates", auth.RoleCabinet, "application/json", withBody(func(b *api.IssueRequest) { b.Issuer = "nope" }), 422, "unknown_issuer", "issuer"},
		{"no sign tool", "POST", "/api/v1/certificates", auth.RoleCabinet, "application/json", withBody(func(b *api.IssueRequest) { b.SubjectSignTool = "" }), 400, "invalid_request", "subject_sign_tool"},
		{"revoking twice", "POST", "/api/v1/certificates/" + revoked + "/revoke", auth.RoleCAOperator, "application/json", []byte(`{"reason":"keyCompromise"}`), 409, "invalid_transition", ""},
		{"resuming a valid certificate", "POST", "/api/v1/certificates/" + valid + "/resume", auth.RoleCAOperator, "", nil, 409, "invalid_transition", ""},
		{"unknown reason", "POST", "/api/v1/certificates/" + valid + "/revoke", auth.RoleCAOperator, "application/json", []byte(`{"reason":"certificateHold"}`), 400, "invalid_reason", "reason"},
		{"future invalidity date", "POST", "/api/v1/certificates/" + valid + "/revoke", auth.RoleCAOperator, "application/json", []byte(`{"reason":"keyCompromise","invalidity_date":"2999-01-01T00:00:00Z"}`), 400, "invalid_request", "invalidity_date"},
		{"unknown serial: revoke", "POST", "/api/v1/certificates/1234abcd/revoke", auth.RoleCAOperator, "application/json", []byte(`{"reason":"keyCompromise"}`), 404, "certificate_not_found", ""},
		{"unknown serial: get", "GET", "/api/v1/certificates/1234abcd", auth.RoleAuditor, "", nil, 404, "certificate_not_found", ""},
		{"bad serial", "GET", "/api/v1/certificates/xyz", auth.RoleAuditor, "", nil, 400, "invalid_serial", ""},
		{"zero serial", "POST", "/api/v1/certificates/00/suspend", auth.RoleCAOperator, "", nil, 400, "invalid_serial", ""},
		{"bad format", "GET", "/api/v1/certificates/" + valid + "?format=txt", auth.RoleAuditor, "", nil, 406, "not_acceptable", "format"},
		{"cabinet listing without identifier", "GET", "/api/v1/certificates?status=valid", auth.RoleCabinet, "", nil, 403, "forbidden", ""},
		{"search with bad SNILS", "GET", "/api/v1/certificates?snils=12", auth.RoleAuditor, "", nil, 400, "invalid_request", ""},
		{"search with unknown parameter", "GET", "/api/v1/certificates?name=x", auth.RoleAuditor, "", nil, 400, "invalid_query", "name"},
		{"unknown endpoint", "GET", "/api/v1/nothing", auth.RoleCAAdmin, "", nil, 404, "not_found", ""},
		{"wrong method", "PUT", "/api/v1/certificates", auth.RoleCAAdmin, "", nil, 405, "method_not_allowed", ""},
		{"unknown CRL", "GET", "/crl/nope.crl", "", "", nil, 404, "issuer_not_found", ""},
		{"unknown CA", "GET", "/ca/nope.crt", "", "", nil, 404, "issuer_not_found", ""},
		{"token with bad role", "POST", "/api/v1/tokens", auth.RoleCAAdmin, "application/json", []byte(`{"role":"root"}`), 400, "invalid_token_request", ""},
		{"service centre token without scope", "POST", "/api/v1/tokens", auth.RoleCAAdmin, "application/json", []byte(`{"role":"service_centre"}`), 400, "invalid_token_request", ""},
		{"revoke unknown token", "DELETE", "/api/v1/tokens/0123456789abcdef", auth.RoleCAAdmin, "", nil, 404, "token_not_found", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := snapshot(t, ts)
			tok := ""
			if c.role != "" {
				tok = ts.tokens[c.role]
			}
			resp, out := ts.do(t, c.method, c.path, tok, c.contentType, c.body)
			p := wantProblem(t, resp, out, c.status, c.code)
			if p.Field != c.field {
				t.Errorf("field %q, want %q", p.Field, c.field)
			}
			if after := snapshot(t, ts); after != before {
				t.Fatalf("store changed: %+v → %+v", before, after)
			}
		})
	}

	t.Run("oversized body", func(t *testing.T) {
		before := snapshot(t, ts)
		status, out := rawPost(t, ts.addr, "/api/v1/certificates", ts.tokens[auth.RoleCabinet], 2<<20)
		if status != 413 || !strings.Contains(out, `"code":"body_too_large"`) || !strings.Contains(out, "application/problem+json") {
			t.Fatalf("oversized body: %d\n%s", status, out)
		}
		if after := snapshot(t, ts); after != before {
			t.Fatalf("store changed: %+v → %+v", before, after)
		}
	})

	t.Run("malformed OCSP", func(t *testing.T) {
		before := snapshot(t, ts)
		for _, req := range []struct{ method, path string }{{"POST", "/ocsp"}, {"GET", "/ocsp/bm90IGFuIE9DU1AgcmVxdWVzdA=="}, {"GET", "/ocsp/!!!!"}} {
			var body []byte
			if req.method == "POST" {
				body = []byte("garbage")
			}
			resp, out := ts.do(t, req.method, req.path, "", "application/ocsp-request", body)
			wantStatus(t, resp, out, 200)
			r, err := pkix.ParseOCSPResponse(out)
			if err != nil || r.Status != pkix.OCSPMalformedRequest {
				t.Fatalf("%s %s: %v %+v", req.method, req.path, err, r)
			}
			if resp.Header.Get("Content-Type") != "application/ocsp-response" {
				t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
			}
		}
		if after := snapshot(t, ts); after != before {
			t.Fatalf("store changed: %+v → %+v", before, after)
		}
	})

	t.Run("idempotency", func(t *testing.T) {
		body := mustJSON(t, issueBody(person, []byte(base64.StdEncoding.EncodeToString(goCSR(t)))))
		r1, b1 := ts.do(t, "POST", "/api/v1/certificates", ts.tokens[auth.RoleCabinet], "application/json", body, "Idempotency-Key", "order-42")
		wantStatus(t, r1, b1, 201)
		before := snapshot(t, ts)
		r2, b2 := ts.do(t, "POST", "/api/v1/certificates", ts.tokens[auth.RoleCabinet], "application/json", body, "Idempotency-Key", "order-42")
		wantStatus(t, r2, b2, 200)
		if r2.Header.Get("Idempotent-Replayed") != "true" || decode[api.Certificate](t, b1).Serial != decode[api.Certificate](t, b2).Serial {
			t.Fatalf("replay: %s vs %s", b1, b2)
		}
		// Same key, another request: refused.
		other := mustJSON(t, issueBody(person, []byte(base64.StdEncoding.EncodeToString(goCSR(t)))))
		r3, b3 := ts.do(t, "POST", "/api/v1/certificates", ts.tokens[auth.RoleCabinet], "application/json", other, "Idempotency-Key", "order-42")
		wantProblem(t, r3, b3, 422, "idempotency_key_reused")
		if after := snapshot(t, ts); after != before {
			t.Fatalf("store changed: %+v → %+v", before, after)
		}
	})
}

// rawPost announces a body of size bytes, sends the headers and a little of
// it, and reads the answer: the server must refuse before reading it all.
func rawPost(t *testing.T, addr, path, token string, size int) (int, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"csr\":\"", path, addr, token, size)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type") + "\n" + string(b)
}
