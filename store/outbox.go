package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// OutboxPending returns up to limit pending rows of a kind whose next
// attempt is due (≤ now), earliest first. Rows are not leased: with more
// than one worker per kind, a worker claims a row by moving its next
// attempt with OutboxRetry before delivering.
func (s *Store) OutboxPending(ctx context.Context, kind string, limit int) ([]OutboxRow, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if err := checkLen("outbox kind", kind, 1, maxKindLen); err != nil {
		return nil, err
	}
	limit = clampLimit(limit)
	now := s.now()
	prefix := outboxDuePrefix(kind)
	upper := appendTime(append([]byte(nil), prefix...), now.Add(time.Nanosecond))
	var out []OutboxRow
	err := scan(ctx, s.db, prefix, upper, func(k, _ []byte) (bool, error) {
		_, rest, ok := cutTime(k[len(prefix):])
		if !ok || len(rest) != 8 {
			return false, corrupt("outbox due key %x", k)
		}
		id := binary.BigEndian.Uint64(rest)
		r, err := s.loadOutbox(s.db, id)
		if errors.Is(err, ErrNotFound) {
			return false, corrupt("outbox due key %x points to missing row %d", k, id)
		}
		if err != nil {
			return false, err
		}
		out = append(out, *r)
		return len(out) < limit, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Outbox returns one row, pending or done.
func (s *Store) Outbox(ctx context.Context, id uint64) (*OutboxRow, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: outbox %d: %w", id, err)
	}
	r, err := s.loadOutbox(s.db, id)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("store: outbox %d: %w", id, ErrNotFound)
	}
	return r, err
}

func (s *Store) loadOutbox(r pebble.Reader, id uint64) (*OutboxRow, error) {
	v, err := s.get(r, outboxKey(id))
	if err != nil {
		return nil, err
	}
	row, err := decodeOutbox(id, v)
	if err != nil {
		return nil, fmt.Errorf("store: outbox %d: %w", id, err)
	}
	return row, nil
}

// OutboxDone marks a row delivered; the row is kept (with DoneAt) as the
// delivery record. Marking a done row again is a no-op.
func (s *Store) OutboxDone(ctx context.Context, id uint64) error {
	return s.update(ctx, "outbox done", func(t *txn) error {
		r, err := t.pendingOutbox(id)
		if err != nil || r == nil {
			return err
		}
		if err := t.del(outboxDueKey(r.Kind, r.NextAttempt, id)); err != nil {
			return err
		}
		r.Done, r.DoneAt = true, t.now
		return t.set(outboxKey(id), encodeOutbox(r))
	})
}

// OutboxRetry records a failed attempt: Attempts+1, the error (cut to
// 1 KiB) and the next attempt time. A done row gives ErrInvalidTransition.
func (s *Store) OutboxRetry(ctx context.Context, id uint64, nextAttempt time.Time, lastError string) error {
	if nextAttempt.IsZero() {
		return invalid("outbox retry %d: no next attempt time", id)
	}
	if len(lastError) > maxErrorLen {
		lastError = lastError[:maxErrorLen]
	}
	return s.update(ctx, "outbox retry", func(t *txn) error {
		r, err := t.pendingOutbox(id)
		if err != nil {
			return err
		}
		if r == nil {
			return fmt.Errorf("store: outbox retry %d: row is done: %w", id, ErrInvalidTransition)
		}
		if err := t.del(outboxDueKey(r.Kind, r.NextAttempt, id)); err != nil {
			return err
		}
		r.Attempts++
		r.NextAttempt, r.LastError = nextAttempt.UTC(), lastError
		if err := t.set(outboxKey(id), encodeOutbox(r)); err != nil {
			return err
		}
		return t.set(outboxDueKey(r.Kind, r.NextAttempt, id), nil)
	})
}

// pendingOutbox loads a row: nil without error if it is done.
func (t *txn) pendingOutbox(id uint64) (*OutboxRow, error) {
	r, err := t.s.loadOutbox(t.s.db, id)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("store: outbox %d: %w", id, ErrNotFound)
	}
	if err != nil || r.Done {
		return nil, err
	}
	return r, nil
}
