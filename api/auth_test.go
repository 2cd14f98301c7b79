package api_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/pkix"
)

// endpoint is one API call; prepare makes a fresh fixture so that an
// allowed caller gets a 2xx (a new CSR to issue, a valid certificate to
// revoke, …). Fixture certificates belong to the matrix's service centre
// (centre-1), so its token acts on its own certificates; foreign is what
// a token of another centre (centre-2) gets when the endpoint is allowed
// to service centres (0: the success status).
type endpoint struct {
	name    string
	method  string
	allowed []auth.Role // nil: public
	status  int         // success status
	prepare func(t *testing.T, ts *testServer) (path string, body any)
	foreign int
}

// matrixCentre is the centre of the matrix's service_centre token
// (startServer); otherCentre that of a second one.
const (
	matrixCentre = "centre-1"
	otherCentre  = "centre-2"
)

// issueDirect issues a certificate of matrixCentre through the CA
// (fixtures).
func issueDirect(t *testing.T, ts *testServer) string {
	t.Helper()
	return issueFor(t, ts, matrixCentre)
}

// issueFor issues a certificate recorded for centre ("" for none) as an
// administrator, through the CA.
func issueFor(t *testing.T, ts *testServer, centre string) string {
	t.Helper()
	p := pkix.ProfileQualifiedPerson.Name
	res, err := ts.e.Issue(context.Background(), &auth.Principal{TokenID: "fixture", Role: auth.RoleCAAdmin},
		&ca.IssueRequest{Profile: p, CSR: goCSR(t), Subject: api.SubjectFromJSON(subjectFor(p)), SubjectSignTool: "test", Centre: centre})
	if err != nil {
		t.Fatal(err)
	}
	return ca.FormatSerial(res.Cert.Serial)
}

func fixed(path string) func(*testing.T, *testServer) (string, any) {
	return func(*testing.T, *testServer) (string, any) { return path, nil }
}

var (
	issuers  = []auth.Role{auth.RoleCabinet, auth.RoleServiceCentre, auth.RoleCAOperator, auth.RoleCAAdmin}
	readers  = []auth.Role{auth.RoleCabinet, auth.RoleServiceCentre, auth.RoleCAOperator, auth.RoleCAAdmin, auth.RoleAuditor}
	changers = []auth.Role{auth.RoleServiceCentre, auth.RoleCAOperator, auth.RoleCAAdmin}
	resumers = []auth.Role{auth.RoleCAOperator, auth.RoleCAAdmin}
	admins   = []auth.Role{auth.RoleCAAdmin}
	auditors = []auth.Role{auth.RoleAuditor, auth.RoleCAAdmin}
)

var endpoints = []endpoint{
	{name: "issue", method: "POST", allowed: issuers, status: 201, prepare: func(t *testing.T, ts *testServer) (string, any) {
		return "/api/v1/certificates", issueBody(pkix.ProfileQualifiedPerson.Name, []byte(base64.StdEncoding.EncodeToString(goCSR(t))))
	}},
	{name: "search", method: "GET", allowed: readers, status: 200, prepare: fixed("/api/v1/certificates?snils=11223344595")},
	{name: "list centre", method: "GET", allowed: readers, status: 200, prepare: fixed("/api/v1/certificates?service_centre=" + matrixCentre),
		foreign: 403},
	{name: "get", method: "GET", allowed: readers, status: 200, prepare: func(t *testing.T, ts *testServer) (string, any) {
		return "/api/v1/certificates/" + issueDirect(t, ts), nil
	}, foreign: 404},
	{name: "revoke", method: "POST", allowed: changers, status: 200, prepare: func(t *testing.T, ts *testServer) (string, any) {
		return "/api/v1/certificates/" + issueDirect(t, ts) + "/revoke", map[string]string{"reason": "superseded"}
	}, foreign: 404},
	{name: "suspend", method: "POST", allowed: changers, status: 200, prepare: func(t *testing.T, ts *testServer) (string, any) {
		return "/api/v1/certificates/" + issueDirect(t, ts) + "/suspend", nil
	}, foreign: 404},
	{name: "resume", method: "POST", allowed: resumers, status: 200, prepare: func(t *testing.T, ts *testServer) (string, any) {
		s := issueDirect(t, ts)
		serial, _ := ca.ParseSerial(s)
		if _, err := ts.e.SetStatus(context.Background(), &auth.Principal{TokenID: "fixture", Role: auth.RoleCAAdmin}, serial, ca.StatusRequest{Action: ca.Suspend}); err != nil {
			t.Fatal(err)
		}
		return "/api/v1/certificates/" + s + "/resume", nil
	}},
	{name: "issuers", method: "GET", allowed: auth.Roles, status: 200, prepare: fixed("/api/v1/issuers")},
	{name: "generate crl", method: "POST", allowed: admins, status: 201, prepare: fixed("/api/v1/issuers/gost256/crl")},
	{name: "create token", method: "POST", allowed: admins, status: 201, prepare: func(*testing.T, *testServer) (string, any) {
		return "/api/v1/tokens", map[string]string{"role": "auditor", "name": "matrix"}
	}},
	{name: "list tokens", method: "GET", allowed: admins, status: 200, prepare: fixed("/api/v1/tokens")},
	{name: "revoke token", method: "DELETE", allowed: admins, status: 204, prepare: func(t *testing.T, ts *testServer) (string, any) {
		_, ti, err := ts.e.CreateToken(context.Background(), "fixture", auth.RoleAuditor, "", "to revoke")
		if err != nil {
			t.Fatal(err)
		}
		return "/api/v1/tokens/" + ti.ID, nil
	}},
	{name: "audit", method: "GET", allowed: auditors, status: 200, prepare: fixed("/api/v1/audit")},
	{name: "audit checkpoint", method: "POST", allowed: auditors, status: 201, prepare: fixed("/api/v1/audit/checkpoint")},
	{name: "openapi", method: "GET", status: 200, prepare: fixed("/api/v1/openapi.json")},
	{name: "healthz", method: "GET", status: 200, prepare: fixed("/healthz")},
	{name: "readyz", method: "GET", status: 200, prepare: fixed("/readyz")},
	{name: "metrics", method: "GET", status: 200, prepare: fixed("/metrics")},
	{name: "root cert", method: "GET", status: 200, prepare: fixed("/ca/root.crt")},
	{name: "ca cert", method: "GET", status: 200, prepare: fixed("/ca/gost256.crt")},
	{name: "crl", method: "GET", status: 200, prepare: fixed("/crl/gost256.crl")},
}

