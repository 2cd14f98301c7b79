package streebog

import "encoding/binary"

// lpsTable[c][b] is L applied to the word whose only non-zero byte is pi[b]
// at byte position c. Because L is linear over GF(2), L(S(P(x))) of a whole
// word is the XOR of eight such entries, one per input byte: 64 lookups per
// LPS instead of 64 S-box lookups, a 64-byte shuffle and 512 conditional
// XORs.
var lpsTable [8][256]uint64

// lpsTab points at lpsTable; see lpsXor.
var lpsTab = &lpsTable

func init() {
	// lpsXor reads byte r of input word c into byte c of output word r;
	// that wiring is only right if tau is the 8×8 byte transpose.
	for i, t := range tau {
		if int(t) != 8*(i%8)+i/8 {
			panic("streebog: tau is not the byte transpose the LPS tables assume")
		}
	}
	for c := range lpsTable {
		for b := range lpsTable[c] {
			lpsTable[c][b] = linear(uint64(pi[b]) << (8 * c))
		}
	}
}

// linear is the map L on one word: bit 63-j of v selects row A[j].
func linear(v uint64) uint64 {
	var out uint64
	for j := range matA {
		if v>>(63-j)&1 != 0 {
			out ^= matA[j]
		}
	}
	return out
}

// lpsXor sets dst = L(P(S(a ⊕ b))); dst may alias a or b. Fusing the X
// step saves a pass over memory per round.
//
// Output word r takes byte r of every input word (P is a transpose). Input
// words 0-5 stay in registers and shift down a byte per output word, so an
// index costs a MOVZX and a shift on the ALUs; words 6-7 go through a
// little buffer and each index is a byte load instead. The split moves work
// from the ALUs to the load ports: all-register is ALU-bound, all-memory is
// load-bound; 6+2 measured fastest (on Zen 4, ~8% over all-register, far
// ahead of all-memory). Unrolled by hand: as a loop the compiler re-checks
// dst and t for nil every row.
func lpsXor(dst, a, b *[8]uint64) {
	var hi [16]byte
	binary.LittleEndian.PutUint64(hi[0:], a[6]^b[6])
	binary.LittleEndian.PutUint64(hi[8:], a[7]^b[7])
	a0, a1, a2, a3, a4, a5 := a[0]^b[0], a[1]^b[1], a[2]^b[2], a[3]^b[3], a[4]^b[4], a[5]^b[5]
	// Loaded from a variable so the base stays in a register instead of
	// being rematerialised with a LEAQ per lookup.
	t := lpsTab
	dst[0] = t[0][uint8(a0)] ^ t[1][uint8(a1)] ^ t[2][uint8(a2)] ^ t[3][uint8(a3)] ^
		t[4][uint8(a4)] ^ t[5][uint8(a5)] ^ t[6][hi[0]] ^ t[7][hi[8]]
	a0, a1, a2, a3, a4, a5 = a0>>8, a1>>8, a2>>8, a3>>8, a4>>8, a5>>8
	dst[1] = t[0][uint8(a0)] ^ t[1][uint8(a1)] ^ t[2][uint8(a2)] ^ t[3][uint8(a3)] ^
		t[4][uint8(a4)] ^ t[5][uint8(a5)] ^ t[6][hi[1]] ^ t[7][hi[9]]
	a0, a1, a2, a3, a4, a5 = a0>>8, a1>>8, a2>>8, a3>>8, a4>>8, a5>>8
	dst[2] = t[0][uint8(a0)] ^ t[1][uint8(a1)] ^ t[2][uint8(a2)] ^ t[3][uint8(a3)] ^
		t[4][uint8(a4)] ^ t[5][uint8(a5)] ^ t[6][hi[2]] ^ t[7][hi[10]]
	a0, a1, a2, a3, a4, a5 = a0>>8, a1>>8, a2>>8, a3>>8, a4>>8, a5>>8
	dst[3] = t[0][uint8(a0)] ^ t[1][uint8(a1)] ^ t[2][uint8(a2)] ^ t[3][uint8(a3)] ^
		t[4][uint8(a4)] ^ t[5][uint8(a5)] ^ t[6][hi[3]] ^ t[7][hi[11]]
	a0, a1, a2, a3, a4, a5 = a0>>8, a1>>8, a2>>8, a3>>8, a4>>8, a5>>8
	dst[4] = t[0][uint8(a0)] ^ t[1][uint8(a1)] ^ t[2][uint8(a2)] ^ t[3][uint8(a3)] ^
		t[4][uint8(a4)] ^ t[5][uint8(a5)] ^ t[6][hi[4]] ^ t[7][hi[12]]
	a0, a1, a2, a3, a4, a5 = a0>>8, a1>>8, a2>>8, a3>>8, a4>>8, a5>>8
	dst[5] = t[0][uint8(a0)] ^ t[1][uint8(a1)] ^ t[2][uint8(a2)] ^ t[3][uint8(a3)] ^
		t[4][uint8(a4)] ^ t[5][uint8(a5)] ^ t[6][hi[5]] ^ t[7][hi[13]]
	a0, a1, a2, a3, a4, a5 = a0>>8, a1>>8, a2>>8, a3>>8, a4>>8, a5>>8
	dst[6] = t[0][uint8(a0)] ^ t[1][uint8(a1)] ^ t[2][uint8(a2)] ^ t[3][uint8(a3)] ^
		t[4][uint8(a4)] ^ t[5][uint8(a5)] ^ t[6][hi[6]] ^ t[7][hi[14]]
	a0, a1, a2, a3, a4, a5 = a0>>8, a1>>8, a2>>8, a3>>8, a4>>8, a5>>8
	dst[7] = t[0][uint8(a0)] ^ t[1][uint8(a1)] ^ t[2][uint8(a2)] ^ t[3][uint8(a3)] ^
		t[4][uint8(a4)] ^ t[5][uint8(a5)] ^ t[6][hi[7]] ^ t[7][hi[15]]
}
