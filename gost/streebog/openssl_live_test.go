package streebog

import (
	"encoding/hex"
	"math/rand/v2"
	"testing"
	"time"
)

// TestOpenSSLLive compares random messages with the gost engine directly,
// beyond the fixed lengths of TestOpenSSLTable.
func TestOpenSSLLive(t *testing.T) {
	openssl := requireOpenSSLGost(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	for i := range 20 {
		msg := make([]byte, rng.IntN(5001))
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		s256, s512 := Sum256(msg), Sum512(msg)
		for _, c := range []struct {
			alg, got string
		}{
			{"md_gost12_256", hex.EncodeToString(s256[:])},
			{"md_gost12_512", hex.EncodeToString(s512[:])},
		} {
			want, err := opensslDigest(openssl, c.alg, msg)
			if err != nil {
				t.Fatal(err)
			}
			if c.got != want {
				t.Errorf("message %d (%d bytes, seed %d): %s ours %s, OpenSSL %s", i, len(msg), seed, c.alg, c.got, want)
			}
		}
	}
}

// TestOpenSSLLong compares long messages with the gost engine: 1 MiB plus
// an odd tail of random bytes, and 64 KiB of 0xff bytes, whose blocks make
// Sigma carry out of every word.
func TestOpenSSLLong(t *testing.T) {
	openssl := requireOpenSSLGost(t)
	rng := rand.New(rand.NewPCG(11, 12))
	long := make([]byte, 1<<20+37)
	for j := range long {
		long[j] = byte(rng.Uint32())
	}
	ones := make([]byte, 64<<10)
	for j := range ones {
		ones[j] = 0xff
	}
	for _, msg := range [][]byte{long, ones} {
		s256, s512 := Sum256(msg), Sum512(msg)
		for _, c := range []struct {
			alg, got string
		}{
			{"md_gost12_256", hex.EncodeToString(s256[:])},
			{"md_gost12_512", hex.EncodeToString(s512[:])},
		} {
			want, err := opensslDigest(openssl, c.alg, msg)
			if err != nil {
				t.Fatal(err)
			}
			if c.got != want {
				t.Errorf("%d bytes: %s ours %s, OpenSSL %s", len(msg), c.alg, c.got, want)
			}
		}
	}
}
