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
// On amd64 CPUs with AVX-512 VBMI and GFNI (Intel Ice Lake and later, AMD
// Zen 4 and later) the compression function runs on vector registers
// instead (gfni.go, gfni_amd64.s): about twice as fast, and constant time
// because no table is indexed by data. The purego build tag keeps the
// portable table code everywhere.
package streebog

//go:generate go run gen_consts.go -in ../../testdata/streebog/streebog-constants.json -out consts.go
