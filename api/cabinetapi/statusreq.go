package cabinetapi

import (
	"encoding/hex"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/statusreq"
	"github.com/gostca/gostca/store"
)

// Subscribers' requests to suspend or revoke a certificate
// (docs/cabinet.md, "Status requests"): asked and confirmed in the
// session, listed by the subscriber (their own only), decided by
// operators. Package statusreq has the rules.

func init() {
	for code, st := range map[string]struct {
		status int
		title  string
	}{
		string(statusreq.CodeInvalidStatusRequest): {fasthttp.StatusUnprocessableEntity, "Invalid status request"},
		string(statusreq.CodeReasonNotAllowed):     {fasthttp.StatusUnprocessableEntity, "Reason not allowed"},
		string(statusreq.CodeStatusPending):        {fasthttp.StatusConflict, "Status request pending"},
		string(statusreq.CodeStatusFinal):          {fasthttp.StatusConflict, "Certificate status final"},
		ca.CodeStatusRequestNotFound:               {fasthttp.StatusNotFound, "Status request not found"},
	} {
		wire.Register(code, st.status, st.title)
	}
}

// StatusRequestBody is the body of POST …/cabinet/certificates/{serial}/status-requests.
type StatusRequestBody struct {
	Action  string `json:"action"`
	Reason  string `json:"reason,omitempty"`
	Comment string `json:"comment,omitempty"`
}

// StatusConfirmBody is the body of POST …/status-requests/{id}/confirm.
type StatusConfirmBody struct {
	Code string `json:"code"`
}

