package cms

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"testing"
)

func pemEncode(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func base64Lines(der []byte) string {
	s := base64.StdEncoding.EncodeToString(der)
	var b bytes.Buffer
	for len(s) > 64 {
		b.WriteString(s[:64] + "\r\n")
		s = s[64:]
	}
	b.WriteString(s)
	return b.String()
}

// FuzzParse feeds Parse and Verify arbitrary input, seeded with CAdES-BES
// signatures in DER and BER, attached and detached. Neither may panic;
// whatever parses must verify or fail with an error, and a canonical
// form must be a fixed point of the BER reader.
func FuzzParse(f *testing.F) {
	s := newTestSigner(f, "tc26-256-A", "Fuzz")
	for _, detached := range []bool{false, true} {
		d := s.build(f, buildOpts{content: []byte("fuzz"), detached: detached})
		f.Add(d)
		f.Add(berOf(f, d, 5))
	}
	f.Add([]byte{0x30, 0x80, 0x24, 0x80, 0x04, 0x01, 'a', 0x00, 0x00, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		if canon, err := toDER(data); err == nil {
			again, err := toDER(canon)
			if err != nil || !bytes.Equal(again, canon) {
				t.Fatalf("canonical form not stable: %v", err)
			}
		}
		sd, err := Parse(data)
		if err != nil {
			return
		}
		_, _ = sd.Verify(VerifyOptions{Content: []byte("fuzz")})
		_, _ = sd.Verify(VerifyOptions{})
	})
}
