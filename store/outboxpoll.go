package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// A polling receiver answers a delivery with a ticket instead of a
// callback; the hook worker then asks for the ticket's status until a
// final answer. The ticket is kept on the row (record version 3), so
// that a restart goes on asking and never sends the request again. While
// a row has a ticket it stays pending, keyed in the due index by its
// next status query; its Attempts count failed sends only, Polls the
// queries, and at PollDeadline it dies (OutboxPolled with dead).

// maxTicketLen bounds a ticket: 1–128 printable ASCII characters.
const maxTicketLen = 128

// ValidTicket reports whether t can be kept as a ticket.
func ValidTicket(t string) bool {
	return len(t) >= 1 && len(t) <= maxTicketLen && !strings.ContainsFunc(t, func(r rune) bool { return r <= ' ' || r > '~' })
}

// OutboxTicket records that the receiver took a pending row's request
// and gave ticket: the attempt is logged, the ticket, its time and the
// poll deadline kept, and the row is due again at firstPoll. A row that
// already has a ticket, or is not pending, gives ErrInvalidTransition.
func (s *Store) OutboxTicket(ctx context.Context, id uint64, a OutboxAttempt, ticket string, firstPoll, deadline time.Time) error {
	if !ValidTicket(ticket) {
		return invalid("outbox ticket %d: a ticket is 1-%d printable ASCII characters", id, maxTicketLen)
	}
	if firstPoll.IsZero() || deadline.IsZero() {
		return invalid("outbox ticket %d: no poll time or deadline", id)
	}
	return s.update(ctx, "outbox ticket", func(t *txn) error {
		r, err := t.pendingOutbox(id)
		if err != nil {
			return err
		}
		if r == nil || r.Dead || r.Cancelled || r.Ticket != "" {
			return fmt.Errorf("store: outbox ticket %d: row is not pending or has a ticket: %w", id, ErrInvalidTransition)
		}
		if err := t.del(outboxDueKey(r.Kind, r.NextAttempt, id)); err != nil {
			return err
		}
		r.logAttempt(a)
		r.Ticket, r.TicketAt, r.PollDeadline, r.Polls = ticket, t.now, deadline.UTC(), 0
		r.NextAttempt, r.LastError = firstPoll.UTC(), ""
		if err := t.set(outboxKey(id), encodeOutbox(r)); err != nil {
			return err
		}
		return t.set(outboxDueKey(r.Kind, r.NextAttempt, id), nil)
	})
}

// OutboxPolled records a status query of a row with a ticket that
// brought no final answer (pending, no answer, a refused signature):
// Polls+1, the attempt logged (its error, if any, is LastError), and the
// next query at next — or, with dead, the row dies: out of the due
// index into the dead index with the attempt's error (the poll deadline
// passed). A final answer is recorded with OutboxDelivered.
func (s *Store) OutboxPolled(ctx context.Context, id uint64, a OutboxAttempt, next time.Time, dead bool) error {
	if next.IsZero() && !dead {
		return invalid("outbox polled %d: no next poll time", id)
	}
	return s.update(ctx, "outbox polled", func(t *txn) error {
		r, err := t.pendingOutbox(id)
		if err != nil {
			return err
		}
		if r == nil || r.Dead || r.Cancelled || r.Ticket == "" {
			return fmt.Errorf("store: outbox polled %d: row is not polling: %w", id, ErrInvalidTransition)
		}
		if err := t.del(outboxDueKey(r.Kind, r.NextAttempt, id)); err != nil {
			return err
		}
		r.Polls++
		r.logAttempt(a)
		r.LastError = r.Log[len(r.Log)-1].Error
		if dead {
			r.Dead, r.DoneAt = true, t.now
			if err := t.set(outboxKey(id), encodeOutbox(r)); err != nil {
				return err
			}
			return t.set(outboxDeadKey(r.Kind, id), nil)
		}
		r.NextAttempt = next.UTC()
		if err := t.set(outboxKey(id), encodeOutbox(r)); err != nil {
			return err
		}
		return t.set(outboxDueKey(r.Kind, r.NextAttempt, id), nil)
	})
}
