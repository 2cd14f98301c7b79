package hooks

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/gostca/gostca/hooks/message"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/registry"
	"github.com/gostca/gostca/store"
)

// Callbacks are the answers of the systems the hooks call: POST
// /api/v1/hooks/{kind}, signed like the deliveries (Standard Webhooks,
// the kind's secrets), inside hooks.replay_window, taken once per
// webhook-id. A refused callback writes nothing.

// Registry takes a registry answer into its application
// (registry.Record on the CA's registration authority).
type Registry func(ctx context.Context, actor ra.Actor, id string, res registry.Answer) (*store.Application, []string, error)

// SetRegistry names the registration authority that registry answers go
// to; without one, registry_check callbacks are refused (503).
func (d *Deliverer) SetRegistry(r Registry) {
	d.regMu.Lock()
	d.registry = r
	d.regMu.Unlock()
}

// CallbackError is a refused callback: Status is the HTTP status to
// answer, Code a stable word, Detail the text (no secret, no echo).
type CallbackError struct {
	Status int
	Code   string
	Detail string
}

func (e *CallbackError) Error() string { return "hooks: callback refused: " + e.Detail }

func refuse(status int, code, format string, args ...any) *CallbackError {
	return &CallbackError{Status: status, Code: code, Detail: fmt.Sprintf(format, args...)}
}

// CallbackHeaders are the three signature headers of a callback.
type CallbackHeaders struct{ ID, Timestamp, Signature string }

// CallbackResult is what a taken callback did.
type CallbackResult struct {
	Duplicate bool     `json:"duplicate,omitempty"` // seen before: nothing done again
	State     string   `json:"state,omitempty"`     // ESIA: the registration state now
	Changed   []string `json:"changed,omitempty"`   // registry: organisation fields replaced
}

// ESIA answer statuses (ESIA via SMEV 3). VALIDATING is not final;
// SUCCEEDED is; the others are failures that a redrive may follow.
const (
	ESIAValidating         = "VALIDATING"
	ESIASucceeded          = "SUCCEEDED"
	ESIAValidationFailed   = "VALIDATION_FAILED"
	ESIAConfirmationFailed = "CONFIRMATION_FAILED"
	ESIAFault              = "FAULT"
	// ESIARedriven is the engine's own state between an operator's
	// redrive of a failed registration and ESIA's next answer.
	ESIARedriven = "REDRIVEN"
)

