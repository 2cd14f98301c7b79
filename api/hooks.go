package api

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/hooks"
	"github.com/gostca/gostca/store"
)

// The hook endpoints: signed callbacks from the systems the hooks call
// (no bearer token: the Standard Webhooks signature is the credential),
// and the operators' outbox view and actions. The rules are in hooks.

// hookCallback is POST /api/v1/hooks/{kind}.
func (s *Server) hookCallback(ctx *fasthttp.RequestCtx, _ *auth.Principal, param []byte) error {
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
		body, _ := json.Marshal(Problem{Type: problemTypeURNPrefix + "hook." + ce.Code, Title: "Callback refused",
			Status: ce.Status, Detail: ce.Detail, Instance: string(ctx.Path()), Code: "hook." + ce.Code})
		ctx.Response.Header.Set("Cache-Control", "no-store")
		ctx.SetStatusCode(ce.Status)
		ctx.SetContentType(problemContentType)
		ctx.SetBody(body)
		return nil
	}
	if err != nil {
		return err
	}
	return writeJSON(ctx, fasthttp.StatusOK, res)
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
		return &problemErr{code: codeNotFound, detail: "no such outbox row or certificate"}
	case errors.Is(err, store.ErrInvalidTransition):
		return &problemErr{code: caerr.CodeInvalidTransition, detail: "not possible in the row's state: only pending and dead rows are redriven or cancelled, an ESIA registration only after it failed"}
	}
	return err
}

// listOutbox is GET /api/v1/outbox?state=pending|dead|all&kind=&after=&limit=.
func (s *Server) listOutbox(ctx *fasthttp.RequestCtx, _ *auth.Principal, _ []byte) error {
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
		return &problemErr{code: codeInvalidQuery, field: "state", detail: "state is pending, dead or all"}
	}
	kind := string(q.Peek("kind"))
	if len(kind) > 32 {
		return &problemErr{code: codeInvalidQuery, field: "kind", detail: "kind is at most 32 characters"}
	}
	var after uint64
	if a := q.Peek("after"); len(a) > 0 {
		v, err := strconv.ParseUint(string(a), 10, 64)
		if err != nil {
			return &problemErr{code: codeInvalidQuery, field: "after", detail: "after is a row id"}
		}
		after = v
	}
	limit := 100
	if l := q.Peek("limit"); len(l) > 0 {
		v, err := strconv.Atoi(string(l))
		if err != nil || v < 1 || v > 1000 {
			return &problemErr{code: codeInvalidQuery, field: "limit", detail: "limit is 1..1000"}
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
	return writeJSON(ctx, fasthttp.StatusOK, map[string]any{"items": out})
}

func outboxID(param []byte) (uint64, error) {
	id, err := strconv.ParseUint(string(param), 10, 64)
	if err != nil || id == 0 {
		return 0, &problemErr{code: codeNotFound, detail: "an outbox row id is a positive integer"}
	}
	return id, nil
}

func (s *Server) getOutbox(ctx *fasthttp.RequestCtx, _ *auth.Principal, param []byte) error {
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
	return writeJSON(ctx, fasthttp.StatusOK, OutboxView(r, true))
}

func (s *Server) redriveOutbox(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
	id, err := outboxID(param)
	if err != nil {
		return err
	}
	c, cancel := s.callCtx()
	defer cancel()
	r, err := s.e.Hooks().Redrive(c, p.Actor(), id)
	if err != nil {
		return outboxError(err)
	}
	return writeJSON(ctx, fasthttp.StatusOK, OutboxView(r, true))
}

func (s *Server) cancelOutbox(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
	id, err := outboxID(param)
	if err != nil {
		return err
	}
	c, cancel := s.callCtx()
	defer cancel()
	r, err := s.e.Hooks().Cancel(c, p.Actor(), id)
	if err != nil {
		return outboxError(err)
	}
	return writeJSON(ctx, fasthttp.StatusOK, OutboxView(r, true))
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

func (s *Server) getESIA(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
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
	return writeJSON(ctx, fasthttp.StatusOK, out)
}

func (s *Server) redriveESIA(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
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
	return writeJSON(ctx, fasthttp.StatusAccepted, OutboxView(r, false))
}
