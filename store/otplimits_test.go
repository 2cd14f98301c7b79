package store

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// phoneKey stands for package otp's HMAC of a value.
func phoneKey(v string) [OTPLimitKeyLen]byte { return sha256.Sum256([]byte("hmac " + v)) }

// charge counts a send for one phone (limit 1, at most 2 an hour) and one
// address (limit 2, at most 3 an hour).
func charge(phone, addr string) *OTPCharge {
	return &OTPCharge{Counts: []OTPCount{
		{Limit: 1, Key: phoneKey(phone), Max: 2, Window: time.Hour},
		{Limit: 2, Key: phoneKey(addr), Max: 3, Window: time.Hour},
	}}
}

func sendAt(s *Store, id byte, purpose byte, phone string, at time.Time, x *OTPCharge) error {
	c := testChallenge(id, at)
	c.Purpose, c.Phone = purpose, phone
	return s.PutChallenge(ctx, c, []OutboxRow{{Kind: "sms", Payload: []byte("n")}}, AuditEntry{Actor: "a", Action: "otp.send"}, x)
}

func window(t *testing.T, s *Store, limit byte, v string) *otpWindow {
	t.Helper()
	b, err := s.get(s.db, otpWindowKey(limit, phoneKey(v)))
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	w, err := decodeOTPWindow(b)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestOTPChargeWindows: a send is counted against every limit in the
// challenge's batch; the first full window refuses, naming its limit and
// end, and the refusal writes nothing (no challenge, no count, no audit
// entry, no SMS row); a rate limit is reported before the resend pause;
// a send refused as too early counts nothing; an ended window is replaced
// by a new one; a window made shorter ends sooner. Check is clean.
func TestOTPChargeWindows(t *testing.T) {
	s := newStore(t)
	const p1, p2 = "+79160000001", "+79160000002"
	x := charge(p1, "192.0.2.1")
	if err := sendAt(s, 1, 1, p1, t0, x); err != nil {
		t.Fatal(err)
	}
	if x.Counts[0].Count != 1 || !x.Counts[0].End.Equal(t0.Add(time.Hour)) || x.Counts[1].Count != 1 {
		t.Fatalf("outcome %+v", x.Counts)
	}
	// Too early: refused, and counted nowhere.
	if err := sendAt(s, 2, 1, p1, t0.Add(time.Minute), charge(p1, "192.0.2.1")); !errors.Is(err, ErrTooSoon) {
		t.Fatalf("too early: %v", err)
	}
	if w := window(t, s, 1, p1); w.Count != 1 || window(t, s, 2, "192.0.2.1").Count != 1 {
		t.Fatalf("a refused send was counted: %+v", w)
	}
	x = charge(p1, "192.0.2.1")
	if err := sendAt(s, 3, 1, p1, t0.Add(3*time.Minute), x); err != nil || x.Counts[0].Count != 2 || x.Counts[1].Count != 2 {
		t.Fatalf("second send: %v %+v", err, x.Counts)
	}
	// The phone's window is full; the send is also too early (a minute
	// after the last one) and is refused for the limit.
	head := auditHead(t, s)
	rows, _ := s.OutboxPending(ctx, "sms", 100)
	err := sendAt(s, 4, 1, p1, t0.Add(4*time.Minute), charge(p1, "192.0.2.9"))
	var le *OTPLimitError
	if !errors.As(err, &le) || !errors.Is(err, ErrRateLimited) || le.Index != 0 || le.Limit != 1 || le.Count != 2 || !le.End.Equal(t0.Add(time.Hour)) {
		t.Fatalf("full phone: %v", err)
	}
	if _, err := s.Challenge(ctx, [ChallengeIDLen]byte{4}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the refused challenge: %v", err)
	}
	if window(t, s, 2, "192.0.2.9") != nil || auditHead(t, s) != head {
		t.Fatal("a refused send wrote a count or an audit entry")
	}
	if r, _ := s.OutboxPending(ctx, "sms", 100); len(r) != len(rows) {
		t.Fatal("a refused send wrote an SMS row")
	}
	// The address's window fills with another phone; its refusal names it.
	if err := sendAt(s, 5, 1, p2, t0.Add(5*time.Minute), charge(p2, "192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	err = sendAt(s, 6, 2, p2, t0.Add(6*time.Minute), charge(p2, "192.0.2.1"))
	if !errors.As(err, &le) || le.Index != 1 || le.Limit != 2 || le.Count != 3 {
		t.Fatalf("full address: %v", err)
	}
	if w := window(t, s, 1, p2); w.Count != 1 {
		t.Fatalf("the phone was counted by a send the address refused: %+v", w)
	}
	// At the window's end a new one opens, with its own end entry.
	at := t0.Add(time.Hour)
	x = charge(p1, "192.0.2.1")
	if err := sendAt(s, 7, 1, p1, at, x); err != nil || x.Counts[0].Count != 1 || !x.Counts[0].End.Equal(at.Add(time.Hour)) {
		t.Fatalf("after the window: %v %+v", err, x.Counts)
	}
	// A shorter window configured now ends an open one sooner.
	short := charge(p1, "192.0.2.1")
	short.Counts[0].Window = 10 * time.Minute
	if err := sendAt(s, 8, 2, p1, at.Add(5*time.Minute), short); err != nil || !short.Counts[0].End.Equal(at.Add(10*time.Minute)) {
		t.Fatalf("shorter window: %v %+v", err, short.Counts)
	}
	short = charge(p1, "192.0.2.2")
	short.Counts[0].Window = 10 * time.Minute
	if err := sendAt(s, 9, 3, p1, at.Add(6*time.Minute), short); !errors.As(err, &le) || !le.End.Equal(at.Add(10*time.Minute)) {
		t.Fatalf("full shorter window: %v", err)
	}
	if err := sendAt(s, 10, 3, p1, at.Add(10*time.Minute), short); err != nil {
		t.Fatalf("after the shorter window: %v", err)
	}
	// Bad charges change nothing.
	for _, bad := range []*OTPCharge{
		{Counts: []OTPCount{{Limit: 0, Max: 1, Window: time.Hour}}},
		{Counts: []OTPCount{{Limit: 1, Max: 0, Window: time.Hour}}},
		{Counts: []OTPCount{{Limit: 1, Max: 1}}},
		{Counts: []OTPCount{{Limit: 1, Max: 1, Window: time.Hour}, {Limit: 1, Max: 2, Window: time.Hour}}},
	} {
		if err := sendAt(s, 11, 4, p2, at, bad); !errors.Is(err, ErrInvalidInput) {
			t.Fatalf("bad charge %+v: %v", bad.Counts, err)
		}
	}
	// A charge is PutChallenge's only: consuming a code counts nothing.
	c := testChallenge(12, at.Add(20*time.Minute))
	if err := s.PutChallenge(ctx, c, nil, AuditEntry{Actor: "a", Action: "otp.send"}); err != nil {
		t.Fatal(err)
	}
	use := ChallengeUse{At: c.Created, Verifier: c.Verifier, Binding: c.Binding, Audit: AuditEntry{Actor: "a", Action: "x"}, Extra: charge(p2, "192.0.2.7")}
	if _, err := s.UseChallenge(ctx, c.ID, use); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("a charge in UseChallenge: %v", err)
	}
	rep, err := s.Check(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("check: %v %+v", err, rep.Problems)
	}
}

// TestOTPChargeRace: 32 sends of one phone (distinct purposes, so the
// resend pause does not decide) race for the last slot of its window:
// exactly one wins, the rest are refused by the limit, and the window
// holds the maximum.
func TestOTPChargeRace(t *testing.T) {
	s := newStore(t)
	const ph = "+79160000001"
	one := func() *OTPCharge {
		return &OTPCharge{Counts: []OTPCount{{Limit: 1, Key: phoneKey(ph), Max: 5, Window: time.Hour}}}
	}
	for i := 1; i <= 4; i++ {
		if err := sendAt(s, byte(i), byte(i), ph, t0, one()); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, limited := 0, 0
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := sendAt(s, byte(100+i), byte(100+i), ph, t0.Add(time.Second), one())
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, ErrRateLimited):
				limited++
			default:
				t.Errorf("send %d: %v", i, err)
			}
		}(i)
	}
	wg.Wait()
	if won != 1 || limited != 31 {
		t.Fatalf("%d won, %d limited; want 1 and 31", won, limited)
	}
	if w := window(t, s, 1, ph); w.Count != 5 {
		t.Fatalf("window count %d, want 5", w.Count)
	}
}

