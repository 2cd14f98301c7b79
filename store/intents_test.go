package store

import (
	"bytes"
	"strings"
	"testing"
)

func TestPutIntentsAndPending(t *testing.T) {
	s := newStore(t)
	ins := []Intent{intentN(3, "r3"), intentN(1, ""), intentN(2, "r2")}
	res := mustPut(t, s, ins...)
	for i, r := range res {
		if !bytes.Equal(r.Serial, ins[i].Serial) {
			t.Errorf("result %d serial %x", i, r.Serial)
		}
	}
	got, err := s.PendingIntents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d pending", len(got))
	}
	for i, want := range []Intent{ins[1], ins[2], ins[0]} { // serial order
		g := got[i]
		if !bytes.Equal(g.Serial, want.Serial) || g.RequestID != want.RequestID || g.IssuerID != want.IssuerID ||
			g.KeyHash != want.KeyHash || !bytes.Equal(g.TBS, want.TBS) || g.Profile != want.Profile || !g.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("pending %d = %+v, want %+v", i, g, want)
		}
	}
	mustCheck(t, s)
}

func TestPutIntentsInvalidAffectsOnlyThatIntent(t *testing.T) {
	s := newStore(t)
	bad := map[string]func(*Intent){
		"zero serial":     func(in *Intent) { in.Serial = []byte{0, 0} },
		"empty serial":    func(in *Intent) { in.Serial = nil },
		"long serial":     func(in *Intent) { in.Serial = bytes.Repeat([]byte{1}, 21) },
		"no issuer":       func(in *Intent) { in.IssuerID = "" },
		"long issuer":     func(in *Intent) { in.IssuerID = strings.Repeat("i", 65) },
		"long request ID": func(in *Intent) { in.RequestID = strings.Repeat("r", 129) },
		"no TBS":          func(in *Intent) { in.TBS = nil },
		"zero key":        func(in *Intent) { in.KeyHash = KeyHash{} },
		"long profile":    func(in *Intent) { in.Profile = strings.Repeat("p", 65) },
	}
	n := 0
	for name, edit := range bad {
		n++
		in := intentN(100+n, "")
		edit(&in)
		good := intentN(200+n, "")
		res, err := s.PutIntents(ctx, []Intent{in, good})
		if err != nil {
			t.Fatalf("%s: whole call failed: %v", name, err)
		}
		wantErr(t, res[0].Err, ErrInvalidInput)
		if res[1].Err != nil {
			t.Fatalf("%s: good intent rejected: %v", name, res[1].Err)
		}
	}
	got, _ := s.PendingIntents(ctx)
	if len(got) != len(bad) {
		t.Fatalf("%d pending, want %d (only the good ones)", len(got), len(bad))
	}
	if _, err := s.PutIntents(ctx, make([]Intent, maxBatch+1)); err == nil {
		t.Fatal("oversized batch accepted")
	}
	mustCheck(t, s)
}

