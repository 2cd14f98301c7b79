//go:build amd64 && !purego

package streebog

import (
	"math/rand/v2"
	"testing"
)

// TestGFNIMatchesGeneric compares the vector compression with the table
// code on random and extreme inputs.
func TestGFNIMatchesGeneric(t *testing.T) {
	if !useGFNI {
		t.Skip("this CPU lacks AVX-512 VBMI/GFNI; the table code is the one every test runs")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	fill := func(w *[8]uint64, mode int) {
		for i := range w {
			switch mode {
			case 0:
				w[i] = 0
			case 1:
				w[i] = ^uint64(0)
			default:
				w[i] = rng.Uint64()
			}
		}
	}
	for n := range 5000 {
		var h, nn, m [8]uint64
		fill(&h, n%5)
		fill(&nn, n/5%5)
		fill(&m, n/25%5)
		want, got := h, h
		compressGeneric(&want, &nn, &m)
		compressGFNI(&got, &nn, &m, &gfniConsts)
		if got != want {
			t.Fatalf("compress(%x, %x, %x):\nGFNI  %x\ntable %x", h, nn, m, got, want)
		}
	}
}

// TestTableCodeOnGFNIMachine runs the known-answer and differential tests
// through the table code as well, so a machine with GFNI tests both.
func TestTableCodeOnGFNIMachine(t *testing.T) {
	if !useGFNI {
		t.Skip("the table code is already the one every test runs")
	}
	useGFNI = false
	defer func() { useGFNI = true }()
	t.Run("KnownVectors", TestKnownVectors)
	t.Run("Differential", TestDifferential)
	t.Run("ChunkedWrites", TestChunkedWrites)
	t.Run("OpenSSLTable", TestOpenSSLTable)
}

// BenchmarkCompress compares the two compression functions on one block.
func BenchmarkCompress(b *testing.B) {
	var h, n, m [8]uint64
	for i := range m {
		m[i] = uint64(i+1) * 0x9e3779b97f4a7c15
	}
	b.Run("table", func(b *testing.B) {
		b.SetBytes(BlockSize)
		for b.Loop() {
			compressGeneric(&h, &n, &m)
		}
	})
	b.Run("gfni", func(b *testing.B) {
		if !useGFNI {
			b.Skip("no AVX-512 VBMI/GFNI")
		}
		b.SetBytes(BlockSize)
		for b.Loop() {
			compressGFNI(&h, &n, &m, &gfniConsts)
		}
	})
}
