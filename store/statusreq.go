package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"

	"fmt"
	"time"
)

// Status requests (doc.go "Status requests"): a subscriber's request,
// confirmed by a one-time code, to suspend or revoke a certificate of
// their phone, and the operator's decision on it. The draft is written
// with its code's challenge (PutChallenge's extra), the confirmation with
// the code's consumption (ChallengeUse.Extra), and the approval with the
// certificate's status change, each in one batch.

const (
	pStatusReq        byte = 0x8C // request id(16) → status request record
	pStatusReqOpen    byte = 0x8D // serial → request id(16) of its pending request
	pStatusReqByState byte = 0x8E // state(1), created(8, Unix ns), request id(16) → empty
)

// StatusRequestState is where a status request is.
type StatusRequestState byte

// States of a status request.
const (
	ReqAwaitingCode StatusRequestState = 1 // written with its code; not yet confirmed
	ReqPending      StatusRequestState = 2 // confirmed; awaiting an operator
	ReqApproved     StatusRequestState = 3 // the status change was made
	ReqRejected     StatusRequestState = 4 // refused by an operator
)

func (s StatusRequestState) String() string {
	switch s {
	case ReqAwaitingCode:
		return "awaiting_code"
	case ReqPending:
		return "pending"
	case ReqApproved:
		return "approved"
	case ReqRejected:
		return "rejected"
	}
	return "unknown"
}

// StatusRequestStateNamed parses a state's name.
func StatusRequestStateNamed(name string) (StatusRequestState, bool) {
	for s := ReqAwaitingCode; s <= ReqRejected; s++ {
		if s.String() == name {
			return s, true
		}
	}
	return 0, false
}

// StatusRequestIDLen is the size of a status request's id (its code
// challenge's id).
const StatusRequestIDLen = ChallengeIDLen

const maxReqComment = 1024

// StatusRequest is a subscriber's request to change a certificate's
// status. Action is the target state (Revoked or OnHold), Reason the
// RFC 5280 reason's name.
type StatusRequest struct {
	ID        [StatusRequestIDLen]byte
	Serial    []byte
	Phone     string
	Action    State
	Reason    string
	Comment   string
	State     StatusRequestState
	Created   time.Time
	Decided   time.Time
	DecidedBy string
	Rejection string // the operator's reason when rejected
}

func statusReqKey(id [StatusRequestIDLen]byte) []byte { return append([]byte{pStatusReq}, id[:]...) }
func statusReqOpenKey(serial []byte) []byte           { return append([]byte{pStatusReqOpen}, serial...) }
func statusReqStateKey(st StatusRequestState, created time.Time, id [StatusRequestIDLen]byte) []byte {
	k := []byte{pStatusReqByState, byte(st)}
	k = binary.BigEndian.AppendUint64(k, uint64(created.UnixNano()))
	return append(k, id[:]...)
}

func encodeStatusRequest(r *StatusRequest) []byte {
	e := enc{b: []byte{1}}
	e.bytes(r.Serial)
	e.strs(r.Phone)
	e.byte(byte(r.Action))
	e.strs(r.Reason, r.Comment)
	e.byte(byte(r.State))
	e.time(r.Created)
	e.time(r.Decided)
	e.strs(r.DecidedBy, r.Rejection)
	return e.b
}

func decodeStatusRequest(id []byte, v []byte) (*StatusRequest, error) {
	d := dec{b: v}
	d.version(1)
	r := &StatusRequest{Serial: d.bytes(maxSerialLen), Phone: d.str(phoneLen), Action: State(d.byte()), Reason: d.str(64),
		Comment: d.str(maxReqComment), State: StatusRequestState(d.byte()), Created: d.time(), Decided: d.time(),
		DecidedBy: d.str(maxClientLen), Rejection: d.str(maxReqComment)}
	copy(r.ID[:], id)
	return r, d.finish("status request")
}

