package pkix

import (
	"bytes"
	"testing"
	"time"
)

// growRecorder is a writer with Grow, as bytes.Buffer.
type growRecorder struct {
	bytes.Buffer
	grows []int
}

func (g *growRecorder) Grow(n int) { g.grows = append(g.grows, n); g.Buffer.Grow(n) }

// The builder tells a growable writer the CRL's exact size once, before
// the first byte, for GOST (size known before signing) and ECDSA (known
// after the signing pass) alike.
func TestCRLBuilderGrowsOnce(t *testing.T) {
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	for _, alg := range []struct {
		alg    SignatureAlgorithm
		sigLen int
	}{{GOST256, 64}, {GOST512, 128}} {
		tmpl := crlTemplate(t)
		tmpl.ThisUpdate, tmpl.NextUpdate = now, now.Add(24*time.Hour)
		tmpl.SignatureAlgorithm = alg.alg
		cb := &CRLBuilder{Template: tmpl, Entries: crlGenEntries(1000, now), SignDigest: crlDummySigner(alg.sigLen)}
		var w growRecorder
		n, err := cb.WriteTo(&w)
		if err != nil {
			t.Fatal(err)
		}
		if len(w.grows) != 1 || w.grows[0] != w.Len() || int64(w.Len()) != n {
			t.Fatalf("%s: Grow calls %v for a CRL of %d bytes (%d reported)", alg.alg, w.grows, w.Len(), n)
		}
		if cap(w.Bytes()) > w.Len()+8192 { // large allocations round up to 8 KiB pages
			t.Errorf("%s: buffer capacity %d for %d bytes", alg.alg, cap(w.Bytes()), w.Len())
		}
	}
}
