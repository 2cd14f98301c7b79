package streebog

import (
	"bytes"
	"encoding/hex"
	"hash"
	"slices"
	"testing"
)

// knownVectors are the "streebog" entries of the project's gost-vectors.json,
// digests in OpenSSL's byte order.
var knownVectors = []struct {
	name, msg, sum256, sum512 string
}{
	{
		name:   "RFC 6986 M1",
		msg:    "303132333435363738393031323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839303132",
		sum256: "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500",
		sum512: "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48",
	},
	{
		name:   "RFC 6986 M2",
		msg:    "d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb",
		sum256: "9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50",
		sum512: "1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28",
	},
	{
		// Sigma overflows a 64-bit word here; catches a missing carry.
		name:   "carry propagation",
		msg:    "d0cf11e0a1b11ae1000000000000000000000000000000003e000300feff0900060000000000000000000000010000000100000000000000001000002400000001000000feffffff0000000000000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		sum256: "c766085540caaa8953bfcf7a1ba220619cee50d65dc242f82f23ba4b180b18e0",
		sum512: "3d46a117a91ac9220f6dee4d1db83f0d018f799b58ca118648f7d6e4f82e37e951459776e866d4e31467afc843ce88e8d6db62e3fb93cb9fcd60703de7492828",
	},
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex literal %q: %v", s, err)
	}
	return b
}

func TestKnownVectors(t *testing.T) {
	for _, v := range knownVectors {
		t.Run(v.name, func(t *testing.T) {
			msg := mustHex(t, v.msg)
			if got := Sum256(msg); hex.EncodeToString(got[:]) != v.sum256 {
				t.Errorf("Sum256 = %x, want %s", got, v.sum256)
			}
			if got := Sum512(msg); hex.EncodeToString(got[:]) != v.sum512 {
				t.Errorf("Sum512 = %x, want %s", got, v.sum512)
			}
			for _, c := range []struct {
				name string
				h    hash.Hash
				want string
			}{
				{"New256", New256(), v.sum256},
				{"New512", New512(), v.sum512},
			} {
				c.h.Write(msg)
				if got := hex.EncodeToString(c.h.Sum(nil)); got != c.want {
					t.Errorf("%s = %s, want %s", c.name, got, c.want)
				}
			}
		})
	}
}

// RFC 6986 §10 prints messages and digests as big numbers, most significant
// byte first: the byte-reverse of what OpenSSL prints and this package
// returns.
func TestRFC6986PrintedOrder(t *testing.T) {
	const (
		rfcM1   = "323130393837363534333231303938373635343332313039383736353433323130393837363534333231303938373635343332313039383736353433323130"
		rfcH256 = "00557be5e584fd52a449b16b0251d05d27f94ab76cbaa6da890b59d8ef1e159d"
		rfcH512 = "486f64c1917879417fef082b3381a4e211c324f074654c38823a7b76f830ad00fa1fbae42b1285c0352f227524bc9ab16254288dd6863dccd5b9f54a1ad0541b"
	)
	msg := mustHex(t, rfcM1)
	slices.Reverse(msg)
	if !bytes.Equal(msg, mustHex(t, knownVectors[0].msg)) {
		t.Fatalf("reversed RFC M1 %q is not the ASCII message", msg)
	}
	got256 := Sum256(msg)
	slices.Reverse(got256[:])
	if !bytes.Equal(got256[:], mustHex(t, rfcH256)) {
		t.Errorf("reversed Sum256(M1) = %x, RFC prints %s", got256, rfcH256)
	}
	got512 := Sum512(msg)
	slices.Reverse(got512[:])
	if !bytes.Equal(got512[:], mustHex(t, rfcH512)) {
		t.Errorf("reversed Sum512(M1) = %x, RFC prints %s", got512, rfcH512)
	}
}
