package api_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
)

// issueAs issues one certificate over HTTP for role (and centre).
func (ts *testServer) issueAs(t *testing.T, token, profile, centre string) api.Certificate {
	t.Helper()
	body := issueBody(profile, []byte(base64.StdEncoding.EncodeToString(goCSR(t))))
	body.ServiceCentre = centre
	resp, out := ts.do(t, "POST", "/api/v1/certificates", token, "application/json", mustJSON(t, body))
	wantStatus(t, resp, out, 201)
	return decode[api.Certificate](t, out)
}

// listAll follows next_cursor from path to the end.
func (ts *testServer) listAll(t *testing.T, token, path string) []string {
	t.Helper()
	var serials []string
	for pages := 0; ; pages++ {
		resp, out := ts.do(t, "GET", path, token, "", nil)
		wantStatus(t, resp, out, 200)
		page := decode[api.CertificatePage](t, out)
		for _, c := range page.Items {
			serials = append(serials, c.Serial)
		}
		if page.NextCursor == "" {
			break
		}
		if pages > 50 {
			t.Fatal("cursor loop")
		}
		u, err := url.Parse(path)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("cursor", page.NextCursor)
		u.RawQuery = q.Encode()
		path = u.String()
	}
	slices.Sort(serials)
	return serials
}

// TestListCertificatesOverHTTP: operators, administrators and auditors
// list every certificate, with or without filters (status, issuer,
// profile, centre, issue date) and page by page; the cabinet must name a
// subscriber; a service centre lists only its own.
func TestListCertificatesOverHTTP(t *testing.T) {
	ts := startServer(t, nil)
	admin := ts.tokens[auth.RoleCAAdmin]
	person := pkix.ProfileQualifiedPerson.Name
	employee := pkix.ProfileQualifiedEmployee.Name
	a := ts.issueAs(t, admin, person, "")
	b := ts.issueAs(t, admin, employee, "")
	c := ts.issueAs(t, ts.tokens[auth.RoleServiceCentre], person, "") // centre-1
	d := ts.issueAs(t, ts.tokens[auth.RoleCAOperator], employee, "centre-2")
	resp, out := ts.json(t, "POST", "/api/v1/certificates/"+b.Serial+"/revoke", auth.RoleCAOperator, map[string]string{"reason": "superseded"})
	wantStatus(t, resp, out, 200)
	resp, out = ts.json(t, "POST", "/api/v1/certificates/"+d.Serial+"/suspend", auth.RoleCAOperator, map[string]string{})
	wantStatus(t, resp, out, 200)
	sorted := func(s ...string) []string { slices.Sort(s); return s }
	all := sorted(a.Serial, b.Serial, c.Serial, d.Serial)
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	for _, role := range []auth.Role{auth.RoleCAOperator, auth.RoleCAAdmin, auth.RoleAuditor} {
		tok := ts.tokens[role]
		for path, want := range map[string][]string{
			"/api/v1/certificates":                                                       all,
			"/api/v1/certificates?limit=1":                                               all,
			"/api/v1/certificates?status=revoked":                                        {b.Serial},
			"/api/v1/certificates?status=on_hold":                                        {d.Serial},
			"/api/v1/certificates?status=valid&limit=1":                                  sorted(a.Serial, c.Serial),
			"/api/v1/certificates?issuer=gost256":                                        all,
			"/api/v1/certificates?profile=" + employee:                                   sorted(b.Serial, d.Serial),
			"/api/v1/certificates?service_centre=centre-1":                               {c.Serial},
			"/api/v1/certificates?since=2020-01-01&limit=2":                              all,
			"/api/v1/certificates?until=2020-01-01":                                      nil,
			"/api/v1/certificates?since=" + tomorrow:                                     nil,
			"/api/v1/certificates?profile=" + person + "&status=valid&until=" + tomorrow: sorted(a.Serial, c.Serial),
		} {
			if got := ts.listAll(t, tok, path); !slices.Equal(got, want) {
				t.Errorf("%s %s: %v, want %v", role, path, got, want)
			}
		}
	}
	// Paging really pages: one per page, a cursor each time.
	resp, out = ts.do(t, "GET", "/api/v1/certificates?limit=1", admin, "", nil)
	wantStatus(t, resp, out, 200)
	if p := decode[api.CertificatePage](t, out); len(p.Items) != 1 || p.NextCursor == "" || !bytes.HasSuffix(out, []byte("}\n")) {
		t.Fatalf("first page of one: %s", out)
	}
	// A service centre lists its own; the cabinet must name a subscriber.
	if got := ts.listAll(t, ts.tokens[auth.RoleServiceCentre], "/api/v1/certificates"); !slices.Equal(got, []string{c.Serial}) {
		t.Errorf("centre listing: %v", got)
	}
	if got := ts.listAll(t, ts.tokens[auth.RoleServiceCentre], "/api/v1/certificates?status=revoked"); len(got) != 0 {
		t.Errorf("centre listing of revoked: %v", got)
	}
	resp, out = ts.do(t, "GET", "/api/v1/certificates", ts.tokens[auth.RoleCabinet], "", nil)
	if p := wantProblem(t, resp, out, 403, caerr.CodeForbidden); !strings.Contains(p.Detail, "snils") || !strings.Contains(p.Detail, "ca_operator") {
		t.Fatalf("cabinet listing: %+v", p)
	}
	// Bad filters say what is valid.
	for path, want := range map[string][]string{
		"/api/v1/certificates?issuer=gost999":                     {"gost256"},
		"/api/v1/certificates?profile=person":                     {person, employee},
		"/api/v1/certificates?since=yesterday":                    {"2026-12-01"},
		"/api/v1/certificates?since=2026-02-02&until=2026-02-01":  {"until"},
		"/api/v1/certificates?snils=11223344595&inn=500100123426": {"one of"},
		"/api/v1/certificates?state=valid":                        {"status", "issuer", "since"},
	} {
		resp, out := ts.do(t, "GET", path, admin, "", nil)
		if resp.StatusCode != 400 {
			t.Errorf("%s: %d %s", path, resp.StatusCode, out)
			continue
		}
		p := decode[wire.Problem](t, out)
		for _, w := range want {
			if !strings.Contains(p.Detail, w) {
				t.Errorf("%s: %q does not mention %q", path, p.Detail, w)
			}
		}
	}
}

