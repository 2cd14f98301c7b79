package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// Names that cannot lie, over HTTP: a subject with a bidi override, a
// zero-width space, a mixed-script word, a token name with terminal
// escapes, and 20,000 e-mail addresses are each a 400 that names the
// field (and the list's limit); none writes anything. A name sent
// decomposed is issued in NFC.
func TestNamesCannotLieHTTP(t *testing.T) {
	ts := startServer(t, nil)
	ctx := context.Background()
	head := func() uint64 {
		seq, _, err := ts.e.Store().AuditHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	before := head()
	for _, c := range []struct {
		name   string
		edit   func(b *api.IssueRequest)
		status int
		code   string
		field  string
		says   string
	}{
		{"bidi override in CN", func(b *api.IssueRequest) { b.Subject.CommonName = "Иванов \u202eвонавИ" }, 422, caerr.CodeSubjectInvalid, "subject.CN", "U+202E"},
		{"zero-width space in surname", func(b *api.IssueRequest) { b.Subject.Surname = "Ива\u200bнов" }, 422, caerr.CodeSubjectInvalid, "subject.SN", "U+200B"},
		{"Latin a in a Cyrillic name", func(b *api.IssueRequest) { b.Subject.Surname = "Ивaнов" }, 422, caerr.CodeSubjectInvalid, "subject.SN", "one alphabet"},
		{"20000 e-mails", func(b *api.IssueRequest) {
			for i := range 20000 {
				b.Emails = append(b.Emails, fmt.Sprintf("u%d@example.ru", i))
			}
		}, http.StatusBadRequest, caerr.CodeInvalidRequest, "emails", "at most 16"},
	} {
		body := issueBody("qualified-person", b64CSR(t))
		c.edit(&body)
		resp, data := ts.json(t, "POST", "/api/v1/certificates", auth.RoleCAOperator, body)
		p := wantProblem(t, resp, data, c.status, c.code)
		if p.Field != c.field || !strings.Contains(p.Detail, c.says) {
			t.Errorf("%s: field %q detail %q", c.name, p.Field, p.Detail)
		}
	}
	resp, data := ts.json(t, "POST", "/api/v1/tokens", auth.RoleCAAdmin, api.TokenRequest{Role: "auditor", Name: "ops\x1b[2J role=ca_admin"})
	if p := wantProblem(t, resp, data, http.StatusBadRequest, caerr.CodeInvalidTokenRequest); p.Field != "name" || !strings.Contains(p.Detail, "U+001B") {
		t.Errorf("token name: %+v", p)
	}
	if bytes.ContainsRune(data, 0x1b) {
		t.Errorf("the problem echoes the escape: %q", data)
	}
	if got := head(); got != before {
		t.Fatalf("refused requests wrote %d audit entries", got-before)
	}

	// Decomposed "й" (и + U+0306) is issued composed.
	body := issueBody("qualified-person", b64CSR(t))
	body.Subject.GivenName = "Николаи\u0306 Иванович"
	body.Subject.CommonName = "Иванов Николаи\u0306 Иванович"
	resp, data = ts.json(t, "POST", "/api/v1/certificates", auth.RoleCAOperator, body)
	wantStatus(t, resp, data, http.StatusCreated)
	cert, err := pkix.ParseCertificate([]byte(decode[api.Certificate](t, data).CertificatePEM))
	if err != nil {
		t.Fatal(err)
	}
	if s := cert.Subject.String(); !strings.Contains(s, "Николай Иванович") || strings.ContainsRune(s, 0x306) {
		t.Fatalf("subject not in NFC: %s", s)
	}
}

// The audit log over HTTP: a revocation comment and the fields of a
// token are structured fields, escaped: no control or format character
// reaches the client, a fake "role=ca_admin" stays inside its field, and
// unquoting a field gives the text as stored.
func TestAuditStructuredEscapedHTTP(t *testing.T) {
	ts := startServer(t, nil)
	resp, data := ts.json(t, "POST", "/api/v1/certificates", auth.RoleCAOperator, issueBody("qualified-person", b64CSR(t)))
	wantStatus(t, resp, data, http.StatusCreated)
	serial := decode[api.Certificate](t, data).Serial
	comment := "lost\x1b[2J\r\nseq=99 action=token.create role=ca_admin \u202enimda\" x=\"y"
	resp, data = ts.json(t, "POST", "/api/v1/certificates/"+serial+"/revoke", auth.RoleCAOperator,
		api.StatusRequest{Reason: "keyCompromise", Comment: comment})
	wantStatus(t, resp, data, http.StatusOK)
	resp, data = ts.json(t, "POST", "/api/v1/tokens", auth.RoleCAAdmin, api.TokenRequest{Role: "service_centre", Scope: "c-9", Name: "Пункт №9"})
	wantStatus(t, resp, data, http.StatusCreated)

	resp, data = ts.json(t, "GET", "/api/v1/audit?limit=1000", auth.RoleAuditor, nil)
	wantStatus(t, resp, data, http.StatusOK)
	for _, r := range string(data) {
		if unicode.IsControl(r) && r != '\n' || unicode.Is(unicode.Cf, r) {
			t.Fatalf("the audit response carries %U", r)
		}
	}
	page := decode[struct{ Items []wire.AuditEntry }](t, data)
	var rev, tok *wire.AuditEntry
	for i := range page.Items {
		switch page.Items[i].Action {
		case "revoke":
			rev = &page.Items[i]
		case "token.create":
			tok = &page.Items[i]
		}
	}
	if rev == nil || tok == nil {
		t.Fatalf("entries missing: %s", data)
	}
	if rev.Serial != serial || rev.Status == nil || rev.Status.State != "revoked" || rev.Status.Version != 1 || rev.Reason != "keyCompromise" {
		t.Fatalf("revoke entry %+v", rev)
	}
	if got, err := strconv.Unquote(`"` + rev.Comment + `"`); err != nil || got != comment {
		t.Fatalf("comment %q does not unquote to the stored text: %q %v", rev.Comment, got, err)
	}
	// In the one-line form the comment is one quoted field: read back
	// with a quote-aware parser it is the stored text, and the next field
	// is the real one, not the injected text.
	_, after, _ := strings.Cut(rev.Line, " comment=")
	q, err := strconv.QuotedPrefix(after)
	if err != nil {
		t.Fatalf("line %s: %v", rev.Line, err)
	}
	if got, _ := strconv.Unquote(q); got != comment || !strings.HasPrefix(after[len(q):], " details=") || !strings.Contains(rev.Line, ` reason="keyCompromise" comment=`) {
		t.Fatalf("line %s", rev.Line)
	}
	if fmt.Sprint(tok.Attrs) != "[{role service_centre} {scope c-9} {name Пункт №9}]" || tok.Details != "" {
		t.Fatalf("token entry %+v", tok)
	}
}

// A checkpoint from POST /api/v1/audit/checkpoint is signed by the
// default issuing CA's key: OpenSSL's gost engine (the independent
// oracle) verifies its message with the public key of /ca/gost256.crt,
// and refuses the message of another sequence number.
func TestAuditCheckpointHTTPOpenSSL(t *testing.T) {
	o := newOSSL(t)
	ts := startServer(t, nil)
	resp, data := ts.json(t, "POST", "/api/v1/certificates", auth.RoleCAOperator, issueBody("qualified-person", b64CSR(t)))
	wantStatus(t, resp, data, http.StatusCreated)
	resp, data = ts.json(t, "POST", "/api/v1/audit/checkpoint", auth.RoleAuditor, nil)
	wantStatus(t, resp, data, http.StatusCreated)
	cp, err := store.ParseCheckpoint(data)
	if err != nil {
		t.Fatal(err)
	}
	if seq, head, _ := ts.e.Store().AuditHead(context.Background()); cp.Seq != seq || cp.Head != head || cp.Signer != "gost256" {
		t.Fatalf("checkpoint %+v, head %d", cp, seq)
	}
	resp, certDER := ts.do(t, "GET", "/ca/gost256.crt", "", "", nil)
	wantStatus(t, resp, certDER, http.StatusOK)
	o.write("ca.der", certDER)
	o.run("x509", "-inform", "DER", "-in", "ca.der", "-pubkey", "-noout", "-out", "ca.pub")
	o.write("msg", cp.Message())
	o.write("sig", cp.Signature)
	if out := o.run("dgst", "-md_gost12_256", "-verify", "ca.pub", "-signature", "sig", "msg"); !strings.Contains(out, "Verified OK") {
		t.Fatalf("openssl: %s", out)
	}
	forged := *cp
	forged.Seq++
	o.write("forged", forged.Message())
	if out, err := o.try("dgst", "-md_gost12_256", "-verify", "ca.pub", "-signature", "sig", "forged"); err == nil || strings.Contains(out, "Verified OK") {
		t.Fatalf("openssl verified a changed checkpoint: %s", out)
	}
}
