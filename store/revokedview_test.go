package store

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// A revoked view is a snapshot: every Scan yields the entries and log
// position of the moment it was opened, whatever changes after.
func TestRevokedView(t *testing.T) {
	s := newStore(t)
	c1 := issueN(t, s, 1, alice, nil)
	c2 := issueN(t, s, 2, alice, nil)
	c3 := issueN(t, s, 3, alice, nil)
	mustSet(t, s, c1.Serial, StatusChange{State: OnHold, At: t0})
	mustSet(t, s, c2.Serial, StatusChange{State: Revoked, Reason: 1, At: t0})
	v, err := s.OpenRevokedView(ctx, "ca1")
	if err != nil {
		t.Fatal(err)
	}
	// Changes after the view was opened are not in it.
	mustSet(t, s, c3.Serial, StatusChange{State: Revoked, Reason: 4, At: t0})
	mustSet(t, s, c1.Serial, StatusChange{State: Valid})
	if v.LogSeq() != 2 {
		t.Fatalf("view position %d, want 2", v.LogSeq())
	}
	for pass := range 2 {
		var got [][]byte
		err := v.Scan(ctx, func(serial []byte, _ time.Time, _ int, _ time.Time) bool {
			got = append(got, bytes.Clone(serial))
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || !containsSerial(got, c1.Serial) || !containsSerial(got, c2.Serial) {
			t.Fatalf("pass %d: entries %x, want %x and %x", pass, got, c1.Serial, c2.Serial)
		}
	}
	// Stopping early stops.
	n := 0
	if err := v.Scan(ctx, func([]byte, time.Time, int, time.Time) bool { n++; return false }); err != nil || n != 1 {
		t.Fatalf("early stop: %d calls, %v", n, err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := v.Scan(ctx, func([]byte, time.Time, int, time.Time) bool { return true }); !errors.Is(err, ErrClosed) {
		t.Fatalf("Scan after Close: %v, want ErrClosed", err)
	}
	// A new view sees the later changes.
	v2, err := s.OpenRevokedView(ctx, "ca1")
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	var got [][]byte
	if err := v2.Scan(ctx, func(serial []byte, _ time.Time, _ int, _ time.Time) bool {
		got = append(got, bytes.Clone(serial))
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if v2.LogSeq() != 4 || len(got) != 2 || !containsSerial(got, c2.Serial) || !containsSerial(got, c3.Serial) {
		t.Fatalf("second view: position %d, entries %x", v2.LogSeq(), got)
	}
	if _, err := s.OpenRevokedView(ctx, ""); !isInvalid(err) {
		t.Fatalf("empty issuer: %v", err)
	}
}

func containsSerial(list [][]byte, s []byte) bool {
	for _, x := range list {
		if bytes.Equal(x, s) {
			return true
		}
	}
	return false
}
