//go:build amd64 && !purego

package streebog

import "golang.org/x/sys/cpu"

// useGFNI selects compressGFNI: AVX-512 with byte permutes (VBMI: VPERMB,
// VPERMI2B), byte-mask moves (BW) and the GF(2) affine instruction on
// 512-bit registers (GFNI). Tests switch it off to run the table code too.
var useGFNI = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW &&
	cpu.X86.HasAVX512VBMI && cpu.X86.HasAVX512GFNI

// compressGFNI is compress on 512-bit vectors, see gfni_amd64.s.
//
//go:noescape
func compressGFNI(h, n, m *[8]uint64, k *gfniTable)

var gfniConsts gfniTable

func init() {
	if useGFNI {
		gfniConsts.init()
	}
}
