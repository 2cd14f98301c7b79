package store

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func adminAudit(action string) AuditEntry { return AuditEntry{Actor: "token:op", Action: action} }

// TestOutboxDeadRedriveCancel walks a row through its states: failed
// attempts logged, dead at the limit (out of the due index, into the
// dead index), redriven with a fresh budget and audited in the same
// batch, delivered; a second row cancelled with its payload wiped. Check
// agrees at every step; final rows refuse further changes.
func TestOutboxDeadRedriveCancel(t *testing.T) {
	s := newStore(t)
	r, err := s.OutboxEnqueue(ctx, OutboxRow{Kind: "sms", Payload: []byte(`{"code":"123456"}`)}, adminAudit("outbox.test"))
	if err != nil {
		t.Fatal(err)
	}
	next := time.Now().Add(-time.Second) // due again at once
	for i := 1; i <= 3; i++ {
		dead, err := s.OutboxFailed(ctx, r.ID, OutboxAttempt{At: time.Now(), Code: 503, Error: "busy", Took: time.Millisecond}, next, 3)
		if err != nil || dead != (i == 3) {
			t.Fatalf("attempt %d: dead %v, %v", i, dead, err)
		}
		mustCheck(t, s)
	}
	if due, _ := s.OutboxPending(ctx, "sms", 10); len(due) != 0 {
		t.Fatalf("a dead row is due: %+v", due)
	}
	deadRows, err := s.OutboxList(ctx, "sms", OutboxDeadRows, 0, 10)
	if err != nil || len(deadRows) != 1 || !deadRows[0].Dead || deadRows[0].Attempts != 3 || len(deadRows[0].Log) != 3 ||
		deadRows[0].Log[2].Code != 503 || deadRows[0].LastError != "busy" {
		t.Fatalf("dead rows %v %+v", err, deadRows)
	}
	if _, err := s.OutboxFailed(ctx, r.ID, OutboxAttempt{At: time.Now()}, next, 3); err == nil {
		t.Fatal("an attempt on a dead row was recorded")
	}
	seq := auditSeq(t, s)
	red, err := s.OutboxRedrive(ctx, r.ID, adminAudit("outbox.redrive"))
	if err != nil || red.Dead || red.Attempts != 0 || len(red.Log) != 3 {
		t.Fatalf("redrive %v %+v", err, red)
	}
	if auditSeq(t, s) != seq+1 {
		t.Error("redrive wrote no audit entry")
	}
	mustCheck(t, s)
	if due, _ := s.OutboxPending(ctx, "sms", 10); len(due) != 1 {
		t.Fatal("a redriven row is not due")
	}
	if err := s.OutboxDelivered(ctx, r.ID, OutboxAttempt{At: time.Now(), Code: 200}, true); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Outbox(ctx, r.ID)
	if !got.Done || got.Payload != nil || len(got.Log) != 4 {
		t.Fatalf("delivered %+v", got)
	}
	for _, f := range []func() error{
		func() error { _, err := s.OutboxRedrive(ctx, r.ID, adminAudit("outbox.redrive")); return err },
		func() error { _, err := s.OutboxCancel(ctx, r.ID, false, adminAudit("outbox.cancel")); return err },
	} {
		wantErr(t, f(), ErrInvalidTransition)
	}
	seq = auditSeq(t, s)
	r2, _ := s.OutboxEnqueue(ctx, OutboxRow{Kind: "sms", Payload: []byte(`{"code":"654321"}`)}, adminAudit("outbox.test"))
	c, err := s.OutboxCancel(ctx, r2.ID, true, adminAudit("outbox.cancel"))
	if err != nil || !c.Cancelled || c.Payload != nil {
		t.Fatalf("cancel %v %+v", err, c)
	}
	if auditSeq(t, s) != seq+2 {
		t.Error("cancel wrote no audit entry")
	}
	mustCheck(t, s)
	all, _ := s.OutboxList(ctx, "", OutboxAny, 0, 10)
	if len(all) != 2 {
		t.Fatalf("%d rows", len(all))
	}
	after, _ := s.OutboxList(ctx, "", OutboxAny, r.ID, 10)
	if len(after) != 1 || after[0].ID != r2.ID {
		t.Fatalf("after %d: %+v", r.ID, after)
	}
}

// TestOutboxRecordV1: a row stored in version 1 (before dead and the
// attempt log) still reads; version 2 round-trips; a row with two final
// states is corrupt.
func TestOutboxRecordV1(t *testing.T) {
	now := time.Unix(1764750000, 0).UTC()
	r := &OutboxRow{Kind: "esia", Serial: []byte{1, 2}, Payload: []byte("{}"), Attempts: 2, NextAttempt: now, LastError: "x", CreatedAt: now}
	e := enc{}
	e.byte(outboxV1)
	e.str(r.Kind)
	e.bytes(r.Serial)
	e.bytes(r.Payload)
	e.uvarint(2)
	e.time(now)
	e.str("x")
	e.time(now)
	e.flag(false)
	e.time(time.Time{})
	got, err := decodeOutbox(7, e.b)
	if err != nil || got.Attempts != 2 || got.Kind != "esia" || got.Dead || got.Log != nil {
		t.Fatalf("v1: %v %+v", err, got)
	}
	r.Log = []OutboxAttempt{{At: now, Code: 503, Error: "busy", Took: time.Second}}
	r.Dead = true
	got, err = decodeOutbox(7, encodeOutbox(r))
	if err != nil || !got.Dead || len(got.Log) != 1 || got.Log[0] != r.Log[0] {
		t.Fatalf("v2: %v %+v", err, got)
	}
	r.Cancelled = true
	if _, err := decodeOutbox(7, encodeOutbox(r)); err == nil || !strings.Contains(err.Error(), "final") {
		t.Fatalf("dead and cancelled: %v", err)
	}
	if b := encodeOutbox(&OutboxRow{Kind: "k"}); !bytes.HasPrefix(b, []byte{outboxV2}) {
		t.Error("not written as version 2")
	}
}

// TestTakeCallback: a webhook id is taken once; a refused decision
// writes neither the state nor the id.
func TestTakeCallback(t *testing.T) {
	s := newStore(t)
	subj := []byte{0x1f}
	refuse := func(old *HookState) error { return invalid("no") }
	if err := s.TakeCallback(ctx, "esia", "m1", &HookState{Kind: "esia", Subject: subj, State: "FAULT"}, refuse, nil); err == nil {
		t.Fatal("refused decision taken")
	}
	if taken, _ := s.CallbackTaken(ctx, "esia", "m1"); taken {
		t.Fatal("a refused callback's id was stored")
	}
	seq := auditSeq(t, s)
	a := adminAudit("esia.answer")
	if err := s.TakeCallback(ctx, "esia", "m1", &HookState{Kind: "esia", Subject: subj, State: "SUCCEEDED"}, nil, &a); err != nil {
		t.Fatal(err)
	}
	a = adminAudit("esia.answer")
	wantErr(t, s.TakeCallback(ctx, "esia", "m1", &HookState{Kind: "esia", Subject: subj, State: "FAULT"}, nil, &a), ErrDuplicateCallback)
	st, err := s.HookStateOf(ctx, "esia", subj)
	if err != nil || st.State != "SUCCEEDED" || st.Answers != 1 || st.FromID != "m1" || auditSeq(t, s) != seq+1 {
		t.Fatalf("%v %+v", err, st)
	}
	mustCheck(t, s)
}
