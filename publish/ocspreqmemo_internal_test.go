package publish

import (
	"bytes"
	"fmt"
	"testing"
)

// The memo stays within its bound, keeps its own copy of the request's
// bytes (the server's buffer is reused for the next request), and
// normalises the serial as the answer cache keys it.
func TestOCSPReqMemoBoundAndCopy(t *testing.T) {
	m := newOCSPReqMemo(64)
	s := &issuerState{}
	for i := range 5000 {
		m.put(fmt.Appendf(nil, "request-%d", i), s, []byte{byte(i >> 8), byte(i)})
	}
	if n := m.len(); n > 64 || n < 16 {
		t.Fatalf("%d entries for a bound of 64", n)
	}
	raw := []byte("the same bytes")
	m.put(raw, s, []byte{0x00, 0x00, 0x7f})
	copy(raw, "other bytes!!!")
	if k := m.get(raw); k != nil {
		t.Fatal("the memo kept the caller's buffer, not a copy")
	}
	k := m.get([]byte("the same bytes"))
	if k == nil || k.issuer != s || !bytes.Equal(k.serial, []byte{0x7f}) {
		t.Fatalf("remembered %+v, want the issuer and serial 7f", k)
	}
	m.put([]byte("the same bytes"), &issuerState{}, []byte{1})
	if k2 := m.get([]byte("the same bytes")); k2 != k {
		t.Fatal("a second put of the same bytes replaced the first")
	}
}

// Two requests whose hashes collide are told apart by their bytes: the
// entry of one is a miss for the other, never its answer.
func TestOCSPReqMemoCollisionIsAMiss(t *testing.T) {
	m := newOCSPReqMemo(64)
	s := &issuerState{}
	a, b := []byte("request a"), []byte("request b")
	sh, h := m.shard(a)
	sh.m[h] = &ocspReqKey{raw: string(b), issuer: s, serial: []byte{1}} // b's entry where a's hash points
	if k := m.get(a); k != nil {
		t.Fatalf("request a got request b's entry %+v", k)
	}
	m.put(a, s, []byte{2})
	if k := m.get(a); k == nil || !bytes.Equal(k.serial, []byte{2}) {
		t.Fatalf("after its own put, request a got %+v", k)
	}
}
