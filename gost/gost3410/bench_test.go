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
			for b.Loop() {
				if _, err := NewPublicKey(c, raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
