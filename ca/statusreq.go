package ca

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/statusreq"
	"github.com/gostca/gostca/store"
)

// Subscribers' status requests as the operators see them: list, approve
// (the certificate's status change and the request's state in one store
// batch, then OCSP and the CRL refreshed as SetStatus does) and reject.
// The subscriber's side is package statusreq's. docs/cabinet.md.

// openStatusRequests makes the subscribers' side of status requests over
// the store, the registration authority and the cabinet's code service
// (openCabinet).
func (c *CA) openStatusRequests(codes *otp.Service, opts Options) error {
	var err error
	c.statusReq, err = statusreq.New(c.st, c.ra, codes, statusreq.Options{Now: opts.Now, Logger: c.log})
	return err
}

// StatusReq is the subscribers' side of status requests (package api
// serves it in the cabinet).
func (c *CA) StatusReq() *statusreq.Service { return c.statusReq }

func (c *CA) statusRequest(id string) ([store.StatusRequestIDLen]byte, error) {
	raw, err := hex.DecodeString(id)
	if err != nil || len(raw) != store.StatusRequestIDLen {
		return [store.StatusRequestIDLen]byte{}, &caerr.Error{Code: CodeStatusRequestNotFound, Detail: "no such status request"}
	}
	return [store.StatusRequestIDLen]byte(raw), nil
}

// StatusRequests lists the subscribers' requests in a state (by name:
// pending, approved, rejected, awaiting_code), oldest first.
func (c *CA) StatusRequests(ctx context.Context, state, cursor string, limit int) ([]store.StatusRequest, string, error) {
	if state == "" {
		state = "pending"
	}
	st, ok := store.StatusRequestStateNamed(state)
	if !ok {
		return nil, "", &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "state", Detail: "state: pending, approved, rejected or awaiting_code"}
	}
	out, next, err := c.st.StatusRequests(ctx, st, cursor, limit)
	if err != nil {
		if errors.Is(err, store.ErrInvalidInput) {
			return nil, "", &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "cursor", Detail: "cursor: the next_cursor of the previous page"}
		}
		return nil, "", caerr.Classify(err)
	}
	return out, next, nil
}

// StatusRequest reads one request.
func (c *CA) StatusRequest(ctx context.Context, id string) (*store.StatusRequest, error) {
	rid, err := c.statusRequest(id)
	if err != nil {
		return nil, err
	}
	r, err := c.st.StatusRequest(ctx, rid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &caerr.Error{Code: CodeStatusRequestNotFound, Detail: "no such status request"}
	}
	return r, caerr.Classify(err)
}

// DecideStatusRequest approves or rejects a pending request. Approval
// makes the change asked for through the store's status change, in the
// batch that marks the request approved (a crash leaves both or
// neither), then refreshes OCSP and the CRL; the subscriber is notified
// by SMS in the batch either way.
func (c *CA) DecideStatusRequest(ctx context.Context, p *auth.Principal, id string, approve bool, rejection string) (*store.StatusRequest, error) {
	if !approve && (strings.TrimSpace(rejection) == "" || len(rejection) > 1024 || !utf8.ValidString(rejection)) {
		return nil, &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "reason", Detail: "reason: why the request is refused (the subscriber reads it), at most 1024 bytes"}
	}
	r, err := c.StatusRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.State != store.ReqPending {
		return nil, &caerr.Error{Code: caerr.CodeInvalidTransition, Detail: "the request is " + r.State.String() + ", not pending"}
	}
	now := time.Now().UTC().Truncate(time.Second)
	d := store.Decision{Approve: approve, At: now, By: p.Actor(), Rejection: rejection}
	audit := store.AuditEntry{Actor: p.Actor(), Action: "status_request.reject", Subject: "status-request:" + id, Details: "serial " + hex.EncodeToString(r.Serial), Comment: rejection}
	tmpl := statusreq.NoticeRejected
	if approve {
		audit.Action, audit.Comment, tmpl = "status_request.approve", "", statusreq.NoticeApproved
		d.Change = store.StatusChange{State: r.Action, At: now}
		if r.Action == store.Revoked {
			reason, ok := RevocationReasons[r.Reason]
			if !ok {
				return nil, &caerr.Error{Code: caerr.CodeInvalidReason, Detail: "the request's reason " + r.Reason + " is not a revocation reason"}
			}
			d.Change.Reason = int(reason)
		}
	}
	d.Outbox = []store.OutboxRow{statusreq.NoticeRow(tmpl, r.Phone, r.Serial)}
	out, err := c.st.DecideStatusRequest(ctx, r.ID, d, audit)
	if err != nil && approve {
		c.pub.ForgetOCSP(r.Serial) // an error may come after the commit
	}
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, &caerr.Error{Code: caerr.CodeInvalidTransition, Detail: "the request was decided already"}
	case errors.Is(err, store.ErrInvalidTransition):
		cur, rerr := c.st.Certificate(ctx, r.Serial)
		if rerr == nil {
			return nil, &caerr.Error{Code: caerr.CodeInvalidTransition, Detail: "the certificate is " + StateName(cur.Status.State) + " now: reject the request"}
		}
		return nil, caerr.Classify(err)
	case err != nil:
		return nil, caerr.Classify(err)
	}
	if approve {
		rec, err := c.st.Certificate(ctx, r.Serial)
		if err != nil {
			c.pub.ForgetOCSP(r.Serial) // no cached answer outlives the change
			return nil, caerr.Classify(err)
		}
		c.pub.StatusChanged(ctx, rec)
	}
	c.log.Info("status request decided", "request", id, "approved", approve, "actor", p.Actor())
	return out, nil
}

// CodeStatusRequestNotFound: no such status request (api registers its
// status, 404).
const CodeStatusRequestNotFound = "status_request_not_found"
