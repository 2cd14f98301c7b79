package cabinet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

// Problem codes of status requests.
const (
	CodeInvalidStatusRequest Code = "invalid_status_request"   // a malformed action or comment
	CodeReasonNotAllowed     Code = "reason_not_allowed"       // a reason a subscriber may not give
	CodeStatusPending        Code = "status_request_pending"   // the certificate has a request awaiting a decision
	CodeStatusFinal          Code = "certificate_status_final" // revoked (or suspended) already
)

// StatusStore is what status requests read of storage (store.Cabinet,
// store.Certificates and store.StatusRequests).
type StatusStore interface {
	Certificate(ctx context.Context, serial []byte) (*store.CertRecord, error)
	StatusRequest(ctx context.Context, id [store.StatusRequestIDLen]byte) (*store.StatusRequest, error)
	PendingStatusRequest(ctx context.Context, serial []byte) ([store.StatusRequestIDLen]byte, error)
}

// SubscriberReasons are the reasons a subscriber may give, by action:
// revoke with one of four RFC 5280 reasons; suspend with certificateHold
// (or none). The CA's own reasons (cACompromise, privilegeWithdrawn, …)
// are the operators'.
var SubscriberReasons = map[string][]string{
	"revoke":  {"keyCompromise", "affiliationChanged", "superseded", "cessationOfOperation"},
	"suspend": {"certificateHold"},
}

// StatusRequestInput is what the subscriber asks.
type StatusRequestInput struct {
	Action  string // revoke | suspend
	Reason  string
	Comment string
}

// StatusNoticeTemplates are the outbox templates of the subscriber's
// notices (package hooks has their texts).
const (
	NoticeStatusRequested = "status_request_received"
	NoticeStatusApproved  = "status_request_approved"
	NoticeStatusRejected  = "status_request_rejected"
)

// StatusNotice is the payload of a status request's SMS row.
type StatusNotice struct {
	V        int    `json:"v"`
	Template string `json:"template"`
	To       string `json:"to"`
	Serial   string `json:"serial"`
}

// NoticeRow is the SMS row of a status request's notice.
func NoticeRow(template, phone string, serial []byte) store.OutboxRow {
	b, _ := json.Marshal(StatusNotice{V: 1, Template: template, To: phone, Serial: strings.ToUpper(hex.EncodeToString(serial))})
	return store.OutboxRow{Kind: otp.SMSKind, Payload: b}
}