// hasDoubledWord finds a word repeated next to itself ("signature:
// signature", "store: store"), the mark of a prefix added twice.
func hasDoubledWord(s string) bool {
	words := regexp.MustCompile(`[\p{L}\d_]+`).FindAllString(s, -1)
	for i := 1; i < len(words); i++ {
		if strings.EqualFold(words[i], words[i-1]) {
			return true
		}
	}
	return false
}

// TestProblemsSayWhatToDo: refusals name what to supply or what is
// valid, with no word doubled by stacked prefixes, and every JSON answer
// ends with a newline.
func TestProblemsSayWhatToDo(t *testing.T) {
	ts := startServer(t, nil)
	admin := ts.tokens[auth.RoleCAAdmin]
	check := func(what string, resp *http.Response, out []byte, status int, code string, mentions ...string) wire.Problem {
		t.Helper()
		p := wantProblem(t, resp, out, status, code)
		for _, m := range mentions {
			if !strings.Contains(p.Detail, m) {
				t.Errorf("%s: detail %q does not say %q", what, p.Detail, m)
			}
		}
		if hasDoubledWord(p.Detail) {
			t.Errorf("%s: doubled word in %q", what, p.Detail)
		}
		if !bytes.HasSuffix(out, []byte("}\n")) {
			t.Errorf("%s: JSON answer without a final newline: %q", what, out)
		}
		return p
	}
	post := func(body any) (*http.Response, []byte) {
		return ts.do(t, "POST", "/api/v1/certificates", admin, "application/json", mustJSON(t, body))
	}

	// A lint failure returns the missing fields.
	head := issueBody(pkix.ProfileQualifiedLegalEntityHead.Name, goCSR(t))
	head.CSR = base64.StdEncoding.EncodeToString(goCSR(t))
	head.Subject.Region, head.Subject.Locality, head.Subject.Title = "", "", ""
	resp, out := post(head)
	p := check("missing fields", resp, out, 422, caerr.CodeProfileViolation, "region", "locality", "title")
	if !slices.Equal(p.Fields, []string{"subject.region", "subject.locality", "subject.title"}) {
		t.Errorf("fields %v", p.Fields)
	}
	// Unknown profile and issuer list the valid ones.
	bad := issueBody(pkix.ProfileQualifiedPerson.Name, []byte(base64.StdEncoding.EncodeToString(goCSR(t))))
	bad.Profile = "person"
	resp, out = post(bad)
	check("unknown profile", resp, out, 422, caerr.CodeUnknownProfile, pkix.ProfileQualifiedPerson.Name, pkix.ProfileQualifiedEmployee.Name)
	bad.Profile, bad.Issuer = pkix.ProfileQualifiedPerson.Name, "gost999"
	resp, out = post(bad)
	check("unknown issuer", resp, out, 422, caerr.CodeUnknownIssuer, "gost256")
	// An unknown role lists the roles.
	resp, out = ts.json(t, "POST", "/api/v1/tokens", auth.RoleCAAdmin, map[string]string{"role": "operator"})
	check("unknown role", resp, out, 400, caerr.CodeInvalidTokenRequest, "ca_operator", "service_centre", "auditor")
	// A non-GOST key on a GOST issuer: a GOST key is required.
	ecdsa := issueBody(pkix.ProfileQualifiedPerson.Name, []byte(base64.StdEncoding.EncodeToString(catest.ECDSACSR(t, "x"))))
	resp, out = post(ecdsa)
	check("ECDSA key", resp, out, 422, caerr.CodeProfileViolation, "GOST R 34.10-2012 keys", "gost2012_256")
	// A request whose signature does not verify: said once.
	der := goCSR(t)
	der[len(der)-3] ^= 1
	resp, out = post(issueBody(pkix.ProfileQualifiedPerson.Name, []byte(base64.StdEncoding.EncodeToString(der))))
	check("bad signature", resp, out, 422, "csr.signature.bad_signature", "does not verify")

	// invalid_transition names the current status.
	c := ts.issueAs(t, admin, pkix.ProfileQualifiedPerson.Name, "")
	status := func(action string) (*http.Response, []byte) {
		return ts.json(t, "POST", "/api/v1/certificates/"+c.Serial+"/"+action, auth.RoleCAAdmin, map[string]string{})
	}
	resp, out = status("resume")
	check("resume a valid one", resp, out, 409, caerr.CodeInvalidTransition, "is valid", "suspended or revoked")
	resp, out = status("suspend")
	wantStatus(t, resp, out, 200)
	resp, out = status("suspend")
	check("suspend a held one", resp, out, 409, caerr.CodeInvalidTransition, "on_hold", "resumed or revoked")
	resp, out = ts.json(t, "POST", "/api/v1/certificates/"+c.Serial+"/revoke", auth.RoleCAAdmin, map[string]string{"reason": "keyCompromise"})
	wantStatus(t, resp, out, 200)
	if !bytes.HasSuffix(out, []byte("}\n")) {
		t.Errorf("certificate JSON without a final newline")
	}
	resp, out = status("revoke")
	check("revoke a revoked one", resp, out, 409, caerr.CodeInvalidTransition, "is revoked", "keyCompromise", "final")

	// Other JSON answers end with a newline too.
	for _, path := range []string{"/api/v1/issuers", "/api/v1/tokens", "/api/v1/audit", "/api/v1/openapi.json", "/api/v1/nowhere"} {
		_, out := ts.do(t, "GET", path, admin, "", nil)
		if !bytes.HasSuffix(out, []byte("\n")) {
			t.Errorf("%s: no final newline", path)
		}
	}
}

