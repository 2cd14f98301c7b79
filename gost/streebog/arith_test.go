package streebog

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestAddCarries checks the word-wise additions against byte-wise refAdd,
// with operands biased towards all-ones words so carries cross every word
// boundary, including out of the top word (mod 2^512).
func TestAddCarries(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	toBlock := func(w *[8]uint64) (b refBlock) {
		for i, v := range w {
			binary.LittleEndian.PutUint64(b[8*i:], v)
		}
		return b
	}
	word := func() uint64 {
		switch rng.IntN(3) {
		case 0:
			return ^uint64(0)
		case 1:
			return ^uint64(0) - rng.Uint64N(1024)
		}
		return rng.Uint64()
	}
	for range 2000 {
		var x, y [8]uint64
		for i := range x {
			x[i], y[i] = word(), word()
		}
		want := refAdd(toBlock(&x), toBlock(&y))
		got := x
		add512(&got, &y)
		if toBlock(&got) != want {
			t.Fatalf("add512(%x, %x) = %x, want %x", x, y, got, want)
		}

		nbits := rng.Uint64N(513)
		var nb [8]uint64
		nb[0] = nbits
		want = refAdd(toBlock(&x), toBlock(&nb))
		got = x
		addBits(&got, nbits)
		if toBlock(&got) != want {
			t.Fatalf("addBits(%x, %d) = %x, want %x", x, nbits, got, want)
		}
	}
}
