//go:build !amd64 || purego

package streebog

// useGFNI is false: only amd64 has the vector implementation.
const useGFNI = false

var gfniConsts gfniTable

func compressGFNI(h, n, m *[8]uint64, k *gfniTable) { panic("streebog: no vector implementation") }