func checkStatusRequest(r *StatusRequest) error {
	switch {
	case len(r.Serial) == 0 || len(r.Serial) > maxSerialLen:
		return invalid("status request serial")
	case len(r.Phone) != phoneLen:
		return invalid("status request phone: want +7 and 10 digits")
	case r.Action != Revoked && r.Action != OnHold:
		return invalid("status request action %d", r.Action)
	case len(r.Reason) == 0 || len(r.Reason) > 64 || len(r.Comment) > maxReqComment || len(r.Rejection) > maxReqComment:
		return invalid("status request reason or comment too long")
	case r.Created.IsZero():
		return invalid("status request without a time")
	}
	return nil
}

// StatusRequestDraft is PutChallenge's extra record: a new request
// awaiting its code, written with the challenge of the same id.
type StatusRequestDraft struct{ Request *StatusRequest }

// StatusRequestConfirm is ChallengeUse's extra: the right code makes the
// request pending, unless its certificate has a pending request already
// (ErrConflict) or is revoked (ErrInvalidTransition); then nothing is
// written, the code included. Outbox rows (the notice) go in the batch.
type StatusRequestConfirm struct {
	ID     [StatusRequestIDLen]byte
	Outbox []OutboxRow
}

// Extra is a record written in the batch of another write: a challenge
// (PutChallenge) or its consumption (ChallengeUse.Extra). Only the
// store's own types implement it.
type Extra interface {
	writeExtra(t *txn, challenge *Challenge) error
}

func (x StatusRequestDraft) writeExtra(t *txn, c *Challenge) error {
	r := x.Request
	if err := checkStatusRequest(r); err != nil {
		return err
	}
	if r.ID != c.ID || r.Phone != c.Phone || r.State != ReqAwaitingCode {
		return invalid("status request draft: id, phone or state not its challenge's")
	}
	if err := t.set(statusReqKey(r.ID), encodeStatusRequest(r)); err != nil {
		return err
	}
	if err := t.set(r.phoneKey(), nil); err != nil {
		return err
	}
	return t.set(statusReqStateKey(r.State, r.Created, r.ID), nil)
}

func (x StatusRequestConfirm) writeExtra(t *txn, c *Challenge) error {
	if x.ID != c.ID {
		return invalid("status request confirmation: not its challenge")
	}
	r, err := t.s.loadStatusRequest(x.ID)
	if err != nil {
		return fmt.Errorf("store: confirm status request: %w", err)
	}
	if r.State != ReqAwaitingCode {
		return fmt.Errorf("store: confirm status request: it is %s: %w", r.State, ErrConflict)
	}
	if has, err := t.has(statusReqOpenKey(r.Serial)); err != nil || has {
		if err == nil {
			err = fmt.Errorf("store: confirm status request: the certificate has a pending request: %w", ErrConflict)
		}
		return err
	}
	cert, err := t.s.loadCert(t.s.db, r.Serial)
	if err != nil {
		return fmt.Errorf("store: confirm status request: %w", err)
	}
	if !transitionAllowed(cert.Status.State, r.Action) {
		return fmt.Errorf("store: confirm status request: %s → %s: %w", cert.Status.State, r.Action, ErrInvalidTransition)
	}
	if err := t.moveStatusRequest(r, ReqPending); err != nil {
		return err
	}
	if err := t.set(statusReqOpenKey(r.Serial), r.ID[:]); err != nil {
		return err
	}
	for i := range x.Outbox {
		row := OutboxRow{Kind: x.Outbox[i].Kind, Payload: x.Outbox[i].Payload}
		if err := t.outbox(&row); err != nil {
			return err
		}
	}
	return nil
}

// moveStatusRequest writes r in state to, moving its state index entry.
func (t *txn) moveStatusRequest(r *StatusRequest, to StatusRequestState) error {
	if err := t.del(statusReqStateKey(r.State, r.Created, r.ID)); err != nil {
		return err
	}
	r.State = to
	if err := t.set(statusReqKey(r.ID), encodeStatusRequest(r)); err != nil {
		return err
	}
	return t.set(statusReqStateKey(r.State, r.Created, r.ID), nil)
}