// TestPurgeOTPWindows: the cabinet's purge deletes windows that ended
// before its time with their end entries, names them in its audit
// entry, keeps open windows, and a phone whose window was purged starts
// a new one at 1.
func TestPurgeOTPWindows(t *testing.T) {
	s := newStore(t)
	early := &OTPCharge{Counts: []OTPCount{{Limit: 1, Key: phoneKey("a"), Max: 9, Window: 10 * time.Minute}}}
	late := &OTPCharge{Counts: []OTPCount{{Limit: 1, Key: phoneKey("b"), Max: 9, Window: 3 * time.Hour}}}
	if err := sendAt(s, 1, 1, "+79160000001", t0, early); err != nil {
		t.Fatal(err)
	}
	if err := sendAt(s, 2, 2, "+79160000001", t0, late); err != nil {
		t.Fatal(err)
	}
	head := auditHead(t, s)
	// Before any end: nothing.
	if ch, ss, err := s.PurgeCabinet(ctx, t0.Add(time.Minute), "system/cabinet"); err != nil || ch+ss != 0 || auditHead(t, s) != head {
		t.Fatalf("early purge: %d %d %v", ch, ss, err)
	}
	// An hour on: both challenges (5 minutes) and the early window go.
	ch, _, err := s.PurgeCabinet(ctx, t0.Add(time.Hour), "system/cabinet")
	if err != nil || ch != 2 || auditHead(t, s) != head+1 {
		t.Fatalf("purge: %d %v", ch, err)
	}
	if window(t, s, 1, "a") != nil || window(t, s, 1, "b") == nil {
		t.Fatal("the ended window stayed, or the open one went")
	}
	if has, _ := s.has(s.db, otpWindowEndKey(t0.Add(10*time.Minute), 1, phoneKey("a"))); has {
		t.Fatal("the ended window's end entry stayed")
	}
	entries, _, err := s.AuditEntries(ctx, "", 1000)
	if err != nil || len(entries) == 0 || entries[len(entries)-1].Action != "cabinet.purge" ||
		!strings.Contains(entries[len(entries)-1].Details, "2 challenges, 0 sessions") ||
		!strings.Contains(entries[len(entries)-1].Details, "1 code rate windows ended") {
		t.Fatalf("audit entries %+v %v", entries, err)
	}
	again := &OTPCharge{Counts: []OTPCount{{Limit: 1, Key: phoneKey("a"), Max: 9, Window: 10 * time.Minute}}}
	if err := sendAt(s, 3, 1, "+79160000001", t0.Add(2*time.Hour), again); err != nil || again.Counts[0].Count != 1 {
		t.Fatalf("after the purge: %v %+v", err, again.Counts)
	}
	rep, err := s.Check(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("check: %v %+v", err, rep.Problems)
	}
}

