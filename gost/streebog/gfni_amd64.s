//go:build amd64 && !purego

#include "textflag.h"

// compress on AVX-512 (F, BW, VBMI) and GFNI; the layout and the constants
// are described at gfniTable (gfni.go). Nothing here indexes memory with
// data: the S-box and P are register permutes, L is eight GF(2) matrix
// products, so the time does not depend on the message or the state.
//
// Registers: Z0-Z7 mat[0..7], Z8-Z14 and Z31 col[0..7], Z16-Z19 the S-box,
// Z20 the transpose, Z21 h, Z22 K, Z23 m, Z24 the state, Z25-Z30 scratch.

// Offsets of the gfniTable fields.
#define MAT 0
#define COL 512
#define PI 1024
#define TRANS 1280
#define RC 1344

// SBOX(x, t, u): u = pi of every byte of x; t is clobbered. VPERMI2B looks
// the low 7 bits up in a pair of 64-byte tables; bit 7 picks the pair.
#define SBOX(x, t, u) \
	VMOVDQA64 x, t \
	VPERMI2B  Z17, Z16, t \
	VMOVDQA64 x, u \
	VPERMI2B  Z19, Z18, u \
	VPMOVB2M  x, K1 \
	VPBLENDMB u, t, K1, u

// GF(mat, col, u, t): t = mat · col_c(u).
#define GF(mat, col, u, t) \
	VPERMB         u, col, t \
	VGF2P8AFFINEQB $0, mat, t, t

// LPS(x, u, t1, t2, out): out = LPS(x); x may be out. The eight products
// are summed by three 3-way XORs (VPTERNLOGQ 0x96) and one XOR.
#define LPS(x, u, t1, t2, out) \
	SBOX(x, t1, u) \
	GF(Z0, Z8, u, t1) \
	GF(Z1, Z9, u, t2) \
	GF(Z2, Z10, u, out) \
	VPTERNLOGQ $0x96, t2, t1, out \
	GF(Z3, Z11, u, t1) \
	GF(Z4, Z12, u, t2) \
	VPTERNLOGQ $0x96, t2, t1, out \
	GF(Z5, Z13, u, t1) \
	GF(Z6, Z14, u, t2) \
	VPTERNLOGQ $0x96, t2, t1, out \
	GF(Z7, Z31, u, t1) \
	VPXORQ     t1, out, out

// func compressGFNI(h, n, m *[8]uint64, k *gfniTable)
TEXT ·compressGFNI(SB), NOSPLIT, $0-32
	MOVQ h+0(FP), AX
	MOVQ n+8(FP), BX
	MOVQ m+16(FP), CX
	MOVQ k+24(FP), SI

	VMOVDQU64 MAT+0(SI), Z0
	VMOVDQU64 MAT+64(SI), Z1
	VMOVDQU64 MAT+128(SI), Z2
	VMOVDQU64 MAT+192(SI), Z3
	VMOVDQU64 MAT+256(SI), Z4
	VMOVDQU64 MAT+320(SI), Z5
	VMOVDQU64 MAT+384(SI), Z6
	VMOVDQU64 MAT+448(SI), Z7
	VMOVDQU64 COL+0(SI), Z8
	VMOVDQU64 COL+64(SI), Z9
	VMOVDQU64 COL+128(SI), Z10
	VMOVDQU64 COL+192(SI), Z11
	VMOVDQU64 COL+256(SI), Z12
	VMOVDQU64 COL+320(SI), Z13
	VMOVDQU64 COL+384(SI), Z14
	VMOVDQU64 COL+448(SI), Z31
	VMOVDQU64 PI+0(SI), Z16
	VMOVDQU64 PI+64(SI), Z17
	VMOVDQU64 PI+128(SI), Z18
	VMOVDQU64 PI+192(SI), Z19
	VMOVDQU64 TRANS(SI), Z20

	// h, N and m into the transposed layout.
	VMOVDQU64 (AX), Z21
	VPERMB    Z21, Z20, Z21
	VMOVDQU64 (BX), Z22
	VPERMB    Z22, Z20, Z22
	VMOVDQU64 (CX), Z23
	VPERMB    Z23, Z20, Z23

	VPXORQ    Z21, Z22, Z22
	LPS(Z22, Z25, Z26, Z29, Z22) // K_1 = LPS(h ⊕ N)
	VMOVDQA64 Z23, Z24           // state = m

	// 12 rounds: state = LPS(state ⊕ K_i), K_{i+1} = LPS(K_i ⊕ C_i); the
	// two are independent and interleave in the core.
	LEAQ RC(SI), DI
	MOVQ $12, DX

round:
	VPXORQ Z22, Z24, Z24
	VPXORQ (DI), Z22, Z22
	LPS(Z24, Z25, Z26, Z29, Z24)
	LPS(Z22, Z27, Z28, Z30, Z22)
	ADDQ   $64, DI
	DECQ   DX
	JNZ    round

	// h = h ⊕ state ⊕ K_13 ⊕ m, back to words.
	VPTERNLOGQ $0x96, Z24, Z23, Z22
	VPXORQ     Z21, Z22, Z21
	VPERMB     Z21, Z20, Z21
	VMOVDQU64  Z21, (AX)
	VZEROUPPER
	RET
