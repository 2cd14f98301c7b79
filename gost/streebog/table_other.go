//go:build !amd64 || purego

package streebog

// useTableAsm is false: only amd64 has the assembly table code.
const useTableAsm = false

func compressTableAsm(h, n, m *[8]uint64, t *[8][256]uint64, c *[12][8]uint64) {
	panic("streebog: no assembly table code")
}
