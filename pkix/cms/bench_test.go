package cms

import (
	"bytes"
	"testing"
)

// BenchmarkVerify measures one CAdES-BES verification as a renewal makes
// it: parse (DER or BER), find and parse the signer certificate, digest
// a 16 KiB detached document, check signingCertificateV2 and the
// signature.
func BenchmarkVerify(b *testing.B) {
	content := bytes.Repeat([]byte("renewal application "), 16<<10/20)
	for _, c := range []struct{ name, curve string }{{"256-A", "tc26-256-A"}, {"256-B", "tc26-256-B"}, {"512-A", "tc26-512-A"}} {
		s := newTestSigner(b, c.curve, "Bench")
		d := s.build(b, buildOpts{content: content, detached: true})
		for _, enc := range []struct {
			name string
			data []byte
		}{{"DER", d}, {"BER", berOf(b, d, 1000)}} {
			b.Run(c.name+"/"+enc.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Verify(enc.data, VerifyOptions{Content: content}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
