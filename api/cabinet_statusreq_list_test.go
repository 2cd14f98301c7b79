package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/config"
)

// TestCabinetOwnStatusRequests: GET …/cabinet/status-requests over a real
// server. Two phones each see their own requests only, newest first, page
// by page; the states follow the operator's decisions (approved,
// rejected with its reason) and a request whose code expired shows
// expired; another phone's request id answers 404 with the body an
// unknown id gets; no code ever appears in an answer.
func TestCabinetOwnStatusRequests(t *testing.T) {
	env := startCabinet(t, func(c *config.Config) { c.Cabinet.PerPhone, c.Cabinet.PerPrefix = 100, 100 })
	o := newOSSL(t)
	cab, op := env.tokens[auth.RoleCabinet], env.tokens[auth.RoleCAOperator]
	const phone1, phone2 = "+79161234567", "+79031112233"
	sess1 := env.login(t, cab, phone1)
	sess2 := env.login(t, cab, phone2)
	certA := env.issueReady(t, o, sess1, phone1, "a")
	certB := env.issueReady(t, o, sess1, phone1, "b")
	certC := env.issueReady(t, o, sess2, phone2, "c")

	// ask sends a request and answers its id; confirm consumes its code.
	ask := func(t *testing.T, sess, serial string, body cabinetapi.StatusRequestBody) string {
		t.Helper()
		env.drainSMS(t)
		env.clk.add(2*time.Minute + time.Second)
		resp, b := env.call(t, cab, sess, "POST", "/api/v1/cabinet/certificates/"+serial+"/status-requests", body)
		wantStatus(t, resp, b, 202)
		return decode[cabinetapi.Challenge](t, b).Challenge
	}
	confirm := func(t *testing.T, sess, phone, id string) {
		t.Helper()
		code := env.code(t, phone)
		resp, b := env.call(t, cab, sess, "POST", "/api/v1/cabinet/status-requests/"+id+"/confirm", cabinetapi.StatusConfirmBody{Code: code})
		wantStatus(t, resp, b, 200)
	}
	list := func(t *testing.T, sess, query string) cabinetapi.StatusRequestPage {
		t.Helper()
		resp, b := env.call(t, cab, sess, "GET", "/api/v1/cabinet/status-requests"+query, nil)
		wantStatus(t, resp, b, 200)
		if strings.Contains(string(b), "decided_by") {
			t.Fatalf("the subscriber sees the decider: %s", b)
		}
		return decode[cabinetapi.StatusRequestPage](t, b)
	}
	// states is "id:state" of each item, in order.
	states := func(p cabinetapi.StatusRequestPage) []string {
		var out []string
		for _, r := range p.Items {
			out = append(out, r.ID+":"+r.State)
		}
		return out
	}
	want := func(t *testing.T, what string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("%s:\n got %v\nwant %v", what, got, want)
		}
	}

	if p := list(t, sess1, ""); len(p.Items) != 0 || p.NextCursor != "" {
		t.Fatalf("before any request: %+v", p)
	}

	r1 := ask(t, sess1, certA, cabinetapi.StatusRequestBody{Action: "revoke", Reason: "keyCompromise", Comment: "токен утерян"})
	p := list(t, sess1, "")
	want(t, "awaiting its code", states(p), r1+":awaiting_code")
	if it := p.Items[0]; it.ExpiresAt == nil || !it.ExpiresAt.After(it.CreatedAt) || it.Action != "revoke" || it.Reason != "keyCompromise" ||
		!strings.EqualFold(strings.TrimLeft(it.Serial, "0"), strings.TrimLeft(certA, "0")) || it.DecidedAt != nil {
		t.Fatalf("a request awaiting its code: %+v", it)
	}
	confirm(t, sess1, phone1, r1)
	r2 := ask(t, sess1, certB, cabinetapi.StatusRequestBody{Action: "suspend"})
	confirm(t, sess1, phone1, r2)
	r4 := ask(t, sess2, certC, cabinetapi.StatusRequestBody{Action: "suspend", Reason: "certificateHold"})
	confirm(t, sess2, phone2, r4)

	want(t, "phone 1, both pending", states(list(t, sess1, "")), r2+":pending", r1+":pending")
	want(t, "phone 2, its own only", states(list(t, sess2, "")), r4+":pending")

	t.Run("the operator decides", func(t *testing.T) {
		resp, b := env.call(t, op, "", "POST", "/api/v1/status-requests/"+r1+"/approve", nil)
		wantStatus(t, resp, b, 200)
		resp, b = env.call(t, op, "", "POST", "/api/v1/status-requests/"+r2+"/reject", cabinetapi.RejectBody{Reason: "сертификат нужен для отчётности"})
		wantStatus(t, resp, b, 200)
		p := list(t, sess1, "")
		want(t, "phone 1 after the decisions", states(p), r2+":rejected", r1+":approved")
		if rej, app := p.Items[0], p.Items[1]; rej.Rejection != "сертификат нужен для отчётности" || rej.DecidedAt == nil || rej.Action != "suspend" ||
			rej.Reason != "certificateHold" || app.DecidedAt == nil || app.Rejection != "" || app.Comment != "токен утерян" || rej.ExpiresAt != nil {
			t.Fatalf("decided requests: %+v", p.Items)
		}
		want(t, "phone 2 unchanged", states(list(t, sess2, "")), r4+":pending")
	})

	t.Run("a code that expired", func(t *testing.T) {
		r3 := ask(t, sess1, certB, cabinetapi.StatusRequestBody{Action: "revoke", Reason: "superseded"})
		want(t, "a new draft first", states(list(t, sess1, "")), r3+":awaiting_code", r2+":rejected", r1+":approved")
		env.clk.add(5*time.Minute + time.Second)
		p := list(t, sess1, "")
		want(t, "its code expired", states(p), r3+":expired", r2+":rejected", r1+":approved")
		resp, b := env.call(t, cab, sess1, "GET", "/api/v1/cabinet/status-requests/"+r3, nil)
		wantStatus(t, resp, b, 200)
		if got := decode[cabinetapi.StatusRequestJSON](t, b); got.State != "expired" || got.ExpiresAt == nil {
			t.Fatalf("one expired request: %s", b)
		}
		// The operators still see it as the store keeps it.
		resp, b = env.call(t, op, "", "GET", "/api/v1/status-requests?state=awaiting_code", nil)
		wantStatus(t, resp, b, 200)
		want(t, "the operators' drafts", states(decode[cabinetapi.StatusRequestPage](t, b)), r3+":awaiting_code")

		// Pages of two, then of one, newest first.
		p1 := list(t, sess1, "?limit=2")
		want(t, "first page of 2", states(p1), r3+":expired", r2+":rejected")
		if p1.NextCursor == "" {
			t.Fatal("no next cursor after a full page")
		}
		p2 := list(t, sess1, "?limit=2&cursor="+p1.NextCursor)
		want(t, "second page of 2", states(p2), r1+":approved")
		if p2.NextCursor != "" {
			t.Fatalf("a cursor after the last page: %q", p2.NextCursor)
		}
		var all []string
		for cur := ""; ; {
			q := "?limit=1"
			if cur != "" {
				q += "&cursor=" + cur
			}
			pg := list(t, sess1, q)
			all = append(all, states(pg)...)
			if cur = pg.NextCursor; cur == "" {
				break
			}
		}
		want(t, "pages of one", all, r3+":expired", r2+":rejected", r1+":approved")
		for _, q := range []string{"?limit=0", "?limit=1001", "?limit=x"} {
			resp, b := env.call(t, cab, sess1, "GET", "/api/v1/cabinet/status-requests"+q, nil)
			if pr := wantProblem(t, resp, b, 422, "invalid_data"); pr.Field != "limit" {
				t.Fatalf("limit %s: %s", q, b)
			}
		}
		resp, b = env.call(t, cab, sess1, "GET", "/api/v1/cabinet/status-requests?cursor=zz", nil)
		if pr := wantProblem(t, resp, b, 400, "invalid_request"); pr.Field != "cursor" {
			t.Fatalf("a bad cursor: %s", b)
		}
	})

	t.Run("another phone's id answers as an unknown one", func(t *testing.T) {
		const unknown = "0123456789abcdef0123456789abcdef"
		get := func(sess, id string) (*http.Response, []byte) {
			return env.call(t, cab, sess, "GET", "/api/v1/cabinet/status-requests/"+id, nil)
		}
		resp, ub := get(sess2, unknown)
		wantProblem(t, resp, ub, 404, "code_challenge_not_found")
		for _, c := range []struct{ sess, id string }{{sess2, r1}, {sess2, r2}, {sess1, r4}} {
			resp, b := get(c.sess, c.id)
			wantProblem(t, resp, b, 404, "code_challenge_not_found")
			// The same bytes but the path asked (the problem's instance).
			if same := strings.ReplaceAll(string(b), c.id, unknown); same != string(ub) || !strings.Contains(string(b), c.id) {
				t.Fatalf("another phone's request %s:\n%s\nan unknown one:\n%s", c.id, b, ub)
			}
		}
		// Each phone's own request is readable.
		resp, b := get(sess2, r4)
		wantStatus(t, resp, b, 200)
		if got := decode[cabinetapi.StatusRequestJSON](t, b); got.ID != r4 || got.State != "pending" {
			t.Fatalf("phone 2's own request: %s", b)
		}
	})

	t.Run("without a session", func(t *testing.T) {
		resp, b := env.call(t, cab, "", "GET", "/api/v1/cabinet/status-requests", nil)
		wantProblem(t, resp, b, 401, "session_invalid")
		resp, b = env.call(t, op, "", "GET", "/api/v1/cabinet/status-requests", nil)
		wantProblem(t, resp, b, 403, "forbidden")
	})
	env.noCodesLeaked(t)
}
