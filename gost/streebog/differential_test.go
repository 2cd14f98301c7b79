package streebog

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestConstantsMatchJSON guards the generated consts.go against drift from
// the JSON it was generated from.
func TestConstantsMatchJSON(t *testing.T) {
	rt := refTablesFor(t)
	if pi != rt.pi {
		t.Error("pi differs from the JSON; run go generate")
	}
	if tau != rt.tau {
		t.Error("tau differs from the JSON; run go generate")
	}
	if matA != rt.a {
		t.Error("A differs from the JSON; run go generate")
	}
	for i := range roundC {
		var c refBlock
		for w, v := range roundC[i] {
			binary.LittleEndian.PutUint64(c[8*w:], v)
		}
		if c != rt.c[i] {
			t.Errorf("C[%d] differs from the JSON; run go generate", i)
		}
	}
}

// TestLPSMatchesReference checks the combined tables against byte-wise
// S, P and L.
func TestLPSMatchesReference(t *testing.T) {
	rt := refTablesFor(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		var in refBlock
		for i := range in {
			in[i] = byte(rng.Uint32())
		}
		var x [8]uint64
		loadBlock(&x, in[:])
		lpsXor(&x, &x, &zero)
		var got refBlock
		for i, w := range x {
			binary.LittleEndian.PutUint64(got[8*i:], w)
		}
		if want := rt.lps(in); got != want {
			t.Fatalf("lps(%x)\n = %x\nwant %x", in, got, want)
		}
	}
}

// TestLPSRoundMatchesReference checks the paired round (state and key
// together) against byte-wise S, P, L of s ⊕ k and k ⊕ c.
func TestLPSRoundMatchesReference(t *testing.T) {
	rt := refTablesFor(t)
	rng := rand.New(rand.NewPCG(5, 6))
	words := func(b refBlock) (w [8]uint64) {
		loadBlock(&w, b[:])
		return w
	}
	bytesOf := func(w [8]uint64) (b refBlock) {
		for i, v := range w {
			binary.LittleEndian.PutUint64(b[8*i:], v)
		}
		return b
	}
	for n := range 1000 {
		var s, k, c refBlock
		for i := range s {
			s[i], k[i], c[i] = byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())
		}
		if n == 0 {
			k = s // s ⊕ k = 0
		}
		var sk, kc refBlock
		for i := range s {
			sk[i], kc[i] = s[i]^k[i], k[i]^c[i]
		}
		sw, kw, cw := words(s), words(k), words(c)
		lpsRound(&sw, &kw, &cw)
		if got, want := bytesOf(sw), rt.lps(sk); got != want {
			t.Fatalf("state: LPS(%x)\n = %x\nwant %x", sk, got, want)
		}
		if got, want := bytesOf(kw), rt.lps(kc); got != want {
			t.Fatalf("key: LPS(%x)\n = %x\nwant %x", kc, got, want)
		}
		if cw != words(c) {
			t.Fatal("lpsRound changed the round constant")
		}
	}
}

// TestDifferential compares Sum256/Sum512 with the reference on random
// messages, including lengths around block boundaries.
func TestDifferential(t *testing.T) {
	rt := refTablesFor(t)
	rng := rand.New(rand.NewPCG(3, 4))
	lengths := []int{0, 1, 63, 64, 65, 127, 128, 129, 191, 192, 193}
	for range 200 {
		lengths = append(lengths, rng.IntN(2000))
	}
	for _, n := range lengths {
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		if n%3 == 0 {
			// Runs of 0xff make Sigma and the padding carry across words.
			for i := range msg {
				msg[i] = 0xff
			}
		}
		if got, want := Sum256(msg), rt.sum(msg, 32); !bytes.Equal(got[:], want) {
			t.Errorf("len %d: Sum256 = %x, reference %x", n, got, want)
		}
		if got, want := Sum512(msg), rt.sum(msg, 64); !bytes.Equal(got[:], want) {
			t.Errorf("len %d: Sum512 = %x, reference %x", n, got, want)
		}
	}
}
