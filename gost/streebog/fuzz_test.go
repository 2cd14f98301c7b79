package streebog

import (
	"bytes"
	"testing"
)

// FuzzWriter hashes data through Write in chunks cut at fuzzer-chosen
// points and compares with Sum256/Sum512 and the byte-wise reference.
//
//	go test -run XXX -fuzz FuzzWriter ./gost/streebog/
func FuzzWriter(f *testing.F) {
	f.Add([]byte{}, []byte{})
	f.Add([]byte("abc"), []byte{1})
	f.Add(bytes.Repeat([]byte{0xff}, 64), []byte{63, 1})
	f.Add(bytes.Repeat([]byte{0x5a}, 200), []byte{0, 64, 65, 7})
	f.Add(mustHex(f, knownVectors[2].msg), []byte{13, 100, 2})

	rt := refTablesFor(f)
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		want256, want512 := Sum256(data), Sum512(data)
		if ref := rt.sum(data, Size256); !bytes.Equal(want256[:], ref) {
			t.Fatalf("Sum256 = %x, reference %x", want256, ref)
		}
		if ref := rt.sum(data, Size512); !bytes.Equal(want512[:], ref) {
			t.Fatalf("Sum512 = %x, reference %x", want512, ref)
		}

		h256, h512 := New256(), New512()
		p := data
		for i := 0; len(p) > 0; i++ {
			n := len(p) // once the cuts run out, the rest in one go
			if i < len(cuts) {
				n = min(int(cuts[i]), n)
			}
			h256.Write(p[:n])
			h512.Write(p[:n])
			p = p[n:]
		}
		if got := h256.Sum(nil); !bytes.Equal(got, want256[:]) {
			t.Fatalf("chunked 256 = %x, one-shot %x", got, want256)
		}
		if got := h512.Sum(nil); !bytes.Equal(got, want512[:]) {
			t.Fatalf("chunked 512 = %x, one-shot %x", got, want512)
		}
	})
}
