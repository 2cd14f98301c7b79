package store

import (
	"context"
	"hash/maphash"
	"math/bits"

	"github.com/cockroachdb/pebble/v2"
)

// Uniqueness filters. Every intent asks the store three questions whose
// answer is almost always "no": is the request ID known (0x11), was the
// serial ever used (0x16), is the key certified or reserved (0x12). They
// are asked under the writer mutex, and with the recent certificates in
// Pebble's memtable each is a skiplist search (~1 µs of cache misses):
// 10 % of the CPU at 64 callers, all of it on the serialized path.
//
// Each of the three indexes has a Bloom filter in memory holding every
// key the index may contain: built by scanning the index at Open, and
// given every key a write sets in it (txn.set) before the write is
// applied. Deletions (a failed intent releases its key and request ID)
// leave the key in the filter. So the filter is always a superset of the
// index, and a lookup the filter proves absent is answered "absent"
// without Pebble; any other lookup goes to the store as before. The
// answer is exactly the store's. Filters are read and written only under
// the writer mutex (txn.get, txn.has, txn.set), where every write of
// these indexes happens.
//
// A filter is sized at 10 bits per key (about 1 % false positives) for
// twice the keys it holds, at least uniqMinKeys: 2.5 bytes per key, so
// about 10 MB for the four filters of a million certificates. When it holds more keys
// than it was sized for, a bigger one is built in the background from a
// Pebble snapshot taken under the mutex; keys added meanwhile are kept
// and added to it before it replaces the old one (uniqFilters.rebuild).

const (
	uniqBitsPerKey = 10
	uniqProbes     = 7
)

// uniqMinKeys is the smallest number of keys a filter is sized for
// (80 KiB of bits each); a variable so that tests can make it small.
var uniqMinKeys = 1 << 16

// uniqPrefixes are the indexes with a filter, in uniqFilters.f order.
// The certificates (0x10) have one too: the commit checks that no
// certificate holds the serial yet, which is always so.
var uniqPrefixes = [...]byte{pRequest, pSerial, pKeyHash, pCert}

// uniqFilters are the three filters; guarded by Store.wmu.
type uniqFilters struct {
	f [len(uniqPrefixes)]*bloomSet
	// pending, while a filter is being rebuilt, holds the keys added to
	// it since its snapshot (nil: no rebuild running).
	pending [len(uniqPrefixes)][][]byte
	// rebuilds counts finished rebuilds (tests read it under wmu).
	rebuilds int
}

// bloomSet is a Bloom filter over byte strings.
type bloomSet struct {
	bits     []uint64
	nbits    uint64
	n        int // keys added
	capacity int // keys it was sized for
	seed     maphash.Seed
}

func newBloomSet(keys int) *bloomSet {
	capacity := max(2*keys, uniqMinKeys)
	words := (capacity*uniqBitsPerKey + 63) / 64
	return &bloomSet{bits: make([]uint64, words), nbits: uint64(words) * 64, capacity: capacity, seed: maphash.MakeSeed()}
}

// probe is the bit of the i-th probe: double hashing, mapped onto
// [0, nbits) by the high word of a 128-bit product.
func (b *bloomSet) probe(h1, h2, i uint64) uint64 {
	hi, _ := bits.Mul64(h1+i*h2, b.nbits)
	return hi
}

func (b *bloomSet) add(key []byte) {
	h := maphash.Bytes(b.seed, key)
	h1, h2 := h, bits.RotateLeft64(h, 32)|1
	for i := range uint64(uniqProbes) {
		bit := b.probe(h1, h2, i)
		b.bits[bit/64] |= 1 << (bit % 64)
	}
	b.n++
}

func (b *bloomSet) mayContain(key []byte) bool {
	h := maphash.Bytes(b.seed, key)
	h1, h2 := h, bits.RotateLeft64(h, 32)|1
	for i := range uint64(uniqProbes) {
		bit := b.probe(h1, h2, i)
		if b.bits[bit/64]&(1<<(bit%64)) == 0 {
			return false
		}
	}
	return true
}

// uniqIndex is the filter number of key's index, or -1.
func uniqIndex(key []byte) int {
	if len(key) == 0 {
		return -1
	}
	for i, p := range uniqPrefixes {
		if key[0] == p {
			return i
		}
	}
	return -1
}

// uniqScanCache is the block cache left to loadUniq's scans.
const uniqScanCache = 4 << 20

// loadUniq builds the filters from the indexes (at Open, before any
// write).
//
// The scans read every key of four indexes once, which for a store of a
// million certificates is far more than the block cache holds: through a
// full-size cache they would leave it full of index blocks nobody asks
// for again, and the process's resident memory at its cache's size (and
// more: the C allocator keeps what the evictions freed) from its first
// second on. So the cache is shrunk to uniqScanCache while they run (a
// reservation: Pebble evicts down to it) and given back afterwards,
// empty, to fill with what requests read.
func (s *Store) loadUniq() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.cache != nil {
		if r := s.cache.MaxSize() - uniqScanCache; r > 0 {
			release := s.cache.Reserve(int(r))
			defer release()
		}
	}
	for i, p := range uniqPrefixes {
		f, err := scanBloom(s.db, p)
		if err != nil {
			return err
		}
		s.uniq.f[i] = f
	}
	return nil
}

// scanBloom counts, then adds, the keys of one index as r holds them.
func scanBloom(r pebble.Reader, prefix byte) (*bloomSet, error) {
	n := 0
	err := scanPrefix(context.Background(), r, []byte{prefix}, func(_, _ []byte) (bool, error) {
		n++
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	f := newBloomSet(n)
	err = scanPrefix(context.Background(), r, []byte{prefix}, func(k, _ []byte) (bool, error) {
		f.add(k)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// absent reports whether key, of a filtered index, is certainly not in
// the store. Under wmu.
func (u *uniqFilters) absent(key []byte) bool {
	i := uniqIndex(key)
	return i >= 0 && u.f[i] != nil && !u.f[i].mayContain(key)
}

// add records a key written to a filtered index. Under wmu, before the
// write is applied.
func (u *uniqFilters) add(key []byte) {
	i := uniqIndex(key)
	if i < 0 || u.f[i] == nil {
		return
	}
	u.f[i].add(key)
	if u.pending[i] != nil {
		u.pending[i] = append(u.pending[i], append([]byte(nil), key...))
	}
}

// maybeRebuild starts the rebuild of every filter that holds more keys
// than it was sized for. Under wmu, after a write was applied: the
// snapshot then holds every key the filters were given, but for those of
// writes that failed, which need not be in a filter.
func (s *Store) maybeRebuild() {
	for i := range s.uniq.f {
		f := s.uniq.f[i]
		if f == nil || f.n <= f.capacity || s.uniq.pending[i] != nil {
			continue
		}
		if !s.life.enter() { // Close waits for the rebuild
			return
		}
		s.uniq.pending[i] = [][]byte{}
		snap := s.db.NewSnapshot()
		go func() {
			defer s.life.leave()
			nf, err := scanBloom(snap, uniqPrefixes[i])
			_ = snap.Close()
			s.wmu.Lock()
			defer s.wmu.Unlock()
			if err != nil {
				// The old filter stays: still a superset, only less
				// selective. The next write past its size tries again.
				s.log.Warn("store: rebuilding a uniqueness filter failed", "index", uniqPrefixes[i], "err", err)
			} else {
				for _, k := range s.uniq.pending[i] {
					nf.add(k)
				}
				s.uniq.f[i] = nf
				s.uniq.rebuilds++
			}
			s.uniq.pending[i] = nil
		}()
	}
}
