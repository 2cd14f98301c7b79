package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/api/wire"
)

// TestOpenAPIDocument: the committed document parses, documents every
// endpoint the router knows and every stable problem code.
func TestOpenAPIDocument(t *testing.T) {
	var doc struct {
		OpenAPI    string                     `json:"openapi"`
		Paths      map[string]map[string]any  `json:"paths"`
		Components map[string]json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	want := map[string][]string{
		"/api/v1/certificates":                  {"get", "post"},
		"/api/v1/certificates/{serial}":         {"get"},
		"/api/v1/certificates/{serial}/revoke":  {"post"},
		"/api/v1/certificates/{serial}/suspend": {"post"},
		"/api/v1/certificates/{serial}/resume":  {"post"},
		"/api/v1/issuers":                       {"get"},
		"/api/v1/issuers/{issuer}/crl":          {"post"},
		"/api/v1/tokens":                        {"get", "post"},
		"/api/v1/tokens/{id}":                   {"delete"},
		"/api/v1/audit":                         {"get"},
		"/api/v1/audit/checkpoint":              {"post"},
		"/api/v1/openapi.json":                  {"get"},
		"/crl/{issuer}.crl":                     {"get"},
		"/crl/{issuer}-delta.crl":               {"get"},
		"/crl/{issuer}/{partition}.crl":         {"get"},
		"/crl/{issuer}/{partition}-delta.crl":   {"get"},
		"/ca/{issuer}.crt":                      {"get"},
		"/ocsp":                                 {"post"},
		"/ocsp/{request}":                       {"get"},
		"/metrics":                              {"get"},
		"/healthz":                              {"get"},
		"/readyz":                               {"get"},
		"/debug/pprof/{profile}":                {"get"}, // with server.pprof
		"/api/v1/applications":                  {"get", "post"},
		"/api/v1/applications/{id}":             {"get"},
		"/api/v1/applications/{id}/history":     {"get"},
		"/api/v1/applications/{id}/data":        {"put"},
		"/api/v1/applications/{id}/documents":   {"post"},
	}
	want["/api/v1/applications/{id}/documents/{doc}"] = []string{"get"}
	want["/api/v1/applications/{id}/form.pdf"] = []string{"get"}
	want["/api/v1/applications/{id}/archive"] = []string{"get"}
	for _, a := range []string{"remove_document", "submit", "claim", "unclaim", "approve", "reject", "verify_identity",
		"send_to_cabinet", "take_back", "cancel"} {
		want["/api/v1/applications/{id}/actions/"+a] = []string{"post"}
	}
	for path, methods := range cabinetPaths {
		want[path] = methods
	}
	for path, methods := range hookPaths {
		want[path] = methods
	}
	for path, methods := range want {
		for _, m := range methods {
			if _, ok := doc.Paths[path][m]; !ok {
				t.Errorf("%s %s undocumented", m, path)
			}
		}
	}
	if len(doc.Paths) != len(want) {
		t.Errorf("document has %d paths, router %d", len(doc.Paths), len(want))
	}
	// Every path of the document reaches a route with that method.
	routes := newRouteTable(&Server{pprofOn: true})
	for path, methods := range doc.Paths {
		concrete := strings.NewReplacer("{profile}", "heap", "{serial}", "0a", "{issuer}", "gost256", "{id}", "0123456789abcdef", "{request}", "MA==", "{partition}", "3", "{kind}", "esia", "{doc}", "d0c").Replace(path)
		r, _ := routes.match([]byte(concrete))
		if r == nil {
			t.Errorf("%s: no route", path)
			continue
		}
		for m := range methods {
			if i := methodIndex([]byte(strings.ToUpper(m))); i < 0 || r.methods[i] == nil {
				t.Errorf("%s %s: route has no such method", m, path)
			}
		}
	}
	for _, code := range raapi.ProblemCodes() {
		if !strings.Contains(string(openapiJSON), code) {
			t.Errorf("application problem code %s undocumented", code)
		}
	}
	for _, code := range wire.Codes() {
		if !strings.Contains(string(openapiJSON), code) {
			t.Errorf("problem code %s undocumented", code)
		}
	}
}

// hookPaths are the hook callback, outbox and ESIA endpoints (api/hooksapi).
var hookPaths = map[string][]string{
	"/api/v1/hooks/{kind}":                       {"post"},
	"/api/v1/outbox":                             {"get"},
	"/api/v1/outbox/{id}":                        {"get"},
	"/api/v1/outbox/{id}/redrive":                {"post"},
	"/api/v1/outbox/{id}/cancel":                 {"post"},
	"/api/v1/certificates/{serial}/esia":         {"get"},
	"/api/v1/certificates/{serial}/esia/redrive": {"post"},
}

// cabinetPaths are the subscriber cabinet's endpoints (api/cabinetapi).
var cabinetPaths = map[string][]string{
	"/api/v1/cabinet/login":                         {"post"},
	"/api/v1/cabinet/login/verify":                  {"post"},
	"/api/v1/cabinet/logout":                        {"post"},
	"/api/v1/cabinet/applications":                  {"get"},
	"/api/v1/cabinet/applications/{id}":             {"get"},
	"/api/v1/cabinet/applications/{id}/issue-data":  {"get"},
	"/api/v1/cabinet/applications/{id}/consent":     {"post"},
	"/api/v1/cabinet/applications/{id}/request":     {"post"},
	"/api/v1/cabinet/applications/{id}/confirm":     {"post"},
	"/api/v1/cabinet/applications/{id}/certificate": {"get"},
	"/api/v1/cabinet/applications/{id}/chain":       {"get"},
	"/api/v1/applications/{id}/payment":             {"put"},
	// Renewal without a visit (cabinetapi/renewal.go).
	"/api/v1/cabinet/certificates":                        {"get"},
	"/api/v1/cabinet/certificates/{serial}/renewal":       {"get", "post"},
	"/api/v1/cabinet/applications/{id}/renewal-form.pdf":  {"get"},
	"/api/v1/cabinet/applications/{id}/renewal-signature": {"post"},
}
