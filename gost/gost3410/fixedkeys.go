package gost3410

import (
	"math"
	"sync"
	"sync/atomic"
)

// A CA verifies its own signatures with the same few public keys again
// and again (every certificate, CRL and OCSP response is checked after
// signing). Curves whose implementation is a fixedVerifier remember the
// keys they verify with: a key seen a second time gets a precomputed table
// (built once, kept for the life of the process) and later verifications
// with it skip every doubling. Every specialised set has it (ed256fixed.go,
// wa256fixed.go and their generated copies). Keys seen once, such as a
// request's, only pass through a small bounded counter. Only public keys
// are involved.

// fixedVerifier is implemented by the curves that can precompute a
// public key's multiples.
type fixedVerifier interface {
	// fixedTable returns the table of the public key (qx, qy), nil if
	// none can be built.
	fixedTable(qx, qy *limbs) any
	// verifyRFixed is verifyR (x(u1·G + u2·Q) ≡ r) with Q's table.
	verifyRFixed(tab any, u1, u2 limbs, r limbs) bool
}

const (
	// maxFixedKeys bounds the tables per curve (up to 330 KB each on the
	// 512-bit sets). When it is reached, a new key's table replaces the
	// least used one (uses are halved at each replacement, so a key that
	// was busy long ago gives way too): a request key that happened to be
	// verified twice never keeps a CA key out for good.
	maxFixedKeys = 16
	// maxSeenKeys bounds the keys counted while waiting for a second
	// verification; the count starts over when it fills.
	maxSeenKeys = 256
)

type pointKey struct{ x, y limbs }

// fixedEntry is one key's table and how often it served.
type fixedEntry struct {
	tab  any
	hits atomic.Uint64
}

// fixedKeys is a curve's tables of often-verified public keys.
type fixedKeys struct {
	impl   fixedVerifier
	tables sync.Map // pointKey → *fixedEntry, read without a lock
	mu     sync.Mutex
	seen   map[pointKey]struct{}
	n      int // tables held
}

// tableFor returns the table of (x, y), building it when the key is seen
// for the second time; nil while there is none.
func (f *fixedKeys) tableFor(x, y *limbs) any {
	k := pointKey{*x, *y}
	if e, ok := f.tables.Load(k); ok {
		fe := e.(*fixedEntry)
		fe.hits.Add(1)
		return fe.tab
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.tables.Load(k); ok {
		return e.(*fixedEntry).tab
	}
	if _, again := f.seen[k]; !again {
		if f.seen == nil || len(f.seen) >= maxSeenKeys {
			f.seen = make(map[pointKey]struct{})
		}
		f.seen[k] = struct{}{}
		return nil
	}
	delete(f.seen, k)
	t := f.impl.fixedTable(x, y)
	if t == nil {
		return nil
	}
	if f.n >= maxFixedKeys {
		f.evictLeastUsed()
	}
	f.tables.Store(k, &fixedEntry{tab: t})
	f.n++
	return t
}

// evictLeastUsed drops the table with the fewest uses and halves the
// others' counts. f.mu is held.
func (f *fixedKeys) evictLeastUsed() {
	var victim any
	least := uint64(math.MaxUint64)
	f.tables.Range(func(k, v any) bool {
		e := v.(*fixedEntry)
		h := e.hits.Load()
		if h < least {
			least, victim = h, k
		}
		e.hits.Store(h / 2)
		return true
	})
	if victim != nil {
		f.tables.Delete(victim)
		f.n--
	}
}
