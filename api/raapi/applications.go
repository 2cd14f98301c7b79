// Package raapi is the HTTP face of the registration authority: the
// endpoints under /api/v1/applications (applications, their actions,
// documents and the printed form), their JSON forms and problems. The
// route table that names them is package api's (routes_ra.go).
package raapi

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/identity"
	"github.com/gostca/gostca/store"
)

// The registration authority's endpoints: they translate HTTP to the
// calls of ra.Service and back. Who may take which action in which
// state, centre confinement and every data rule are package ra's; the
// route table only says which roles may call an endpoint at all.
//
// A change names the version it was decided on in If-Match (the ETag of
// the application it read): a stale one is 412 version_conflict, none is
// 428 version_required.

// API serves the registration authority's endpoints; the route table of
// package api (routes_ra.go) names its methods, each wrapped in Wrap.
type API struct {
	e       *ca.CA
	log     *slog.Logger
	timeout time.Duration
}

// New makes the endpoints for e; log records internal errors and timeout
// bounds each call into the CA (the server's write timeout).
func New(e *ca.CA, log *slog.Logger, timeout time.Duration) *API {
	return &API{e: e, log: log, timeout: timeout}
}

func (s *API) callCtx() (context.Context, context.CancelFunc) { return wire.CallContext(s.timeout) }

// appActor is the caller as package ra sees it. Roles that only read
// (ca_admin, auditor) read as operators do; the route table keeps them
// from changing anything.
func appActor(p *auth.Principal) ra.Actor {
	a := ra.Actor{ID: p.Actor()}
	switch p.Role {
	case auth.RoleServiceCentre:
		a.Kind, a.Centre = ra.ServiceCentre, p.Scope
	case auth.RoleCAOperator, auth.RoleCAAdmin, auth.RoleAuditor:
		a.Kind = ra.Operator
	}
	return a // any other role: kind 0, which ra refuses
}

// ifMatch reads the version the caller decided on: If-Match "N" (or
// W/"N", or a bare N). None is 0 (ra answers version_required).
func ifMatch(ctx *fasthttp.RequestCtx) (uint64, error) {
	h := bytes.TrimSpace(ctx.Request.Header.Peek("If-Match"))
	if len(h) == 0 {
		return 0, nil
	}
	v := strings.Trim(strings.TrimPrefix(string(h), "W/"), `"`)
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return 0, &ra.Error{Code: ra.CodeInvalidData, Detail: "If-Match: give the application's ETag, e.g. \"3\"",
			Fields: []ra.FieldError{{Field: "If-Match", Problem: "the application's version as its ETag gives it"}}}
	}
	return n, nil
}

// writeApplication answers with an application and its ETag.
func writeApplication(ctx *fasthttp.RequestCtx, status int, a *store.Application) error {
	ctx.Response.Header.Set("ETag", `"`+strconv.FormatUint(a.Version, 10)+`"`)
	return wire.WriteJSON(ctx, status, applicationJSON(a))
}

// CreateApplicationRequest is the body of POST /api/v1/applications.
type CreateApplicationRequest struct {
	CertType      string `json:"cert_type"`
	ServiceCentre string `json:"service_centre,omitempty"`
	Phone         string `json:"phone"`
	Email         string `json:"email,omitempty"`
	Recipient     string `json:"recipient,omitempty"`
	Organisation  string `json:"organisation,omitempty"`
	Replaces      string `json:"replaces,omitempty"`
}

func (s *API) CreateApplication(ctx *fasthttp.RequestCtx, p *auth.Principal, _ []byte) error {
	var body CreateApplicationRequest
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return err
	}
	in := ra.CreateInput{CertType: body.CertType, Centre: body.ServiceCentre, Phone: body.Phone, Email: body.Email,
		Recipient: body.Recipient, Organisation: body.Organisation}
	if body.Replaces != "" {
		serial, err := ca.ParseSerial(body.Replaces)
		if err != nil {
			return invalidField("replaces", "the serial of the certificate being renewed, in hex")
		}
		in.Replaces = serial
	}
	c, cancel := s.callCtx()
	defer cancel()
	a, err := s.e.RA().Create(c, appActor(p), in)
	if err != nil {
		return err
	}
	ctx.Response.Header.Set("Location", "/api/v1/applications/"+a.ID)
	return writeApplication(ctx, fasthttp.StatusCreated, a)
}

