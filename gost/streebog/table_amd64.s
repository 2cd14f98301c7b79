//go:build amd64 && !purego

#include "textflag.h"

// compress with the LPS tables (lps.go) in assembly, for amd64 CPUs
// without the AVX-512 VBMI + GFNI path. Go cannot name the second byte of
// a register; here the eight input words of an LPS stay in registers, four
// of them in AX, BX, CX and DX, whose AL/AH (and so on) give two table
// indices per 16-bit shift, the other four in R8-R11, shifted a byte at a
// time. Output words are built two at a time. Measured against the other
// splits on Sapphire Rapids (ns per compression, CPU time): all eight in
// registers 255, six plus two through a byte buffer 265-270, four plus
// four through a buffer 280-290, the Go code (lpsRound) 315.
//
// Frame: K at 0(SP), the state at 64(SP), the round counter at 128(SP),
// the round constant pointer at 136(SP).

// LPS: (R15) = LPS((SI) ⊕ (DI)), R12 = &lpsTable. The inputs are read
// into registers before the first output word is written, so R15 may
// equal SI or DI. Clobbers AX-DX, SI, DI, R8-R11, R13, R14.
#define LPS \
	MOVQ 0(SI), AX \
	XORQ 0(DI), AX \
	MOVQ 8(SI), BX \
	XORQ 8(DI), BX \
	MOVQ 16(SI), CX \
	XORQ 16(DI), CX \
	MOVQ 24(SI), DX \
	XORQ 24(DI), DX \
	MOVQ 32(SI), R8 \
	XORQ 32(DI), R8 \
	MOVQ 40(SI), R9 \
	XORQ 40(DI), R9 \
	MOVQ 48(SI), R10 \
	XORQ 48(DI), R10 \
	MOVQ 56(SI), R11 \
	XORQ 56(DI), R11 \
	MOVBLZX AL, SI \
	MOVBLZX AH, DI \
	MOVQ 0(R12)(SI*8), R13 \
	MOVQ 0(R12)(DI*8), R14 \
	SHRQ $16, AX \
	MOVBLZX BL, SI \
	MOVBLZX BH, DI \
	XORQ 2048(R12)(SI*8), R13 \
	XORQ 2048(R12)(DI*8), R14 \
	SHRQ $16, BX \
	MOVBLZX CL, SI \
	MOVBLZX CH, DI \
	XORQ 4096(R12)(SI*8), R13 \
	XORQ 4096(R12)(DI*8), R14 \
	SHRQ $16, CX \
	MOVBLZX DL, SI \
	MOVBLZX DH, DI \
	XORQ 6144(R12)(SI*8), R13 \
	XORQ 6144(R12)(DI*8), R14 \
	SHRQ $16, DX \
	MOVBLZX R8B, SI \
	XORQ 8192(R12)(SI*8), R13 \
	SHRQ $8, R8 \
	MOVBLZX R8B, DI \
	XORQ 8192(R12)(DI*8), R14 \
	SHRQ $8, R8 \
	MOVBLZX R9B, SI \
	XORQ 10240(R12)(SI*8), R13 \
	SHRQ $8, R9 \
	MOVBLZX R9B, DI \
	XORQ 10240(R12)(DI*8), R14 \
	SHRQ $8, R9 \
	MOVBLZX R10B, SI \
	XORQ 12288(R12)(SI*8), R13 \
	SHRQ $8, R10 \
	MOVBLZX R10B, DI \
	XORQ 12288(R12)(DI*8), R14 \
	SHRQ $8, R10 \
	MOVBLZX R11B, SI \
	XORQ 14336(R12)(SI*8), R13 \
	SHRQ $8, R11 \
	MOVBLZX R11B, DI \
	XORQ 14336(R12)(DI*8), R14 \
	SHRQ $8, R11 \
	MOVQ R13, 0(R15) \
	MOVQ R14, 8(R15) \
	MOVBLZX AL, SI \
	MOVBLZX AH, DI \
	MOVQ 0(R12)(SI*8), R13 \
	MOVQ 0(R12)(DI*8), R14 \
	SHRQ $16, AX \
	MOVBLZX BL, SI \
	MOVBLZX BH, DI \
	XORQ 2048(R12)(SI*8), R13 \
	XORQ 2048(R12)(DI*8), R14 \
	SHRQ $16, BX \
	MOVBLZX CL, SI \
	MOVBLZX CH, DI \
	XORQ 4096(R12)(SI*8), R13 \
	XORQ 4096(R12)(DI*8), R14 \
	SHRQ $16, CX \
	MOVBLZX DL, SI \
	MOVBLZX DH, DI \
	XORQ 6144(R12)(SI*8), R13 \
	XORQ 6144(R12)(DI*8), R14 \
	SHRQ $16, DX \
	MOVBLZX R8B, SI \
	XORQ 8192(R12)(SI*8), R13 \
	SHRQ $8, R8 \
	MOVBLZX R8B, DI \
	XORQ 8192(R12)(DI*8), R14 \
	SHRQ $8, R8 \
	MOVBLZX R9B, SI \
	XORQ 10240(R12)(SI*8), R13 \
	SHRQ $8, R9 \
	MOVBLZX R9B, DI \
	XORQ 10240(R12)(DI*8), R14 \
	SHRQ $8, R9 \
	MOVBLZX R10B, SI \
	XORQ 12288(R12)(SI*8), R13 \
	SHRQ $8, R10 \
	MOVBLZX R10B, DI \
	XORQ 12288(R12)(DI*8), R14 \
	SHRQ $8, R10 \
	MOVBLZX R11B, SI \
	XORQ 14336(R12)(SI*8), R13 \
	SHRQ $8, R11 \
	MOVBLZX R11B, DI \
	XORQ 14336(R12)(DI*8), R14 \
	SHRQ $8, R11 \
	MOVQ R13, 16(R15) \
	MOVQ R14, 24(R15) \
	MOVBLZX AL, SI \
	MOVBLZX AH, DI \
	MOVQ 0(R12)(SI*8), R13 \
	MOVQ 0(R12)(DI*8), R14 \
	SHRQ $16, AX \
	MOVBLZX BL, SI \
	MOVBLZX BH, DI \
	XORQ 2048(R12)(SI*8), R13 \
	XORQ 2048(R12)(DI*8), R14 \
	SHRQ $16, BX \
	MOVBLZX CL, SI \
	MOVBLZX CH, DI \
	XORQ 4096(R12)(SI*8), R13 \
	XORQ 4096(R12)(DI*8), R14 \
	SHRQ $16, CX \
	MOVBLZX DL, SI \
	MOVBLZX DH, DI \
	XORQ 6144(R12)(SI*8), R13 \
	XORQ 6144(R12)(DI*8), R14 \
	SHRQ $16, DX \
	MOVBLZX R8B, SI \
	XORQ 8192(R12)(SI*8), R13 \
	SHRQ $8, R8 \
	MOVBLZX R8B, DI \
	XORQ 8192(R12)(DI*8), R14 \
	SHRQ $8, R8 \
	MOVBLZX R9B, SI \
	XORQ 10240(R12)(SI*8), R13 \
	SHRQ $8, R9 \
	MOVBLZX R9B, DI \
	XORQ 10240(R12)(DI*8), R14 \
	SHRQ $8, R9 \
	MOVBLZX R10B, SI \
	XORQ 12288(R12)(SI*8), R13 \
	SHRQ $8, R10 \
	MOVBLZX R10B, DI \
	XORQ 12288(R12)(DI*8), R14 \
	SHRQ $8, R10 \
	MOVBLZX R11B, SI \
	XORQ 14336(R12)(SI*8), R13 \
	SHRQ $8, R11 \
	MOVBLZX R11B, DI \
	XORQ 14336(R12)(DI*8), R14 \
	SHRQ $8, R11 \
	MOVQ R13, 32(R15) \
	MOVQ R14, 40(R15) \
	MOVBLZX AL, SI \
	MOVBLZX AH, DI \
	MOVQ 0(R12)(SI*8), R13 \
	MOVQ 0(R12)(DI*8), R14 \
	MOVBLZX BL, SI \
	MOVBLZX BH, DI \
	XORQ 2048(R12)(SI*8), R13 \
	XORQ 2048(R12)(DI*8), R14 \
	MOVBLZX CL, SI \
	MOVBLZX CH, DI \
	XORQ 4096(R12)(SI*8), R13 \
	XORQ 4096(R12)(DI*8), R14 \
	MOVBLZX DL, SI \
	MOVBLZX DH, DI \
	XORQ 6144(R12)(SI*8), R13 \
	XORQ 6144(R12)(DI*8), R14 \
	MOVBLZX R8B, SI \
	XORQ 8192(R12)(SI*8), R13 \
	SHRQ $8, R8 \
	MOVBLZX R8B, DI \
	XORQ 8192(R12)(DI*8), R14 \
	MOVBLZX R9B, SI \
	XORQ 10240(R12)(SI*8), R13 \
	SHRQ $8, R9 \
	MOVBLZX R9B, DI \
	XORQ 10240(R12)(DI*8), R14 \
	MOVBLZX R10B, SI \
	XORQ 12288(R12)(SI*8), R13 \
	SHRQ $8, R10 \
	MOVBLZX R10B, DI \
	XORQ 12288(R12)(DI*8), R14 \
	MOVBLZX R11B, SI \
	XORQ 14336(R12)(SI*8), R13 \
	SHRQ $8, R11 \
	MOVBLZX R11B, DI \
	XORQ 14336(R12)(DI*8), R14 \
	MOVQ R13, 48(R15) \
	MOVQ R14, 56(R15)


