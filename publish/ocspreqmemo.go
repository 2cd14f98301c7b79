package publish

import (
	"hash/maphash"
	"sync"
)

// The request memo spares a repeated request its parsing. Clients of a
// pre-signed responder send the same bytes again and again (RFC 5019:
// no nonce, one SHA-1 CertID, the same base64 in the GET URL), and
// decoding them (URL escapes, base64, DER, matching the CertID's hashes
// to an issuer) cost more than the cached answer's lookup. So the exact
// bytes of such a request (the GET path as the server read it, or the
// POST body) name what parsing them found: the issuer and the serial.
//
// The memo holds only that, a pure function of the bytes, never a status
// or an answer: the answer is still looked up in the answer cache by
// serial (ocspcache.go), whose coherence with status changes is
// unchanged. Only requests the cache may answer are remembered, one
// SHA-1 CertID of one of our issuers and no nonce: a request with a
// nonce is unique and would only push out the others. A request not in
// the memo, or whose answer is not cached, is parsed and answered as
// before. The memo is bounded like the cache (a full shard drops an
// entry of its choice), in two instances, GET paths and POST bodies.

// ocspMemoShards spreads the memo's locks; a power of two.
const ocspMemoShards = 16

type ocspReqMemo struct {
	seed     maphash.Seed
	perShard int
	shards   [ocspMemoShards]ocspMemoShard
}

type ocspMemoShard struct {
	mu sync.RWMutex
	// m is keyed by the bytes' hash, computed once per lookup (it picks
	// the shard too); the entry's own copy of the bytes settles a
	// collision, which is then a miss.
	m map[uint64]*ocspReqKey
	_ [40]byte // keeps shards' locks on cache lines of their own
}

// ocspReqKey is what a remembered request asks: never changed once made.
type ocspReqKey struct {
	raw    string // the request's bytes
	issuer *issuerState
	serial []byte // as cacheSerial normalises it
}

func newOCSPReqMemo(entries int) *ocspReqMemo {
	m := &ocspReqMemo{seed: maphash.MakeSeed(), perShard: max(1, (entries+ocspMemoShards-1)/ocspMemoShards)}
	for i := range m.shards {
		m.shards[i].m = map[uint64]*ocspReqKey{}
	}
	return m
}

func (m *ocspReqMemo) shard(raw []byte) (*ocspMemoShard, uint64) {
	h := maphash.Bytes(m.seed, raw)
	return &m.shards[h&(ocspMemoShards-1)], h
}

// get returns what raw asks, if it is remembered.
func (m *ocspReqMemo) get(raw []byte) *ocspReqKey {
	sh, h := m.shard(raw)
	sh.mu.RLock()
	k := sh.m[h]
	sh.mu.RUnlock()
	if k == nil || k.raw != string(raw) {
		return nil
	}
	return k
}

// put remembers that raw asks for serial of issuer s. raw is copied.
func (m *ocspReqMemo) put(raw []byte, s *issuerState, serial []byte) {
	sh, h := m.shard(raw)
	sh.mu.RLock()
	old := sh.m[h]
	sh.mu.RUnlock()
	if old != nil && old.raw == string(raw) {
		return
	}
	k := &ocspReqKey{raw: string(raw), issuer: s, serial: append([]byte(nil), cacheSerial(serial)...)}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.m[h]; !ok && len(sh.m) >= m.perShard {
		for old := range sh.m {
			delete(sh.m, old)
			break
		}
	}
	sh.m[h] = k
}

// len is the number of remembered requests.
func (m *ocspReqMemo) len() int {
	n := 0
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}