func invalidField(field, problem string) error {
	return &ra.Error{Code: ra.CodeInvalidData, Detail: "correct the fields named", Fields: []ra.FieldError{{Field: field, Problem: problem}}}
}

func (s *API) GetApplication(ctx *fasthttp.RequestCtx, p *auth.Principal, id []byte) error {
	c, cancel := s.callCtx()
	defer cancel()
	a, err := s.e.RA().Get(c, appActor(p), string(id))
	if err != nil {
		return err
	}
	return writeApplication(ctx, fasthttp.StatusOK, a)
}

func (s *API) ApplicationHistory(ctx *fasthttp.RequestCtx, p *auth.Principal, id []byte) error {
	c, cancel := s.callCtx()
	defer cancel()
	evs, err := s.e.RA().History(c, appActor(p), string(id))
	if err != nil {
		return err
	}
	out := struct {
		Items []EventJSON `json:"items"`
	}{Items: make([]EventJSON, 0, len(evs))}
	for _, e := range evs {
		out.Items = append(out.Items, eventJSON(e))
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, out)
}

func (s *API) ListApplications(ctx *fasthttp.RequestCtx, p *auth.Principal, _ []byte) error {
	args := ctx.QueryArgs()
	q := ra.ListQuery{Centre: string(args.Peek("service_centre")), Phone: string(args.Peek("phone")),
		SNILS: string(args.Peek("snils")), INN: string(args.Peek("inn")), Cursor: string(args.Peek("cursor"))}
	if st := string(args.Peek("state")); st != "" {
		v, ok := store.ParseAppState(st)
		if !ok {
			return invalidField("state", "one of new, filling, submitted, in_review, rejected, approved, identity_verified, ready_to_issue, issuing, issued, cancelled, expired")
		}
		q.State = v
	}
	if l := args.Peek("limit"); len(l) > 0 {
		n, err := strconv.Atoi(string(l))
		if err != nil || n < 1 || n > store.MaxLimit {
			return invalidField("limit", "1.."+strconv.Itoa(store.MaxLimit))
		}
		q.Limit = n
	}
	c, cancel := s.callCtx()
	defer cancel()
	page, next, err := s.e.RA().List(c, appActor(p), q)
	if err != nil {
		return err
	}
	out := ApplicationPage{Items: make([]Application, 0, len(page)), NextCursor: next}
	for i := range page {
		out.Items = append(out.Items, applicationJSON(&page[i]))
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, out)
}

// ApplicationDataRequest is the body of PUT …/data: the whole editable
// data (send what you read, changed).
type ApplicationDataRequest struct {
	Phone     string    `json:"phone"`
	Recipient string    `json:"recipient,omitempty"`
	Owner     OwnerJSON `json:"owner"`
}

func (s *API) UpdateApplicationData(ctx *fasthttp.RequestCtx, p *auth.Principal, id []byte) error {
	version, err := ifMatch(ctx)
	if err != nil {
		return err
	}
	var body ApplicationDataRequest
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return err
	}
	o, errs := ownerFromJSON(&body.Owner)
	if len(errs) > 0 {
		return &ra.Error{Code: ra.CodeInvalidData, Detail: "correct the fields named", Fields: errs}
	}
	c, cancel := s.callCtx()
	defer cancel()
	a, err := s.e.RA().UpdateData(c, appActor(p), string(id), version, ra.Data{Phone: body.Phone, Recipient: body.Recipient, Owner: o})
	if err != nil {
		return err
	}
	return writeApplication(ctx, fasthttp.StatusOK, a)
}

func (s *API) RemoveApplicationDocument(ctx *fasthttp.RequestCtx, p *auth.Principal, id []byte) error {
	version, err := ifMatch(ctx)
	if err != nil {
		return err
	}
	var body struct {
		Document string `json:"document"`
	}
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return err
	}
	c, cancel := s.callCtx()
	defer cancel()
	a, err := s.e.RA().RemoveDocument(c, appActor(p), string(id), version, body.Document)
	if err != nil {
		return err
	}
	return writeApplication(ctx, fasthttp.StatusOK, a)
}

