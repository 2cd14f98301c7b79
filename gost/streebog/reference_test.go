package streebog

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
)

// A slow, byte-wise Streebog written straight from the conventions of
// streebog-constants.json, sharing nothing with the fast code: it loads its
// own tables from the JSON and uses no combined LPS tables or word
// arithmetic. It is the oracle for the differential test and FuzzWriter.

type refBlock [64]byte

type refTables struct {
	pi  [256]byte
	tau [64]byte
	a   [64]uint64
	c   [12]refBlock
}

var loadRefTables = sync.OnceValues(func() (*refTables, error) {
	raw, err := os.ReadFile("../../testdata/streebog/streebog-constants.json")
	if err != nil {
		return nil, err
	}
	var j struct {
		Pi   []int    `json:"pi"`
		Tau  []int    `json:"tau"`
		AHex []string `json:"A_hex"`
		CHex []string `json:"C_hex"`
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, err
	}
	if len(j.Pi) != 256 || len(j.Tau) != 64 || len(j.AHex) != 64 || len(j.CHex) != 12 {
		return nil, fmt.Errorf("constants JSON: wrong table sizes")
	}
	var t refTables
	for i, v := range j.Pi {
		t.pi[i] = byte(v)
	}
	for i, v := range j.Tau {
		t.tau[i] = byte(v)
	}
	for i, s := range j.AHex {
		if t.a[i], err = strconv.ParseUint(s, 16, 64); err != nil {
			return nil, fmt.Errorf("A[%d]: %v", i, err)
		}
	}
	for i, s := range j.CHex {
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != 64 {
			return nil, fmt.Errorf("C[%d]: not 64 hex bytes", i)
		}
		copy(t.c[i][:], b)
	}
	return &t, nil
})

func refTablesFor(t testing.TB) *refTables {
	t.Helper()
	rt, err := loadRefTables()
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

func refXor(a, b refBlock) refBlock {
	for i := range a {
		a[i] ^= b[i]
	}
	return a
}

// refAdd is addition mod 2^512 of little-endian byte arrays.
func refAdd(a, b refBlock) refBlock {
	carry := 0
	for i := range a {
		s := int(a[i]) + int(b[i]) + carry
		a[i], carry = byte(s), s>>8
	}
	return a
}

func (rt *refTables) lps(a refBlock) refBlock {
	for i := range a { // S
		a[i] = rt.pi[a[i]]
	}
	var p refBlock // P
	for i := range p {
		p[i] = a[rt.tau[i]]
	}
	var out refBlock // L, one 8-byte group at a time
	for g := 0; g < 64; g += 8 {
		v := binary.LittleEndian.Uint64(p[g:])
		var r uint64
		for j := 0; j < 64; j++ {
			if v>>(63-j)&1 == 1 {
				r ^= rt.a[j]
			}
		}
		binary.LittleEndian.PutUint64(out[g:], r)
	}
	return out
}

func (rt *refTables) g(n, h, m refBlock) refBlock {
	k := rt.lps(refXor(h, n))
	s := m
	for i := range rt.c {
		s = rt.lps(refXor(s, k))
		k = rt.lps(refXor(k, rt.c[i]))
	}
	return refXor(refXor(refXor(s, k), h), m)
}

// sum returns the Streebog digest of msg, size 32 or 64 bytes.
func (rt *refTables) sum(msg []byte, size int) []byte {
	var h, n, sigma, zero refBlock
	if size == 32 {
		for i := range h {
			h[i] = 1
		}
	}
	bits := func(v int) (b refBlock) {
		b[0], b[1] = byte(v), byte(v>>8)
		return b
	}
	for len(msg) >= 64 {
		m := refBlock(msg[:64])
		h = rt.g(n, h, m)
		n = refAdd(n, bits(512))
		sigma = refAdd(sigma, m)
		msg = msg[64:]
	}
	var m refBlock
	copy(m[:], msg)
	m[len(msg)] = 1
	h = rt.g(n, h, m)
	n = refAdd(n, bits(8*len(msg)))
	sigma = refAdd(sigma, m)
	h = rt.g(zero, h, n)
	h = rt.g(zero, h, sigma)
	return h[64-size:]
}

func TestReferenceKnownVectors(t *testing.T) {
	rt := refTablesFor(t)
	for _, v := range knownVectors {
		msg := mustHex(t, v.msg)
		if got := hex.EncodeToString(rt.sum(msg, 32)); got != v.sum256 {
			t.Errorf("%s: reference 256 = %s, want %s", v.name, got, v.sum256)
		}
		if got := hex.EncodeToString(rt.sum(msg, 64)); got != v.sum512 {
			t.Errorf("%s: reference 512 = %s, want %s", v.name, got, v.sum512)
		}
	}
}