// ESIAAnswer is the body of an ESIA callback.
type ESIAAnswer struct {
	Serial  string `json:"serial"` // hex
	Status  string `json:"status"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// RegistryAnswer is the body of a registry_check callback: it quotes
// the request's application, check and requested_at.
type RegistryAnswer struct {
	Application  string     `json:"application"`
	Check        string     `json:"check"`
	RequestedAt  time.Time  `json:"requested_at"`
	Status       string     `json:"status"` // confirmed, refuted, failed
	Detail       string     `json:"detail,omitempty"`
	Organisation *OrgAnswer `json:"organisation,omitempty"`
}

// OrgAnswer is the tax registry's organisation record.
type OrgAnswer struct {
	Name     string `json:"name"`
	INN      string `json:"inn,omitempty"`
	KPP      string `json:"kpp,omitempty"`
	OGRN     string `json:"ogrn,omitempty"`
	OGRNIP   string `json:"ogrnip,omitempty"`
	Region   string `json:"region,omitempty"`
	Locality string `json:"locality,omitempty"`
	Street   string `json:"street,omitempty"`
	// Head is the person acting for the organisation without a power of
	// attorney (ЕГРЮЛ: the head; ЕГРИП: the entrepreneur).
	Head *HeadAnswer `json:"head,omitempty"`
}

// HeadAnswer is the registry's entry of the person acting for an
// organisation.
type HeadAnswer struct {
	Surname    string `json:"surname"`
	GivenName  string `json:"given_name"`
	Patronymic string `json:"patronymic,omitempty"`
	INN        string `json:"inn,omitempty"`
	Position   string `json:"position,omitempty"`
}

// Callback verifies and takes one callback of kind. Verification comes
// first: an unsigned, badly signed, stale or replayed callback is refused
// before its body is read.
func (d *Deliverer) Callback(ctx context.Context, kind string, hd CallbackHeaders, body []byte) (*CallbackResult, error) {
	res, err := d.callback(ctx, kind, hd, body)
	switch {
	case err == nil && res.Duplicate:
		d.m.hookCallbacks.WithLabelValues(kind, "duplicate").Inc()
	case err == nil:
		d.m.hookCallbacks.WithLabelValues(kind, "taken").Inc()
	default:
		if t := d.target(kind); t != nil {
			d.m.hookCallbacks.WithLabelValues(kind, "refused").Inc()
		}
		// Info, not Warn: anyone can POST here, and the metric counts them.
		d.log.Info("hook callback refused", "kind", attemptText(kind, 32), "err", err)
	}
	return res, err
}

func (d *Deliverer) target(kind string) *hookTarget {
	for _, h := range d.targets {
		if h.kind == kind && len(h.secrets) > 0 {
			return h
		}
	}
	return nil
}

func (d *Deliverer) callback(ctx context.Context, kind string, hd CallbackHeaders, body []byte) (*CallbackResult, error) {
	h := d.target(kind)
	if h == nil || (kind != HookESIA && kind != HookRegistryCheck) {
		return nil, refuse(404, "unknown_hook", "no callbacks are taken for this kind")
	}
	if err := Verify(h.secrets, hd.ID, hd.Timestamp, hd.Signature, body, time.Now(), d.cfg.ReplayWindow); err != nil {
		return nil, refuse(401, "bad_signature", "%v", err)
	}
	return d.takeAnswer(ctx, kind, hd.ID, body)
}

// takeAnswer takes a verified answer of kind (a callback's body, or the
// final answer a status query brought: poll.go) into the records, once
// per webhook-id.
func (d *Deliverer) takeAnswer(ctx context.Context, kind, id string, body []byte) (*CallbackResult, error) {
	hd := CallbackHeaders{ID: id}
	if len(hd.ID) > 128 || strings.ContainsFunc(hd.ID, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return nil, refuse(400, "bad_webhook_id", "webhook-id must be 1-128 printable ASCII characters")
	}
	taken, err := d.st.CallbackTaken(ctx, kind, hd.ID)
	if err != nil {
		return nil, err
	}
	if taken {
		return &CallbackResult{Duplicate: true}, nil
	}
	if kind == HookESIA {
		return d.esiaAnswer(ctx, hd.ID, body)
	}
	return d.registryAnswer(ctx, hd.ID, body)
}

func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return refuse(400, "bad_body", "the body is not the expected JSON document: %s", attemptText(err.Error(), 200))
	}
	return nil
}

func (d *Deliverer) esiaAnswer(ctx context.Context, id string, body []byte) (*CallbackResult, error) {
	var a ESIAAnswer
	if err := decodeStrict(body, &a); err != nil {
		return nil, err
	}
	switch a.Status {
	case ESIAValidating, ESIASucceeded, ESIAValidationFailed, ESIAConfirmationFailed, ESIAFault:
	default:
		return nil, refuse(400, "bad_body", "status must be VALIDATING, SUCCEEDED, VALIDATION_FAILED, CONFIRMATION_FAILED or FAULT")
	}
	if len(a.Code) > 64 || len(a.Message) > 1024 {
		return nil, refuse(400, "bad_body", "code is at most 64 bytes and message at most 1024")
	}
	b, err := hex.DecodeString(strings.TrimPrefix(strings.ToLower(a.Serial), "0x"))
	if err != nil || len(a.Serial) == 0 || len(a.Serial) > 42 {
		return nil, refuse(400, "bad_body", "serial must be the certificate's serial in hex")
	}
	serial := new(big.Int).SetBytes(b).Bytes()
	if _, err := d.st.Certificate(ctx, serial); errors.Is(err, store.ErrNotFound) {
		return nil, refuse(404, "certificate_not_found", "no certificate with this serial")
	} else if err != nil {
		return nil, err
	}
	st := &store.HookState{Kind: HookESIA, Subject: serial, State: a.Status, Code: a.Code, Message: a.Message}
	audit := &store.AuditEntry{Actor: "hook:" + HookESIA, Action: "esia.answer", Subject: message.SerialHex(serial),
		Details: "ESIA registration " + a.Status}
	err = d.st.TakeCallback(ctx, HookESIA, id, st, func(old *store.HookState) error {
		if old != nil && old.State == ESIASucceeded && a.Status != ESIASucceeded {
			return refuse(409, "esia_final", "the registration already succeeded; a later %s is not taken", a.Status)
		}
		return nil
	}, audit)
	if errors.Is(err, store.ErrDuplicateCallback) {
		return &CallbackResult{Duplicate: true}, nil
	}
	if err != nil {
		return nil, err
	}
	return &CallbackResult{State: a.Status}, nil
}

var checkStatuses = map[string]store.CheckStatus{"confirmed": store.CheckConfirmed, "refuted": store.CheckRefuted, "failed": store.CheckFailed}

func (d *Deliverer) registryAnswer(ctx context.Context, id string, body []byte) (*CallbackResult, error) {
	d.regMu.Lock()
	reg := d.registry
	d.regMu.Unlock()
	if reg == nil {
		return nil, refuse(503, "no_registration_authority", "registry answers are not taken: no registration authority runs here")
	}
	var a RegistryAnswer
	if err := decodeStrict(body, &a); err != nil {
		return nil, err
	}
	status, ok := checkStatuses[a.Status]
	if !ok || a.Application == "" || a.Check == "" || a.RequestedAt.IsZero() {
		return nil, refuse(400, "bad_body", "application, check, requested_at and status (confirmed, refuted, failed) are required")
	}
	res := registry.Answer{Kind: a.Check, RequestedAt: a.RequestedAt, Status: status, Detail: a.Detail}
	if o := a.Organisation; o != nil {
		res.Organisation = &store.Organisation{Name: o.Name, INN: o.INN, KPP: o.KPP, OGRN: o.OGRN, OGRNIP: o.OGRNIP,
			Region: o.Region, Locality: o.Locality, Street: o.Street}
		if h := o.Head; h != nil {
			res.Head = &store.RegistryPerson{Surname: h.Surname, GivenName: h.GivenName, Patronymic: h.Patronymic, INN: h.INN, Position: h.Position}
		}
	}
	_, changed, err := reg(ctx, ra.Actor{Kind: ra.System, ID: "hook:" + HookRegistryCheck}, a.Application, res)
	if err != nil {
		if c := ra.CodeOf(err); c != "" {
			status := 409
			switch c {
			case ra.CodeNotFound:
				status = 404
			case ra.CodeInvalidData:
				status = 400
			}
			return nil, refuse(status, string(c), "%s", attemptText(err.Error(), 300))
		}
		return nil, err
	}
	// The answer is in the application; the id makes a repeat a no-op
	// (were it lost in a crash, the repeat is refused as stale by ra).
	if err := d.st.TakeCallback(ctx, HookRegistryCheck, id, nil, nil, nil); err != nil && !errors.Is(err, store.ErrDuplicateCallback) {
		return nil, err
	}
	return &CallbackResult{Changed: changed}, nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
