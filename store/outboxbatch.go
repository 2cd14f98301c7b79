package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// OutboxResult is one delivery's outcome in OutboxResults: delivered
// (with Scrub, the payload emptied) or failed (Next, the next attempt;
// MaxAttempts, the kind's limit, after which the row is dead). Audit,
// when set, is appended in the same batch as the row's change. Dead and
// Err are set by OutboxResults.
type OutboxResult struct {
	ID          uint64
	Attempt     OutboxAttempt
	Delivered   bool
	Scrub       bool
	Next        time.Time
	MaxAttempts int
	Audit       *AuditEntry

	Dead bool  // out: the failure reached the attempt limit
	Err  error // out: this row's result was not written (the others were)
}

// maxOutboxResults bounds one OutboxResults call.
const maxOutboxResults = 1024

// OutboxResults writes the outcomes of several deliveries as one synced
// batch (the hook workers' group commit): each row's change, as
// OutboxDelivered or OutboxFailed would write it, with its audit entry.
// A result the row's state refuses (it was cancelled meanwhile, or the
// same row twice) gets its Err and writes nothing; the others are
// written. The returned error means nothing was written (every Err is
// set to it). The call returns once the batch is durable.
func (s *Store) OutboxResults(ctx context.Context, rs []OutboxResult) error {
	if len(rs) > maxOutboxResults {
		return invalid("outbox results: %d in one batch, at most %d", len(rs), maxOutboxResults)
	}
	for i := range rs {
		rs[i].Dead, rs[i].Err = false, nil
		if !rs[i].Delivered && rs[i].Next.IsZero() {
			rs[i].Err = invalid("outbox failed %d: no next attempt time", rs[i].ID)
		}
	}
	err := s.update(ctx, "outbox results", func(t *txn) error {
		seen := make(map[uint64]bool, len(rs))
		for i := range rs {
			r := &rs[i]
			if r.Err != nil {
				continue
			}
			if seen[r.ID] {
				r.Err = fmt.Errorf("store: outbox %d: twice in one batch: %w", r.ID, ErrInvalidTransition)
				continue
			}
			seen[r.ID] = true
			if r.Audit != nil {
				if err := checkAudit(*r.Audit); err != nil {
					r.Err = err
					continue
				}
			}
			var err error
			if r.Delivered {
				err = t.outboxDelivered(r.ID, r.Attempt, r.Scrub)
			} else {
				r.Dead, err = t.outboxFailed(r.ID, r.Attempt, r.Next, r.MaxAttempts)
			}
			if err != nil {
				if rowRefusal(err) {
					r.Err, r.Dead = err, false
					continue
				}
				return err // a batch error: nothing is written
			}
			if r.Audit != nil {
				if err := t.audit(r.Audit); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		for i := range rs {
			if rs[i].Err == nil {
				rs[i].Err, rs[i].Dead = err, false
			}
		}
	}
	return err
}

// rowRefusal: the error is about one row's state (written before any of
// that row's changes), not about the batch.
func rowRefusal(err error) bool {
	return errors.Is(err, ErrInvalidTransition) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidInput)
}
