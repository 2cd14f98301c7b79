package store

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

// TestLoadUniqScanKeepsCacheSmall: the scans that build the uniqueness
// filters at Open go through a block cache shrunk to uniqScanCache, so a
// store whose indexes are far larger than that opens with its cache (and
// the memory behind it) near empty; the reservation is given back, so
// reads afterwards fill the cache past that size again.
func TestLoadUniqScanKeepsCacheSmall(t *testing.T) {
	dir := t.TempDir()
	// 24 MiB of keys in one filtered index (the serial index: its keys
	// are what the filter reads), flushed to tables, which are what the
	// block cache holds.
	s := openAt(t, dir, Options{NoSync: true})
	b := s.db.NewBatch()
	key := make([]byte, 1+8+55)
	key[0] = pSerial
	const n = 400_000
	for i := range n {
		binary.BigEndian.PutUint64(key[1:], uint64(i)*0x9E3779B97F4A7C15)
		if err := b.Set(key, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	po := defaultPebbleOptions()
	po.CacheSize = 64 << 20
	s = openAt(t, dir, Options{NoSync: true, PebbleOptions: po})
	defer s.Close()
	if s.uniq.f[1] == nil || s.uniq.f[1].n != n {
		t.Fatalf("the serial filter holds %v keys, want %d", s.uniq.f[1], n)
	}
	if got := s.cache.Size(); got > uniqScanCache+1<<20 {
		t.Fatalf("block cache after Open holds %d bytes; the scans may leave at most %d", got, uniqScanCache)
	}
	if err := scanPrefix(context.Background(), s.db, []byte{pSerial}, func(_, _ []byte) (bool, error) { return true, nil }); err != nil {
		t.Fatal(err)
	}
	if got := s.cache.Size(); got <= 2*uniqScanCache {
		t.Fatalf("block cache after a full read holds %d bytes: the reservation was not given back", got)
	}
}