func (s *Store) loadStatusRequest(id [StatusRequestIDLen]byte) (*StatusRequest, error) {
	v, err := s.get(s.db, statusReqKey(id))
	if err != nil {
		return nil, err
	}
	return decodeStatusRequest(id[:], v)
}

// StatusRequest reads a status request.
func (s *Store) StatusRequest(ctx context.Context, id [StatusRequestIDLen]byte) (*StatusRequest, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := s.loadStatusRequest(id)
	if err != nil {
		return nil, fmt.Errorf("store: status request: %w", err)
	}
	return r, nil
}

// PendingStatusRequest is the id of a certificate's pending request
// (ErrNotFound when none).
func (s *Store) PendingStatusRequest(ctx context.Context, serial []byte) ([StatusRequestIDLen]byte, error) {
	var id [StatusRequestIDLen]byte
	if err := s.enter(); err != nil {
		return id, err
	}
	defer s.leave()
	n, err := normSerial(serial)
	if err != nil {
		return id, fmt.Errorf("store: pending status request: %w", err)
	}
	v, err := s.get(s.db, statusReqOpenKey(n))
	if err != nil {
		return id, fmt.Errorf("store: pending status request: %w", err)
	}
	if len(v) != StatusRequestIDLen {
		return id, corrupt("pending status request of %x: %d bytes", n, len(v))
	}
	copy(id[:], v)
	return id, nil
}

// StatusRequests lists the requests in a state, oldest first, from a
// cursor (the previous page's next cursor; "" for the first page).
func (s *Store) StatusRequests(ctx context.Context, st StatusRequestState, cursor string, limit int) ([]StatusRequest, string, error) {
	if err := s.enter(); err != nil {
		return nil, "", err
	}
	defer s.leave()
	limit = clampLimit(limit)
	prefix := []byte{pStatusReqByState, byte(st)}
	lower := prefix
	if cursor != "" {
		raw, err := hex.DecodeString(cursor)
		if err != nil || len(raw) != 8+StatusRequestIDLen {
			return nil, "", invalid("status request cursor")
		}
		lower = append(append([]byte{}, prefix...), raw...)
		lower = append(lower, 0)
	}
	var out []StatusRequest
	next := ""
	err := scan(ctx, s.db, lower, prefixEnd(prefix), func(k, _ []byte) (bool, error) {
		if len(out) == limit {
			next = hex.EncodeToString(out[len(out)-1].cursorKey())
			return false, nil
		}
		if len(k) != 2+8+StatusRequestIDLen {
			return false, corrupt("status request index key %x", k)
		}
		var id [StatusRequestIDLen]byte
		copy(id[:], k[10:])
		r, err := s.loadStatusRequest(id)
		if err != nil {
			return false, fmt.Errorf("store: status request %x: %w", id, err)
		}
		out = append(out, *r)
		return true, nil
	})
	return out, next, err
}

func (r *StatusRequest) cursorKey() []byte {
	k := binary.BigEndian.AppendUint64(nil, uint64(r.Created.UnixNano()))
	return append(k, r.ID[:]...)
}

// Decision is an operator's decision on a pending request.
type Decision struct {
	Approve   bool
	At        time.Time
	By        string
	Rejection string       // the reason of a rejection (to the subscriber)
	Change    StatusChange // the certificate's change when approved
	Outbox    []OutboxRow  // the subscriber's notice
}

