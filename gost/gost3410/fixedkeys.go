package gost3410

import "sync"

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
	// 512-bit sets); later keys verify the general way.
	maxFixedKeys = 16
	// maxSeenKeys bounds the keys counted while waiting for a second
	// verification; the count starts over when it fills.
	maxSeenKeys = 256
)

type pointKey struct{ x, y limbs }

// fixedKeys is a curve's tables of often-verified public keys.
type fixedKeys struct {
	impl   fixedVerifier
	tables sync.Map // pointKey → table (any), read without a lock
	mu     sync.Mutex
	seen   map[pointKey]struct{}
	n      int // tables built
}

// tableFor returns the table of (x, y), building it when the key is seen
// for the second time; nil while there is none.
func (f *fixedKeys) tableFor(x, y *limbs) any {
	k := pointKey{*x, *y}
	if t, ok := f.tables.Load(k); ok {
		return t
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if t, ok := f.tables.Load(k); ok {
		return t
	}
	if f.n >= maxFixedKeys {
		return nil
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
	f.tables.Store(k, t)
	f.n++
	return t
}
