package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Key prefixes of the hook records (doc.go, "Key layout"); 0x40 and 0x41
// are the outbox rows and their due index (keys.go).
const (
	pOutboxDead byte = 0x42 // kind, id → ∅ (dead rows only)
	pHookState  byte = 0x43 // kind, subject → answer state record (ESIA registration by serial)
	pHookSeen   byte = 0x44 // kind, webhook-id → received at (callbacks taken)
	pOutboxOnce byte = 0x45 // kind, once-key → written at (rows written once: renewal reminders)
)

// HookState is an external system's latest answer about one subject,
// kept beside the subject's own record: today the ESIA registration of a
// certificate (kind "esia", subject the serial's magnitude). The record
// (version 1) is state, code, message, updated (store clock), the
// webhook id of the answer, and the answer count.
type HookState struct {
	Kind    string
	Subject []byte
	State   string // e.g. VALIDATING, SUCCEEDED, FAILED (the hooks package names them)
	Code    string // the answering system's error code, if any
	Message string // its message (kept as sent, escaped on display)
	Updated time.Time
	FromID  string // webhook-id of the callback that set it
	Answers int    // callbacks taken for this subject
}

const (
	hookStateV1     byte = 1
	maxHookStateLen int  = 64
	maxWebhookIDLen int  = 128
)

func hookStateKey(kind string, subject []byte) []byte {
	return append(appendLen([]byte{pHookState}, kind), subject...)
}

func hookSeenKey(kind, id string) []byte { return append(appendLen([]byte{pHookSeen}, kind), id...) }

func encodeHookState(h *HookState) []byte {
	e := enc{}
	e.byte(hookStateV1)
	e.str(h.State)
	e.str(h.Code)
	e.str(h.Message)
	e.time(h.Updated)
	e.str(h.FromID)
	e.uvarint(uint64(h.Answers))
	return e.b
}

func decodeHookState(kind string, subject, b []byte) (*HookState, error) {
	d := dec{b: b}
	d.version(hookStateV1)
	h := &HookState{Kind: kind, Subject: append([]byte(nil), subject...)}
	h.State = d.str(maxHookStateLen)
	h.Code = d.str(maxHookStateLen)
	h.Message = d.str(maxErrorLen)
	h.Updated = d.time()
	h.FromID = d.str(maxWebhookIDLen)
	n := d.uvarint()
	if n > 1<<31 {
		d.fail("bad answer count")
	}
	h.Answers = int(n)
	return h, d.finish("hook state")
}

// ErrDuplicateCallback: a callback with this webhook id was taken
// before; nothing was written.
var ErrDuplicateCallback = errors.New("callback already taken")

// TakeCallback records a callback's webhook id; if the id was taken
// before it returns ErrDuplicateCallback and writes nothing. With h
// non-nil, decide (called under the writer lock with the stored state,
// nil for none) returns the new state or an error (nothing written),
// and the state record, the id and audit go in one batch.
func (s *Store) TakeCallback(ctx context.Context, kind, webhookID string, h *HookState,
	decide func(old *HookState) error, audit *AuditEntry) error {
	if err := checkLen("callback kind", kind, 1, maxKindLen); err != nil {
		return err
	}
	if err := checkLen("webhook id", webhookID, 1, maxWebhookIDLen); err != nil {
		return err
	}
	return s.update(ctx, "hook callback", func(t *txn) error {
		seen, err := t.has(hookSeenKey(kind, webhookID))
		if err != nil {
			return err
		}
		if seen {
			return fmt.Errorf("store: callback %s/%s: %w", kind, webhookID, ErrDuplicateCallback)
		}
		if err := t.set(hookSeenKey(kind, webhookID), encodeTimeValue(t.now)); err != nil {
			return err
		}
		if h != nil {
			var old *HookState
			v, err := t.get(hookStateKey(h.Kind, h.Subject))
			switch {
			case errors.Is(err, ErrNotFound):
			case err != nil:
				return err
			default:
				if old, err = decodeHookState(h.Kind, h.Subject, v); err != nil {
					return err
				}
			}
			if decide != nil {
				if err := decide(old); err != nil {
					return err
				}
			}
			if len(h.State) > maxHookStateLen || len(h.Code) > maxHookStateLen || len(h.Message) > maxErrorLen {
				return invalid("hook state: field too long")
			}
			h.Updated, h.FromID, h.Answers = t.now, webhookID, 1
			if old != nil {
				h.Answers = old.Answers + 1
			}
			if err := t.set(hookStateKey(h.Kind, h.Subject), encodeHookState(h)); err != nil {
				return err
			}
		}
		if audit != nil {
			return t.audit(audit)
		}
		return nil
	})
}

// HookStateOf returns the stored answer state of a subject.
func (s *Store) HookStateOf(ctx context.Context, kind string, subject []byte) (*HookState, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v, err := s.get(s.db, hookStateKey(kind, subject))
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("store: hook state %s: %w", kind, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return decodeHookState(kind, subject, v)
}

func encodeTimeValue(t time.Time) []byte {
	e := enc{}
	e.byte(1)
	e.time(t)
	return e.b
}

// hookRecord checks a dead-row index entry (its row is dead and of that
// kind), a hook state record and a taken callback id (they decode).
func (c *checker) hookRecord(k, v []byte) {
	kind, rest, ok := cutLen(k[1:])
	if !ok || len(rest) == 0 {
		c.problem("decode", k, "bad hook key")
		return
	}
	switch k[0] {
	case pOutboxDead:
		if len(rest) != 8 || len(v) != 0 {
			c.problem("decode", k, "bad outbox dead key")
			return
		}
		id := binary.BigEndian.Uint64(rest)
		r, err := c.s.loadOutbox(c.r, id)
		if err != nil || !r.Dead || r.Kind != string(kind) {
			c.problem("dangling-index", k, "outbox row %d is not a dead %s row", id, kind)
		}
	case pHookState:
		if _, err := decodeHookState(string(kind), rest, v); err != nil {
			c.problem("decode", k, "%v", err)
		}
	case pHookSeen, pOutboxOnce:
		d := dec{b: v}
		d.version(1)
		d.time()
		if err := d.finish("callback id"); err != nil {
			c.problem("decode", k, "%v", err)
		}
	}
}

// CallbackTaken reports whether a callback with this webhook id was
// taken (TakeCallback) before.
func (s *Store) CallbackTaken(ctx context.Context, kind, webhookID string) (bool, error) {
	if err := s.enter(); err != nil {
		return false, err
	}
	defer s.leave()
	if err := ctx.Err(); err != nil {
		return false, err
	}
	return s.has(s.db, hookSeenKey(kind, webhookID))
}