// DecideStatusRequest records a decision on a pending request in one
// batch: when approved, the certificate's status change (as SetStatus,
// with its own audit entry) and the request's state; when rejected, the
// state alone; with the decision's audit entry and outbox rows either
// way. A request not pending is ErrConflict; a change the certificate
// cannot take is ErrInvalidTransition; nothing is written then.
func (s *Store) DecideStatusRequest(ctx context.Context, id [StatusRequestIDLen]byte, d Decision, audit AuditEntry) (*StatusRequest, error) {
	if err := checkAudit(audit); err != nil {
		return nil, fmt.Errorf("store: decide status request: %w", err)
	}
	if len(d.Rejection) > maxReqComment || d.By == "" || len(d.By) > maxClientLen {
		return nil, invalid("decide status request: rejection reason or decider")
	}
	var st Status
	if d.Approve {
		var err error
		if st, err = normChange(d.Change); err != nil {
			return nil, fmt.Errorf("store: decide status request: %w", err)
		}
	}
	var out *StatusRequest
	err := s.update(ctx, "decide status request", func(t *txn) error {
		r, err := t.s.loadStatusRequest(id)
		if err != nil {
			return fmt.Errorf("store: decide status request: %w", err)
		}
		if r.State != ReqPending {
			return fmt.Errorf("store: decide status request: it is %s: %w", r.State, ErrConflict)
		}
		if d.Approve {
			if st.State != r.Action {
				return invalid("decide status request: the change is not the one asked for")
			}
			sa := AuditEntry{Actor: audit.Actor, Action: statusAction[st.State], Subject: fmt.Sprintf("%x", r.Serial),
				Reason: r.Reason, Comment: "status request " + hex.EncodeToString(r.ID[:]),
				Details: fmt.Sprintf("state=%s reason=%d", st.State, st.Reason)}
			if err := t.setStatus(r.Serial, st, &sa); err != nil {
				return err
			}
		}
		if err := t.del(statusReqOpenKey(r.Serial)); err != nil {
			return err
		}
		r.Decided, r.DecidedBy, r.Rejection = d.At.UTC(), d.By, d.Rejection
		to := ReqRejected
		if d.Approve {
			to = ReqApproved
		}
		if err := t.moveStatusRequest(r, to); err != nil {
			return err
		}
		for i := range d.Outbox {
			row := OutboxRow{Kind: d.Outbox[i].Kind, Payload: d.Outbox[i].Payload}
			if err := t.outbox(&row); err != nil {
				return err
			}
		}
		out = r
		return t.audit(&audit)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// statusRequestRecord checks one record of 0x8C–0x8F (Check).
func (c *checker) statusRequestRecord(k, v []byte) {
	switch k[0] {
	case pStatusReq:
		if len(k) != 1+StatusRequestIDLen {
			c.problem("decode", k, "status request key length %d", len(k))
			return
		}
		r, err := decodeStatusRequest(k[1:], v)
		if err != nil {
			c.problem("decode", k, "%v", err)
			return
		}
		if has, err := c.s.has(c.r, r.phoneKey()); err == nil && !has {
			c.problem("missing-index", k, "status request without its phone index entry")
		}
	case pStatusReqOpen:
		if len(v) != StatusRequestIDLen {
			c.problem("decode", k, "pending status request pointer of %d bytes", len(v))
		}
	case pStatusReqByState:
		if len(k) != 2+8+StatusRequestIDLen || !bytes.Equal(v, nil) && len(v) != 0 {
			c.problem("decode", k, "status request index entry")
		}
	case pStatusReqByPhone:
		c.statusRequestPhoneEntry(k)
	}
}

// StatusRequests keeps subscribers' status requests (package statusreq;
// doc.go "Status requests").
type StatusRequests interface {
	StatusRequest(ctx context.Context, id [StatusRequestIDLen]byte) (*StatusRequest, error)
	PendingStatusRequest(ctx context.Context, serial []byte) ([StatusRequestIDLen]byte, error)
	StatusRequests(ctx context.Context, st StatusRequestState, cursor string, limit int) ([]StatusRequest, string, error)
	StatusRequestsOfPhone(ctx context.Context, phone, cursor string, limit int) ([]StatusRequest, string, error)
	DecideStatusRequest(ctx context.Context, id [StatusRequestIDLen]byte, d Decision, audit AuditEntry) (*StatusRequest, error)
	PurgeStatusDrafts(ctx context.Context, before time.Time, actor string) (int, error)
}
