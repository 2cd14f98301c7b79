package api_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"slices"
	"testing"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/engine"
	"github.com/gostca/gostca/pkix"
)

// endpoint is one API call; prepare makes a fresh fixture so that an
// allowed caller gets a 2xx (a new CSR to issue, a valid certificate to
// revoke, …).
type endpoint struct {
	name    string
	method  string
	allowed []engine.Role // nil: public
	status  int           // success status
	prepare func(t *testing.T, ts *testServer) (path string, body any)
}

// issueDirect issues a certificate through the engine (fixtures).
func issueDirect(t *testing.T, ts *testServer) string {
	t.Helper()
	p := pkix.ProfileQualifiedPerson.Name
	res, err := ts.e.Issue(context.Background(), &engine.Principal{TokenID: "fixture", Role: engine.RoleCAAdmin},
		&engine.IssueRequest{Profile: p, CSR: goCSR(t), Subject: api.SubjectFromJSON(subjectFor(p)), SubjectSignTool: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return engine.FormatSerial(res.Cert.Serial)
}

func fixed(path string) func(*testing.T, *testServer) (string, any) {
	return func(*testing.T, *testServer) (string, any) { return path, nil }
}

var (
	issuers  = []engine.Role{engine.RoleCabinet, engine.RoleCAOperator, engine.RoleCAAdmin}
	readers  = []engine.Role{engine.RoleCabinet, engine.RoleCAOperator, engine.RoleCAAdmin, engine.RoleAuditor}
	changers = []engine.Role{engine.RoleCAOperator, engine.RoleCAAdmin}
	admins   = []engine.Role{engine.RoleCAAdmin}
	auditors = []engine.Role{engine.RoleAuditor, engine.RoleCAAdmin}
)

var endpoints = []endpoint{
	{"issue", "POST", issuers, 201, func(t *testing.T, ts *testServer) (string, any) {
		return "/api/v1/certificates", issueBody(pkix.ProfileQualifiedPerson.Name, []byte(base64.StdEncoding.EncodeToString(goCSR(t))))
	}},
	{"search", "GET", readers, 200, fixed("/api/v1/certificates?snils=11223344595")},
	{"get", "GET", readers, 200, func(t *testing.T, ts *testServer) (string, any) {
		return "/api/v1/certificates/" + issueDirect(t, ts), nil
	}},
	{"revoke", "POST", changers, 200, func(t *testing.T, ts *testServer) (string, any) {
		return "/api/v1/certificates/" + issueDirect(t, ts) + "/revoke", map[string]string{"reason": "superseded"}
	}},
	{"suspend", "POST", changers, 200, func(t *testing.T, ts *testServer) (string, any) {
		return "/api/v1/certificates/" + issueDirect(t, ts) + "/suspend", nil
	}},
	{"resume", "POST", changers, 200, func(t *testing.T, ts *testServer) (string, any) {
		s := issueDirect(t, ts)
		serial, _ := engine.ParseSerial(s)
		if _, err := ts.e.SetStatus(context.Background(), &engine.Principal{TokenID: "fixture", Role: engine.RoleCAAdmin}, serial, engine.StatusRequest{Action: engine.Suspend}); err != nil {
			t.Fatal(err)
		}
		return "/api/v1/certificates/" + s + "/resume", nil
	}},
	{"issuers", "GET", engine.Roles, 200, fixed("/api/v1/issuers")},
	{"generate crl", "POST", admins, 201, fixed("/api/v1/issuers/gost256/crl")},
	{"create token", "POST", admins, 201, func(*testing.T, *testServer) (string, any) {
		return "/api/v1/tokens", map[string]string{"role": "auditor", "name": "matrix"}
	}},
	{"list tokens", "GET", admins, 200, fixed("/api/v1/tokens")},
	{"revoke token", "DELETE", admins, 204, func(t *testing.T, ts *testServer) (string, any) {
		_, ti, err := ts.e.CreateToken(context.Background(), "fixture", engine.RoleAuditor, "", "to revoke")
		if err != nil {
			t.Fatal(err)
		}
		return "/api/v1/tokens/" + ti.ID, nil
	}},
	{"audit", "GET", auditors, 200, fixed("/api/v1/audit")},
	{"openapi", "GET", nil, 200, fixed("/api/v1/openapi.json")},
	{"healthz", "GET", nil, 200, fixed("/healthz")},
	{"readyz", "GET", nil, 200, fixed("/readyz")},
	{"metrics", "GET", nil, 200, fixed("/metrics")},
	{"root cert", "GET", nil, 200, fixed("/ca/root.crt")},
	{"ca cert", "GET", nil, 200, fixed("/ca/gost256.crt")},
	{"crl", "GET", nil, 200, fixed("/crl/gost256.crl")},
}

// TestAuthMatrix calls every endpoint as every role, without a token and
// with a forged one: allowed roles get the success status, other roles
// 403, missing or bad tokens 401; public endpoints answer everyone.
func TestAuthMatrix(t *testing.T) {
	ts := startServer(t, nil)
	callers := []struct {
		name  string
		role  engine.Role
		token string
	}{{name: "no token"}, {name: "forged token", token: "gca_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{name: "not a token", token: "hello"}}
	for _, r := range engine.Roles {
		callers = append(callers, struct {
			name  string
			role  engine.Role
			token string
		}{string(r), r, ts.tokens[r]})
	}
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
				switch {
				case ep.allowed == nil || (c.role != "" && slices.Contains(ep.allowed, c.role)):
					wantStatus(t, resp, out, ep.status)
				case c.role == "":
					p := wantProblem(t, resp, out, http.StatusUnauthorized, "unauthorized")
					if resp.Header.Get("WWW-Authenticate") == "" {
						t.Fatalf("401 without WWW-Authenticate: %+v", p)
					}
				default:
					wantProblem(t, resp, out, http.StatusForbidden, "forbidden")
				}
			})
		}
	}
	// A revoked token stops working at once.
	tok, ti, err := ts.e.CreateToken(context.Background(), "test", engine.RoleAuditor, "", "short-lived")
	if err != nil {
		t.Fatal(err)
	}
	resp, out := ts.do(t, "GET", "/api/v1/audit", tok, "", nil)
	wantStatus(t, resp, out, 200)
	resp, out = ts.json(t, "DELETE", "/api/v1/tokens/"+ti.ID, engine.RoleCAAdmin, nil)
	wantStatus(t, resp, out, 204)
	resp, out = ts.do(t, "GET", "/api/v1/audit", tok, "", nil)
	wantProblem(t, resp, out, 401, "unauthorized")
	// Every mutating call above is in the audit log with a token actor.
	entries, _, err := ts.e.AuditEntries(context.Background(), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, e := range entries {
		if len(e.Actor) > 6 && e.Actor[:6] == "token:" {
			actions[e.Action]++
		}
	}
	for _, a := range []string{"issue", "revoke", "hold", "resume", "crl.generate", "token.create", "token.revoke"} {
		if actions[a] == 0 {
			t.Errorf("no audit entry %q by a token (have %v)", a, actions)
		}
	}
}
