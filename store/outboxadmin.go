package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// MaxOutboxLog bounds the attempts an outbox row keeps in its log (the
// most recent ones).
const MaxOutboxLog = 16

// OutboxAttempt is one delivery attempt: when, the HTTP status code (0
// when no answer came), the error (empty on success; escaped and cut by
// the caller, at most 1 KiB here) and how long it took.
type OutboxAttempt struct {
	At    time.Time
	Code  int
	Error string
	Took  time.Duration
}

// OutboxState selects rows in OutboxList.
type OutboxState uint8

// Row states for OutboxList.
const (
	OutboxAny OutboxState = iota
	OutboxPendingRows
	OutboxDeadRows
)

func outboxDeadPrefix(kind string) []byte { return appendLen([]byte{pOutboxDead}, kind) }
func outboxDeadKey(kind string, id uint64) []byte {
	return binary.BigEndian.AppendUint64(outboxDeadPrefix(kind), id)
}

func (r *OutboxRow) logAttempt(a OutboxAttempt) {
	a.At = a.At.UTC()
	if len(a.Error) > maxErrorLen {
		a.Error = a.Error[:maxErrorLen]
	}
	r.Log = append(r.Log, a)
	if len(r.Log) > MaxOutboxLog {
		r.Log = append([]OutboxAttempt(nil), r.Log[len(r.Log)-MaxOutboxLog:]...)
	}
}

// OutboxDelivered marks a pending row delivered and logs the attempt.
// With scrub the payload is emptied in the same write (an SMS carrying a
// code keeps its text only until delivered). A row already done is left
// as it is; a dead or cancelled one gives ErrInvalidTransition.
func (s *Store) OutboxDelivered(ctx context.Context, id uint64, a OutboxAttempt, scrub bool) error {
	return s.update(ctx, "outbox delivered", func(t *txn) error {
		return t.outboxDelivered(id, a, scrub)
	})
}

func (t *txn) outboxDelivered(id uint64, a OutboxAttempt, scrub bool) error {
	r, err := t.s.loadOutbox(t.s.db, id)
	if err != nil {
		return fmt.Errorf("store: outbox %d: %w", id, err)
	}
	if r.Done {
		return nil
	}
	if r.Dead || r.Cancelled {
		return fmt.Errorf("store: outbox %d is dead or cancelled: %w", id, ErrInvalidTransition)
	}
	if err := t.del(outboxDueKey(r.Kind, r.NextAttempt, id)); err != nil {
		return err
	}
	r.logAttempt(a)
	r.Done, r.DoneAt = true, t.now
	if scrub {
		r.Payload = nil
	}
	return t.set(outboxKey(id), encodeOutbox(r))
}

// OutboxFailed records a failed attempt of a pending row: Attempts+1,
// the error, the attempt in the log, and either the next attempt time
// or, once Attempts reaches maxAttempts (> 0), the dead state: out of
// the due index into the dead index, where only an operator's
// OutboxRedrive or OutboxCancel moves it. It reports whether the row
// died.
func (s *Store) OutboxFailed(ctx context.Context, id uint64, a OutboxAttempt, next time.Time, maxAttempts int) (bool, error) {
	if next.IsZero() {
		return false, invalid("outbox failed %d: no next attempt time", id)
	}
	dead := false
	err := s.update(ctx, "outbox failed", func(t *txn) error {
		var err error
		dead, err = t.outboxFailed(id, a, next, maxAttempts)
		return err
	})
	return dead, err
}

func (t *txn) outboxFailed(id uint64, a OutboxAttempt, next time.Time, maxAttempts int) (bool, error) {
	r, err := t.pendingOutbox(id)
	if err != nil {
		return false, err
	}
	if r == nil || r.Dead || r.Cancelled {
		return false, fmt.Errorf("store: outbox failed %d: row is not pending: %w", id, ErrInvalidTransition)
	}
	if err := t.del(outboxDueKey(r.Kind, r.NextAttempt, id)); err != nil {
		return false, err
	}
	r.Attempts++
	r.logAttempt(a)
	r.LastError = r.Log[len(r.Log)-1].Error
	if maxAttempts > 0 && r.Attempts >= maxAttempts {
		r.Dead, r.DoneAt = true, t.now
		if err := t.set(outboxKey(id), encodeOutbox(r)); err != nil {
			return false, err
		}
		return true, t.set(outboxDeadKey(r.Kind, id), nil)
	}
	r.NextAttempt = next.UTC()
	if err := t.set(outboxKey(id), encodeOutbox(r)); err != nil {
		return false, err
	}
	return false, t.set(outboxDueKey(r.Kind, r.NextAttempt, id), nil)
}

// OutboxRedrive makes a dead (or waiting) row due now with a fresh
// attempt budget (Attempts 0, no ticket; the log stays), and appends audit (an
// operator's "outbox.redrive") in the same batch. A delivered or
// cancelled row gives ErrInvalidTransition.
func (s *Store) OutboxRedrive(ctx context.Context, id uint64, audit AuditEntry) (*OutboxRow, error) {
	return s.outboxAdmin(ctx, "outbox redrive", id, &audit, func(t *txn, r *OutboxRow) error {
		r.Dead, r.DoneAt, r.Attempts = false, time.Time{}, 0
		r.NextAttempt = t.now
		// A polling receiver's ticket goes with the redrive: the request
		// is sent again and a new ticket taken (outboxpoll.go).
		r.Ticket, r.TicketAt, r.PollDeadline, r.Polls = "", time.Time{}, time.Time{}, 0
		return t.set(outboxDueKey(r.Kind, r.NextAttempt, id), nil)
	})
}

