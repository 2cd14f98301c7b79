package store

import (
	"errors"
	"testing"
	"time"
)

// TestOutboxResultsBatch: several delivery outcomes in one call are
// written as OutboxDelivered / OutboxFailed write them one by one (done,
// retried, dead at the limit, with an audit entry in the batch); a row
// the state refuses (cancelled meanwhile, or twice in the batch) gets
// its own error and the others are still written; Check agrees.
func TestOutboxResultsBatch(t *testing.T) {
	s := newStore(t)
	var ids []uint64
	for range 5 {
		r, err := s.OutboxEnqueue(ctx, OutboxRow{Kind: "esia", Payload: []byte(`{}`)}, adminAudit("outbox.test"))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	if _, err := s.OutboxCancel(ctx, ids[3], false, adminAudit("outbox.cancel")); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	seq := auditSeq(t, s)
	rs := []OutboxResult{
		{ID: ids[0], Attempt: OutboxAttempt{At: now, Code: 200}, Delivered: true, Audit: &AuditEntry{Actor: "hook:esia", Action: "outbox.delivered"}},
		{ID: ids[1], Attempt: OutboxAttempt{At: now, Code: 503, Error: "busy"}, Next: now.Add(time.Hour), MaxAttempts: 5},
		{ID: ids[2], Attempt: OutboxAttempt{At: now, Code: 500, Error: "down"}, Next: now.Add(time.Hour), MaxAttempts: 1},
		{ID: ids[3], Attempt: OutboxAttempt{At: now, Code: 200}, Delivered: true},
		{ID: ids[4], Attempt: OutboxAttempt{At: now, Code: 200}, Delivered: true},
		{ID: ids[4], Attempt: OutboxAttempt{At: now, Code: 200}, Delivered: true},
		{ID: 9999, Attempt: OutboxAttempt{At: now, Code: 200}, Delivered: true},
		{ID: ids[1], Attempt: OutboxAttempt{At: now}}, // failed without a next attempt
	}
	if err := s.OutboxResults(ctx, rs); err != nil {
		t.Fatal(err)
	}
	for i, want := range []error{nil, nil, nil, ErrInvalidTransition, nil, ErrInvalidTransition, ErrNotFound, ErrInvalidInput} {
		if (want == nil) != (rs[i].Err == nil) || (want != nil && !errors.Is(rs[i].Err, want)) {
			t.Errorf("result %d: %v, want %v", i, rs[i].Err, want)
		}
	}
	if rs[1].Dead || !rs[2].Dead {
		t.Errorf("dead flags %v %v", rs[1].Dead, rs[2].Dead)
	}
	if got := auditSeq(t, s); got != seq+1 {
		t.Errorf("audit seq %d, want %d (one entry written with its row)", got, seq+1)
	}
	r0, _ := s.Outbox(ctx, ids[0])
	r1, _ := s.Outbox(ctx, ids[1])
	r2, _ := s.Outbox(ctx, ids[2])
	r3, _ := s.Outbox(ctx, ids[3])
	r4, _ := s.Outbox(ctx, ids[4])
	if !r0.Done || r1.Done || r1.Attempts != 1 || r1.LastError != "busy" || !r2.Dead || !r3.Cancelled || r3.Done || !r4.Done || len(r4.Log) != 1 {
		t.Errorf("rows %+v\n%+v\n%+v\n%+v\n%+v", r0, r1, r2, r3, r4)
	}
	if due, _ := s.OutboxPending(ctx, "esia", 10); len(due) != 0 {
		t.Errorf("%d rows due", len(due))
	}
	mustCheck(t, s)
	if err := s.OutboxResults(ctx, make([]OutboxResult, maxOutboxResults+1)); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("an oversized batch: %v", err)
	}
}
