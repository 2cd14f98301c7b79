package gost3410

import (
	"crypto/rand"
	"testing"
)

func BenchmarkSign(b *testing.B) {
	for _, c := range curves {
		if c.Test {
			continue
		}
		b.Run(c.Name, func(b *testing.B) {
			k, _ := GenerateKey(c, rand.Reader)
			digest := make([]byte, c.Size)
			rand.Read(digest)
			b.ReportAllocs()
			defer cpuMetric(b)()
			for b.Loop() {
				if _, err := k.Sign(rand.Reader, digest, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, c := range curves {
		if c.Test {
			continue
		}
		b.Run(c.Name, func(b *testing.B) {
			k, _ := GenerateKey(c, rand.Reader)
			digest := make([]byte, c.Size)
			rand.Read(digest)
			sig, _ := k.Sign(rand.Reader, digest, nil)
			pub := k.PublicKey()
			b.ReportAllocs()
			defer cpuMetric(b)()
			for b.Loop() {
				if !Verify(pub, digest, sig) {
					b.Fatal("verify failed")
				}
			}
		})
	}
}

// BenchmarkVerifyVarBase is Verify without the fixed-key tables: the
// cost of verifying a request's signature with a key seen once.
func BenchmarkVerifyVarBase(b *testing.B) {
	for _, c := range curves {
		if c.Test {
			continue
		}
		b.Run(c.Name, func(b *testing.B) {
			k, _ := GenerateKey(c, rand.Reader)
			digest := make([]byte, c.Size)
			rand.Read(digest)
			sig, _ := k.Sign(rand.Reader, digest, nil)
			pub := k.PublicKey()
			b.ReportAllocs()
			defer cpuMetric(b)()
			for b.Loop() {
				if !verify(pub, digest, sig, false) {
					b.Fatal("verify failed")
				}
			}
		})
	}
}

func BenchmarkNewPublicKey(b *testing.B) {
	for _, name := range []string{"tc26-256-A", "tc26-256-B"} {
		c, _ := CurveByName(name)
		b.Run(name, func(b *testing.B) {
			k, _ := GenerateKey(c, rand.Reader)
			raw := k.PublicKey().Bytes()
			b.ReportAllocs()
			defer cpuMetric(b)()
			for b.Loop() {
				if _, err := NewPublicKey(c, raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifySeenOnce is Verify as a CA meets a request's key: each
// call has another key (1,024 of them, more than the fixed-key counter
// remembers, in turn), so it pays the counter's bookkeeping and the
// variable-base multiplication, and never gets a table.
func BenchmarkVerifySeenOnce(b *testing.B) {
	for _, c := range curves {
		if c.Test {
			continue
		}
		b.Run(c.Name, func(b *testing.B) {
			const keys = 1024
			pubs := make([]*PublicKey, keys)
			sigs := make([][]byte, keys)
			digest := make([]byte, c.Size)
			rand.Read(digest)
			for i := range pubs {
				k, _ := GenerateKey(c, rand.Reader)
				pubs[i] = k.PublicKey()
				sigs[i], _ = k.Sign(rand.Reader, digest, nil)
			}
			b.ReportAllocs()
			defer cpuMetric(b)()
			i := 0
			for b.Loop() {
				if !Verify(pubs[i%keys], digest, sigs[i%keys]) {
					b.Fatal("verify failed")
				}
				i++
			}
		})
	}
}
