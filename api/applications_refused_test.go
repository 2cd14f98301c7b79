package api_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/auth"
)

// TestApplicationRefusedCalls: calls refused for the wrong role, the
// wrong centre, a stale or missing version, bad data or the wrong state
// each answer their exact status and problem code, and write nothing:
// the audit log's head and the application's version stay as they were.
func TestApplicationRefusedCalls(t *testing.T) {
	ts := startServer(t, nil)
	foreign, _, err := ts.e.CreateToken(context.Background(), "test", auth.RoleServiceCentre, "centre-2", "foreign centre")
	if err != nil {
		t.Fatal(err)
	}
	tok := func(r auth.Role) string { return ts.tokens[r] }
	sc := tok(auth.RoleServiceCentre)
	const base = "/api/v1/applications"

	a, resp := ts.appCall(t, sc, "POST", base, raapi.CreateApplicationRequest{CertType: "natural-person", Phone: "+79161234567"}, 201)
	a, _ = ts.appCall(t, sc, "PUT", base+"/"+a.ID+"/data", raapi.ApplicationDataRequest{Phone: a.Phone, Owner: appOwner()}, 200, etag(t, resp)...)
	path := base + "/" + a.ID
	cur := `"` + strconv.FormatUint(a.Version, 10) + `"`
	stale := `"` + strconv.FormatUint(a.Version-1, 10) + `"`

	owner := func(mut func(*raapi.OwnerJSON)) raapi.ApplicationDataRequest {
		o := appOwner()
		mut(&o)
		return raapi.ApplicationDataRequest{Phone: a.Phone, Owner: o}
	}
	const pdf = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
	cases := []struct {
		name         string
		token        string
		method, path string
		body         any
		raw          string // a raw body instead of body
		ifMatch      string
		status       int
		code         string
		field        string
	}{
		// The route table's roles.
		{"auditor creates", tok(auth.RoleAuditor), "POST", base, raapi.CreateApplicationRequest{CertType: "natural-person", Phone: "+79161234567"}, "", "", 403, "forbidden", ""},
		{"cabinet creates", tok(auth.RoleCabinet), "POST", base, raapi.CreateApplicationRequest{CertType: "natural-person", Phone: "+79161234567"}, "", "", 403, "forbidden", ""},
		{"cabinet reads", tok(auth.RoleCabinet), "GET", path, nil, "", "", 403, "forbidden", ""},
		{"admin edits", tok(auth.RoleCAAdmin), "PUT", path + "/data", owner(func(*raapi.OwnerJSON) {}), "", cur, 403, "forbidden", ""},
		{"centre claims", sc, "POST", path + "/actions/claim", nil, "", cur, 403, "forbidden", ""},
		{"operator submits", tok(auth.RoleCAOperator), "POST", path + "/actions/submit", nil, "", cur, 403, "forbidden", ""},
		{"operator verifies identity", tok(auth.RoleCAOperator), "POST", path + "/actions/verify_identity", raapi.IdentityRequest{Method: "in_person", Presenter: "owner", Document: "паспорт", Confirmed: true}, "", cur, 403, "forbidden", ""},
		{"no token", "", "GET", path, nil, "", "", 401, "unauthorized", ""},
		// Centre confinement: another centre's application does not exist.
		{"foreign centre reads", foreign, "GET", path, nil, "", "", 404, "application_not_found", ""},
		{"foreign centre edits", foreign, "PUT", path + "/data", owner(func(*raapi.OwnerJSON) {}), "", cur, 404, "application_not_found", ""},
		{"foreign centre adds a document", foreign, "POST", path + "/documents?type=passport", nil, pdf, cur, 404, "application_not_found", ""},
		{"foreign centre cancels", foreign, "POST", path + "/actions/cancel", raapi.ReasonRequest{Reason: "ошибка"}, "", cur, 404, "application_not_found", ""},
		{"centre creates for another centre", sc, "POST", base, raapi.CreateApplicationRequest{CertType: "natural-person", Phone: "+79161234567", ServiceCentre: "centre-2"}, "", "", 403, "forbidden", ""},
		{"centre lists another centre", sc, "GET", base + "?service_centre=centre-2", nil, "", "", 403, "forbidden", ""},
		{"operator creates for no centre", tok(auth.RoleCAOperator), "POST", base, raapi.CreateApplicationRequest{CertType: "natural-person", Phone: "+79161234567"}, "", "", 422, "invalid_data", "centre"},
		// Versions.
		{"stale version", sc, "PUT", path + "/data", owner(func(o *raapi.OwnerJSON) { o.BirthPlace = "г. Тула" }), "", stale, 412, "version_conflict", ""},
		{"no version", sc, "PUT", path + "/data", owner(func(o *raapi.OwnerJSON) { o.BirthPlace = "г. Тула" }), "", "", 428, "version_required", ""},
		{"malformed If-Match", sc, "POST", path + "/documents?type=passport", nil, pdf, `"abc"`, 422, "invalid_data", "If-Match"},
		// Bad data.
		{"no phone", sc, "POST", base, raapi.CreateApplicationRequest{CertType: "natural-person"}, "", "", 422, "invalid_data", "phone"},
		{"landline phone", sc, "POST", base, raapi.CreateApplicationRequest{CertType: "natural-person", Phone: "+74951234567"}, "", "", 422, "invalid_data", "phone"},
		{"unknown certificate type", sc, "POST", base, raapi.CreateApplicationRequest{CertType: "nobody", Phone: "+79161234567"}, "", "", 422, "unknown_certificate_type", ""},
		{"Latin surname", sc, "PUT", path + "/data", owner(func(o *raapi.OwnerJSON) { o.Surname = "Elkina" }), "", cur, 422, "invalid_data", "owner.surname"},
		{"dash patronymic", sc, "PUT", path + "/data", owner(func(o *raapi.OwnerJSON) { o.Patronymic = "-" }), "", cur, 422, "invalid_data", "owner.patronymic"},
		{"bad SNILS checksum", sc, "PUT", path + "/data", owner(func(o *raapi.OwnerJSON) { o.SNILS = "11223344596" }), "", cur, 422, "invalid_data", "owner.snils"},
		{"date in the wrong format", sc, "PUT", path + "/data", owner(func(o *raapi.OwnerJSON) { o.BirthDate = "17.05.1990" }), "", cur, 422, "invalid_data", "owner.birth_date"},
		{"position on a natural person", sc, "PUT", path + "/data", owner(func(o *raapi.OwnerJSON) { o.Position = "Бухгалтер" }), "", cur, 422, "invalid_data", "owner.position"},
		{"unknown sex", sc, "PUT", path + "/data", owner(func(o *raapi.OwnerJSON) { o.Sex = "x" }), "", cur, 422, "invalid_data", "owner.sex"},
		{"document type", sc, "POST", path + "/documents?type=selfie", nil, pdf, cur, 422, "invalid_data", "type"},
		{"no document type", sc, "POST", path + "/documents", nil, pdf, cur, 422, "invalid_data", "type"},
		{"executable", sc, "POST", path + "/documents?type=passport", nil, "MZ\x90\x00\x03\x00\x00\x00 This program cannot be run in DOS mode", cur, 415, "unsupported_document_type", ""},
		{"stale version on upload", sc, "POST", path + "/documents?type=passport", nil, pdf, stale, 412, "version_conflict", ""},
		{"no version on upload", sc, "POST", path + "/documents?type=passport", nil, pdf, "", 428, "version_required", ""},
		{"unknown JSON field", sc, "PUT", path + "/data", nil, `{"phone":"+79161234567","owner":{},"organisation":{"name":"x"}}`, cur, 400, "invalid_json", ""},
		{"reject without reasons", tok(auth.RoleCAOperator), "POST", path + "/actions/reject", raapi.RejectRequest{}, "", cur, 422, "invalid_data", "reasons"},
		{"cancel without a reason", sc, "POST", path + "/actions/cancel", raapi.ReasonRequest{}, "", cur, 422, "invalid_data", "reason"},
		{"bad state filter", tok(auth.RoleCAOperator), "GET", base + "?state=done", nil, "", "", 422, "invalid_data", "state"},
		// Preconditions and states.
		{"submit incomplete", sc, "POST", path + "/actions/submit", nil, "", cur, 422, "application_incomplete", ""},
		{"claim while filling", tok(auth.RoleCAOperator), "POST", path + "/actions/claim", nil, "", cur, 409, "action_not_allowed_in_state", ""},
		{"send to cabinet while filling", sc, "POST", path + "/actions/send_to_cabinet", nil, "", cur, 409, "action_not_allowed_in_state", ""},
		{"take back while filling", sc, "POST", path + "/actions/take_back", raapi.ReasonRequest{Reason: "проверка"}, "", cur, 409, "action_not_allowed_in_state", ""},
		{"issue at the desk (gone: only the cabinet issues)", sc, "POST", path + "/actions/issue_at_desk", map[string]string{"csr": "MIIB"}, "", cur, 404, "not_found", ""},
		{"remove a missing document", sc, "POST", path + "/actions/remove_document", map[string]string{"document": "nope"}, "", cur, 404, "document_not_found", ""},
	}
	headNow := func() uint64 {
		seq, _, err := ts.e.Store().AuditHead(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			head := headNow()
			var b []byte
			ct := ""
			switch {
			case c.raw != "":
				b, ct = []byte(c.raw), "application/json"
			case c.body != nil:
				b, ct = mustJSON(t, c.body), "application/json"
			}
			var hdr []string
			if c.ifMatch != "" {
				hdr = []string{"If-Match", c.ifMatch}
			}
			r, body := ts.do(t, c.method, c.path, c.token, ct, b, hdr...)
			p := wantProblem(t, r, body, c.status, c.code)
			if c.field != "" {
				ap := decode[raapi.AppProblem](t, body)
				found := p.Field == c.field
				for _, f := range ap.InvalidParams {
					found = found || f.Field == c.field
				}
				if !found {
					t.Fatalf("problem names fields %+v, want %s", ap.InvalidParams, c.field)
				}
				if len(ap.InvalidParams) > 0 && !slices.Contains(p.Fields, ap.InvalidParams[0].Field) {
					t.Fatalf("fields %v does not name invalid_params' %s", p.Fields, ap.InvalidParams[0].Field)
				}
			}
			if c.code == "application_incomplete" {
				if ap := decode[raapi.AppProblem](t, body); len(ap.Missing) == 0 {
					t.Fatalf("incomplete without what is missing: %s", body)
				}
			}
			if strings.Contains(string(body), "11223344596") || strings.Contains(string(body), "Elkina") {
				t.Fatalf("the problem echoes personal data: %s", body)
			}
			if h := headNow(); h != head {
				t.Fatalf("refused call wrote %d audit entries", h-head)
			}
			stored, err := ts.e.Store().Application(context.Background(), a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Version != a.Version {
				t.Fatalf("refused call changed the application: version %d → %d", a.Version, stored.Version)
			}
		})
	}
}
