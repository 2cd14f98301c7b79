package store

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// TestCurrentOCSPResponseFollowsStatus: through hold, resume and
// revocation, a response found by CurrentOCSPResponse is always for the
// certificate's status version; between a change and the next put there
// is none.
func TestCurrentOCSPResponseFollowsStatus(t *testing.T) {
	s := newStore(t)
	c := issueN(t, s, 1, alice, nil)
	put := func(version uint32) error {
		return s.PutOCSPResponse(ctx, OCSPRecord{Serial: c.Serial, DER: []byte{byte(version)}, NextUpdate: t0.Add(time.Hour), StatusVersion: version})
	}
	if _, err := s.CurrentOCSPResponse(ctx, c.Serial); !errors.Is(err, ErrNotFound) {
		t.Fatalf("before any put: %v", err)
	}
	if err := put(0); err != nil {
		t.Fatal(err)
	}
	for v, st := range []State{OnHold, Valid, Revoked} {
		r, err := s.CurrentOCSPResponse(ctx, c.Serial)
		if err != nil || r.StatusVersion != uint32(v) || r.DER[0] != byte(v) {
			t.Fatalf("version %d: %+v, %v", v, r, err)
		}
		if err := s.SetStatus(ctx, c.Serial, StatusChange{State: st, Reason: 0, At: t0}, AuditEntry{Actor: "op"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CurrentOCSPResponse(ctx, c.Serial); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after the change to %s: %v", st, err)
		}
		wantErr(t, put(uint32(v)), ErrStale)
		if _, err := s.CurrentOCSPResponse(ctx, c.Serial); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after a stale put: %v", err)
		}
		if err := put(uint32(v + 1)); err != nil {
			t.Fatal(err)
		}
	}
	mustCheck(t, s)
}

// TestCurrentOCSPResponseRace: while status changes and puts built for
// versions read earlier (some stale by then) race, a reader never finds
// a response older than a status it saw before looking, nor newer than
// one it sees after.
func TestCurrentOCSPResponseRace(t *testing.T) {
	s := newStore(t)
	c := issueN(t, s, 1, alice, nil)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // hold and resume, 40 times
		defer wg.Done()
		defer close(done)
		for i := range 40 {
			st := OnHold
			if i%2 == 1 {
				st = Valid
			}
			if err := s.SetStatus(ctx, c.Serial, StatusChange{State: st, At: t0}, AuditEntry{Actor: "op"}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	go func() { // the pre-signer: reads the version, then puts for it
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			rec, err := s.Certificate(ctx, c.Serial)
			if err != nil {
				t.Error(err)
				return
			}
			err = s.PutOCSPResponse(ctx, OCSPRecord{Serial: c.Serial, DER: []byte{1}, NextUpdate: t0.Add(time.Hour), StatusVersion: rec.Status.Version})
			if err != nil && !errors.Is(err, ErrStale) {
				t.Error(err)
				return
			}
		}
	}()
	found := 0
	for {
		select {
		case <-done:
			wg.Wait()
			if found == 0 {
				t.Log("the reader never found a response (the race did not happen this run)")
			}
			mustCheck(t, s)
			return
		default:
		}
		before, err := s.Certificate(ctx, c.Serial)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.CurrentOCSPResponse(ctx, c.Serial)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		after, err := s.Certificate(ctx, c.Serial)
		if err != nil {
			t.Fatal(err)
		}
		if r.StatusVersion < before.Status.Version || r.StatusVersion > after.Status.Version {
			t.Fatalf("response for status version %d found between versions %d and %d", r.StatusVersion, before.Status.Version, after.Status.Version)
		}
		found++
	}
}