func TestPutIntentsSerialCollision(t *testing.T) {
	s := newStore(t)
	issueN(t, s, 1, alice, nil)   // serial 1 issued
	mustPut(t, s, intentN(2, "")) // serial 2 pending
	mustPut(t, s, intentN(3, "")) // serial 3 failed
	if err := s.FailIntents(ctx, [][]byte{serialN(3)}, "hsm error"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 3} {
		in := intentN(1000+n, "")
		in.Serial = serialN(n)
		res, err := s.PutIntents(ctx, []Intent{in})
		if err != nil {
			t.Fatal(err)
		}
		wantErr(t, res[0].Err, ErrSerialExists)
	}
	// Within one call, and with leading zeros naming the same serial.
	a, b := intentN(10, ""), intentN(11, "")
	b.Serial = append([]byte{0}, a.Serial...)
	res, err := s.PutIntents(ctx, []Intent{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	wantErr(t, res[1].Err, ErrSerialExists)
	mustCheck(t, s)
}

func TestPutIntentsKeyReuse(t *testing.T) {
	s := newStore(t)
	issueN(t, s, 1, alice, nil)
	mustPut(t, s, intentN(2, ""))
	for _, n := range []int{1, 2} { // issued, pending
		in := intentN(100+n, "")
		in.KeyHash = keyN(n)
		res, err := s.PutIntents(ctx, []Intent{in, intentN(200+n, "")})
		if err != nil {
			t.Fatal(err)
		}
		wantErr(t, res[0].Err, ErrKeyReused)
		if res[1].Err != nil {
			t.Fatalf("other intent of the call rejected: %v", res[1].Err)
		}
	}
	// Within one call.
	a, b := intentN(10, ""), intentN(11, "")
	b.KeyHash = a.KeyHash
	res, _ := s.PutIntents(ctx, []Intent{a, b})
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	wantErr(t, res[1].Err, ErrKeyReused)
	// A failed intent releases its key.
	if err := s.FailIntents(ctx, [][]byte{serialN(2)}, "gave up"); err != nil {
		t.Fatal(err)
	}
	in := intentN(300, "")
	in.KeyHash = keyN(2)
	mustPut(t, s, in)
	mustCheck(t, s)
}

func TestPutIntentsIdempotentRequestID(t *testing.T) {
	s := newStore(t)
	first := intentN(1, "req-A")
	mustPut(t, s, first)

	retry := intentN(2, "req-A") // new serial, same key as the client's CSR
	retry.KeyHash = first.KeyHash
	res, err := s.PutIntents(ctx, []Intent{retry})
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.Err != nil || !r.Duplicate || !bytes.Equal(r.Serial, first.Serial) || r.Cert != nil {
		t.Fatalf("pending duplicate = %+v", r)
	}
	if _, err := s.CertificateByRequestID(ctx, "req-A"); err == nil {
		t.Fatal("certificate before commit")
	} else {
		wantErr(t, err, ErrPending)
	}

	if err := s.CommitIssued(ctx, []Issued{issuedFor(first, alice)}); err != nil {
		t.Fatal(err)
	}
	res, _ = s.PutIntents(ctx, []Intent{retry})
	if r := res[0]; !r.Duplicate || r.Cert == nil || !bytes.Equal(r.Cert.Serial, first.Serial) {
		t.Fatalf("issued duplicate = %+v", r)
	}
	c, err := s.CertificateByRequestID(ctx, "req-A")
	if err != nil || !bytes.Equal(c.Serial, first.Serial) {
		t.Fatalf("CertificateByRequestID = %v, %v", c, err)
	}

	// Same request ID, another key: a conflict, not a duplicate.
	res, _ = s.PutIntents(ctx, []Intent{intentN(3, "req-A")})
	wantErr(t, res[0].Err, ErrRequestConflict)

	// Within one call.
	x, y := intentN(4, "req-B"), intentN(5, "req-B")
	y.KeyHash = x.KeyHash
	res, _ = s.PutIntents(ctx, []Intent{x, y})
	if res[0].Err != nil || res[0].Duplicate || !res[1].Duplicate || !bytes.Equal(res[1].Serial, x.Serial) {
		t.Fatalf("in-call duplicate = %+v", res)
	}

	// A failed intent frees its request ID for a fresh attempt.
	if err := s.FailIntents(ctx, [][]byte{x.Serial}, "hsm down"); err != nil {
		t.Fatal(err)
	}
	_, err = s.CertificateByRequestID(ctx, "req-B")
	wantErr(t, err, ErrNotFound)
	again := intentN(6, "req-B")
	again.KeyHash = x.KeyHash
	mustPut(t, s, again)
	mustCheck(t, s)
}

func TestFailIntents(t *testing.T) {
	s := newStore(t)
	issueN(t, s, 1, alice, nil)
	mustPut(t, s, intentN(2, "r2"), intentN(3, ""))
	before := auditSeq(t, s)

	// Unknown serial: nothing changes, not even the valid one.
	err := s.FailIntents(ctx, [][]byte{serialN(2), serialN(99)}, "x")
	wantErr(t, err, ErrNotFound)
	if p, _ := s.PendingIntents(ctx); len(p) != 2 {
		t.Fatalf("%d pending after failed call", len(p))
	}
	wantErr(t, s.FailIntents(ctx, [][]byte{serialN(1)}, "x"), ErrInvalidTransition)
	wantErr(t, s.FailIntents(ctx, [][]byte{serialN(2)}, ""), ErrInvalidInput)
	wantErr(t, s.FailIntents(ctx, [][]byte{{0}}, "x"), ErrInvalidInput)
	if auditSeq(t, s) != before {
		t.Fatal("audit grew on failed calls")
	}

	if err := s.FailIntents(ctx, [][]byte{serialN(2), serialN(2)}, "signature did not verify"); err != nil {
		t.Fatal(err)
	}
	if err := s.FailIntents(ctx, [][]byte{serialN(2)}, "again"); err != nil {
		t.Fatalf("second fail: %v", err)
	}
	if got := auditSeq(t, s); got != before+1 {
		t.Fatalf("audit seq %d, want %d", got, before+1)
	}
	es, _, _ := s.AuditEntries(ctx, "", 0)
	last := es[len(es)-1]
	if last.Action != "intent.fail" || last.Reason != "signature did not verify" || !bytes.Equal(last.Serial, serialN(2)) {
		t.Fatalf("audit entry %+v", last)
	}
	p, _ := s.PendingIntents(ctx)
	if len(p) != 1 || !bytes.Equal(p[0].Serial, serialN(3)) {
		t.Fatalf("pending %+v", p)
	}
	_, err = s.Certificate(ctx, serialN(2))
	wantErr(t, err, ErrNotFound)
	// CommitIssued of a failed intent is refused.
	wantErr(t, s.CommitIssued(ctx, []Issued{issuedFor(intentN(2, "r2"), alice)}), ErrNotFound)
	mustCheck(t, s)
}

// Intents written and never committed survive a close (as after a crash).
func TestPendingIntentsSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	ins := []Intent{intentN(1, "a"), intentN(2, "b")}
	mustPut(t, s, ins...)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{})
	got, err := s.PendingIntents(ctx)
	if err != nil || len(got) != 2 {
		t.Fatalf("PendingIntents = %d, %v", len(got), err)
	}
	// Recovery: re-sign one, fail the other.
	if err := s.CommitIssued(ctx, []Issued{issuedFor(got[0], alice)}); err != nil {
		t.Fatal(err)
	}
	if err := s.FailIntents(ctx, [][]byte{got[1].Serial}, "recovery"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.PendingIntents(ctx); len(got) != 0 {
		t.Fatalf("%d pending after recovery", len(got))
	}
	mustCheck(t, s)
}
