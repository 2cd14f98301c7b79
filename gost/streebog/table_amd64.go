//go:build amd64 && !purego

package streebog

// useTableAsm selects compressTableAsm when the vector path is not taken.
// Tests switch it off to run the Go table code too.
var useTableAsm = true

// compressTableAsm is compressGeneric in assembly, see table_amd64.s.
//
//go:noescape
func compressTableAsm(h, n, m *[8]uint64, t *[8][256]uint64, c *[12][8]uint64)
