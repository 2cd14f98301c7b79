package streebog

import (
	"bytes"
	"encoding"
	"hash"
	"math/rand/v2"
	"strings"
	"testing"
)

var variants = []struct {
	name string
	new  func() hash.Hash
	sum  func([]byte) []byte
	size int
}{
	{"256", New256, func(b []byte) []byte { s := Sum256(b); return s[:] }, Size256},
	{"512", New512, func(b []byte) []byte { s := Sum512(b); return s[:] }, Size512},
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func TestSizes(t *testing.T) {
	for _, v := range variants {
		h := v.new()
		if h.Size() != v.size || h.BlockSize() != BlockSize {
			t.Errorf("%s: Size %d BlockSize %d", v.name, h.Size(), h.BlockSize())
		}
	}
}

func TestChunkedWrites(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	msg := randomBytes(rng, 1000)
	for _, v := range variants {
		want := v.sum(msg)
		for _, chunk := range []int{1, 3, 7, 63, 64, 65, 127, 0} {
			h := v.new()
			for p := msg; len(p) > 0; {
				n := chunk
				if n == 0 { // random chunk sizes, empty writes included
					n = rng.IntN(200)
				}
				n = min(n, len(p))
				h.Write(p[:n])
				p = p[n:]
			}
			if got := h.Sum(nil); !bytes.Equal(got, want) {
				t.Errorf("%s, chunks of %d: %x, want %x", v.name, chunk, got, want)
			}
		}
	}
}

func TestSumKeepsState(t *testing.T) {
	for _, v := range variants {
		h := v.new()
		h.Write([]byte("first part, longer than one block of sixty-four bytes so that state moves"))
		s1 := h.Sum(nil)
		s2 := h.Sum([]byte("prefix"))
		if !bytes.Equal(s1, s2[len("prefix"):]) || string(s2[:len("prefix")]) != "prefix" {
			t.Errorf("%s: second Sum differs or lost the prefix: %x vs %x", v.name, s1, s2)
		}
		h.Write([]byte(" and more"))
		want := v.sum([]byte("first part, longer than one block of sixty-four bytes so that state moves and more"))
		if got := h.Sum(nil); !bytes.Equal(got, want) {
			t.Errorf("%s: Write after Sum = %x, want %x", v.name, got, want)
		}
	}
}

func TestReset(t *testing.T) {
	for _, v := range variants {
		h := v.new()
		h.Write(bytes.Repeat([]byte{0xaa}, 200))
		h.Reset()
		h.Write([]byte("abc"))
		if got, want := h.Sum(nil), v.sum([]byte("abc")); !bytes.Equal(got, want) {
			t.Errorf("%s: after Reset %x, want %x", v.name, got, want)
		}
	}
}

func TestClone(t *testing.T) {
	for _, v := range variants {
		h := v.new()
		h.Write([]byte("shared prefix"))
		c, err := h.(hash.Cloner).Clone()
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(" one"))
		c.Write([]byte(" two"))
		if got, want := h.Sum(nil), v.sum([]byte("shared prefix one")); !bytes.Equal(got, want) {
			t.Errorf("%s: original %x, want %x", v.name, got, want)
		}
		if got, want := c.Sum(nil), v.sum([]byte("shared prefix two")); !bytes.Equal(got, want) {
			t.Errorf("%s: clone %x, want %x", v.name, got, want)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	msg := randomBytes(rng, 500)
	for _, v := range variants {
		want := v.sum(msg)
		for _, split := range []int{0, 1, 63, 64, 65, 200, 500} {
			h := v.new()
			h.Write(msg[:split])
			state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			appended, _ := h.(encoding.BinaryAppender).AppendBinary([]byte("x"))
			if !bytes.Equal(appended[1:], state) {
				t.Errorf("%s: AppendBinary differs from MarshalBinary", v.name)
			}
			h2 := v.new()
			h2.Write([]byte("junk to be overwritten"))
			if err := h2.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
				t.Fatalf("%s split %d: %v", v.name, split, err)
			}
			h2.Write(msg[split:])
			if got := h2.Sum(nil); !bytes.Equal(got, want) {
				t.Errorf("%s split %d: restored hash %x, want %x", v.name, split, got, want)
			}
		}
	}
}

func TestUnmarshalRejects(t *testing.T) {
	h256 := New256()
	h256.Write(bytes.Repeat([]byte{7}, 70)) // one block done, 6 bytes buffered
	good, _ := h256.(encoding.BinaryMarshaler).MarshalBinary()
	h512 := New512()
	good512, _ := h512.(encoding.BinaryMarshaler).MarshalBinary()

	edit := func(f func(b []byte) []byte) []byte {
		return f(bytes.Clone(good))
	}
	cases := []struct {
		name, wantErr string
		state         []byte
	}{
		{"empty", "bad magic", nil},
		{"garbage", "bad magic", []byte("definitely not a hash state")},
		{"sha256 state", "bad magic", append([]byte("sha\x03"), make([]byte, 104)...)},
		{"version", "unsupported version 2", edit(func(b []byte) []byte { b[4] = 2; return b })},
		{"other variant", "Streebog-512, cannot restore into Streebog-256", good512},
		{"truncated header", "wrong length", good[:100]},
		{"truncated buffer", "wrong length", good[:len(good)-1]},
		{"trailing bytes", "wrong length", append(bytes.Clone(good), 0)},
		{"buffer length", "must be below 64", edit(func(b []byte) []byte { b[stateFixedLen-1] = 64; return b })},
		{"counter", "bit counter", edit(func(b []byte) []byte { b[stateHeaderLen+64] |= 1; return b })},
	}
	for _, c := range cases {
		h := New256()
		h.Write([]byte("abc"))
		before := h.Sum(nil)
		err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(c.state)
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.wantErr)
		}
		if after := h.Sum(nil); !bytes.Equal(before, after) {
			t.Errorf("%s: failed UnmarshalBinary changed the state", c.name)
		}
	}
}
