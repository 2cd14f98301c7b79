package store

import (
	"bytes"
	"testing"
	"time"
)

func TestStatusTransitions(t *testing.T) {
	hold := StatusChange{State: OnHold, At: t0}
	revoke := StatusChange{State: Revoked, Reason: 1, At: t0}
	resume := StatusChange{State: Valid}
	cases := []struct {
		name  string
		path  []StatusChange // applied first, all must succeed
		next  StatusChange
		allow bool
	}{
		{"valid→hold", nil, hold, true},
		{"valid→revoked", nil, revoke, true},
		{"valid→valid", nil, resume, false},
		{"hold→valid", []StatusChange{hold}, resume, true},
		{"hold→revoked", []StatusChange{hold}, revoke, true},
		{"hold→hold", []StatusChange{hold}, hold, false},
		{"revoked→valid", []StatusChange{revoke}, resume, false},
		{"revoked→hold", []StatusChange{revoke}, hold, false},
		{"revoked→revoked", []StatusChange{revoke}, revoke, false},
		{"hold→valid→hold", []StatusChange{hold, resume}, hold, true},
		{"hold→revoked→valid", []StatusChange{hold, revoke}, resume, false},
	}
	s := newStore(t)
	for i, tc := range cases {
		c := issueN(t, s, i+1, alice, nil)
		for _, ch := range tc.path {
			if err := s.SetStatus(ctx, c.Serial, ch, AuditEntry{Actor: "op"}); err != nil {
				t.Fatalf("%s: setup %s: %v", tc.name, ch.State, err)
			}
		}
		before := auditSeq(t, s)
		err := s.SetStatus(ctx, c.Serial, tc.next, AuditEntry{Actor: "op"})
		if tc.allow {
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			got, _ := s.Certificate(ctx, c.Serial)
			if got.Status.State != tc.next.State || got.Status.Version != uint32(len(tc.path)+1) {
				t.Fatalf("%s: status %+v", tc.name, got.Status)
			}
			if auditSeq(t, s) != before+1 {
				t.Fatalf("%s: no audit entry", tc.name)
			}
		} else {
			wantErr(t, err, ErrInvalidTransition)
			if auditSeq(t, s) != before {
				t.Fatalf("%s: audit entry for a refused change", tc.name)
			}
		}
	}
	mustCheck(t, s)
}

