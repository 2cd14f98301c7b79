package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/gostca/gostca/store"
)

// The OCSP answer cache holds the pre-signed answers of the certificates
// asked about most, so that a request for one of them costs no store
// read: neither the certificate record (whose status decides whether the
// stored response is current) nor the response record. It is bounded by
// ocsp.cache_entries (0: no cache), keyed by the serial of a SHA-1 CertID
// without a nonce (what a pre-signed response answers), and holds only
// answers that were current when read: the response's status version was
// the certificate's.
//
// Coherence with status changes. StatusChanged, which the CA calls after
// a status change is committed and before it acknowledges it, removes the
// serial first thing. A request that read the records before that commit
// might otherwise put its answer back afterwards, so every shard carries
// a generation, bumped by every removal: a request takes the generation
// before its first store read and puts its answer only if the generation
// is unchanged, so any removal that happened after the read began (and so
// possibly after a change it did not see) refuses the put. Once the
// status change is acknowledged, then, the cache has no answer from
// before it and cannot get one.
//
// Freshness. An entry is served until its response is due for re-signing
// by half ocsp.refresh_before (nextUpdate − refresh_before/2), after which
// the store is read again, where by then the refresh job has put the
// re-signed response; a response stored later than that point is not
// cached at all.

// ocspCacheShards spreads the cache's locks; a power of two.
const ocspCacheShards = 64

type ocspCache struct {
	perShard int
	shards   [ocspCacheShards]ocspCacheShard
	// memoGET and memoPOST remember what repeated requests ask, GET
	// paths and POST bodies, as many as the cache holds answers
	// (ocspreqmemo.go).
	memoGET, memoPOST *ocspReqMemo
}

type ocspCacheShard struct {
	mu  sync.RWMutex
	gen uint64
	m   map[string]*ocspCached
	_   [40]byte // keeps shards' locks on cache lines of their own
}

// ocspCached is one cached answer; never changed once made.
type ocspCached struct {
	issuer *issuerState
	// rec is the part of the certificate record the answer was current
	// for that OCSP reads (serial, issuer, status), shared and read only:
	// its status answers live-signed requests too.
	rec    *store.CertRecord
	answer OCSPAnswer
	until  time.Time // served while now is before it
}

// newOCSPCache makes a cache of about entries answers; nil for 0.
func newOCSPCache(entries int) *ocspCache {
	if entries <= 0 {
		return nil
	}
	c := &ocspCache{perShard: max(1, (entries+ocspCacheShards-1)/ocspCacheShards),
		memoGET: newOCSPReqMemo(entries), memoPOST: newOCSPReqMemo(entries)}
	for i := range c.shards {
		c.shards[i].m = map[string]*ocspCached{}
	}
	return c
}

// cacheSerial is the form of a serial the cache is keyed by: without
// leading zero bytes, as the store normalises it, so that a request's
// serial and the record's name the same entry.
func cacheSerial(serial []byte) []byte {
	for len(serial) > 1 && serial[0] == 0 {
		serial = serial[1:]
	}
	return serial
}

func (c *ocspCache) shard(serial []byte) *ocspCacheShard {
	// FNV-1a over the serial's last bytes (serials are random).
	h := uint32(2166136261)
	for _, b := range serial[max(0, len(serial)-8):] {
		h = (h ^ uint32(b)) * 16777619
	}
	return &c.shards[h&(ocspCacheShards-1)]
}

// get returns the answer cached for serial of issuer s, if it is still to
// be served at now; the answer is shared and must not be changed.
func (c *ocspCache) get(s *issuerState, serial []byte, now time.Time) (*OCSPAnswer, bool) {
	serial = cacheSerial(serial)
	sh := c.shard(serial)
	sh.mu.RLock()
	e := sh.m[string(serial)]
	sh.mu.RUnlock()
	if e == nil || e.issuer != s || !now.Before(e.until) {
		return nil, false
	}
	return &e.answer, true
}

// record returns the certificate record of serial of issuer s that a
// cached answer was current for (nil: none cached). Its status is
// current whether or not the answer is still served: a status change
// removes the entry.
func (c *ocspCache) record(s *issuerState, serial []byte) *store.CertRecord {
	serial = cacheSerial(serial)
	sh := c.shard(serial)
	sh.mu.RLock()
	e := sh.m[string(serial)]
	sh.mu.RUnlock()
	if e == nil || e.issuer != s {
		return nil
	}
	return e.rec
}

// generation is what put needs: take it before the first store read of
// a request whose answer may be cached.
func (c *ocspCache) generation(serial []byte) uint64 {
	sh := c.shard(cacheSerial(serial))
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.gen
}

// put caches a current pre-signed answer for serial of issuer s unless
// the shard changed since gen was taken (a removal: possibly a status
// change the answer predates) or the answer is due for re-signing soon,
// and returns the cached answer, its HTTP validators formatted (nil: not
// cached). rec, when not nil, is the certificate record the answer was
// current for. A full shard drops an entry of its choice.
func (c *ocspCache) put(s *issuerState, serial []byte, gen uint64, rec *store.CertRecord, a OCSPAnswer, until time.Time) *OCSPAnswer {
	if !time.Now().Before(until) {
		return nil
	}
	serial = cacheSerial(serial)
	// The three validators share one buffer.
	sum := sha256.Sum256(a.DER)
	b := make([]byte, 0, 2+2*16+2*len("Mon, 02 Jan 2006 15:04:05 GMT"))
	b = append(hex.AppendEncode(append(b, '"'), sum[:16]), '"')
	etag := len(b)
	b = appendHTTPDate(b, a.ThisUpdate)
	lm := len(b)
	b = appendHTTPDate(b, a.NextUpdate)
	a.ETag = string(b[:etag])
	a.HTTP = &OCSPHTTP{ETag: b[:etag:etag], LastModified: b[etag:lm:lm], Expires: b[lm:]}
	e := &ocspCached{issuer: s, answer: a, until: until}
	if rec != nil {
		// What the OCSP answer needs of it, not the certificate's DER.
		e.rec = &store.CertRecord{Serial: rec.Serial, IssuerID: rec.IssuerID, Status: rec.Status, NotAfter: rec.NotAfter}
	}
	sh := c.shard(serial)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.gen != gen {
		return nil
	}
	if _, ok := sh.m[string(serial)]; !ok && len(sh.m) >= c.perShard {
		for k := range sh.m {
			delete(sh.m, k)
			break
		}
	}
	sh.m[string(serial)] = e
	return &e.answer
}

// remove drops serial's answer and refuses every put that began before.
func (c *ocspCache) remove(serial []byte) {
	serial = cacheSerial(serial)
	sh := c.shard(serial)
	sh.mu.Lock()
	sh.gen++
	delete(sh.m, string(serial))
	sh.mu.Unlock()
}

// len is the number of cached answers.
func (c *ocspCache) len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}
