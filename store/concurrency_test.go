package store

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Several signers race on PutIntents/CommitIssued with some keys and
// request IDs shared between them: each shared key is certified once,
// each shared request ID gets one intent, and the store stays consistent.
func TestConcurrentIssuance(t *testing.T) {
	s := newStore(t)
	const workers, rounds, batch = 6, 12, 8
	var issued, keyReused, dups atomic.Int64
	keyWinners := make([]atomic.Int64, rounds)
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() { // a reader and a status changer alongside
		for {
			select {
			case <-stop:
				return
			default:
			}
			page, _, err := s.FindCertificates(ctx, Query{Field: BySNILS, Value: alice.SNILS, Limit: 20})
			if err != nil {
				t.Error(err)
				return
			}
			for _, c := range page {
				err := s.SetStatus(ctx, c.Serial, StatusChange{State: OnHold, At: t0}, AuditEntry{Actor: "op"})
				if err != nil && !errors.Is(err, ErrInvalidTransition) {
					t.Error(err)
					return
				}
			}
		}
	})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				ins := make([]Intent, batch)
				for j := range ins {
					n := w*100000 + r*100 + j
					ins[j] = intentN(n, fmt.Sprintf("w%d-r%d-%d", w, r, j))
					switch j {
					case 0: // key contended by every worker this round
						ins[j].KeyHash = keyN(-1 - r)
					case 1: // request ID (and key) shared by every worker
						ins[j].RequestID = fmt.Sprintf("shared-%d", r)
						ins[j].KeyHash = keyN(-1000 - r)
					}
				}
				res, err := s.PutIntents(ctx, ins)
				if err != nil {
					t.Error(err)
					return
				}
				var commit []Issued
				var fail [][]byte
				for j, x := range res {
					switch {
					case errors.Is(x.Err, ErrKeyReused):
						keyReused.Add(1)
					case x.Err != nil:
						t.Errorf("intent %d: %v", j, x.Err)
					case x.Duplicate:
						dups.Add(1)
					case j == 7 && r%3 == 0:
						fail = append(fail, x.Serial)
					default:
						if j == 0 {
							keyWinners[r].Add(1)
						}
						commit = append(commit, issuedFor(ins[j], alice))
					}
				}
				if err := s.CommitIssued(ctx, commit); err != nil {
					t.Error(err)
					return
				}
				issued.Add(int64(len(commit)))
				if len(fail) > 0 {
					if err := s.FailIntents(ctx, fail, "test"); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	for r := range rounds {
		if n := keyWinners[r].Load(); n != 1 {
			t.Errorf("round %d: contended key certified %d times", r, n)
		}
	}
	// Per round: workers-1 losers on the contended key; the shared request
	// ID gives one accepted intent and workers-1 duplicates.
	if got, want := keyReused.Load(), int64(rounds*(workers-1)); got != want {
		t.Errorf("%d key-reused rejections, want %d", got, want)
	}
	if got, want := dups.Load(), int64(rounds*(workers-1)); got != want {
		t.Errorf("%d duplicates, want %d", got, want)
	}
	rep := mustCheck(t, s)
	if int64(rep.Certificates) != issued.Load() || rep.PendingIntents != 0 {
		t.Fatalf("report %+v, issued %d", rep, issued.Load())
	}
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	busy(t, s)
	before := mustCheck(t, s)
	seq, head, _ := s.AuditHead(ctx)
	c1, _ := s.Certificate(ctx, serialN(1))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	_, err := s.Certificate(ctx, serialN(1))
	wantErr(t, err, ErrClosed)
	_, err = s.PutIntents(ctx, []Intent{intentN(500, "")})
	wantErr(t, err, ErrClosed)

	s = openAt(t, dir, Options{})
	after := mustCheck(t, s)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("report before %+v, after %+v", before, after)
	}
	seq2, head2, _ := s.AuditHead(ctx)
	if seq2 != seq || head2 != head {
		t.Fatal("audit head changed across reopen")
	}
	c2, err := s.Certificate(ctx, serialN(1))
	if err != nil || c2.Status != c1.Status || string(c2.DER) != string(c1.DER) {
		t.Fatalf("certificate after reopen %+v, %v", c2, err)
	}
	// The chain continues where it stopped.
	if _, err := s.AppendAudit(ctx, AuditEntry{Actor: "a", Action: "b"}); err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	// Serials and keys used before the reopen stay used.
	res, _ := s.PutIntents(ctx, []Intent{intentN(1, ""), intentN(102, "")})
	wantErr(t, res[0].Err, ErrSerialExists)
	wantErr(t, res[1].Err, ErrSerialExists)
}

func TestCanceledContextWritesNothing(t *testing.T) {
	s := newStore(t)
	c, cancel := contextWithCancel()
	cancel()
	_, err := s.PutIntents(c, []Intent{intentN(1, "")})
	if err == nil {
		t.Fatal("canceled context accepted")
	}
	if p, _ := s.PendingIntents(ctx); len(p) != 0 {
		t.Fatal("intent written under a canceled context")
	}
}

// Close waits for a running Revoked scan; a call made from its callback
// after Close began gets ErrClosed instead of deadlocking.
func TestCloseDuringCallback(t *testing.T) {
	s := newStore(t)
	c := issueN(t, s, 1, alice, nil)
	mustSet(t, s, c.Serial, StatusChange{State: Revoked, Reason: 1, At: t0})
	closed := make(chan error, 1)
	err := s.Revoked(ctx, "ca1", func(serial []byte, _ time.Time, _ int, _ time.Time) bool {
		go func() { closed <- s.Close() }()
		for s.life.enter() { // wait until Close has started
			s.life.leave()
			time.Sleep(time.Millisecond)
		}
		_, err := s.Certificate(ctx, serial)
		wantErr(t, err, ErrClosed)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
}