func TestSetStatusInput(t *testing.T) {
	s := newStore(t)
	c := issueN(t, s, 1, alice, nil)
	op := AuditEntry{Actor: "op"}
	for name, ch := range map[string]StatusChange{
		"reason 7":        {State: Revoked, Reason: 7, At: t0},
		"removeFromCRL":   {State: Revoked, Reason: ReasonRemoveFromCRL, At: t0},
		"hold as reason":  {State: Revoked, Reason: ReasonCertificateHold, At: t0},
		"hold reason 1":   {State: OnHold, Reason: 1, At: t0},
		"no time":         {State: Revoked, Reason: 1},
		"unknown state":   {State: 9, At: t0},
		"zero state":      {At: t0},
		"negative reason": {State: Revoked, Reason: -1, At: t0},
	} {
		wantErr(t, s.SetStatus(ctx, c.Serial, ch, op), ErrInvalidInput)
		_ = name
	}
	wantErr(t, s.SetStatus(ctx, c.Serial, StatusChange{State: OnHold, At: t0}, AuditEntry{}), ErrInvalidInput)
	wantErr(t, s.SetStatus(ctx, serialN(2), StatusChange{State: OnHold, At: t0}, op), ErrNotFound)
	wantErr(t, s.SetStatus(ctx, []byte{0}, StatusChange{State: OnHold, At: t0}, op), ErrInvalidInput)
	got, _ := s.Certificate(ctx, c.Serial)
	if got.Status != (Status{State: Valid}) {
		t.Fatalf("status changed by bad calls: %+v", got.Status)
	}
	inv := t0.Add(-time.Hour)
	if err := s.SetStatus(ctx, c.Serial, StatusChange{State: Revoked, Reason: 1, At: t0, InvalidityDate: inv},
		AuditEntry{Actor: "operator:3", Details: "key stolen"}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Certificate(ctx, c.Serial)
	if want := (Status{State: Revoked, Reason: 1, At: t0, InvalidityDate: inv, Version: 1}); got.Status != want {
		t.Fatalf("status %+v, want %+v", got.Status, want)
	}
	es, _, _ := s.AuditEntries(ctx, "", 0)
	if last := es[len(es)-1]; last.Actor != "operator:3" || last.Action != "revoke" || last.Details != "key stolen" {
		t.Fatalf("audit %+v", last)
	}
}

type revokedEntry struct {
	serial     []byte
	at         time.Time
	reason     int
	invalidity time.Time
}

func collectRevoked(t *testing.T, s *Store, issuer string) []revokedEntry {
	t.Helper()
	var out []revokedEntry
	err := s.Revoked(ctx, issuer, func(serial []byte, at time.Time, reason int, inv time.Time) bool {
		out = append(out, revokedEntry{serial, at, reason, inv})
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRevokedIterator(t *testing.T) {
	s := newStore(t)
	var serials [][]byte
	for i := 1; i <= 6; i++ {
		issuer := "ca1"
		if i == 6 {
			issuer = "ca2"
		}
		c := issueN(t, s, 10-i, alice, func(is *Issued) { is.IssuerID = issuer })
		serials = append(serials, c.Serial)
	}
	op := AuditEntry{Actor: "op"}
	// serials[0..4] are ca1 (serial numbers 9..5), serials[5] is ca2.
	steps := []struct {
		i  int
		ch StatusChange
	}{
		{0, StatusChange{State: Revoked, Reason: 4, At: t0, InvalidityDate: t0.Add(-time.Minute)}},
		{1, StatusChange{State: OnHold, At: t0.Add(time.Second)}},
		{2, StatusChange{State: OnHold, At: t0}},
		{2, StatusChange{State: Valid}}, // resumed: leaves the list
		{3, StatusChange{State: OnHold, At: t0}},
		{3, StatusChange{State: Revoked, Reason: 1, At: t0.Add(time.Hour)}},
		{5, StatusChange{State: Revoked, Reason: 0, At: t0}},
	}
	for _, st := range steps {
		if err := s.SetStatus(ctx, serials[st.i], st.ch, op); err != nil {
			t.Fatal(err)
		}
	}
	got := collectRevoked(t, s, "ca1")
	want := []revokedEntry{ // serial order: 6 (i=3), 8 (i=1), 9 (i=0)
		{serials[3], t0.Add(time.Hour), 1, time.Time{}},
		{serials[1], t0.Add(time.Second), ReasonCertificateHold, time.Time{}},
		{serials[0], t0, 4, t0.Add(-time.Minute)},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !bytes.Equal(g.serial, w.serial) || !g.at.Equal(w.at) || g.reason != w.reason || !g.invalidity.Equal(w.invalidity) {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
	if ca2 := collectRevoked(t, s, "ca2"); len(ca2) != 1 || !bytes.Equal(ca2[0].serial, serials[5]) {
		t.Fatalf("ca2 entries %+v", ca2)
	}
	if none := collectRevoked(t, s, "ca3"); len(none) != 0 {
		t.Fatal("entries for an unknown issuer")
	}
	n := 0
	_ = s.Revoked(ctx, "ca1", func([]byte, time.Time, int, time.Time) bool { n++; return false })
	if n != 1 {
		t.Fatalf("iterator did not stop: %d calls", n)
	}
	wantErr(t, s.Revoked(ctx, "", func([]byte, time.Time, int, time.Time) bool { return true }), ErrInvalidInput)
	mustCheck(t, s)
}