// COPY8(src, dst) copies eight words from (src) to (dst) through AX.
#define COPY8(src, dst) \
	MOVQ 0(src), AX \
	MOVQ AX, 0(dst) \
	MOVQ 8(src), AX \
	MOVQ AX, 8(dst) \
	MOVQ 16(src), AX \
	MOVQ AX, 16(dst) \
	MOVQ 24(src), AX \
	MOVQ AX, 24(dst) \
	MOVQ 32(src), AX \
	MOVQ AX, 32(dst) \
	MOVQ 40(src), AX \
	MOVQ AX, 40(dst) \
	MOVQ 48(src), AX \
	MOVQ AX, 48(dst) \
	MOVQ 56(src), AX \
	MOVQ AX, 56(dst)

// func compressTableAsm(h, n, m *[8]uint64, t *[8][256]uint64, c *[12][8]uint64)
TEXT ·compressTableAsm(SB), NOSPLIT, $144-40
	MOVQ t+24(FP), R12

	// K = LPS(h ⊕ N)
	MOVQ h+0(FP), SI
	MOVQ n+8(FP), DI
	LEAQ 0(SP), R15
	LPS

	// state = m
	MOVQ m+16(FP), SI
	LEAQ 64(SP), DI
	COPY8(SI, DI)

	MOVQ c+32(FP), AX
	MOVQ AX, 136(SP)
	MOVQ $12, 128(SP)

