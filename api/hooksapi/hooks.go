// Package hooksapi is the HTTP face of package hooks: the signed
// callbacks of the systems the hooks call, and the operators' outbox and
// ESIA registration views and actions. The route table that names its
// methods is package api's (routes.go).
package hooksapi

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/hooks"
	"github.com/gostca/gostca/store"
)

// The hook endpoints: signed callbacks from the systems the hooks call
// (no bearer token: the Standard Webhooks signature is the credential),
// and the operators' outbox view and actions. The rules are in hooks.

// API serves the hook endpoints.
type API struct {
	e       *ca.CA
	timeout time.Duration
}

// New makes the endpoints for e; timeout bounds each call into the CA
// (the server's write timeout).
func New(e *ca.CA, timeout time.Duration) *API { return &API{e: e, timeout: timeout} }

func (s *API) callCtx() (context.Context, context.CancelFunc) { return wire.CallContext(s.timeout) }

// Callback is POST /api/v1/hooks/{kind}.
func (s *API) Callback(ctx *fasthttp.RequestCtx, _ *auth.Principal, param []byte) error {
	h := hooks.CallbackHeaders{
		ID:        string(ctx.Request.Header.Peek(hooks.HeaderID)),
		Timestamp: string(ctx.Request.Header.Peek(hooks.HeaderTimestamp)),
		Signature: string(ctx.Request.Header.Peek(hooks.HeaderSignature)),
	}
	c, cancel := s.callCtx()
	defer cancel()
	res, err := s.e.Hooks().Callback(c, string(param), h, ctx.PostBody())
	var ce *hooks.CallbackError
	if errors.As(err, &ce) {
		wire.WriteProblemDoc(ctx, ce.Status, wire.Problem{Type: wire.ProblemTypeURNPrefix + "hook." + ce.Code, Title: "Callback refused",
			Status: ce.Status, Detail: ce.Detail, Instance: string(ctx.Path()), Code: "hook." + ce.Code})
		return nil
	}
	if err != nil {
		return err
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, res)
}

// OutboxAttempt is one delivery attempt of an outbox row.
type OutboxAttempt struct {
	At    time.Time `json:"at"`
	Code  int       `json:"status_code,omitempty"`
	Error string    `json:"error,omitempty"`
	Took  float64   `json:"took_seconds"`
}

// OutboxRow is an outbox row as operators see it. The payload is not
// shown: it may hold personal data or a one-time code.
type OutboxRow struct {
	ID          uint64          `json:"id"`
	Kind        string          `json:"kind"`
	State       string          `json:"state"` // pending, delivered, dead, cancelled
	Serial      string          `json:"serial,omitempty"`
	Attempts    int             `json:"attempts"`
	NextAttempt *time.Time      `json:"next_attempt,omitempty"`
	LastError   string          `json:"last_error,omitempty"`
	Created     time.Time       `json:"created"`
	Finished    *time.Time      `json:"finished,omitempty"`
	Log         []OutboxAttempt `json:"log,omitempty"`

	// A polling receiver's ticket, the status queries made and the
	// deadline (docs/integrations.md, "Polling receivers").
	Ticket       string     `json:"ticket,omitempty"`
	Polls        int        `json:"polls,omitempty"`
	PollDeadline *time.Time `json:"poll_deadline,omitempty"`
}

// OutboxView is the operators' view of a stored row (the CLI prints it too).
func OutboxView(r *store.OutboxRow, withLog bool) OutboxRow {
	v := OutboxRow{ID: r.ID, Kind: r.Kind, State: "pending", Attempts: r.Attempts, LastError: r.LastError, Created: r.CreatedAt.UTC()}
	if len(r.Serial) > 0 {
		v.Serial = ca.FormatSerial(r.Serial)
	}
	if r.Ticket != "" {
		t := r.PollDeadline.UTC()
		v.Ticket, v.Polls, v.PollDeadline = r.Ticket, r.Polls, &t
	}
	switch {
	case r.Done:
		v.State = "delivered"
	case r.Dead:
		v.State = "dead"
	case r.Cancelled:
		v.State = "cancelled"
	default:
		t := r.NextAttempt.UTC()
		v.NextAttempt = &t
	}
	if v.State != "pending" && !r.DoneAt.IsZero() {
		t := r.DoneAt.UTC()
		v.Finished = &t
	}
	if withLog {
		for _, a := range r.Log {
			v.Log = append(v.Log, OutboxAttempt{At: a.At.UTC(), Code: a.Code, Error: a.Error, Took: a.Took.Seconds()})
		}
	}
	return v
}

// outboxError maps the store's answers for outbox rows.
func outboxError(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &wire.Error{Code: wire.CodeNotFound, Detail: "no such outbox row or certificate"}
	case errors.Is(err, store.ErrInvalidTransition):
		return &wire.Error{Code: caerr.CodeInvalidTransition, Detail: "not possible in the row's state: only pending and dead rows are redriven or cancelled, an ESIA registration only after it failed"}
	}
	return err
}

