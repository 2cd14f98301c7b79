package gost3410

import (
	"encoding/binary"
	"hash/maphash"
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
	// maxFixedKeys bounds the tables per curve (width-7 combs: 152 KB to
	// 909 KB each, the most on tc26-512-C; a curve's G gets one more the
	// first time a fixed key is used). When it is reached, a new key's table replaces the
	// least used one (uses are halved at each replacement, so a key that
	// was busy long ago gives way too): a request key that happened to be
	// verified twice never keeps a CA key out for good.
	maxFixedKeys = 16
	// maxSeenKeys is how many of the latest keys seen once are remembered
	// while waiting for a second verification.
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
	impl fixedVerifier
	// tables is replaced whole (copy on write) under mu, so that lookups
	// take no lock and box nothing.
	tables atomic.Pointer[map[pointKey]*fixedEntry]
	mu     sync.Mutex
	// seen holds the fingerprints of the last maxSeenKeys keys seen once,
	// next the slot to overwrite: a ring of fixed size, so that counting
	// a request's key allocates nothing. A fingerprint is keyed by a
	// random seed of the process; two keys sharing one would only build
	// a table early, and the table is always built from the key itself.
	seen     [maxSeenKeys]uint64
	next     int
	seed     maphash.Seed
	seedOnce sync.Once
}

// fingerprint returns k's keyed 64-bit hash (0 is kept for an empty slot).
func (f *fixedKeys) fingerprint(k *pointKey) uint64 {
	f.seedOnce.Do(func() { f.seed = maphash.MakeSeed() })
	// maphash.Bytes over a stack copy: Comparable allocates under purego.
	var b [2 * maxLimbs * 8]byte
	for i, w := range k.x {
		binary.LittleEndian.PutUint64(b[8*i:], w)
	}
	for i, w := range k.y {
		binary.LittleEndian.PutUint64(b[8*(maxLimbs+i):], w)
	}
	return maphash.Bytes(f.seed, b[:]) | 1
}

func (f *fixedKeys) lookup(k *pointKey) *fixedEntry {
	if m := f.tables.Load(); m != nil {
		return (*m)[*k]
	}
	return nil
}

// tableFor returns the table of (x, y), building it when the key is seen
// for the second time; nil while there is none.
func (f *fixedKeys) tableFor(x, y *limbs) any {
	k := pointKey{*x, *y}
	if e := f.lookup(&k); e != nil {
		e.hits.Add(1)
		return e.tab
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if e := f.lookup(&k); e != nil {
		return e.tab
	}
	h := f.fingerprint(&k)
	slot := -1
	for i, s := range &f.seen {
		if s == h {
			slot = i
			break
		}
	}
	if slot < 0 {
		f.seen[f.next] = h
		f.next = (f.next + 1) % maxSeenKeys
		return nil
	}
	f.seen[slot] = 0
	t := f.impl.fixedTable(x, y)
	if t == nil {
		return nil
	}
	next := make(map[pointKey]*fixedEntry, maxFixedKeys)
	if m := f.tables.Load(); m != nil {
		for kk, e := range *m {
			next[kk] = e
		}
	}
	if len(next) >= maxFixedKeys {
		evictLeastUsed(next)
	}
	next[k] = &fixedEntry{tab: t}
	f.tables.Store(&next)
	return t
}

// evictLeastUsed drops the table with the fewest uses from m and halves
// the others' counts.
func evictLeastUsed(m map[pointKey]*fixedEntry) {
	var victim pointKey
	found := false
	least := uint64(math.MaxUint64)
	for k, e := range m {
		h := e.hits.Load()
		if h < least {
			least, victim, found = h, k, true
		}
		e.hits.Store(h / 2)
	}
	if found {
		delete(m, victim)
	}
}
