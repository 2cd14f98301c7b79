//go:build amd64 && !purego

package streebog

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// compressPath is one implementation of compress that a build can select:
// the vector code, the assembly table code or the Go table code.
type compressPath struct {
	name       string
	gfni, tasm bool
}

// availablePaths lists the paths this machine can run, the one compress
// picks by default first.
func availablePaths() []compressPath {
	var ps []compressPath
	if useGFNI {
		ps = append(ps, compressPath{"avx512-gfni", true, false})
	}
	return append(ps, compressPath{"table-asm", false, true}, compressPath{"table-go", false, false})
}

// forcePath makes compress (and digest.blocks through it) run p until the
// test ends.
func forcePath(t *testing.T, p compressPath) {
	t.Helper()
	if p.gfni && !useGFNI {
		t.Fatalf("%s: this CPU lacks AVX-512 VBMI/GFNI", p.name)
	}
	gfni, tasm := useGFNI, useTableAsm
	useGFNI, useTableAsm = p.gfni, p.tasm
	t.Cleanup(func() { useGFNI, useTableAsm = gfni, tasm })
}

// randomWords fills w per mode: 0 all zero, 1 all ones, else random.
func randomWords(rng *rand.Rand, w *[8]uint64, mode int) {
	for i := range w {
		switch mode {
		case 0:
			w[i] = 0
		case 1:
			w[i] = ^uint64(0)
		default:
			w[i] = rng.Uint64()
		}
	}
}

// TestCompressPathsMatch compares the vector compression and the assembly
// table code with the Go table code on random and extreme inputs,
// including h aliasing N (finalisation passes distinct arrays, but the
// assembly reads all inputs before writing).
func TestCompressPathsMatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for n := range 5000 {
		var h, nn, m [8]uint64
		randomWords(rng, &h, n%5)
		randomWords(rng, &nn, n/5%5)
		randomWords(rng, &m, n/25%5)
		want := h
		compressGeneric(&want, &nn, &m)
		got := h
		compressTableAsm(&got, &nn, &m, lpsTab, &roundC)
		if got != want {
			t.Fatalf("compress(%x, %x, %x):\ntable asm %x\ntable go  %x", h, nn, m, got, want)
		}
		if useGFNI {
			got = h
			compressGFNI(&got, &nn, &m, &gfniConsts)
			if got != want {
				t.Fatalf("compress(%x, %x, %x):\nGFNI     %x\ntable go %x", h, nn, m, got, want)
			}
		}
	}
	if !useGFNI {
		t.Log("this CPU lacks AVX-512 VBMI/GFNI: only the table code was compared")
	}
}

// TestEveryPath runs the known-answer, differential, streaming and OpenSSL
// tests once per compression path, so a machine with GFNI tests all three
// (the other tests of the package run the default path only).
func TestEveryPath(t *testing.T) {
	for _, p := range availablePaths() {
		t.Run(p.name, func(t *testing.T) {
			forcePath(t, p)
			if got := Implementation(); got != p.name {
				t.Fatalf("Implementation() = %q with %s forced", got, p.name)
			}
			t.Run("KnownVectors", TestKnownVectors)
			t.Run("Differential", TestDifferential)
			t.Run("ChunkedWrites", TestChunkedWrites)
			t.Run("MarshalRoundTrip", TestMarshalRoundTrip)
			t.Run("ZeroAllocs", TestZeroAllocs)
			t.Run("OpenSSLTable", TestOpenSSLTable)
			t.Run("OpenSSLLive", TestOpenSSLLive)
			t.Run("OpenSSLLong", TestOpenSSLLong)
		})
	}
}

// TestPathsAgreeOnLongInputs hashes random messages up to 64 KiB, and
// all-0xff ones (Sigma carries out of every word), on every path and
// compares the digests, in one call and in odd-sized writes.
func TestPathsAgreeOnLongInputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var msgs [][]byte
	for _, n := range []int{4095, 4096, 8 << 10, 65536 + 13} {
		msgs = append(msgs, randomBytes(rng, n), bytes.Repeat([]byte{0xff}, n))
	}
	for range 20 {
		msgs = append(msgs, randomBytes(rng, rng.IntN(64<<10)))
	}
	paths := availablePaths()
	digests := func(msg []byte) (s256 [Size256]byte, s512 [Size512]byte, streamed []byte) {
		s256, s512 = Sum256(msg), Sum512(msg)
		h := New512()
		for rest := msg; len(rest) > 0; {
			k := min(len(rest), 1+rng.IntN(300))
			h.Write(rest[:k])
			rest = rest[k:]
		}
		return s256, s512, h.Sum(nil)
	}
	for i, msg := range msgs {
		var want256 [Size256]byte
		var want512 [Size512]byte
		for j, p := range paths {
			t.Run("", func(t *testing.T) {
				forcePath(t, p)
				s256, s512, streamed := digests(msg)
				if !bytes.Equal(streamed, s512[:]) {
					t.Errorf("message %d (%d bytes), %s: streamed Streebog-512 %x, one call %x", i, len(msg), p.name, streamed, s512)
				}
				if j == 0 {
					want256, want512 = s256, s512
					return
				}
				if s256 != want256 || s512 != want512 {
					t.Errorf("message %d (%d bytes): %s gives %x / %x, %s %x / %x", i, len(msg), p.name, s256, s512, paths[0].name, want256, want512)
				}
			})
		}
	}
}

// BenchmarkCompress compares the compression functions on one block.
func BenchmarkCompress(b *testing.B) {
	var h, n, m [8]uint64
	for i := range m {
		m[i] = uint64(i+1) * 0x9e3779b97f4a7c15
	}
	b.Run("table", func(b *testing.B) {
		b.SetBytes(BlockSize)
		for b.Loop() {
			compressGeneric(&h, &n, &m)
		}
	})
	b.Run("table-asm", func(b *testing.B) {
		b.SetBytes(BlockSize)
		for b.Loop() {
			compressTableAsm(&h, &n, &m, lpsTab, &roundC)
		}
	})
	b.Run("gfni", func(b *testing.B) {
		if !useGFNI {
			b.Skip("no AVX-512 VBMI/GFNI")
		}
		b.SetBytes(BlockSize)
		for b.Loop() {
			compressGFNI(&h, &n, &m, &gfniConsts)
		}
	})
}

// TestImplementationMatchesCPU checks that the default path is the vector
// code exactly when the CPU has every extension it uses.
func TestImplementationMatchesCPU(t *testing.T) {
	want := "table-asm"
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI && cpu.X86.HasAVX512GFNI {
		want = "avx512-gfni"
	}
	if got := Implementation(); got != want {
		t.Errorf("Implementation() = %q on this CPU, want %q", got, want)
	}
}
