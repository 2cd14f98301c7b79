package store

import (
	"errors"
	"testing"
	"time"
)

// TestOutboxTicketPolls walks a polling row: the ticket is kept on the
// row (record version 3, read back after a reopen), the row stays due
// for status queries, each query is counted and logged, the deadline
// kills it with the error; a redrive drops the ticket so the request is
// sent again. Check agrees at every step; bad tickets are refused.
func TestOutboxTicketPolls(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	r, err := s.OutboxEnqueue(ctx, OutboxRow{Kind: "registry_check", Payload: []byte(`{"v":1}`)}, adminAudit("outbox.test"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, bad := range []string{"", "has space", string(make([]byte, 129)), "тикет"} {
		if err := s.OutboxTicket(ctx, r.ID, OutboxAttempt{At: now}, bad, now, now.Add(time.Hour)); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("ticket %q: %v", bad, err)
		}
	}
	if err := s.OutboxPolled(ctx, r.ID, OutboxAttempt{At: now}, now, false); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("a poll of a row without a ticket: %v", err)
	}
	deadline := now.Add(time.Hour)
	if err := s.OutboxTicket(ctx, r.ID, OutboxAttempt{At: now, Code: 202}, "T-42", now.Add(-time.Millisecond), deadline); err != nil {
		t.Fatal(err)
	}
	if err := s.OutboxTicket(ctx, r.ID, OutboxAttempt{At: now, Code: 202}, "T-43", now, deadline); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("a second ticket: %v", err)
	}
	mustCheck(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{})
	due, err := s.OutboxPending(ctx, "registry_check", 10)
	if err != nil || len(due) != 1 || due[0].Ticket != "T-42" || !due[0].PollDeadline.Equal(deadline.UTC()) || due[0].TicketAt.IsZero() ||
		due[0].Attempts != 0 || len(due[0].Log) != 1 || due[0].Log[0].Code != 202 {
		t.Fatalf("after reopen: %v %+v", err, due)
	}
	for i := 1; i <= 2; i++ {
		if err := s.OutboxPolled(ctx, r.ID, OutboxAttempt{At: now, Code: 202, Error: "pending"}, now.Add(time.Minute), false); err != nil {
			t.Fatal(err)
		}
	}
	if due, _ := s.OutboxPending(ctx, "registry_check", 10); len(due) != 0 {
		t.Fatal("a row is due before its next poll")
	}
	if err := s.OutboxPolled(ctx, r.ID, OutboxAttempt{At: now, Error: "no final answer by the deadline"}, time.Time{}, true); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, s)
	got, _ := s.Outbox(ctx, r.ID)
	if !got.Dead || got.Polls != 3 || got.LastError != "no final answer by the deadline" || got.Ticket != "T-42" || len(got.Log) != 4 {
		t.Fatalf("dead row %+v", got)
	}
	if err := s.OutboxPolled(ctx, r.ID, OutboxAttempt{At: now}, now, false); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("a poll of a dead row: %v", err)
	}
	red, err := s.OutboxRedrive(ctx, r.ID, adminAudit("outbox.redrive"))
	if err != nil || red.Ticket != "" || red.Polls != 0 || !red.PollDeadline.IsZero() || red.Dead {
		t.Fatalf("redrive %v %+v", err, red)
	}
	mustCheck(t, s)
	raw, _ := s.get(s.db, outboxKey(r.ID))
	if raw[0] != outboxV2 {
		t.Errorf("a row without a ticket is written as version %d, want 2 (readable by older versions)", raw[0])
	}
}