// TestCheckFindsOTPWindowDamage: a window without its end entry, an end
// entry without its window and one naming another end are reported.
func TestCheckFindsOTPWindowDamage(t *testing.T) {
	s := newStore(t)
	for i, ph := range []string{"+79160000001", "+79160000002"} {
		x := &OTPCharge{Counts: []OTPCount{{Limit: 1, Key: phoneKey(ph), Max: 9, Window: time.Hour}}}
		if err := sendAt(s, byte(i+1), 1, ph, t0, x); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.db.Delete(otpWindowEndKey(t0.Add(time.Hour), 1, phoneKey("+79160000001")), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Set(otpWindowEndKey(t0.Add(2*time.Hour), 1, phoneKey("+79160000002")), nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Set(otpWindowEndKey(t0, 3, phoneKey("x")), nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Set(otpWindowKey(2, phoneKey("y")), []byte{1, 0}, nil); err != nil {
		t.Fatal(err)
	}
	rep, kinds := problemsOf(t, s, nil, nil)
	if kinds["missing-index"] != 1 || kinds["dangling-index"] != 2 || kinds["decode"] != 1 || rep.TotalProblems != 4 {
		t.Fatalf("problems %+v", rep.Problems)
	}
}

// FuzzDecodeOTPWindow: the window decoder never panics, rejects every
// truncation of a good record, and what it accepts re-encodes to the
// same bytes.
func FuzzDecodeOTPWindow(f *testing.F) {
	good := encodeOTPWindow(&otpWindow{Start: t0, End: t0.Add(time.Hour), Count: 7})
	for i := range good {
		f.Add(good[:i])
		if _, err := decodeOTPWindow(good[:i]); err == nil {
			f.Fatalf("truncation at %d accepted", i)
		}
	}
	f.Add(good)
	f.Add(encodeOTPWindow(&otpWindow{Start: time.Unix(-5, 999999999), End: time.Unix(1<<40, 0), Count: 1<<32 - 1}))
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := decodeOTPWindow(b)
		if err != nil {
			return
		}
		if !bytes.Equal(encodeOTPWindow(w), b) {
			t.Fatalf("not canonical: %x", b)
		}
		if !w.End.After(w.Start) {
			t.Fatal("a window that ends before it starts was accepted")
		}
	})
}