// TestMisconfigurationIs5xx: a CRL that cannot be built because of the
// server's configuration (a validity of 86400 ns, what an integer in the
// TOML meant before it was refused) is the server's fault: 500, never a
// client 4xx.
func TestMisconfigurationIs5xx(t *testing.T) {
	ts := startServer(t, func(c *config.Config) {
		c.CRL.Validity = 86400 // nanoseconds
		c.CRL.RefreshInterval = time.Hour
		c.CRL.DeltaValidity = 86400
	})
	resp, out := ts.do(t, "GET", "/crl/gost256.crl", "", "", nil)
	if resp.StatusCode < 500 {
		t.Fatalf("broken CRL validity: %d %s", resp.StatusCode, out)
	}
	wantProblem(t, resp, out, 500, caerr.CodeInternal)
}

// TestOCSPCacheBounded: a cacheable OCSP GET answer may be cached for
// ocsp.max_age at most, not until its nextUpdate (a day), so a cache
// stops saying "good" soon after a revocation; a conditional GET with
// If-Modified-Since is answered 304.
func TestOCSPCacheBounded(t *testing.T) {
	for _, maxAge := range []time.Duration{0, 30 * time.Second} { // 0: the default, 5 minutes
		ts := startServer(t, func(c *config.Config) {
			if maxAge != 0 {
				c.OCSP.MaxAge = maxAge
			}
		})
		want := ts.e.Config().OCSP.MaxAge
		if maxAge == 0 && want != 5*time.Minute {
			t.Fatalf("default ocsp.max_age %v", want)
		}
		cert := ts.issueAs(t, ts.tokens[auth.RoleCAAdmin], pkix.ProfileQualifiedPerson.Name, "")
		serial, _ := ca.ParseSerial(cert.Serial)
		nameHash, keyHash := ts.issuerHashes(t)
		path := "/ocsp/" + url.PathEscape(base64.StdEncoding.EncodeToString(ocspRequest(t, nameHash, keyHash, serial)))
		var resp *http.Response
		var der []byte
		for range 100 { // the pre-signed response is made just after issuance
			resp, der = ts.do(t, "GET", path, "", "", nil)
			if strings.Contains(resp.Header.Get("Cache-Control"), "max-age=") {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		r, err := pkix.ParseOCSPResponse(der)
		if err != nil || r.Responses[0].Status != pkix.OCSPGood {
			t.Fatalf("OCSP: %v %+v", err, r)
		}
		m := regexp.MustCompile(`max-age=(\d+)`).FindStringSubmatch(resp.Header.Get("Cache-Control"))
		if m == nil {
			t.Fatalf("no max-age: %v", resp.Header)
		}
		secs, _ := strconv.Atoi(m[1])
		if secs <= 0 || time.Duration(secs)*time.Second > want {
			t.Errorf("max-age=%d with ocsp.max_age %v", secs, want)
		}
		r2, _ := ts.do(t, "GET", path, "", "", nil, "If-Modified-Since", resp.Header.Get("Last-Modified"))
		if r2.StatusCode != http.StatusNotModified {
			t.Errorf("If-Modified-Since: %d", r2.StatusCode)
		}
	}
}
