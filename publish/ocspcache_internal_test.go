package publish

import (
	"encoding/binary"
	"testing"
	"time"
)

// The cache stays within its bound, refuses a put that began before a
// removal in its shard, keys a serial with or without leading zero bytes
// alike, and stops serving an entry at its until.
func TestOCSPCacheBoundAndGeneration(t *testing.T) {
	c := newOCSPCache(128)
	s := &issuerState{}
	until := time.Now().Add(time.Hour)
	serial := func(i int) []byte { return binary.BigEndian.AppendUint64([]byte{0x40}, uint64(i)*0x9e3779b97f4a7c15) }
	for i := range 10000 {
		c.put(s, serial(i), c.generation(serial(i)), nil, OCSPAnswer{DER: []byte{byte(i)}, Result: OCSPResultGood}, until)
	}
	if n := c.len(); n > 128 || n < 64 {
		t.Fatalf("%d entries for a bound of 128", n)
	}

	k := []byte{0x01, 0x02}
	gen := c.generation(k)
	c.remove([]byte{0x00, 0x01, 0x02}) // the same serial with a leading zero
	c.put(s, k, gen, nil, OCSPAnswer{DER: []byte{1}, Result: OCSPResultGood}, until)
	if _, ok := c.get(s, k, time.Now()); ok {
		t.Fatal("a put that began before a removal was kept")
	}
	c.put(s, k, c.generation(k), nil, OCSPAnswer{DER: []byte{1}, Result: OCSPResultGood}, until)
	a, ok := c.get(s, []byte{0x00, 0x01, 0x02}, time.Now())
	if !ok || a.ETag == "" {
		t.Fatalf("fresh put not served (ok %v) or without an ETag", ok)
	}
	if _, ok := c.get(&issuerState{}, k, time.Now()); ok {
		t.Fatal("served for another issuer")
	}
	if _, ok := c.get(s, k, until); ok {
		t.Fatal("served at its until")
	}
	c.put(s, []byte{9}, c.generation([]byte{9}), nil, OCSPAnswer{DER: []byte{1}}, time.Now().Add(-time.Second))
	if _, ok := c.get(s, []byte{9}, time.Now().Add(-time.Hour)); ok {
		t.Fatal("an answer already due for re-signing was cached")
	}
	if newOCSPCache(0) != nil {
		t.Fatal("cache_entries 0 made a cache")
	}
}
