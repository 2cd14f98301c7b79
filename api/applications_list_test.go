package api_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/auth"
)

// TestApplicationListPages: lists page with cursors through exactly the
// applications of the query; a centre's list is its own (with no filter
// too); the state queue, phone and identifier searches find what they
// should.
func TestApplicationListPages(t *testing.T) {
	ts := startServer(t, nil)
	foreign, _, err := ts.e.CreateToken(context.Background(), "test", auth.RoleServiceCentre, "centre-2", "foreign centre")
	if err != nil {
		t.Fatal(err)
	}
	sc, op := ts.tokens[auth.RoleServiceCentre], ts.tokens[auth.RoleCAOperator]
	ids := map[string]bool{}
	for i := range 5 {
		a, _ := ts.appCall(t, sc, "POST", "/api/v1/applications", raapi.CreateApplicationRequest{CertType: "natural-person",
			Phone: fmt.Sprintf("+7916000000%d", i)}, 201)
		ids[a.ID] = true
	}
	ts.appCall(t, foreign, "POST", "/api/v1/applications", raapi.CreateApplicationRequest{CertType: "natural-person", Phone: "+79160000000"}, 201)

	list := func(token, query string) []string {
		t.Helper()
		var out []string
		cursor := ""
		for pages := 0; ; pages++ {
			r, body := ts.do(t, "GET", "/api/v1/applications?"+query+"&cursor="+url.QueryEscape(cursor), token, "", nil)
			wantStatus(t, r, body, 200)
			p := decode[raapi.ApplicationPage](t, body)
			if len(p.Items) > 2 || pages > 10 {
				t.Fatalf("%s: page of %d, or endless", query, len(p.Items))
			}
			for _, a := range p.Items {
				out = append(out, a.ID)
			}
			if p.NextCursor == "" {
				return out
			}
			cursor = p.NextCursor
		}
	}
	for name, c := range map[string]struct {
		token, query string
		want         int
	}{
		"centre, no filter":         {sc, "limit=2", 5},
		"centre, its own centre":    {sc, "service_centre=centre-1&limit=2", 5},
		"operator, a centre":        {op, "service_centre=centre-1&limit=2", 5},
		"operator, the new queue":   {op, "state=new&limit=2", 6},
		"foreign centre":            {foreign, "limit=2", 1},
		"operator, one phone":       {op, "phone=8%20916%20000-00-00&limit=2", 2},
		"centre, one phone":         {sc, "phone=%2B79160000000&limit=2", 1},
		"centre, state filter":      {sc, "state=new&limit=2", 5},
		"operator, unknown SNILS":   {op, "snils=11223344595&limit=2", 0},
		"auditor, the other centre": {ts.tokens[auth.RoleAuditor], "service_centre=centre-2&limit=2", 1},
	} {
		got := list(c.token, c.query)
		seen := map[string]bool{}
		for _, id := range got {
			if seen[id] {
				t.Errorf("%s: %s twice", name, id)
			}
			seen[id] = true
		}
		if len(got) != c.want {
			t.Errorf("%s: %d applications, want %d", name, len(got), c.want)
		}
		if c.token == sc {
			for _, id := range got {
				if !ids[id] {
					t.Errorf("%s: another centre's application %s", name, id)
				}
			}
		}
	}
}
