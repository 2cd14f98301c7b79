package pkix

import (
	"iter"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// crlGenEntries yields n entries with random 16-byte serials and a mix of
// reasons, the same sequence on every run, without allocating: what a
// store cursor over a million revocations looks like to the builder.
func crlGenEntries(n int, now time.Time) iter.Seq2[RevokedEntry, error] {
	return func(yield func(RevokedEntry, error) bool) {
		rng := rand.NewPCG(1, 2)
		var serial [16]byte
		for i := range n {
			for j := 0; j < 16; j += 8 {
				v := rng.Uint64()
				for k := range 8 {
					serial[j+k] = byte(v >> (8 * k))
				}
			}
			serial[0] &= 0x7F // positive, as a CA's 127-bit random serials
			serial[0] |= 0x01
			e := RevokedEntry{Serial: serial[:], RevokedAt: now.Add(-time.Duration(i) * time.Second)}
			switch i % 8 {
			case 1, 2:
				e.Reason = ReasonKeyCompromise
				e.InvalidityDate = e.RevokedAt.Add(-time.Hour)
			case 3:
				e.Reason = ReasonCertificateHold
			case 4:
				e.Reason = ReasonSuperseded
			case 5:
				e.Reason = ReasonCessationOfOperation
			case 6:
				e.Reason = ReasonAffiliationChanged
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

// crlDummySigner returns a fixed signature of the right size: the
// benchmark measures the engine, not the key.
func crlDummySigner(n int) SignDigestFunc {
	sig := make([]byte, n)
	return func([]byte) ([]byte, error) { return sig, nil }
}

// crlCounter counts bytes written.
type crlCounter int64

func (c *crlCounter) Write(p []byte) (int, error) {
	*c += crlCounter(len(p))
	return len(p), nil
}

// BenchmarkCRL1M builds a 1,000,000-entry GOST 256 CRL into a discarding
// writer: size pass, encoding and Streebog over the whole TBSCertList; the
// signature is a fixed dummy. Reports the CRL size and the peak live heap
// growth during the build (sampled when the digest is signed, i.e. after
// the whole TBSCertList went through), to compare with the CRL size.
func BenchmarkCRL1M(b *testing.B) {
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	tmpl := crlTemplate(b)
	tmpl.ThisUpdate, tmpl.NextUpdate = now, now.Add(24*time.Hour)
	tmpl.SignatureAlgorithm = GOST256
	entries := crlGenEntries(1_000_000, now)
	var size crlCounter
	var before, at runtime.MemStats
	var peak uint64
	sign := crlDummySigner(64)
	cb := &CRLBuilder{Template: tmpl, Entries: entries, SignDigest: func(d []byte) ([]byte, error) {
		runtime.ReadMemStats(&at)
		if at.HeapInuse > before.HeapInuse && at.HeapInuse-before.HeapInuse > peak {
			peak = at.HeapInuse - before.HeapInuse
		}
		return sign(d)
	}}
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	for b.Loop() {
		size = 0
		if _, err := cb.WriteTo(&size); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size), "crl-bytes")
	b.ReportMetric(float64(peak), "peak-heap-bytes")
}

// TestCRLBuilderMemory defends the streaming property: building a
// 100,000-entry CRL (about 5 MB) allocates a small constant, not the CRL.
func TestCRLBuilderMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	tmpl := crlTemplate(t)
	tmpl.ThisUpdate, tmpl.NextUpdate = now, now.Add(24*time.Hour)
	tmpl.SignatureAlgorithm = GOST256
	var size crlCounter
	cb := &CRLBuilder{Template: tmpl, Entries: crlGenEntries(100_000, now), SignDigest: crlDummySigner(64)}
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	if _, err := cb.WriteTo(&size); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&m1)
	alloc := m1.TotalAlloc - m0.TotalAlloc
	t.Logf("CRL %d bytes, allocated %d bytes", size, alloc)
	if size < 4<<20 || alloc > 1<<20 {
		t.Errorf("CRL %d bytes allocated %d bytes; want a small constant", size, alloc)
	}
}
