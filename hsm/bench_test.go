package hsm

import (
	"context"
	"testing"
)

// BenchmarkSoftSign: one GOST tc26-256-A signature of a Streebog-256
// digest through the Key interface, per core and in parallel.
func BenchmarkSoftSign(b *testing.B) {
	k, err := GenerateSoftKeyInMemory(mustCurve(b, "tc26-256-A"))
	if err != nil {
		b.Fatal(err)
	}
	d := digestFor(GOST256, []byte("tbs"))
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := k.Sign(ctx, d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := k.Sign(ctx, d); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
