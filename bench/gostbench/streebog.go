package main

import (
	"crypto/rand"
	"fmt"

	"github.com/gostca/gostca/gost/streebog"
)

// digestSizes are the message lengths of the Streebog rows: 1 and 2 KiB
// are what the CA hashes per certificate (a TBS, a CSR's signed part),
// 8 KiB a buffer of a streamed document.
var digestSizes = []int{1 << 10, 2 << 10, 8 << 10}

// digestRows returns Streebog-256 and -512 over each of digestSizes, one
// whole digest (Sum256/Sum512 against EVP_Digest) per operation, so the
// per-message costs (padding, the two finalising compressions) count.
func digestRows(osslErr error) []row {
	var rows []row
	for _, bits := range []int{256, 512} {
		for _, n := range digestSizes {
			rows = append(rows, digestRow(bits, n, osslErr))
		}
	}
	return rows
}

func digestRow(bits, n int, osslErr error) row {
	buf := make([]byte, n)
	rand.Read(buf)
	r := row{name: fmt.Sprintf("Streebog-%d %d KiB", bits, n>>10), bytes: n}
	if bits == 256 {
		r.ours = func() error { streebog.Sum256(buf); return nil }
	} else {
		r.ours = func() error { streebog.Sum512(buf); return nil }
	}
	if osslErr == nil {
		r.ossl, r.oErr = opensslDigest(bits, buf)
	}
	return r
}
