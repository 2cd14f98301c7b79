package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/internal/mchdtest"
	"github.com/gostca/gostca/internal/openssltest"
)

// mchdRep is the walk's owner (appOwner) as an МЧД names its
// representative.
var mchdRep = mchdtest.Person{Surname: "Ёлкина", GivenName: "Анна-Мария", SNILS: "11223344595", INN: "500100123426"}

// uploadMCHD gives the employee application at path a machine-readable
// power of attorney over HTTP, after the refusals: XML that is no safe
// МЧД (DOCTYPE with an external entity, billion laughs, malformed) and
// an МЧД or its signature uploaded as a passport are refused at upload;
// an МЧД whose signature is over other content, signed by someone other
// than its head, naming another representative, expired, or of another
// organisation is uploaded but refuses the submission naming what
// differs. No refusal moves the audit head. Then the valid XML of
// Romashka's head for the owner and its detached OpenSSL CAdES signature
// are uploaded; the caller submits.
func uploadMCHD(t *testing.T, ts *testServer, path string, resp *http.Response) (raapi.Application, *http.Response) {
	t.Helper()
	sc := ts.tokens[auth.RoleServiceCentre]
	o := openssltest.Gost(t)
	head := mchdtest.NewSigner(t, o, mchdtest.HeadPetr, mchdtest.Romashka)
	now := time.Now()
	valid := mchdtest.Valid(mchdRep, now)
	validXML := valid.XML()
	validSig := head.Sign(t, validXML)

	auditSeq := func() uint64 {
		seq, _, err := ts.e.Store().AuditHead(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	xxe := strings.Replace(string(validXML), "<Доверенность", `<!DOCTYPE Доверенность [<!ENTITY x SYSTEM "file:///etc/passwd">]><Доверенность`, 1)
	xxe = strings.Replace(xxe, "Подписывать", "&x;", 1)
	laughs := `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>`
	for _, c := range []struct {
		name, typ string
		data      []byte
		status    int
		code      string
	}{
		{"XXE", "mchd", []byte(xxe), 422, "invalid_document"},
		{"billion laughs", "mchd", []byte(laughs), 422, "invalid_document"},
		{"malformed XML", "mchd", validXML[:len(validXML)-20], 422, "invalid_document"},
		{"МЧД as a passport", "passport", validXML, 415, "unsupported_document_type"},
		{"signature as a passport", "passport", validSig, 415, "unsupported_document_type"},
	} {
		seq := auditSeq()
		r, body := ts.do(t, "POST", path+"/documents?type="+c.typ, sc, "application/xml", c.data, etag(t, resp)...)
		wantProblem(t, r, body, c.status, c.code)
		if s := auditSeq(); s != seq {
			t.Fatalf("%s: the audit head moved %d → %d", c.name, seq, s)
		}
	}

	upload := func(xml, sig []byte) (raapi.Application, *http.Response) {
		a, r := ts.appCall(t, sc, "POST", path+"/documents?type=mchd", rawBody(xml), 201, etag(t, resp)...)
		if d := a.Documents[len(a.Documents)-1]; d.ContentType != "application/xml" {
			t.Fatalf("the МЧД stored as %q", d.ContentType)
		}
		a, r = ts.appCall(t, sc, "POST", path+"/documents?type=mchd", rawBody(sig), 201, etag(t, r)...)
		if d := a.Documents[len(a.Documents)-1]; d.ContentType != "application/pkcs7-signature" {
			t.Fatalf("the signature stored as %q", d.ContentType)
		}
		return a, r
	}
	other := mchdtest.NewSigner(t, o, mchdtest.Other, mchdtest.Romashka)
	lyutikHead := mchdtest.NewSigner(t, o, mchdtest.HeadPetr, mchdtest.Lyutik)
	signed := func(d mchdtest.Doc, s *mchdtest.Signer) ([]byte, []byte) {
		x := d.XML()
		return x, s.Sign(t, x)
	}
	expired := mchdtest.Valid(mchdRep, now)
	expired.Issued, expired.Until = now.AddDate(-2, 0, 0), now.AddDate(0, 0, -3)
	notOwner := mchdtest.Valid(mchdtest.Other, now)
	lyutik := mchdtest.Valid(mchdRep, now)
	lyutik.Principal = mchdtest.Lyutik
	elsewhere := mchdtest.Valid(mchdRep, now)
	elsewhere.Number = "другая"
	for _, c := range []struct {
		name     string
		xml, sig []byte
		want     string
	}{
		{"signature over other content", validXML, head.Sign(t, elsewhere.XML()), "over other content"},
		{"signer not the head", validXML, other.Sign(t, validXML), "the signer is not the principal's head"},
		{"representative not the owner", nil, nil, "the representative is not the certificate's owner"},
		{"expired", nil, nil, "expired on"},
		{"principal not the organisation", nil, nil, "the principal is not the application's organisation"},
	} {
		switch c.name {
		case "representative not the owner":
			c.xml, c.sig = signed(notOwner, head)
		case "expired":
			c.xml, c.sig = signed(expired, head)
		case "principal not the organisation":
			c.xml, c.sig = signed(lyutik, lyutikHead)
		}
		var a raapi.Application
		a, resp = upload(c.xml, c.sig)
		seq := auditSeq()
		r, body := ts.do(t, "POST", path+"/actions/submit", sc, "", nil, etag(t, resp)...)
		ap := decode[raapi.AppProblem](t, body)
		if r.StatusCode != 422 || len(ap.InvalidParams) == 0 || ap.InvalidParams[0].Field != "mchd" ||
			!strings.Contains(ap.InvalidParams[0].Problem, c.want) {
			t.Fatalf("%s: submission answered %d %s", c.name, r.StatusCode, body)
		}
		if s := auditSeq(); s != seq {
			t.Fatalf("%s: the refused submission moved the audit head %d → %d", c.name, seq, s)
		}
		for _, d := range a.Documents[len(a.Documents)-2:] {
			_, resp = ts.appCall(t, sc, "POST", path+"/actions/remove_document", map[string]string{"document": d.ID}, 200, etag(t, resp)...)
		}
	}

	a, resp := upload(validXML, validSig)
	d := a.Documents[len(a.Documents)-2]
	r, got := ts.do(t, "GET", path+"/documents/"+d.ID, sc, "", nil)
	wantStatus(t, r, got, 200)
	if string(got) != string(validXML) || r.Header.Get("Content-Type") != "application/xml" ||
		!strings.Contains(r.Header.Get("Content-Disposition"), ".xml") || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("the МЧД downloads as %v", r.Header)
	}
	return a, resp
}
