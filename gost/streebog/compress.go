package streebog

import (
	"encoding/binary"
	"math/bits"
)

// compress sets h = g_N(h, m) = E(LPS(h ⊕ N), m) ⊕ h ⊕ m, where
// E(K, m) runs 12 rounds of state = LPS(state ⊕ K_i), K_{i+1} = LPS(K_i ⊕ C_i)
// and ends with state ⊕ K_13. Finalisation passes N = 0. On amd64 with
// AVX-512 VBMI and GFNI it runs compressGFNI (gfni_amd64.s), on other
// amd64 CPUs compressTableAsm (table_amd64.s), elsewhere (and with the
// purego build tag) the Go table code below.
func compress(h, n, m *[8]uint64) {
	switch {
	case useGFNI:
		compressGFNI(h, n, m, &gfniConsts)
	case useTableAsm:
		compressTableAsm(h, n, m, lpsTab, &roundC)
	default:
		compressGeneric(h, n, m)
	}
}

// compressGeneric is compress in portable Go, with the LPS tables.
func compressGeneric(h, n, m *[8]uint64) {
	var k, s [8]uint64
	lpsXor(&k, h, n)
	s = *m
	for i := range roundC {
		lpsRound(&s, &k, &roundC[i]) // s = LPS(s ⊕ k), k = LPS(k ⊕ C_i)
	}
	for i := range h {
		h[i] ^= s[i] ^ k[i] ^ m[i]
	}
}

// add512 sets x = x + y mod 2^512 (little-endian words).
func add512(x, y *[8]uint64) {
	var c uint64
	for i := range x {
		x[i], c = bits.Add64(x[i], y[i], c)
	}
}

// addBits adds nbits to the message-length counter N mod 2^512.
func addBits(n *[8]uint64, nbits uint64) {
	var c uint64
	n[0], c = bits.Add64(n[0], nbits, 0)
	for i := 1; i < len(n) && c != 0; i++ {
		n[i], c = bits.Add64(n[i], 0, c)
	}
}

// loadBlock reads a 64-byte block as little-endian words.
func loadBlock(m *[8]uint64, p []byte) {
	p = p[:BlockSize]
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(p[8*i:])
	}
}

// Implementation names the compression code this process runs:
// "avx512-gfni" (amd64 with AVX-512 VBMI and GFNI), "table-asm" (other
// amd64 CPUs) or "table-go" (other architectures, the purego tag). For
// benchmarks and diagnostics; the digests are the same whichever runs.
func Implementation() string {
	switch {
	case useGFNI:
		return "avx512-gfni"
	case useTableAsm:
		return "table-asm"
	default:
		return "table-go"
	}
}
