package api

import (
	"testing"

	"github.com/gostca/gostca/auth"
)

// routeCases are paths with the route they must reach and its parameter
// ("" name: no route).
var routeCases = []struct {
	path, name, param string
}{
	{"/healthz", "healthz", ""},
	{"/ocsp", "ocsp", ""},
	{"/ocsp/", "ocsp", ""},
	{"/ocsp/MEIwQDA%2BMDwwOjAJBgUrDgMCGgUABBQ=", "ocsp", "MEIwQDA%2BMDwwOjAJBgUrDgMCGgUABBQ="},
	{"/crl/gost256.crl", "crl", "gost256"},
	{"/crl/gost256/3-delta.crl", "crl", "gost256/3-delta"},
	{"/ca/root.crt", "ca", "root"},
	{"/api/v1/certificates", "certificates", ""},
	{"/api/v1/certificates/0a", "certificate", "0a"},
	{"/api/v1/certificates/0a/revoke", "certificate_revoke", "0a"},
	{"/api/v1/certificates/0a/resume", "certificate_resume", "0a"},
	{"/api/v1/certificates//revoke", "", ""},
	{"/api/v1/certificates/0a/renew", "", ""},
	{"/api/v1/certificates/", "", ""},
	{"/api/v1/issuers/gost256/crl", "issuer_crl", "gost256"},
	{"/api/v1/tokens/0123456789abcdef", "token", "0123456789abcdef"},
	{"/api/v1/tokens/a/b", "", ""},
	{"/api/v1/audit", "audit", ""},
	{"/api/v2/audit", "", ""},
	{"/", "", ""},
}

// TestRouteTable: every path reaches its route with its parameter, and
// each endpoint carries the roles of the auth table for its operation.
func TestRouteTable(t *testing.T) {
	routes := newRouteTable(&Server{})
	for _, c := range routeCases {
		r, param := routes.match([]byte(c.path))
		switch {
		case c.name == "" && r != nil:
			t.Errorf("%s: route %s, want none", c.path, r.name)
		case c.name != "" && (r == nil || r.name != c.name || string(param) != c.param):
			t.Errorf("%s: route %v param %q, want %s %q", c.path, r, param, c.name, c.param)
		}
	}
	for _, r := range routes {
		for m, ep := range r.methods {
			if ep == nil {
				continue
			}
			if got, want := ep.roles, auth.RolesFor(ep.op); len(got) != len(want) || (ep.op == auth.Public) != (got == nil) {
				t.Errorf("%s %s: roles %v, want %v", methodNames[m], r.name, got, want)
			}
		}
	}
	r, _ := routes.match([]byte("/api/v1/certificates"))
	if r.methods[mPost].op != auth.OpIssue || r.methods[mGet].op != auth.OpRead || r.allow != "GET, POST" {
		t.Fatalf("certificates: %+v %+v %q", r.methods[mPost], r.methods[mGet], r.allow)
	}
}

// TestRoutingAllocs: finding the route, its parameter and the method's
// endpoint allocates nothing.
func TestRoutingAllocs(t *testing.T) {
	routes := newRouteTable(&Server{})
	paths := make([][]byte, len(routeCases))
	for i, c := range routeCases {
		paths[i] = []byte(c.path)
	}
	methods := [][]byte{[]byte("GET"), []byte("POST"), []byte("PATCH")}
	found := 0
	allocs := testing.AllocsPerRun(100, func() {
		for _, p := range paths {
			r, param := routes.match(p)
			if r == nil {
				continue
			}
			for _, m := range methods {
				if i := methodIndex(m); i >= 0 && r.methods[i] != nil && len(param) >= 0 {
					found++
				}
			}
		}
	})
	if allocs != 0 {
		t.Fatalf("routing allocates %v times per run", allocs)
	}
	if found == 0 {
		t.Fatal("nothing routed")
	}
}

func BenchmarkRouting(b *testing.B) {
	routes := newRouteTable(&Server{})
	path := []byte("/api/v1/certificates/0a1b2c3d/revoke")
	b.ReportAllocs()
	for b.Loop() {
		if r, _ := routes.match(path); r == nil {
			b.Fatal("no route")
		}
	}
}
