package api

import (
	"encoding/json"
	mrand "math/rand/v2"
	"testing"
)

// appendJSONString writes what json.Marshal writes for any string: the
// fast path's byte table takes exactly the bytes the comparisons it
// replaced took, and random strings over every byte value (newlines,
// HTML characters, controls, invalid UTF-8, PEM-like text) encode the
// same both ways.
func TestAppendJSONStringMatchesMarshal(t *testing.T) {
	for c := 0; c < 256; c++ {
		old := !(c < 0x20 && c != '\n' || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&')
		if jsonPlain[c] != old {
			t.Fatalf("byte %#x: table %v, want %v", c, jsonPlain[c], old)
		}
	}
	r := mrand.New(mrand.NewPCG(3, 5))
	alphabets := []string{"ABCxyz0189+/=\n-", "\n", "ab<>&\"\\\x01\x7f\xff\xd0\x98 ", "\u2028é\n"}
	for n := 0; n < 20000; n++ {
		a := alphabets[r.IntN(len(alphabets))]
		b := make([]byte, r.IntN(80))
		for i := range b {
			if r.IntN(50) == 0 {
				b[i] = byte(r.IntN(256))
			} else {
				b[i] = a[r.IntN(len(a))]
			}
		}
		s := string(b)
		want, _ := json.Marshal(s)
		if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Fatalf("%q: %s, json.Marshal %s", s, got[1:], want)
		}
	}
}