// OutboxCancel gives a dead or pending row up for good (with scrub its
// payload is emptied) and appends audit in the same batch.
func (s *Store) OutboxCancel(ctx context.Context, id uint64, scrub bool, audit AuditEntry) (*OutboxRow, error) {
	return s.outboxAdmin(ctx, "outbox cancel", id, &audit, func(t *txn, r *OutboxRow) error {
		r.Dead, r.Cancelled, r.DoneAt = false, true, t.now
		if scrub {
			r.Payload = nil
		}
		return nil
	})
}

// outboxAdmin takes a pending or dead row out of its index, lets fn
// change it (and write a new index entry), stores it and the audit entry.
func (s *Store) outboxAdmin(ctx context.Context, what string, id uint64, audit *AuditEntry, fn func(*txn, *OutboxRow) error) (*OutboxRow, error) {
	if audit.Actor == "" || audit.Action == "" {
		return nil, invalid("%s %d: audit actor and action required", what, id)
	}
	var out *OutboxRow
	err := s.update(ctx, what, func(t *txn) error {
		r, err := t.s.loadOutbox(t.s.db, id)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("store: outbox %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if r.Done || r.Cancelled {
			return fmt.Errorf("store: %s %d: the row is delivered or cancelled: %w", what, id, ErrInvalidTransition)
		}
		if r.Dead {
			err = t.del(outboxDeadKey(r.Kind, id))
		} else {
			err = t.del(outboxDueKey(r.Kind, r.NextAttempt, id))
		}
		if err != nil {
			return err
		}
		if err := fn(t, r); err != nil {
			return err
		}
		if err := t.set(outboxKey(id), encodeOutbox(r)); err != nil {
			return err
		}
		if audit.Subject == "" {
			audit.Subject = fmt.Sprintf("outbox:%d", id)
		}
		out = r
		return t.audit(audit)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// OutboxList returns rows by state: pending rows (due or waiting) in
// due order, dead rows by id, or (OutboxAny) every row by id after the
// cursor id. Kind "" means every kind. At most limit rows.
func (s *Store) OutboxList(ctx context.Context, kind string, state OutboxState, after uint64, limit int) ([]OutboxRow, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if kind != "" {
		if err := checkLen("outbox kind", kind, 1, maxKindLen); err != nil {
			return nil, err
		}
	}
	limit = clampLimit(limit)
	var prefix []byte
	switch state {
	case OutboxPendingRows:
		prefix = []byte{pOutboxDue}
		if kind != "" {
			prefix = outboxDuePrefix(kind)
		}
	case OutboxDeadRows:
		prefix = []byte{pOutboxDead}
		if kind != "" {
			prefix = outboxDeadPrefix(kind)
		}
	default:
		prefix = []byte{pOutbox}
	}
	lower := prefix
	if state == OutboxAny && after > 0 {
		lower = outboxKey(after + 1)
	}
	var out []OutboxRow
	err := scan(ctx, s.db, lower, prefixEnd(prefix), func(k, v []byte) (bool, error) {
		if len(k) < 9 {
			return false, corrupt("outbox key %x", k)
		}
		id := binary.BigEndian.Uint64(k[len(k)-8:])
		var r *OutboxRow
		var err error
		if state == OutboxAny {
			r, err = decodeOutbox(id, v)
		} else {
			r, err = s.loadOutbox(s.db, id)
		}
		if err != nil {
			return false, err
		}
		if (kind != "" && r.Kind != kind) || (state != OutboxAny && after > 0 && id <= after && state == OutboxDeadRows) {
			return true, nil
		}
		out = append(out, *r)
		return len(out) < limit, nil
	})
	return out, err
}

// OutboxEnqueue adds one row (Kind, Serial, Payload used), due now, with
// its audit entry in the same batch: an operator's request to send
// something again whose earlier row is final (an ESIA registration that
// failed after it was delivered).
func (s *Store) OutboxEnqueue(ctx context.Context, r OutboxRow, audit AuditEntry) (*OutboxRow, error) {
	if err := checkLen("outbox kind", r.Kind, 1, maxKindLen); err != nil {
		return nil, err
	}
	if err := checkBytes("outbox payload", r.Payload, 0, maxPayloadLen); err != nil {
		return nil, err
	}
	if len(r.Serial) > maxSerialLen {
		return nil, invalid("outbox serial longer than %d bytes", maxSerialLen)
	}
	out := OutboxRow{Kind: r.Kind, Serial: r.Serial, Payload: r.Payload}
	err := s.update(ctx, "outbox enqueue", func(t *txn) error {
		if err := t.outbox(&out); err != nil {
			return err
		}
		return t.audit(&audit)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// OutboxOnce writes row (Kind, Serial, Payload) unless a row of its kind
// was written before under onceKey (1–128 bytes); it reports whether it
// wrote. The key and the row go in one batch, so a job that repeats
// after a crash or restart never writes the same row twice.
func (s *Store) OutboxOnce(ctx context.Context, onceKey string, r OutboxRow) (bool, error) {
	if err := checkLen("outbox kind", r.Kind, 1, maxKindLen); err != nil {
		return false, err
	}
	if err := checkLen("outbox once key", onceKey, 1, 128); err != nil {
		return false, err
	}
	if err := checkBytes("outbox payload", r.Payload, 0, maxPayloadLen); err != nil {
		return false, err
	}
	key := append(appendLen([]byte{pOutboxOnce}, r.Kind), onceKey...)
	wrote := false
	err := s.update(ctx, "outbox once", func(t *txn) error {
		wrote = false
		done, err := t.has(key)
		if err != nil || done {
			return err
		}
		row := OutboxRow{Kind: r.Kind, Serial: r.Serial, Payload: r.Payload}
		if err := t.outbox(&row); err != nil {
			return err
		}
		wrote = true
		return t.set(key, encodeTimeValue(t.now))
	})
	return wrote, err
}
