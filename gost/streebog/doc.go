// Package streebog implements the GOST R 34.11-2012 hash functions
// Streebog-256 and Streebog-512 (RFC 6986).
//
// Byte order follows OpenSSL's gost engine and PKCS#11 tokens: the input is
// consumed in order, 64-byte block i being bytes [64i, 64i+64), and the
// digest is the final state in memory order. RFC 6986 prints its examples
// as big numbers, which is the byte-reverse of these digests.
//
// Inside, each 64-byte array (state, counter N, checksum Sigma, message
// block) is held as eight little-endian uint64 words, so the additions mod
// 2^512 are plain carry chains and the LPS transform becomes eight table
// lookups per output word (see lps.go).
//
// compress, the one function that matters for speed, has three
// implementations; compress.go picks one per process:
//
//   - amd64 with AVX-512 VBMI and GFNI (Intel Ice Lake and later, AMD
//     Zen 4 and later): the block on vector registers (gfni.go,
//     gfni_amd64.s), about 2.2 times OpenSSL's gost engine in CPU time
//     per digest of 1-8 KiB, and constant time because no table is
//     indexed by data;
//   - other amd64 CPUs: the table code in assembly (table_amd64.s), all
//     eight words of an LPS in registers and two table indices per shift
//     from AL/AH and the like, about 1.4 times OpenSSL;
//   - every other architecture, and any build with the purego tag: the
//     table code in Go (lps.go), about 1.2 times OpenSSL.
//
// Implementation names the path a process runs. Both table codes index
// memory with data (as OpenSSL's does). table_amd64.s is written by
// gen_table_amd64.go (go generate). The tests force each path in turn
// (paths_amd64_test.go), and bench/streebogcpu measures them against
// OpenSSL by CPU time.
package streebog

//go:generate go run gen_consts.go -in ../../testdata/streebog/streebog-constants.json -out consts.go
//go:generate go run gen_table_amd64.go