// simpleAction serves an action without a body.
func (s *API) SimpleAction(fn func(*ra.Service, context.Context, ra.Actor, string, uint64) (*store.Application, error)) wire.Handler {
	return func(ctx *fasthttp.RequestCtx, p *auth.Principal, id []byte) error {
		version, err := ifMatch(ctx)
		if err != nil {
			return err
		}
		var none struct{}
		if err := wire.DecodeJSON(ctx, &none, true); err != nil {
			return err
		}
		c, cancel := s.callCtx()
		defer cancel()
		a, err := fn(s.e.RA(), c, appActor(p), string(id), version)
		if err != nil {
			return err
		}
		return writeApplication(ctx, fasthttp.StatusOK, a)
	}
}

// ReasonRequest is the body of take_back and cancel.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

// reasonAction serves an action whose body is a reason.
func (s *API) ReasonAction(fn func(*ra.Service, context.Context, ra.Actor, string, uint64, string) (*store.Application, error)) wire.Handler {
	return func(ctx *fasthttp.RequestCtx, p *auth.Principal, id []byte) error {
		version, err := ifMatch(ctx)
		if err != nil {
			return err
		}
		var body ReasonRequest
		if err := wire.DecodeJSON(ctx, &body, false); err != nil {
			return err
		}
		c, cancel := s.callCtx()
		defer cancel()
		a, err := fn(s.e.RA(), c, appActor(p), string(id), version, body.Reason)
		if err != nil {
			return err
		}
		return writeApplication(ctx, fasthttp.StatusOK, a)
	}
}

// RejectRequest is the body of the reject action.
type RejectRequest struct {
	Reasons []ReasonJSON `json:"reasons"`
}

func (s *API) RejectApplication(ctx *fasthttp.RequestCtx, p *auth.Principal, id []byte) error {
	version, err := ifMatch(ctx)
	if err != nil {
		return err
	}
	var body RejectRequest
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return err
	}
	reasons := make([]ra.Reason, len(body.Reasons))
	for i, r := range body.Reasons {
		reasons[i] = ra.Reason(r)
	}
	c, cancel := s.callCtx()
	defer cancel()
	a, err := s.e.RA().Reject(c, appActor(p), string(id), version, reasons)
	if err != nil {
		return err
	}
	return writeApplication(ctx, fasthttp.StatusOK, a)
}

// IdentityRequest is the body of verify_identity.
type IdentityRequest struct {
	Method         string `json:"method"`    // in_person, qualified_certificate, esia_biometric
	Presenter      string `json:"presenter"` // owner, representative (in person)
	Representative string `json:"representative,omitempty"`
	Document       string `json:"document,omitempty"`
	Confirmed      bool   `json:"confirmed"`
	CertSerial     string `json:"cert_serial,omitempty"` // hex (qualified_certificate)
}

func (s *API) VerifyApplicationIdentity(ctx *fasthttp.RequestCtx, p *auth.Principal, id []byte) error {
	version, err := ifMatch(ctx)
	if err != nil {
		return err
	}
	var body IdentityRequest
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return err
	}
	in := identity.Input{Method: body.Method, Representative: body.Representative, Document: body.Document, Confirmed: body.Confirmed}
	if body.Presenter != "" {
		pr, ok := lookup(presenterNames, body.Presenter)
		if !ok {
			return invalidField("presenter", "owner or representative")
		}
		in.Presenter = pr
	}
	if body.CertSerial != "" {
		serial, err := ca.ParseSerial(body.CertSerial)
		if err != nil {
			return invalidField("cert_serial", "a certificate serial in hex")
		}
		in.CertSerial = serial
	}
	c, cancel := s.callCtx()
	defer cancel()
	a, err := identity.Verify(c, s.e.RA(), appActor(p), string(id), version, in)
	if err != nil {
		return err
	}
	return writeApplication(ctx, fasthttp.StatusOK, a)
}
