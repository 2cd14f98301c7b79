package auth

import (
	"crypto/subtle"
	"sync"
)

// tokenCache keeps the tokens this process has verified, so that a
// request's bearer token does not cost a store read (about 7 µs at 64
// clients: Pebble's point read, the record's decoding, its copies).
//
// It holds what the store holds and nothing more: per token id (no
// secret) the SHA-256 of the whole token and what the token may do. A
// presented token is hashed and compared with the cached hash in
// constant time, as against the store's record; the token string itself
// is never kept. Only tokens found in the store are cached (an unknown
// id always reads the store), at most maxCachedTokens of them.
//
// Coherence: the store is opened by one process at a time (Pebble's
// lock), and tokens change only through Tokens (Create, Revoke; the
// start-up import adds tokens before any request). Revoke drops the
// entry after the deletion is committed and bumps gen; a lookup that
// read the store before the bump does not insert what it read, so a
// revoked token is refused by every request that starts after Revoke
// returns. A token's role, scope and name never change (the store
// refuses to overwrite a token id).
type tokenCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]cachedToken
}

// maxCachedTokens bounds the cache; a deployment has a few dozen tokens.
const maxCachedTokens = 4096

type cachedToken struct {
	sha256 [32]byte
	p      Principal
}

// generation returns the invalidation count, read before a store lookup
// whose result may be cached (put).
func (c *tokenCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// get returns the principal of token id when it is cached and sum (the
// SHA-256 of the presented token) matches its hash in constant time. A
// miss, and a cached id with another hash, go to the store as before, so
// a wrong secret costs the same whether its id is live or not.
func (c *tokenCache) get(id string, sum *[32]byte) (Principal, bool) {
	c.mu.Lock()
	e, found := c.m[id]
	c.mu.Unlock()
	if !found || subtle.ConstantTimeCompare(sum[:], e.sha256[:]) != 1 {
		return Principal{}, false
	}
	return e.p, true
}

// put caches a token read from the store, unless the cache was
// invalidated since gen (generation before the read).
func (c *tokenCache) put(gen uint64, id string, sum [32]byte, p Principal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if c.m == nil {
		c.m = make(map[string]cachedToken)
	}
	if _, ok := c.m[id]; !ok && len(c.m) >= maxCachedTokens {
		for k := range c.m { // drop any one
			delete(c.m, k)
			break
		}
	}
	c.m[id] = cachedToken{sha256: sum, p: p}
}

// drop forgets token id and makes lookups in flight not cache what they
// read.
func (c *tokenCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, id)
}

// len is the number of cached tokens (tests).
func (c *tokenCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
