package streebog

import "testing"

var benchSizes = []struct {
	name string
	n    int
}{{"64B", 64}, {"1KiB", 1 << 10}, {"8KiB", 8 << 10}, {"1MiB", 1 << 20}}

var benchSink byte

func BenchmarkSum256(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			msg := make([]byte, s.n)
			b.SetBytes(int64(s.n))
			b.ReportAllocs()
			for b.Loop() {
				d := Sum256(msg)
				benchSink ^= d[0]
			}
		})
	}
}

func BenchmarkSum512(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			msg := make([]byte, s.n)
			b.SetBytes(int64(s.n))
			b.ReportAllocs()
			for b.Loop() {
				d := Sum512(msg)
				benchSink ^= d[0]
			}
		})
	}
}

// BenchmarkHash256Write measures the streaming path alone: Write of 8 KiB
// into a long-running hash.
func BenchmarkHash256Write(b *testing.B) {
	msg := make([]byte, 8<<10)
	h := New256()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		h.Write(msg)
	}
	benchSink ^= h.Sum(nil)[0]
}

// BenchmarkLPS isolates the transform that dominates: 25 LPS per block.
func BenchmarkLPS(b *testing.B) {
	var x [8]uint64
	for i := range x {
		x[i] = uint64(i) * 0x0123456789abcdef
	}
	for b.Loop() {
		lpsXor(&x, &x, &zero)
	}
	benchSink ^= byte(x[0])
}
