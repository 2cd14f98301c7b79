package auth

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// A token that authenticated is served from the cache; Revoke removes it
// before returning, so the very next lookup refuses it, and the other
// tokens stay cached.
func TestTokenCacheRevocation(t *testing.T) {
	st := openStore(t, t.TempDir())
	ts := NewTokens(st)
	tok, ti, err := ts.Create(ctx, "admin", RoleCAOperator, "", "desk")
	if err != nil {
		t.Fatal(err)
	}
	keep, _, err := ts.Create(ctx, "admin", RoleAuditor, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if p := ts.Authenticate(ctx, tok); p == nil || p.Role != RoleCAOperator || p.TokenID != ti.ID || p.Name != "desk" {
			t.Fatalf("lookup %d: %+v", i, p)
		}
	}
	if ts.Authenticate(ctx, keep) == nil {
		t.Fatal("second token refused")
	}
	if n := ts.cache.len(); n != 2 {
		t.Fatalf("%d tokens cached, want 2", n)
	}
	// The cache is what answers: a principal handed out is a copy.
	p := ts.Authenticate(ctx, tok)
	p.Role = RoleCAAdmin
	if q := ts.Authenticate(ctx, tok); q.Role != RoleCAOperator {
		t.Fatalf("a caller changed the cached principal: %+v", q)
	}
	// A wrong secret under a cached id is refused.
	last := "A"
	if strings.HasSuffix(tok, last) {
		last = "B"
	}
	if ts.Authenticate(ctx, tok[:len(tok)-1]+last) != nil {
		t.Fatal("wrong secret accepted under a cached id")
	}
	if err := ts.Revoke(ctx, "admin", ti.ID); err != nil {
		t.Fatal(err)
	}
	if ts.Authenticate(ctx, tok) != nil {
		t.Fatal("revoked token accepted after Revoke returned")
	}
	if n := ts.cache.len(); n != 1 {
		t.Fatalf("%d tokens cached after the revocation, want 1", n)
	}
	if ts.Authenticate(ctx, keep) == nil {
		t.Fatal("the other token refused after a revocation")
	}
}

// A lookup that read the store before a revocation does not put what it
// read into the cache after the revocation dropped it.
func TestTokenCacheStaleFill(t *testing.T) {
	var c tokenCache
	sum := sha256.Sum256([]byte("gca_0123456789abcdef_x"))
	p := Principal{TokenID: "0123456789abcdef", Role: RoleCAAdmin}
	gen := c.generation() // a lookup starts and reads the store...
	c.drop(p.TokenID)     // ...the token is revoked...
	c.put(gen, p.TokenID, sum, p)
	if _, ok := c.get(p.TokenID, &sum); ok || c.len() != 0 {
		t.Fatal("a lookup from before the revocation filled the cache")
	}
	c.put(c.generation(), p.TokenID, sum, p)
	if got, ok := c.get(p.TokenID, &sum); !ok || got != p {
		t.Fatalf("fresh fill not cached: %+v %v", got, ok)
	}
	other := sha256.Sum256([]byte("gca_0123456789abcdef_y"))
	if _, ok := c.get(p.TokenID, &other); ok {
		t.Fatal("another hash matched")
	}
}

// Lookups racing with Revoke: none that starts after Revoke returned
// succeeds, and the token does not come back into the cache.
func TestTokenCacheRevokeRace(t *testing.T) {
	st := openStore(t, t.TempDir())
	ts := NewTokens(st)
	for round := 0; round < 20; round++ {
		tok, ti, err := ts.Create(ctx, "admin", RoleAuditor, "", "")
		if err != nil {
			t.Fatal(err)
		}
		var revoked atomic.Bool
		var bad atomic.Int64
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					after := revoked.Load()
					if ts.Authenticate(ctx, tok) != nil && after {
						bad.Add(1)
					}
				}
			}()
		}
		if err := ts.Revoke(ctx, "admin", ti.ID); err != nil {
			t.Fatal(err)
		}
		revoked.Store(true)
		for i := 0; i < 200; i++ {
			if ts.Authenticate(ctx, tok) != nil {
				bad.Add(1)
			}
		}
		close(stop)
		wg.Wait()
		if n := bad.Load(); n != 0 {
			t.Fatalf("round %d: revoked token accepted %d times after Revoke returned", round, n)
		}
		if _, ok := ts.cache.m[ti.ID]; ok {
			t.Fatalf("round %d: revoked token back in the cache", round)
		}
	}
}

// The cache holds the hash the store holds and what the token may do,
// never the token or its secret.
func TestTokenCacheHoldsNoSecret(t *testing.T) {
	st := openStore(t, t.TempDir())
	ts := NewTokens(st)
	var toks []string
	for i := 0; i < 5; i++ {
		tok, _, err := ts.Create(ctx, "admin", RoleCAOperator, "", fmt.Sprint("n", i))
		if err != nil {
			t.Fatal(err)
		}
		if ts.Authenticate(ctx, tok) == nil {
			t.Fatal("refused")
		}
		toks = append(toks, tok)
	}
	if ts.cache.len() != len(toks) {
		t.Fatalf("%d cached", ts.cache.len())
	}
	dump := fmt.Sprintf("%#v %+v", ts.cache.m, ts.cache.m)
	for _, tok := range toks {
		_, secret, _ := strings.Cut(tok[len("gca_"):], "_")
		for _, s := range []string{tok, secret, secret[:16], secret[len(secret)-16:]} {
			if strings.Contains(dump, s) {
				t.Fatalf("the cache holds %q of a token", s)
			}
		}
	}
	for id, e := range ts.cache.m {
		r, err := st.Token(ctx, id)
		if err != nil || r.SHA256 != e.sha256 {
			t.Fatalf("cached hash of %s is not the store's: %v", id, err)
		}
	}
}

// The cache stays within its bound.
func TestTokenCacheBound(t *testing.T) {
	var c tokenCache
	for i := 0; i < maxCachedTokens+100; i++ {
		id := fmt.Sprintf("%016x", i)
		c.put(c.generation(), id, sha256.Sum256([]byte(id)), Principal{TokenID: id})
		if c.len() > maxCachedTokens {
			t.Fatalf("%d cached after %d puts", c.len(), i+1)
		}
	}
	last := fmt.Sprintf("%016x", maxCachedTokens+99)
	sum := sha256.Sum256([]byte(last))
	if _, ok := c.get(last, &sum); !ok {
		t.Fatal("the newest token was not cached")
	}
}
