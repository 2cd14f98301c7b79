package streebog

import "encoding/binary"

// gfniTable holds the constants of compressGFNI (gfni_amd64.s reads the
// fields at fixed offsets: 0, 512, 1024, 1280, 1344).
//
// The vector code keeps a 64-byte block in the transposed layout: byte
// 8a+b of a register is byte a of word b. In that layout one LPS is
//
//	u = S(x)                                    (bytewise; VPERMI2B ×2)
//	out = ⊕_c mat[c] · col_c(u)                 (VPERMB, VGF2P8AFFINEQB)
//
// where col_c(u) repeats, in each of the eight 64-bit lanes, byte c of
// every word of u (which P sends to word r = that byte's lane), and lane j
// of mat[c] is the 8×8 bit matrix taking byte c of a word to byte j of L
// of it. The result is again in the transposed layout, so the rounds never
// leave it; h, N and m are transposed on entry and h on exit.
type gfniTable struct {
	mat   [8][8]uint64 // mat[c][j]: bytes of L restricted to input byte c, output byte j
	col   [8][64]byte  // VPERMB indices of col_c
	sbox  [256]byte    // pi, as four 64-byte VPERMI2B tables
	trans [64]byte     // VPERMB indices of the 8×8 byte transpose
	rc    [12][64]byte // round constants C_i, transposed
}

func (k *gfniTable) init() {
	for c := range 8 {
		for j := range 8 {
			// VGF2P8AFFINEQB: result bit i = parity(x AND byte 7−i of
			// the lane's matrix), so byte 7−i is row i.
			var a uint64
			for b := range 8 {
				out := byte(linear(uint64(1)<<(8*c+b)) >> (8 * j))
				for i := range 8 {
					a |= uint64(out>>i&1) << (8*(7-i) + b)
				}
			}
			k.mat[c][j] = a
		}
	}
	for c := range 8 {
		for j := range 8 {
			for r := range 8 {
				k.col[c][8*j+r] = byte(8*r + c)
			}
		}
	}
	k.sbox = pi
	for a := range 8 {
		for b := range 8 {
			k.trans[8*a+b] = byte(8*b + a)
		}
	}
	for i := range roundC {
		var w [64]byte
		for x, v := range roundC[i] {
			binary.LittleEndian.PutUint64(w[8*x:], v)
		}
		for j := range 64 {
			k.rc[i][j] = w[k.trans[j]]
		}
	}
}
