package api_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"testing"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/pkix"
)

// TestServiceCentreScope drives two centres' tokens over HTTP: issuance
// is recorded for the caller's centre, another centre's certificate is
// indistinguishable from an unknown serial, searches and their cursors
// stay inside the centre, and the centre's limits on status changes hold.
func TestServiceCentreScope(t *testing.T) {
	ts := startServer(t, nil)
	ctx := context.Background()
	tokA, _, err := ts.e.CreateToken(ctx, "test", auth.RoleServiceCentre, "A", "centre A")
	if err != nil {
		t.Fatal(err)
	}
	tokB, _, err := ts.e.CreateToken(ctx, "test", auth.RoleServiceCentre, "B", "centre B")
	if err != nil {
		t.Fatal(err)
	}
	profile := pkix.ProfileQualifiedPerson.Name
	issue := func(token string, centre string) (*http.Response, []byte) {
		body := issueBody(profile, []byte(base64.StdEncoding.EncodeToString(goCSR(t))))
		body.ServiceCentre = centre
		return ts.do(t, "POST", "/api/v1/certificates", token, "application/json", mustJSON(t, body))
	}

	// Issuance: own centre only; operators may name one.
	resp, out := issue(tokA, "")
	wantStatus(t, resp, out, 201)
	certA := decode[api.Certificate](t, out)
	if certA.ServiceCentre != "A" {
		t.Fatalf("A's certificate: centre %q", certA.ServiceCentre)
	}
	resp, out = issue(tokA, "A")
	wantStatus(t, resp, out, 201)
	resp, out = issue(tokA, "B")
	if p := wantProblem(t, resp, out, 403, "forbidden"); p.Field != "service_centre" {
		t.Fatalf("A issuing for B: %+v", p)
	}
	resp, out = issue(ts.tokens[auth.RoleCAOperator], "B")
	wantStatus(t, resp, out, 201)
	if c := decode[api.Certificate](t, out); c.ServiceCentre != "B" {
		t.Fatalf("operator for B: centre %q", c.ServiceCentre)
	}
	resp, out = issue(ts.tokens[auth.RoleCAOperator], "B centre")
	if p := wantProblem(t, resp, out, 400, caerr.CodeInvalidRequest); p.Field != "service_centre" {
		t.Fatalf("operator with a bad centre id: %+v", p)
	}
	resp, out = issue(ts.tokens[auth.RoleCabinet], "A")
	wantProblem(t, resp, out, 403, "forbidden")

	// B asks for A's certificate: the answer of an unknown serial.
	unknown := "7f00000000000000000000000000abcd"
	same := func(what string, resp *http.Response, out []byte, resp2 *http.Response, out2 []byte) {
		t.Helper()
		p := wantProblem(t, resp, out, 404, caerr.CodeCertificateNotFound)
		u := wantProblem(t, resp2, out2, 404, caerr.CodeCertificateNotFound)
		p.Instance, u.Instance = "", ""
		if !reflect.DeepEqual(p, u) {
			t.Fatalf("%s: %+v, unknown serial: %+v", what, p, u)
		}
	}
	for _, suffix := range []string{"", "?format=der", "?format=pem"} {
		resp, out := ts.do(t, "GET", "/api/v1/certificates/"+certA.Serial+suffix, tokB, "", nil)
		resp2, out2 := ts.do(t, "GET", "/api/v1/certificates/"+unknown+suffix, tokB, "", nil)
		same("get"+suffix, resp, out, resp2, out2)
	}
	for _, action := range []string{"suspend", "revoke"} {
		resp, out := ts.do(t, "POST", "/api/v1/certificates/"+certA.Serial+"/"+action, tokB, "", nil)
		resp2, out2 := ts.do(t, "POST", "/api/v1/certificates/"+unknown+"/"+action, tokB, "", nil)
		same(action, resp, out, resp2, out2)
	}
	resp, out = ts.json(t, "GET", "/api/v1/certificates/"+certA.Serial, auth.RoleAuditor, nil)
	wantStatus(t, resp, out, 200)
	if c := decode[api.Certificate](t, out); c.Status != "valid" || c.ServiceCentre != "A" {
		t.Fatalf("A's certificate after B's attempts: %+v", c)
	}

	// More certificates of both than fit a page.
	for range 4 {
		issueFor(t, ts, "A")
		issueFor(t, ts, "B")
	}
	issueFor(t, ts, "")
	walk := func(token, query string) (serials []string, firstCursor string) {
		t.Helper()
		q := query
		for pages := 0; pages < 50; pages++ {
			resp, out := ts.do(t, "GET", "/api/v1/certificates?"+q, token, "", nil)
			wantStatus(t, resp, out, 200)
			page := decode[api.CertificatePage](t, out)
			for _, c := range page.Items {
				serials = append(serials, c.Serial+"@"+c.ServiceCentre)
			}
			if page.NextCursor == "" {
				return serials, firstCursor
			}
			if firstCursor == "" {
				firstCursor = page.NextCursor
			}
			// Replace the cursor (a repeated parameter is refused).
			v, _ := url.ParseQuery(query)
			v.Set("cursor", page.NextCursor)
			q = v.Encode()
		}
		t.Fatal("pagination does not end")
		return nil, ""
	}
	onlyOf := func(what, centre string, got []string, want int) {
		t.Helper()
		if len(got) != want {
			t.Fatalf("%s: %d results, want %d: %v", what, len(got), want, got)
		}
		for _, s := range got {
			if s[len(s)-len(centre)-1:] != "@"+centre {
				t.Fatalf("%s: %s", what, s)
			}
		}
		sorted := slices.Clone(got)
		slices.Sort(sorted)
		if len(slices.Compact(sorted)) != len(got) {
			t.Fatalf("%s: duplicates %v", what, got)
		}
	}
	gotA, cursorA := walk(tokA, "snils=11223344595&limit=2")
	onlyOf("A by SNILS", "A", gotA, 6)
	listA, _ := walk(tokA, "limit=4")
	onlyOf("A's list", "A", listA, 6)
	gotB, _ := walk(tokB, "snils=11223344595&limit=2&status=valid")
	onlyOf("B by SNILS", "B", gotB, 5)
	// A's cursor in B's hands still yields only B's certificates.
	withA, _ := walk(tokB, "snils=11223344595&limit=2&cursor="+url.QueryEscape(cursorA))
	for _, s := range withA {
		if s[len(s)-2:] != "@B" {
			t.Fatalf("B with A's cursor got %s", s)
		}
	}
	all, _ := walk(ts.tokens[auth.RoleCAOperator], "snils=11223344595&limit=5")
	if len(all) != 6+5+1 { // A's, B's, one of no centre
		t.Fatalf("operator sees %d", len(all))
	}
	opA, _ := walk(ts.tokens[auth.RoleCAOperator], "service_centre=A&limit=5")
	onlyOf("operator lists A", "A", opA, 6)
	for _, c := range []struct {
		token, query string
		status       int
		code         string
	}{
		{tokA, "service_centre=B", 403, "forbidden"},
		{tokA, "snils=11223344595&service_centre=B", 403, "forbidden"},
		{ts.tokens[auth.RoleCAOperator], "service_centre=a%20b", 400, caerr.CodeInvalidRequest},
		{ts.tokens[auth.RoleCabinet], "", 403, caerr.CodeForbidden}, // operators list all (operator_test.go)
	} {
		resp, out := ts.do(t, "GET", "/api/v1/certificates?"+c.query, c.token, "", nil)
		wantProblem(t, resp, out, c.status, c.code)
	}

	// Status changes of its own: suspend and subscriber reasons yes; the
	// CA's reasons and resume no.
	resp, out = ts.do(t, "POST", "/api/v1/certificates/"+certA.Serial+"/revoke", tokA, "application/json", mustJSON(t, map[string]string{"reason": "cACompromise"}))
	if p := wantProblem(t, resp, out, 403, "forbidden"); p.Field != "reason" {
		t.Fatalf("A revokes with cACompromise: %+v", p)
	}
	resp, out = ts.do(t, "POST", "/api/v1/certificates/"+certA.Serial+"/suspend", tokA, "", nil)
	wantStatus(t, resp, out, 200)
	resp, out = ts.do(t, "POST", "/api/v1/certificates/"+certA.Serial+"/resume", tokA, "", nil)
	wantProblem(t, resp, out, 403, "forbidden")
	resp, out = ts.do(t, "POST", "/api/v1/certificates/"+certA.Serial+"/revoke", tokA, "application/json", mustJSON(t, map[string]string{"reason": "affiliationChanged"}))
	wantStatus(t, resp, out, 200)
	if c := decode[api.Certificate](t, out); c.Status != "revoked" || c.RevocationReason != "affiliationChanged" {
		t.Fatalf("revoked: %+v", c)
	}
	rep, err := ts.e.Store().Check(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("store check: %v %+v", err, rep)
	}
}
