package pkix

import (
	"bytes"
	"crypto/rand"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// assembleReference is AssembleOCSPResponse's envelope as it was built
// with cryptobyte before the direct writer.
func assembleReference(t *testing.T, tbs []byte, alg SignatureAlgorithm, sig []byte, certs [][]byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(int64(OCSPSuccessful))
		b.AddASN1(tagOCSPResponseBytes, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(OIDOCSPBasic)
				b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddBytes(tbs)
						addAlgorithmIdentifier(b, alg)
						b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
							b.AddUint8(0)
							b.AddBytes(sig)
						})
						if len(certs) > 0 {
							b.AddASN1(tagOCSPCerts, func(b *cryptobyte.Builder) {
								b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
									for _, c := range certs {
										b.AddBytes(c)
									}
								})
							})
						}
					})
				})
			})
		})
	})
	out, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAssembleOCSPResponseMatchesBuilder: the direct writer produces the
// bytes the cryptobyte builder did, for every signature algorithm, with
// no, one and two certificates, and ResponseData and certificate sizes
// around every DER length-of-length step.
func TestAssembleOCSPResponseMatchesBuilder(t *testing.T) {
	seq := func(n int) []byte {
		c := make([]byte, n)
		_, _ = rand.Read(c)
		return append(appendHeader(nil, cbasn1.SEQUENCE, n), c...)
	}
	ecSig := append(appendHeader(nil, cbasn1.SEQUENCE, 6), 0x02, 0x01, 0x01, 0x02, 0x01, 0x02)
	sigs := map[SignatureAlgorithm][]byte{GOST256: make([]byte, 64), GOST512: make([]byte, 128), ECDSAWithSHA256: ecSig, ECDSAWithSHA384: ecSig}
	n := 0
	for alg, sig := range sigs {
		if alg == GOST256 || alg == GOST512 {
			_, _ = rand.Read(sig)
		}
		for _, tbsLen := range []int{0, 1, 60, 120, 200, 255, 300, 65000, 70000} {
			for _, certLens := range [][]int{nil, {700}, {100, 65600}} {
				tbs := seq(tbsLen)
				var certs [][]byte
				for _, l := range certLens {
					certs = append(certs, seq(l))
				}
				got, err := AssembleOCSPResponse(tbs, alg, sig, certs)
				if err != nil {
					t.Fatalf("%s tbs %d certs %v: %v", alg, tbsLen, certLens, err)
				}
				if want := assembleReference(t, tbs, alg, sig, certs); !bytes.Equal(got, want) {
					t.Fatalf("%s tbs %d certs %v: bytes differ from the builder's", alg, tbsLen, certLens)
				}
				if len(got) != cap(got) {
					t.Errorf("%s tbs %d certs %v: buffer of %d for %d bytes", alg, tbsLen, certLens, cap(got), len(got))
				}
				n++
			}
		}
	}
	if _, err := AssembleOCSPResponse(seq(10), SignatureAlgorithm(99), make([]byte, 64), nil); err == nil {
		t.Fatal("an unknown algorithm was assembled")
	}
	t.Logf("%d envelopes compared", n)
}
