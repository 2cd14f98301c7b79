package store

import (
	"strings"
	"testing"
	"time"
)

func TestOutbox(t *testing.T) {
	dir := t.TempDir()
	now := t0
	clock := func() time.Time { return now }
	s := openAt(t, dir, Options{Now: clock})
	issueN(t, s, 1, alice, func(is *Issued) {
		is.Outbox = []OutboxRow{{Kind: "esia", Payload: []byte("a")}, {Kind: "esia", Payload: []byte("b")}, {Kind: "notify", Payload: []byte("n")}}
	})
	rows, err := s.OutboxPending(ctx, "esia", 0)
	if err != nil || len(rows) != 2 || rows[0].ID >= rows[1].ID || rows[0].Attempts != 0 || !rows[0].NextAttempt.Equal(t0) {
		t.Fatalf("pending %+v, %v", rows, err)
	}
	if one, _ := s.OutboxPending(ctx, "esia", 1); len(one) != 1 {
		t.Fatal("limit ignored")
	}
	a, b := rows[0], rows[1]

	long := strings.Repeat("e", 5000)
	if err := s.OutboxRetry(ctx, a.ID, t0.Add(time.Minute), long); err != nil {
		t.Fatal(err)
	}
	rows, _ = s.OutboxPending(ctx, "esia", 0)
	if len(rows) != 1 || rows[0].ID != b.ID {
		t.Fatalf("row retried in the future is still pending: %+v", rows)
	}
	now = t0.Add(time.Minute)
	rows, _ = s.OutboxPending(ctx, "esia", 0)
	if len(rows) != 2 || rows[0].ID != b.ID || rows[1].Attempts != 1 || len(rows[1].LastError) != maxErrorLen {
		t.Fatalf("after retry time %+v", rows)
	}

	if err := s.OutboxDone(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.OutboxDone(ctx, b.ID); err != nil {
		t.Fatalf("second done: %v", err)
	}
	got, err := s.Outbox(ctx, b.ID)
	if err != nil || !got.Done || !got.DoneAt.Equal(now) || string(got.Payload) != "b" {
		t.Fatalf("done row %+v, %v", got, err)
	}
	wantErr(t, s.OutboxRetry(ctx, b.ID, now, "x"), ErrInvalidTransition)
	wantErr(t, s.OutboxDone(ctx, 999), ErrNotFound)
	wantErr(t, s.OutboxRetry(ctx, 999, now, "x"), ErrNotFound)
	wantErr(t, s.OutboxRetry(ctx, a.ID, time.Time{}, "x"), ErrInvalidInput)
	_, err = s.Outbox(ctx, 999)
	wantErr(t, err, ErrNotFound)
	_, err = s.OutboxPending(ctx, "", 0)
	wantErr(t, err, ErrInvalidInput)
	mustCheck(t, s)

	// Every row done, then reopen: IDs are never reused.
	for _, kind := range []string{"esia", "notify"} {
		rows, _ := s.OutboxPending(ctx, kind, 0)
		for _, r := range rows {
			if err := s.OutboxDone(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{Now: clock})
	issueN(t, s, 2, alice, nil)
	rows, _ = s.OutboxPending(ctx, "esia", 0)
	if len(rows) != 1 || rows[0].ID != 4 {
		t.Fatalf("new row after reopen %+v, want ID 4", rows)
	}
	mustCheck(t, s)
}
