package store

import (
	"math/big"
	"sync"
	"testing"
)

func TestNextCRLNumberMonotonicAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	next := func(issuer string) int64 {
		t.Helper()
		n, err := s.NextCRLNumber(ctx, issuer)
		if err != nil {
			t.Fatal(err)
		}
		return n.Int64()
	}
	for want := int64(1); want <= 3; want++ {
		if got := next("ca1"); got != want {
			t.Fatalf("ca1 number %d, want %d", got, want)
		}
	}
	if got := next("ca2"); got != 1 {
		t.Fatalf("ca2 starts at %d", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{})
	if got := next("ca1"); got != 4 {
		t.Fatalf("after reopen ca1 number %d, want 4", got)
	}
	_, err := s.NextCRLNumber(ctx, "")
	wantErr(t, err, ErrInvalidInput)

	// Concurrent callers never get the same number.
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				n, err := s.NextCRLNumber(ctx, "ca1")
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[n.Int64()] {
					t.Errorf("number %v handed out twice", n)
				}
				seen[n.Int64()] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if got := next("ca1"); got != 85 {
		t.Fatalf("after 80 concurrent numbers: %d, want 85", got)
	}
	if got, _ := s.NextCRLNumber(ctx, "ca1"); got.Cmp(big.NewInt(86)) != 0 {
		t.Fatalf("got %v", got)
	}
	mustCheck(t, s)
}