round:
	// state = LPS(state ⊕ K), then K = LPS(K ⊕ C_i); the second does not
	// wait for the first, so the core overlaps them.
	LEAQ 64(SP), SI
	LEAQ 0(SP), DI
	LEAQ 64(SP), R15
	LPS
	LEAQ 0(SP), SI
	MOVQ 136(SP), DI
	LEAQ 0(SP), R15
	LPS
	ADDQ $64, 136(SP)
	DECQ 128(SP)
	JNZ  round

	// h ⊕= state ⊕ K_13 ⊕ m
	MOVQ h+0(FP), SI
	MOVQ m+16(FP), DI
	MOVQ 0(SP), AX
	XORQ 64(SP), AX
	XORQ 0(DI), AX
	XORQ AX, 0(SI)
	MOVQ 8(SP), AX
	XORQ 72(SP), AX
	XORQ 8(DI), AX
	XORQ AX, 8(SI)
	MOVQ 16(SP), AX
	XORQ 80(SP), AX
	XORQ 16(DI), AX
	XORQ AX, 16(SI)
	MOVQ 24(SP), AX
	XORQ 88(SP), AX
	XORQ 24(DI), AX
	XORQ AX, 24(SI)
	MOVQ 32(SP), AX
	XORQ 96(SP), AX
	XORQ 32(DI), AX
	XORQ AX, 32(SI)
	MOVQ 40(SP), AX
	XORQ 104(SP), AX
	XORQ 40(DI), AX
	XORQ AX, 40(SI)
	MOVQ 48(SP), AX
	XORQ 112(SP), AX
	XORQ 48(DI), AX
	XORQ AX, 48(SI)
	MOVQ 56(SP), AX
	XORQ 120(SP), AX
	XORQ 56(DI), AX
	XORQ AX, 56(SI)
	RET
