package streebog

import "testing"

func TestZeroAllocs(t *testing.T) {
	msg := make([]byte, 1024)
	for i := range msg {
		msg[i] = byte(i)
	}
	var sink byte
	if n := testing.AllocsPerRun(100, func() { s := Sum256(msg); sink ^= s[0] }); n != 0 {
		t.Errorf("Sum256 allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { s := Sum512(msg); sink ^= s[0] }); n != 0 {
		t.Errorf("Sum512 allocates %v times", n)
	}
	for _, v := range variants {
		h := v.new()
		out := make([]byte, 0, Size512)
		odd := msg[:1000] // leaves a partial block in the buffer
		n := testing.AllocsPerRun(100, func() {
			h.Reset()
			h.Write(odd[:7])
			h.Write(odd[7:])
			out = h.Sum(out[:0])
		})
		if n != 0 {
			t.Errorf("%s: Reset+Write+Sum allocates %v times", v.name, n)
		}
	}
	_ = sink
}
