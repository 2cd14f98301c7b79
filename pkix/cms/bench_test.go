package cms

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkVerify measures one CAdES-BES verification as a renewal makes
// it: parse (DER, or BER with every length indefinite), find and parse
// the signer certificate, digest the detached document (100 bytes, or
// 64 KiB as a rendered renewal form is), check signingCertificateV2 and
// the signature.
func BenchmarkVerify(b *testing.B) {
	for _, c := range []struct{ name, curve string }{{"256-A", "tc26-256-A"}, {"256-B", "tc26-256-B"}, {"512-A", "tc26-512-A"}} {
		s := newTestSigner(b, c.curve, "Bench")
		for _, size := range []int{100, 64 << 10} {
			content := bytes.Repeat([]byte("x"), size)
			d := s.build(b, buildOpts{content: content, detached: true})
			for _, enc := range []struct {
				name string
				data []byte
			}{{"DER", d}, {"BER", berOf(b, d, 1000)}} {
				b.Run(fmt.Sprintf("%s/%dB/%s", c.name, size, enc.name), func(b *testing.B) {
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
}
