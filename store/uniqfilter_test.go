package store

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// A Bloom set never forgets a key it was given, and rejects most others.
func TestBloomSetSupersetAndSelective(t *testing.T) {
	b := newBloomSet(1000)
	for i := range 1000 {
		b.add(fmt.Appendf(nil, "in-%d", i))
	}
	for i := range 1000 {
		if !b.mayContain(fmt.Appendf(nil, "in-%d", i)) {
			t.Fatalf("key %d added but not contained", i)
		}
	}
	fp := 0
	for i := range 100000 {
		if b.mayContain(fmt.Appendf(nil, "out-%d", i)) {
			fp++
		}
	}
	// Sized for 65,536 keys at 10 bits each and holding 1,000: false
	// positives are rare (well under 1 %).
	if fp > 1000 {
		t.Fatalf("%d false positives in 100,000", fp)
	}
	// Filled to the size it was made for: about 1 % (10 bits a key).
	for i := 1000; i < b.capacity; i++ {
		b.add(fmt.Appendf(nil, "in-%d", i))
	}
	fp = 0
	for i := range 100000 {
		if b.mayContain(fmt.Appendf(nil, "out-%d", i)) {
			fp++
		}
	}
	if fp > 2000 {
		t.Fatalf("full filter: %d false positives in 100,000, want about 1 %%", fp)
	}
	t.Logf("full filter (%d keys): %d false positives in 100,000", b.capacity, fp)
}

