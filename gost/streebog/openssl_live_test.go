package streebog

import (
	"encoding/hex"
	"fmt"
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
		matchOpenSSL(t, openssl, msg, fmt.Sprintf("message %d (%d bytes, seed %d)", i, len(msg), seed))
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
		matchOpenSSL(t, openssl, msg, fmt.Sprintf("%d bytes", len(msg)))
	}
}

// matchOpenSSL fails t when Sum256 or Sum512 of msg differs from the gost
// engine's digest; what names the message in the error.
func matchOpenSSL(t *testing.T, openssl string, msg []byte, what string) {
	t.Helper()
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
			t.Errorf("%s: %s ours %s, OpenSSL %s", what, c.alg, c.got, want)
		}
	}
}