// TestAuthMatrix calls every endpoint as every role, without a token and
// with a forged one: allowed roles get the success status, other roles
// 403, missing or bad tokens 401; public endpoints answer everyone. The
// service_centre token acts on its own centre's certificates; a second
// one, of another centre, gets 404 for them (exactly an unknown serial),
// and its searches never show a certificate of another centre.
func TestAuthMatrix(t *testing.T) {
	ts := startServer(t, nil)
	other, _, err := ts.e.CreateToken(context.Background(), "test", auth.RoleServiceCentre, otherCentre, "other centre")
	if err != nil {
		t.Fatal(err)
	}
	type caller struct {
		name   string
		role   auth.Role
		token  string
		centre string // service centres
	}
	callers := []caller{{name: "no token"}, {name: "forged token", token: "gca_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{name: "not a token", token: "hello"}}
	for _, r := range auth.Roles {
		c := caller{name: string(r), role: r, token: ts.tokens[r]}
		if r == auth.RoleServiceCentre {
			c.centre = matrixCentre
		}
		callers = append(callers, c)
	}
	callers = append(callers, caller{name: "service_centre of another centre", role: auth.RoleServiceCentre, token: other, centre: otherCentre})
	for _, ep := range endpoints {
		for _, c := range callers {
			t.Run(ep.name+"/"+c.name, func(t *testing.T) {
				path, body := ep.prepare(t, ts)
				var data []byte
				ct := ""
				if body != nil {
					data = mustJSON(t, body)
					ct = "application/json"
				}
				resp, out := ts.do(t, ep.method, path, c.token, ct, data)
				allowed := ep.allowed == nil || (c.role != "" && slices.Contains(ep.allowed, c.role))
				switch {
				case allowed && c.centre == otherCentre && ep.foreign == 404:
					wantProblem(t, resp, out, http.StatusNotFound, caerr.CodeCertificateNotFound)
				case allowed && c.centre == otherCentre && ep.foreign == 403:
					wantProblem(t, resp, out, http.StatusForbidden, "forbidden")
				case allowed:
					wantStatus(t, resp, out, ep.status)
				case c.role == "":
					p := wantProblem(t, resp, out, http.StatusUnauthorized, "unauthorized")
					if resp.Header.Get("WWW-Authenticate") == "" {
						t.Fatalf("401 without WWW-Authenticate: %+v", p)
					}
				default:
					wantProblem(t, resp, out, http.StatusForbidden, "forbidden")
				}
				if !allowed || resp.StatusCode >= 300 || c.centre == "" || ep.method != "GET" && ep.name != "issue" {
					return
				}
				// What a service centre got is its own.
				switch {
				case ep.name == "issue" || ep.name == "get":
					if got := decode[api.Certificate](t, out).ServiceCentre; got != c.centre {
						t.Fatalf("%s as %s: certificate of %q", ep.name, c.centre, got)
					}
				case strings.HasPrefix(path, "/api/v1/certificates?"):
					for _, it := range decode[api.CertificatePage](t, out).Items {
						if it.ServiceCentre != c.centre {
							t.Fatalf("%s as %s: found %s of %q", ep.name, c.centre, it.Serial, it.ServiceCentre)
						}
					}
				}
			})
		}
	}
	// A revoked token stops working at once.
	tok, ti, err := ts.e.CreateToken(context.Background(), "test", auth.RoleAuditor, "", "short-lived")
	if err != nil {
		t.Fatal(err)
	}
	resp, out := ts.do(t, "GET", "/api/v1/audit", tok, "", nil)
	wantStatus(t, resp, out, 200)
	resp, out = ts.json(t, "DELETE", "/api/v1/tokens/"+ti.ID, auth.RoleCAAdmin, nil)
	wantStatus(t, resp, out, 204)
	resp, out = ts.do(t, "GET", "/api/v1/audit", tok, "", nil)
	wantProblem(t, resp, out, 401, "unauthorized")
	// Every mutating call above is in the audit log with a token actor.
	entries, _, err := ts.e.AuditEntries(context.Background(), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	actions, centre := map[string]int{}, map[string]int{}
	for _, e := range entries {
		if len(e.Actor) > 6 && e.Actor[:6] == "token:" {
			actions[e.Action]++
		}
		// A service centre's entries carry its token, role and centre.
		if strings.HasPrefix(e.Actor, "token:") && strings.HasSuffix(e.Actor, "/service_centre/"+matrixCentre) {
			centre[e.Action]++
		}
	}
	for _, a := range []string{"issue", "revoke", "hold", "resume", "crl.generate", "token.create", "token.revoke"} {
		if actions[a] == 0 {
			t.Errorf("no audit entry %q by a token (have %v)", a, actions)
		}
	}
	for _, a := range []string{"issue", "revoke", "hold"} {
		if centre[a] != 1 {
			t.Errorf("%d audit entries %q by the service centre's token, want 1 (have %v)", centre[a], a, centre)
		}
	}
}