// putAll puts intents, failing only on a whole-call error.
func putAll(t *testing.T, s *Store, ins ...Intent) []IntentResult {
	t.Helper()
	res, err := s.PutIntents(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// filterAbsent reports whether the filters prove key absent.
func filterAbsent(s *Store, key []byte) bool {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.uniq.absent(key)
}

// A reused key is refused every time: within one call, across calls,
// after a restart (the filter is rebuilt from the index at Open), and
// after its first intent failed and released it, then was taken again.
func TestUniqFilterKeyReuseRefused(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	a := intentN(1, "a")
	if !filterAbsent(s, keyHashKey(a.KeyHash)) {
		t.Fatal("a key never written is not proved absent by the filter")
	}
	mustPut(t, s, a)
	if filterAbsent(s, keyHashKey(a.KeyHash)) || filterAbsent(s, serialKey(a.Serial)) || filterAbsent(s, requestKey("a")) {
		t.Fatal("a written key, serial or request ID is proved absent")
	}
	again := intentN(2, "b")
	again.KeyHash = a.KeyHash
	if r := putAll(t, s, again); !errors.Is(r[0].Err, ErrKeyReused) {
		t.Fatalf("same key, second call: %v", r[0].Err)
	}
	x, y := intentN(3, "c"), intentN(4, "d")
	y.KeyHash = x.KeyHash
	if r := putAll(t, s, x, y); r[0].Err != nil || !errors.Is(r[1].Err, ErrKeyReused) {
		t.Fatalf("same key twice in one call: %v, %v", r[0].Err, r[1].Err)
	}
	issued := issueN(t, s, 20, Identifiers{}, nil)
	if filterAbsent(s, certKey(issued.Serial)) {
		t.Fatal("an issued certificate is proved absent")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{})
	for _, k := range [][]byte{keyHashKey(a.KeyHash), keyHashKey(x.KeyHash), serialKey(a.Serial), requestKey("c"), certKey(issued.Serial)} {
		if filterAbsent(s, k) {
			t.Fatalf("after a restart the filter proves %x absent", k)
		}
	}
	again = intentN(5, "e")
	again.KeyHash = a.KeyHash
	if r := putAll(t, s, again); !errors.Is(r[0].Err, ErrKeyReused) {
		t.Fatalf("same key after a restart: %v", r[0].Err)
	}
	reserved := intentN(6, "f")
	reserved.Serial = a.Serial
	if r := putAll(t, s, reserved); !errors.Is(r[0].Err, ErrSerialExists) {
		t.Fatalf("same serial after a restart: %v", r[0].Err)
	}
	if r := putAll(t, s, intentN(7, "a")); !errors.Is(r[0].Err, ErrRequestConflict) {
		t.Fatalf("same request ID, other key, after a restart: %v", r[0].Err)
	}
	// The request ID of an issued certificate replays it after a restart.
	if r := putAll(t, s, intentN(20, "req-20")); !r[0].Duplicate || r[0].Cert == nil || !bytes.Equal(r[0].Cert.Serial, issued.Serial) {
		t.Fatalf("issued request ID after a restart: %+v", r[0])
	}
	// Committing the issued serial again finds its certificate.
	dup := issuedFor(intentN(20, "req-20"), Identifiers{})
	if err := s.CommitIssued(ctx, []Issued{dup}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("committing an issued serial again: %v", err)
	}
	// Failing x releases its key (the filter keeps it: a superset); a
	// new intent may take it, and then it is refused again.
	if err := s.FailIntents(ctx, [][]byte{x.Serial}, "test"); err != nil {
		t.Fatal(err)
	}
	z := intentN(8, "g")
	z.KeyHash = x.KeyHash
	if r := putAll(t, s, z); r[0].Err != nil {
		t.Fatalf("a released key: %v", r[0].Err)
	}
	z2 := intentN(9, "h")
	z2.KeyHash = x.KeyHash
	if r := putAll(t, s, z2); !errors.Is(r[0].Err, ErrKeyReused) {
		t.Fatalf("the released key taken again, then reused: %v", r[0].Err)
	}
}

// Two racers with the same key: exactly one wins, every round.
func TestUniqFilterConcurrentSameKey(t *testing.T) {
	s := newStore(t)
	for round := range 50 {
		a, b := intentN(1000+2*round, fmt.Sprintf("ra-%d", round)), intentN(1001+2*round, fmt.Sprintf("rb-%d", round))
		b.KeyHash = a.KeyHash
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, in := range []Intent{a, b} {
			wg.Go(func() {
				res, err := s.PutIntents(ctx, []Intent{in})
				if err == nil {
					err = res[0].Err
				}
				errs[i] = err
			})
		}
		wg.Wait()
		won, lost := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case errors.Is(err, ErrKeyReused):
				lost++
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if won != 1 || lost != 1 {
			t.Fatalf("round %d: %d won, %d refused as reused", round, won, lost)
		}
	}
}

// A filter that outgrows its size is rebuilt in the background from a
// snapshot, and the keys written while it is rebuilt are in the new
// one: nothing written is ever proved absent, before, during or after.
func TestUniqFilterRebuild(t *testing.T) {
	// Restored after the store's Close (cleanups run last first), which
	// waits for every rebuild: the test waits only for index 2's, and
	// another index's may still be sizing its filter by uniqMinKeys.
	old := uniqMinKeys
	t.Cleanup(func() { uniqMinKeys = old })
	uniqMinKeys = 256
	s := openAt(t, t.TempDir(), Options{NoSync: true})
	capacity := func() int {
		s.wmu.Lock()
		defer s.wmu.Unlock()
		return s.uniq.f[2].capacity
	}
	first := capacity()
	var written []Intent
	put := func(from, n int) {
		var ins []Intent
		for i := from; i < from+n; i++ {
			ins = append(ins, intentN(i, fmt.Sprintf("rebuild-%d", i)))
		}
		mustPut(t, s, ins...)
		written = append(written, ins...)
	}
	for n := 0; n <= first; n += 32 {
		put(10000+n, 32)
	}
	// Writes go on while the rebuild runs; then it must have finished.
	deadline := time.Now().Add(30 * time.Second)
	for k := 20000; ; k += 8 {
		put(k, 8)
		s.wmu.Lock()
		done, running := s.uniq.rebuilds, s.uniq.pending[2] != nil
		s.wmu.Unlock()
		if done >= 1 && !running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no rebuild after %d keys (capacity %d)", len(written), first)
		}
	}
	if got := capacity(); got <= first {
		t.Fatalf("capacity %d after a rebuild, was %d", got, first)
	}
	for i, in := range written {
		for _, k := range [][]byte{keyHashKey(in.KeyHash), serialKey(in.Serial), requestKey(in.RequestID)} {
			if filterAbsent(s, k) {
				t.Fatalf("intent %d: key %x written but proved absent after the rebuild", i, k)
			}
		}
	}
	for _, in := range []Intent{written[0], written[len(written)/2], written[len(written)-1]} {
		again := intentN(1, "x")
		again.KeyHash = in.KeyHash
		if r := putAll(t, s, again); !errors.Is(r[0].Err, ErrKeyReused) {
			t.Fatalf("a key written around the rebuild, reused after: %v", r[0].Err)
		}
	}
}