// StatusRequestJSON is a status request.
type StatusRequestJSON struct {
	ID        string     `json:"id"`
	Serial    string     `json:"serial"`
	Action    string     `json:"action"`
	Reason    string     `json:"reason"`
	Comment   string     `json:"comment,omitempty"`
	State     string     `json:"state"`
	CreatedAt time.Time  `json:"created_at"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	DecidedBy string     `json:"decided_by,omitempty"`
	Rejection string     `json:"rejection,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"` // the code's expiry, while a subscriber's request awaits it
}

// StatusRequestPage is a page of status requests.
type StatusRequestPage struct {
	Items      []StatusRequestJSON `json:"items"`
	NextCursor string              `json:"next_cursor,omitempty"`
}

func statusRequestJSON(r *store.StatusRequest, operator bool) StatusRequestJSON {
	out := StatusRequestJSON{ID: hex.EncodeToString(r.ID[:]), Serial: strings.ToUpper(hex.EncodeToString(r.Serial)),
		Action: "revoke", Reason: r.Reason, Comment: r.Comment, State: r.State.String(), CreatedAt: r.Created, Rejection: r.Rejection}
	if r.Action == store.OnHold {
		out.Action = "suspend"
	}
	if !r.Decided.IsZero() {
		d := r.Decided
		out.DecidedAt = &d
		if operator {
			out.DecidedBy = r.DecidedBy
		}
	}
	return out
}

// mineJSON is a request as its subscriber sees it: never the decider,
// "expired" for a draft whose code can no longer confirm it.
func mineJSON(m *statusreq.Mine) StatusRequestJSON {
	out := statusRequestJSON(&m.StatusRequest, false)
	out.State = m.State
	if !m.CodeExpires.IsZero() {
		e := m.CodeExpires
		out.ExpiresAt = &e
	}
	return out
}

// AskStatus: POST /api/v1/cabinet/certificates/{serial}/status-requests.
func (s *API) AskStatus(ctx *fasthttp.RequestCtx, c cabinet.Client, sub *cabinet.Subscriber, serial []byte) error {
	var body StatusRequestBody
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return err
	}
	cc, cancel := s.callCtx()
	defer cancel()
	sent, err := s.e.StatusReq().Ask(cc, sub, c, string(serial), statusreq.Input{Action: body.Action, Reason: body.Reason, Comment: body.Comment})
	if err != nil {
		return err
	}
	ctx.Response.Header.Set("Location", "/api/v1/cabinet/status-requests/"+sent.ID)
	return wire.WriteJSON(ctx, fasthttp.StatusAccepted, Challenge{Challenge: sent.ID, ExpiresAt: sent.Expires, ResendAfter: sent.ResendAfter})
}

// ConfirmStatus: POST /api/v1/cabinet/status-requests/{id}/confirm.
func (s *API) ConfirmStatus(ctx *fasthttp.RequestCtx, c cabinet.Client, sub *cabinet.Subscriber, id []byte) error {
	var body StatusConfirmBody
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return err
	}
	cc, cancel := s.callCtx()
	defer cancel()
	r, err := s.e.StatusReq().Confirm(cc, sub, c, string(id), body.Code)
	if err != nil {
		return err
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, statusRequestJSON(r, false))
}

// GetStatus: GET /api/v1/cabinet/status-requests/{id}.
func (s *API) GetStatus(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, id []byte) error {
	cc, cancel := s.callCtx()
	defer cancel()
	m, err := s.e.StatusReq().Get(cc, sub, string(id))
	if err != nil {
		return err
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, mineJSON(m))
}

// MyStatus: GET /api/v1/cabinet/status-requests?cursor&limit: the
// session's phone's requests, newest first.
func (s *API) MyStatus(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, _ []byte) error {
	limit, err := pageLimit(ctx)
	if err != nil {
		return err
	}
	cc, cancel := s.callCtx()
	defer cancel()
	page, next, err := s.e.StatusReq().List(cc, sub, string(ctx.QueryArgs().Peek("cursor")), limit)
	if err != nil {
		return err
	}
	out := StatusRequestPage{Items: make([]StatusRequestJSON, 0, len(page)), NextCursor: next}
	for i := range page {
		out.Items = append(out.Items, mineJSON(&page[i]))
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, out)
}

// ListStatus: GET /api/v1/status-requests?state=pending&cursor&limit (operators).
func (s *API) ListStatus(ctx *fasthttp.RequestCtx, _ *auth.Principal, _ []byte) error {
	limit, err := pageLimit(ctx)
	if err != nil {
		return err
	}
	cc, cancel := s.callCtx()
	defer cancel()
	page, next, err := s.e.StatusRequests(cc, string(ctx.QueryArgs().Peek("state")), string(ctx.QueryArgs().Peek("cursor")), limit)
	if err != nil {
		return err
	}
	out := StatusRequestPage{Items: make([]StatusRequestJSON, 0, len(page)), NextCursor: next}
	for i := range page {
		out.Items = append(out.Items, statusRequestJSON(&page[i], true))
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, out)
}

// RejectBody is the body of POST /api/v1/status-requests/{id}/reject.
type RejectBody struct {
	Reason string `json:"reason"`
}

// ApproveStatus: POST /api/v1/status-requests/{id}/approve (operators).
func (s *API) ApproveStatus(ctx *fasthttp.RequestCtx, p *auth.Principal, id []byte) error {
	cc, cancel := s.callCtx()
	defer cancel()
	r, err := s.e.DecideStatusRequest(cc, p, string(id), true, "")
	if err != nil {
		return err
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, statusRequestJSON(r, true))
}

// RejectStatus: POST /api/v1/status-requests/{id}/reject {reason} (operators).
func (s *API) RejectStatus(ctx *fasthttp.RequestCtx, p *auth.Principal, id []byte) error {
	var body RejectBody
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return err
	}
	cc, cancel := s.callCtx()
	defer cancel()
	r, err := s.e.DecideStatusRequest(cc, p, string(id), false, body.Reason)
	if err != nil {
		return err
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, statusRequestJSON(r, true))
}

// StatusRequestView is a request as operators see it (the CLI).
func StatusRequestView(r *store.StatusRequest) StatusRequestJSON { return statusRequestJSON(r, true) }
