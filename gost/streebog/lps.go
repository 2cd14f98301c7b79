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

// lpsRound does one round of E for the state and the key together:
// s = LPS(s ⊕ k) and k = LPS(k ⊕ c), with the rows of the two interleaved.
// The two transforms are independent, so interleaving gives the core two
// chains of lookups to overlap. Here the inputs are split 4+4: words 0-3 of
// each stay in registers and are indexed by constant shifts, words 4-7 go
// through byte buffers. On the Xeon this was measured on, the 4+4 split of
// the paired round beat 2+6, 3+5, 5+3, 6+2 and serial shifts, and the pair
// beat two lpsXor calls by 7-15 % (bench/NOTES-fastgost.md). s and k must
// not alias.
func lpsRound(s, k, c *[8]uint64) {
	var bs, bk [32]byte
	binary.LittleEndian.PutUint64(bs[0:], s[4]^k[4])
	binary.LittleEndian.PutUint64(bk[0:], k[4]^c[4])
	binary.LittleEndian.PutUint64(bs[8:], s[5]^k[5])
	binary.LittleEndian.PutUint64(bk[8:], k[5]^c[5])
	binary.LittleEndian.PutUint64(bs[16:], s[6]^k[6])
	binary.LittleEndian.PutUint64(bk[16:], k[6]^c[6])
	binary.LittleEndian.PutUint64(bs[24:], s[7]^k[7])
	binary.LittleEndian.PutUint64(bk[24:], k[7]^c[7])
	x0 := s[0] ^ k[0]
	y0 := k[0] ^ c[0]
	x1 := s[1] ^ k[1]
	y1 := k[1] ^ c[1]
	x2 := s[2] ^ k[2]
	y2 := k[2] ^ c[2]
	x3 := s[3] ^ k[3]
	y3 := k[3] ^ c[3]
	t := lpsTab
	s[0] = t[0][uint8(x0)] ^ t[1][uint8(x1)] ^ t[2][uint8(x2)] ^ t[3][uint8(x3)] ^ t[4][bs[0]] ^ t[5][bs[8]] ^ t[6][bs[16]] ^ t[7][bs[24]]
	k[0] = t[0][uint8(y0)] ^ t[1][uint8(y1)] ^ t[2][uint8(y2)] ^ t[3][uint8(y3)] ^ t[4][bk[0]] ^ t[5][bk[8]] ^ t[6][bk[16]] ^ t[7][bk[24]]
	s[1] = t[0][uint8(x0>>8)] ^ t[1][uint8(x1>>8)] ^ t[2][uint8(x2>>8)] ^ t[3][uint8(x3>>8)] ^ t[4][bs[1]] ^ t[5][bs[9]] ^ t[6][bs[17]] ^ t[7][bs[25]]
	k[1] = t[0][uint8(y0>>8)] ^ t[1][uint8(y1>>8)] ^ t[2][uint8(y2>>8)] ^ t[3][uint8(y3>>8)] ^ t[4][bk[1]] ^ t[5][bk[9]] ^ t[6][bk[17]] ^ t[7][bk[25]]
	s[2] = t[0][uint8(x0>>16)] ^ t[1][uint8(x1>>16)] ^ t[2][uint8(x2>>16)] ^ t[3][uint8(x3>>16)] ^ t[4][bs[2]] ^ t[5][bs[10]] ^ t[6][bs[18]] ^ t[7][bs[26]]
	k[2] = t[0][uint8(y0>>16)] ^ t[1][uint8(y1>>16)] ^ t[2][uint8(y2>>16)] ^ t[3][uint8(y3>>16)] ^ t[4][bk[2]] ^ t[5][bk[10]] ^ t[6][bk[18]] ^ t[7][bk[26]]
	s[3] = t[0][uint8(x0>>24)] ^ t[1][uint8(x1>>24)] ^ t[2][uint8(x2>>24)] ^ t[3][uint8(x3>>24)] ^ t[4][bs[3]] ^ t[5][bs[11]] ^ t[6][bs[19]] ^ t[7][bs[27]]
	k[3] = t[0][uint8(y0>>24)] ^ t[1][uint8(y1>>24)] ^ t[2][uint8(y2>>24)] ^ t[3][uint8(y3>>24)] ^ t[4][bk[3]] ^ t[5][bk[11]] ^ t[6][bk[19]] ^ t[7][bk[27]]
	s[4] = t[0][uint8(x0>>32)] ^ t[1][uint8(x1>>32)] ^ t[2][uint8(x2>>32)] ^ t[3][uint8(x3>>32)] ^ t[4][bs[4]] ^ t[5][bs[12]] ^ t[6][bs[20]] ^ t[7][bs[28]]
	k[4] = t[0][uint8(y0>>32)] ^ t[1][uint8(y1>>32)] ^ t[2][uint8(y2>>32)] ^ t[3][uint8(y3>>32)] ^ t[4][bk[4]] ^ t[5][bk[12]] ^ t[6][bk[20]] ^ t[7][bk[28]]
	s[5] = t[0][uint8(x0>>40)] ^ t[1][uint8(x1>>40)] ^ t[2][uint8(x2>>40)] ^ t[3][uint8(x3>>40)] ^ t[4][bs[5]] ^ t[5][bs[13]] ^ t[6][bs[21]] ^ t[7][bs[29]]
	k[5] = t[0][uint8(y0>>40)] ^ t[1][uint8(y1>>40)] ^ t[2][uint8(y2>>40)] ^ t[3][uint8(y3>>40)] ^ t[4][bk[5]] ^ t[5][bk[13]] ^ t[6][bk[21]] ^ t[7][bk[29]]
	s[6] = t[0][uint8(x0>>48)] ^ t[1][uint8(x1>>48)] ^ t[2][uint8(x2>>48)] ^ t[3][uint8(x3>>48)] ^ t[4][bs[6]] ^ t[5][bs[14]] ^ t[6][bs[22]] ^ t[7][bs[30]]
	k[6] = t[0][uint8(y0>>48)] ^ t[1][uint8(y1>>48)] ^ t[2][uint8(y2>>48)] ^ t[3][uint8(y3>>48)] ^ t[4][bk[6]] ^ t[5][bk[14]] ^ t[6][bk[22]] ^ t[7][bk[30]]
	s[7] = t[0][uint8(x0>>56)] ^ t[1][uint8(x1>>56)] ^ t[2][uint8(x2>>56)] ^ t[3][uint8(x3>>56)] ^ t[4][bs[7]] ^ t[5][bs[15]] ^ t[6][bs[23]] ^ t[7][bs[31]]
	k[7] = t[0][uint8(y0>>56)] ^ t[1][uint8(y1>>56)] ^ t[2][uint8(y2>>56)] ^ t[3][uint8(y3>>56)] ^ t[4][bk[7]] ^ t[5][bk[15]] ^ t[6][bk[23]] ^ t[7][bk[31]]
}
