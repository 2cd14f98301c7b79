package statusreq

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

// Problem codes of status requests. They are the cabinet's codes (the
// refusals are *cabinet.Error, as every refusal of a subscriber's call),
// declared here with the rules that give them.
const (
	CodeInvalidStatusRequest cabinet.Code = "invalid_status_request"   // a malformed action or comment
	CodeReasonNotAllowed     cabinet.Code = "reason_not_allowed"       // a reason a subscriber may not give
	CodeStatusPending        cabinet.Code = "status_request_pending"   // the certificate has a request awaiting a decision
	CodeStatusFinal          cabinet.Code = "certificate_status_final" // revoked (or suspended) already
)

// SubscriberReasons are the reasons a subscriber may give, by action:
// revoke with one of four RFC 5280 reasons; suspend with certificateHold
// (or none). The CA's own reasons (cACompromise, privilegeWithdrawn, …)
// are the operators'.
var SubscriberReasons = map[string][]string{
	"revoke":  {"keyCompromise", "affiliationChanged", "superseded", "cessationOfOperation"},
	"suspend": {"certificateHold"},
}

// Input is what the subscriber asks.
type Input struct {
	Action  string // revoke | suspend
	Reason  string
	Comment string
}

// The outbox templates of the subscriber's
// notices (package hooks has their texts).
const (
	NoticeRequested = "status_request_received"
	NoticeApproved  = "status_request_approved"
	NoticeRejected  = "status_request_rejected"
)

// Notice is the payload of a status request's SMS row.
type Notice struct {
	V        int    `json:"v"`
	Template string `json:"template"`
	To       string `json:"to"`
	Serial   string `json:"serial"`
}

// NoticeRow is the SMS row of a status request's notice.
func NoticeRow(template, phone string, serial []byte) store.OutboxRow {
	b, _ := json.Marshal(Notice{V: 1, Template: template, To: phone, Serial: strings.ToUpper(hex.EncodeToString(serial))})
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
func (s *Service) ownCertificate(ctx context.Context, sub *cabinet.Subscriber, serialHex string) (*store.CertRecord, error) {
	notFound := &cabinet.Error{Code: cabinet.CodeCertNotFound, Detail: "no such certificate of yours"}
	serial, err := hex.DecodeString(strings.TrimPrefix(strings.ToLower(serialHex), "0x"))
	if err != nil || len(serial) == 0 || len(serial) > 20 {
		return nil, notFound
	}
	serial = bytes.TrimLeft(serial, "\x00")
	cursor := ""
	for range 100 {
		apps, next, err := s.apps.List(ctx, sub.Actor(), ra.ListQuery{Phone: sub.Phone, Cursor: cursor, Limit: 100})
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

// Ask checks a subscriber's request to suspend or revoke one
// of their certificates and sends a code bound to it; the request is
// written with the code's challenge (same id), awaiting the code.
func (s *Service) Ask(ctx context.Context, sub *cabinet.Subscriber, c cabinet.Client, serialHex string, in Input) (*otp.Sent, error) {
	allowed, ok := SubscriberReasons[in.Action]
	if !ok {
		return nil, &cabinet.Error{Code: CodeInvalidStatusRequest, Field: "action", Detail: "action: revoke or suspend (resuming is the operators')"}
	}
	reason := in.Reason
	if reason == "" && in.Action == "suspend" {
		reason = "certificateHold"
	}
	if !slices.Contains(allowed, reason) {
		return nil, &cabinet.Error{Code: CodeReasonNotAllowed, Field: "reason", Detail: in.Action + " with one of: " + strings.Join(allowed, ", ")}
	}
	if len(in.Comment) > 1024 || !utf8.ValidString(in.Comment) || strings.ContainsFunc(in.Comment, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }) {
		return nil, &cabinet.Error{Code: CodeInvalidStatusRequest, Field: "comment", Detail: "comment: at most 1024 bytes of text"}
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
		return nil, &cabinet.Error{Code: CodeStatusFinal, Detail: "the certificate is " + rec.Status.State.String() + " already"}
	}
	if _, err := s.st.PendingStatusRequest(ctx, rec.Serial); err == nil {
		return nil, &cabinet.Error{Code: CodeStatusPending, Detail: "this certificate has a request awaiting the CA's decision already"}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, s.internal("look up pending requests", err)
	}
	serial := rec.Serial
	return s.codes.Send(ctx, otp.SendRequest{Purpose: otp.StatusChange, Phone: sub.Phone, Client: c.Actor, Addr: c.Addr,
		Binding: statusBinding(serial, action, reason, in.Comment), Actor: sub.Actor().ID,
		Extra: func(id [store.ChallengeIDLen]byte, now time.Time) store.Extra {
			return store.StatusRequestDraft{Request: &store.StatusRequest{ID: id, Serial: serial, Phone: sub.Phone, Action: action,
				Reason: reason, Comment: in.Comment, State: store.ReqAwaitingCode, Created: now}}
		}})
}

// Confirm consumes the code of a request: in the same batch
// the request becomes pending (for the operators), with the audit entry
// and the subscriber's notice. A certificate with a pending request or
// revoked since is refused and nothing is written.
func (s *Service) Confirm(ctx context.Context, sub *cabinet.Subscriber, c cabinet.Client, id, code string) (*store.StatusRequest, error) {
	notFound := &otp.Error{Code: otp.CodeUnknown, Detail: "no such status request: ask again"}
	raw, err := hex.DecodeString(id)
	if err != nil || len(raw) != store.StatusRequestIDLen {
		return nil, notFound
	}
	rid := [store.StatusRequestIDLen]byte(raw)
	r, err := s.st.StatusRequest(ctx, rid)
	if errors.Is(err, store.ErrNotFound) || (err == nil && r.Phone != sub.Phone) {
		return nil, notFound
	}
	if err != nil {
		return nil, s.internal("read status request", err)
	}
	_, err = s.codes.Use(ctx, otp.Check{ID: id, Code: code, Purpose: otp.StatusChange, Client: c.Actor,
		Binding: statusBinding(r.Serial, r.Action, r.Reason, r.Comment),
		Audit: store.AuditEntry{Actor: sub.Actor().ID, Action: "cabinet.status_request", Subject: "status-request:" + id,
			Details: "serial " + hex.EncodeToString(r.Serial), Reason: r.Reason, Comment: r.Comment},
		Extra: store.StatusRequestConfirm{ID: rid, Outbox: []store.OutboxRow{NoticeRow(NoticeRequested, r.Phone, r.Serial)}}})
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, &cabinet.Error{Code: CodeStatusPending, Detail: "this certificate has a request awaiting the CA's decision already"}
	case errors.Is(err, store.ErrInvalidTransition):
		return nil, &cabinet.Error{Code: CodeStatusFinal, Detail: "the certificate cannot take this change any more"}
	case err != nil:
		var oe *otp.Error
		if errors.As(err, &oe) && oe.Code == otp.CodeInternal && oe.Err != nil {
			return nil, s.internal("confirm status request", oe.Err)
		}
		return nil, err
	}
	s.log.Info("status request confirmed", "request", id, "action", r.Action.String())
	return s.st.StatusRequest(ctx, rid)
}
