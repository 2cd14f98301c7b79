package gost3410

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gostca/gostca/internal/openssltest"
)

// TestOpenSSLManySignatures runs many signatures each way between OpenSSL
// and us for the sets on the assembly fields (fe256: tc26-256-A/B, fe512:
// tc26-512-A/C, and the Montgomery fields fe255: tc26-256-C, fe256d:
// tc26-256-D, fe511: tc26-512-B), so that the MULX/ADX code meets many random nonces,
// digests and OpenSSL's own nonces: OpenSSL verifies each of ours, and we
// verify each of OpenSSL's both through the key's table and through the
// variable-base path of a key seen once.
func TestOpenSSLManySignatures(t *testing.T) {
	bin := openssltest.Gost(t)
	rounds := 24
	if raceOn {
		rounds = 6
	}
	for _, ps := range []opensslParamSet{
		{"gost2012_256", "TCA", "tc26-256-A"},
		{"gost2012_256", "TCB", "tc26-256-B"},
		{"gost2012_512", "A", "tc26-512-A"},
		{"gost2012_512", "C", "tc26-512-C"},
		{"gost2012_256", "TCC", "tc26-256-C"},
		{"gost2012_256", "TCD", "tc26-256-D"},
		{"gost2012_512", "B", "tc26-512-B"},
	} {
		t.Run(ps.curve, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			keyPEM := filepath.Join(dir, "key.pem")
			bin.Run(t, "genpkey", "-engine", "gost", "-algorithm", ps.algorithm,
				"-pkeyopt", "paramset:"+ps.paramset, "-out", keyPEM)
			keyDER := filepath.Join(dir, "key.der")
			bin.Run(t, "pkey", "-engine", "gost", "-in", keyPEM, "-outform", "DER", "-out", keyDER)
			pubPEM := filepath.Join(dir, "pub.pem")
			bin.Run(t, "pkey", "-engine", "gost", "-in", keyPEM, "-pubout", "-out", pubPEM)
			der, err := os.ReadFile(keyDER)
			if err != nil {
				t.Fatal(err)
			}
			key := parseOpenSSLPrivateKey(t, der)
			c, pub := key.Curve(), key.PublicKey()
			if c.Name != ps.curve {
				t.Fatalf("paramset %s parsed as %s", ps.paramset, c.Name)
			}
			for i := range rounds {
				msg := make([]byte, 200)
				rand.Read(msg)
				msgFile := writeFile(t, filepath.Join(dir, fmt.Sprintf("msg%d", i)), msg)
				digest := bin.Run(t, "dgst", "-engine", "gost", mdFlag(c), "-binary", msgFile)
				sigFile := filepath.Join(dir, fmt.Sprintf("openssl%d.sig", i))
				bin.Run(t, "dgst", "-engine", "gost", mdFlag(c), "-sign", keyPEM, "-out", sigFile, msgFile)
				sig, err := os.ReadFile(sigFile)
				if err != nil {
					t.Fatal(err)
				}
				if !Verify(pub, digest, sig) || !verify(pub, digest, sig, false) {
					t.Fatalf("round %d: OpenSSL's signature does not verify", i)
				}
				if verify(pub, digest, flip(sig, i%len(sig)), false) {
					t.Fatalf("round %d: a tampered signature verifies", i)
				}
				ours, err := key.Sign(rand.Reader, digest, nil)
				if err != nil {
					t.Fatal(err)
				}
				oursFile := writeFile(t, filepath.Join(dir, fmt.Sprintf("ours%d.sig", i)), ours)
				bin.Run(t, "dgst", "-engine", "gost", mdFlag(c), "-verify", pubPEM, "-signature", oursFile, msgFile)
			}
		})
	}
}