func statusBinding(serial []byte, action store.State, reason, comment string) [32]byte {
	h := sha256.New()
	h.Write([]byte("gostca status request\x00"))
	h.Write(serial)
	h.Write([]byte{0, byte(action)})
	h.Write([]byte(reason + "\x00" + comment))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// ownCertificate finds a certificate of the subscriber's phone: one an
// application of that phone was issued. Anything else is not found.
func (s *Service) ownCertificate(ctx context.Context, sub *Subscriber, serialHex string) (*store.CertRecord, error) {
	notFound := &Error{Code: CodeCertNotFound, Detail: "no such certificate of yours"}
	serial, err := hex.DecodeString(strings.TrimPrefix(strings.ToLower(serialHex), "0x"))
	if err != nil || len(serial) == 0 || len(serial) > 20 {
		return nil, notFound
	}
	serial = bytes.TrimLeft(serial, "\x00")
	cursor := ""
	for range 100 {
		apps, next, err := s.ra.List(ctx, sub.actor(), ra.ListQuery{Phone: sub.Phone, Cursor: cursor, Limit: 100})
		if err != nil {
			return nil, err
		}
		for i := range apps {
			if apps[i].State == store.AppIssued && bytes.Equal(bytes.TrimLeft(apps[i].Serial, "\x00"), serial) {
				rec, err := s.st.Certificate(ctx, apps[i].Serial)
				if err != nil {
					return nil, s.internal("read certificate", err)
				}
				return rec, nil
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return nil, notFound
}

// AskStatusChange checks a subscriber's request to suspend or revoke one
// of their certificates and sends a code bound to it; the request is
// written with the code's challenge (same id), awaiting the code.
func (s *Service) AskStatusChange(ctx context.Context, sub *Subscriber, c Client, serialHex string, in StatusRequestInput) (*otp.Sent, error) {
	allowed, ok := SubscriberReasons[in.Action]
	if !ok {
		return nil, &Error{Code: CodeInvalidStatusRequest, Field: "action", Detail: "action: revoke or suspend (resuming is the operators')"}
	}
	reason := in.Reason
	if reason == "" && in.Action == "suspend" {
		reason = "certificateHold"
	}
	if !contains(allowed, reason) {
		return nil, &Error{Code: CodeReasonNotAllowed, Field: "reason", Detail: in.Action + " with one of: " + strings.Join(allowed, ", ")}
	}
	if len(in.Comment) > 1024 || !utf8.ValidString(in.Comment) || strings.ContainsFunc(in.Comment, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }) {
		return nil, &Error{Code: CodeInvalidStatusRequest, Field: "comment", Detail: "comment: at most 1024 bytes of text"}
	}
	rec, err := s.ownCertificate(ctx, sub, serialHex)
	if err != nil {
		return nil, err
	}
	action := store.Revoked
	if in.Action == "suspend" {
		action = store.OnHold
	}
	if rec.Status.State == store.Revoked || (rec.Status.State == store.OnHold && action == store.OnHold) {
		return nil, &Error{Code: CodeStatusFinal, Detail: "the certificate is " + rec.Status.State.String() + " already"}
	}
	if _, err := s.statusStore().PendingStatusRequest(ctx, rec.Serial); err == nil {
		return nil, &Error{Code: CodeStatusPending, Detail: "this certificate has a request awaiting the CA's decision already"}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, s.internal("look up pending requests", err)
	}
	serial := rec.Serial
	return s.codes.Send(ctx, otp.SendRequest{Purpose: otp.StatusChange, Phone: sub.Phone, Client: c.Actor, Addr: c.Addr,
		Binding: statusBinding(serial, action, reason, in.Comment), Actor: sub.actor().ID,
		Extra: func(id [store.ChallengeIDLen]byte, now time.Time) store.Extra {
			return store.StatusRequestDraft{Request: &store.StatusRequest{ID: id, Serial: serial, Phone: sub.Phone, Action: action,
				Reason: reason, Comment: in.Comment, State: store.ReqAwaitingCode, Created: now}}
		}})
}

// ConfirmStatusChange consumes the code of a request: in the same batch
// the request becomes pending (for the operators), with the audit entry
// and the subscriber's notice. A certificate with a pending request or
// revoked since is refused and nothing is written.
func (s *Service) ConfirmStatusChange(ctx context.Context, sub *Subscriber, c Client, id, code string) (*store.StatusRequest, error) {
	notFound := &otp.Error{Code: otp.CodeUnknown, Detail: "no such status request: ask again"}
	raw, err := hex.DecodeString(id)
	if err != nil || len(raw) != store.StatusRequestIDLen {
		return nil, notFound
	}
	rid := [store.StatusRequestIDLen]byte(raw)
	r, err := s.statusStore().StatusRequest(ctx, rid)
	if errors.Is(err, store.ErrNotFound) || (err == nil && r.Phone != sub.Phone) {
		return nil, notFound
	}
	if err != nil {
		return nil, s.internal("read status request", err)
	}
	_, err = s.codes.Use(ctx, otp.Check{ID: id, Code: code, Purpose: otp.StatusChange, Client: c.Actor,
		Binding: statusBinding(r.Serial, r.Action, r.Reason, r.Comment),
		Audit: store.AuditEntry{Actor: sub.actor().ID, Action: "cabinet.status_request", Subject: "status-request:" + id,
			Details: "serial " + hex.EncodeToString(r.Serial), Reason: r.Reason, Comment: r.Comment},
		Extra: store.StatusRequestConfirm{ID: rid, Outbox: []store.OutboxRow{NoticeRow(NoticeStatusRequested, r.Phone, r.Serial)}}})
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, &Error{Code: CodeStatusPending, Detail: "this certificate has a request awaiting the CA's decision already"}
	case errors.Is(err, store.ErrInvalidTransition):
		return nil, &Error{Code: CodeStatusFinal, Detail: "the certificate cannot take this change any more"}
	case err != nil:
		var oe *otp.Error
		if errors.As(err, &oe) && oe.Code == otp.CodeInternal && oe.Err != nil {
			return nil, s.internal("confirm status request", oe.Err)
		}
		return nil, err
	}
	s.log.Info("status request confirmed", "request", id, "action", r.Action.String())
	return s.statusStore().StatusRequest(ctx, rid)
}

// StatusRequestOf reads one of the subscriber's requests.
func (s *Service) StatusRequestOf(ctx context.Context, sub *Subscriber, id string) (*store.StatusRequest, error) {
	raw, err := hex.DecodeString(id)
	if err == nil && len(raw) == store.StatusRequestIDLen {
		r, err := s.statusStore().StatusRequest(ctx, [store.StatusRequestIDLen]byte(raw))
		if err == nil && r.Phone == sub.Phone {
			return r, nil
		}
	}
	return nil, &otp.Error{Code: otp.CodeUnknown, Detail: "no such status request"}
}

// DraftAge is how old an unconfirmed status request must be for the
// purge to delete it (far past any code's validity).
const DraftAge = 24 * time.Hour

// purgeStatusDrafts deletes status requests never confirmed, asked more
// than DraftAge ago (RunPurge).
func (s *Service) purgeStatusDrafts(ctx context.Context) {
	p, ok := s.st.(interface {
		PurgeStatusDrafts(ctx context.Context, before time.Time, actor string) (int, error)
	})
	if !ok {
		return
	}
	n, err := p.PurgeStatusDrafts(ctx, s.now().Add(-DraftAge), "system/cabinet")
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.Error("cabinet: purge of unconfirmed status requests failed", "err", err)
	case n > 0:
		s.log.Info("unconfirmed status requests deleted", "count", n)
	}
}

// statusStore is the store's status request role; a store without it
// (a test double) answers every call as an internal error.
func (s *Service) statusStore() StatusStore {
	if ss, ok := s.st.(StatusStore); ok {
		return ss
	}
	return noStatusStore{}
}

type noStatusStore struct{}

var errNoStatusStore = errors.New("cabinet: the store keeps no status requests")

func (noStatusStore) Certificate(context.Context, []byte) (*store.CertRecord, error) {
	return nil, errNoStatusStore
}
func (noStatusStore) StatusRequest(context.Context, [store.StatusRequestIDLen]byte) (*store.StatusRequest, error) {
	return nil, errNoStatusStore
}
func (noStatusStore) PendingStatusRequest(context.Context, []byte) ([store.StatusRequestIDLen]byte, error) {
	return [store.StatusRequestIDLen]byte{}, errNoStatusStore
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
