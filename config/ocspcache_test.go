package config

import "testing"

// ocsp.cache_entries: 8192 by default, 0 turns the cache off, a negative
// count is refused.
func TestOCSPCacheEntries(t *testing.T) {
	if def := DefaultConfig(); def.OCSP.CacheEntries != 8192 {
		t.Fatalf("default %d", def.OCSP.CacheEntries)
	}
	cfg, err := LoadConfig("", []string{"GOSTCA_OCSP_CACHE_ENTRIES=0"})
	if err != nil || cfg.OCSP.CacheEntries != 0 {
		t.Fatalf("0: %v %d", err, cfg.OCSP.CacheEntries)
	}
	if _, err := LoadConfig("", []string{"GOSTCA_OCSP_CACHE_ENTRIES=-1"}); err == nil {
		t.Fatal("a negative ocsp.cache_entries was accepted")
	}
}