// listOutbox is GET /api/v1/outbox?state=pending|dead|all&kind=&after=&limit=.
func (s *API) ListOutbox(ctx *fasthttp.RequestCtx, _ *auth.Principal, _ []byte) error {
	q := ctx.QueryArgs()
	var state store.OutboxState
	switch string(q.Peek("state")) {
	case "", "pending":
		state = store.OutboxPendingRows
	case "dead":
		state = store.OutboxDeadRows
	case "all":
		state = store.OutboxAny
	default:
		return &wire.Error{Code: wire.CodeInvalidQuery, Field: "state", Detail: "state is pending, dead or all"}
	}
	kind := string(q.Peek("kind"))
	if len(kind) > 32 {
		return &wire.Error{Code: wire.CodeInvalidQuery, Field: "kind", Detail: "kind is at most 32 characters"}
	}
	var after uint64
	if a := q.Peek("after"); len(a) > 0 {
		v, err := strconv.ParseUint(string(a), 10, 64)
		if err != nil {
			return &wire.Error{Code: wire.CodeInvalidQuery, Field: "after", Detail: "after is a row id"}
		}
		after = v
	}
	limit := 100
	if l := q.Peek("limit"); len(l) > 0 {
		v, err := strconv.Atoi(string(l))
		if err != nil || v < 1 || v > 1000 {
			return &wire.Error{Code: wire.CodeInvalidQuery, Field: "limit", Detail: "limit is 1..1000"}
		}
		limit = v
	}
	c, cancel := s.callCtx()
	defer cancel()
	rows, err := s.e.Hooks().List(c, kind, state, after, limit)
	if err != nil {
		return outboxError(err)
	}
	out := make([]OutboxRow, 0, len(rows))
	for i := range rows {
		out = append(out, OutboxView(&rows[i], false))
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, map[string]any{"items": out})
}

func outboxID(param []byte) (uint64, error) {
	id, err := strconv.ParseUint(string(param), 10, 64)
	if err != nil || id == 0 {
		return 0, &wire.Error{Code: wire.CodeNotFound, Detail: "an outbox row id is a positive integer"}
	}
	return id, nil
}

func (s *API) GetOutbox(ctx *fasthttp.RequestCtx, _ *auth.Principal, param []byte) error {
	id, err := outboxID(param)
	if err != nil {
		return err
	}
	c, cancel := s.callCtx()
	defer cancel()
	r, err := s.e.Hooks().Row(c, id)
	if err != nil {
		return outboxError(err)
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, OutboxView(r, true))
}

// RedriveOutbox is POST /api/v1/outbox/{id}/redrive.
func (s *API) RedriveOutbox(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
	return s.rowAction(ctx, p, param, (*hooks.Deliverer).Redrive)
}

// CancelOutbox is POST /api/v1/outbox/{id}/cancel.
func (s *API) CancelOutbox(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
	return s.rowAction(ctx, p, param, (*hooks.Deliverer).Cancel)
}

// rowAction serves an operator's action on one outbox row and answers
// with the row as it is after it.
func (s *API) rowAction(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte,
	act func(*hooks.Deliverer, context.Context, string, uint64) (*store.OutboxRow, error)) error {
	id, err := outboxID(param)
	if err != nil {
		return err
	}
	c, cancel := s.callCtx()
	defer cancel()
	r, err := act(s.e.Hooks(), c, p.Actor(), id)
	if err != nil {
		return outboxError(err)
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, OutboxView(r, true))
}

// ESIARegistration is a certificate's ESIA registration state.
type ESIARegistration struct {
	Serial  string     `json:"serial"`
	State   string     `json:"state"` // PENDING until ESIA answers, then its status
	Code    string     `json:"code,omitempty"`
	Message string     `json:"message,omitempty"`
	Updated *time.Time `json:"updated,omitempty"`
	Answers int        `json:"answers"`
}

func (s *API) GetESIA(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
	serial, err := ca.ParseSerial(string(param))
	if err != nil {
		return err
	}
	c, cancel := s.callCtx()
	defer cancel()
	if _, err := s.e.Certificate(c, p, serial); err != nil {
		return err
	}
	st, err := s.e.Hooks().ESIAState(c, serial)
	if err != nil {
		return err
	}
	out := ESIARegistration{Serial: ca.FormatSerial(serial), State: "PENDING"}
	if st != nil {
		t := st.Updated.UTC()
		out.State, out.Code, out.Message, out.Updated, out.Answers = st.State, st.Code, st.Message, &t, st.Answers
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, out)
}

func (s *API) RedriveESIA(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
	serial, err := ca.ParseSerial(string(param))
	if err != nil {
		return err
	}
	c, cancel := s.callCtx()
	defer cancel()
	r, err := s.e.Hooks().RedriveESIA(c, p.Actor(), serial)
	if err != nil {
		return outboxError(err)
	}
	return wire.WriteJSON(ctx, fasthttp.StatusAccepted, OutboxView(r, false))
}
