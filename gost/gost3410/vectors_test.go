package gost3410

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"testing"
)

// sigVector is one signature example of GOST R 34.10-2012 Appendix A
// (RFC 7091 §7), as integers in hex.
type sigVector struct {
	Source  string `json:"source"`
	Curve   string `json:"curve"`
	D       string `json:"d"`
	E       string `json:"e"`
	K       string `json:"k"`
	R       string `json:"r"`
	S       string `json:"s"`
	PublicX string `json:"public_x"`
	PublicY string `json:"public_y"`
}

func loadSigVectors(t *testing.T) []sigVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Signatures []sigVector `json:"signatures"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Signatures) != 2 {
		t.Fatalf("want the 2 signature examples, got %d", len(v.Signatures))
	}
	return v.Signatures
}

func hexInt(t *testing.T, s string) *big.Int {
	t.Helper()
	v, ok := new(big.Int).SetString(s, 0)
	if !ok {
		t.Fatalf("bad hex %q", s)
	}
	return v
}

// le encodes v as n little-endian bytes.
func le(v *big.Int, n int) []byte {
	b := v.FillBytes(make([]byte, n))
	for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

func TestStandardSignatureExamples(t *testing.T) {
	for _, v := range loadSigVectors(t) {
		t.Run(v.Curve, func(t *testing.T) {
			c, ok := CurveByName(v.Curve)
			if !ok {
				t.Fatalf("no curve %s", v.Curve)
			}
			key, err := NewPrivateKey(c, le(hexInt(t, v.D), c.Size))
			if err != nil {
				t.Fatal(err)
			}
			wantPub := append(le(hexInt(t, v.PublicX), c.Size), le(hexInt(t, v.PublicY), c.Size)...)
			if got := key.PublicKey().Bytes(); !bytes.Equal(got, wantPub) {
				t.Fatalf("public key\n got %x\nwant %x", got, wantPub)
			}
			digest := le(hexInt(t, v.E), c.Size)
			var nonce limbs
			c.fq.setBytesLE(&nonce, le(hexInt(t, v.K), c.Size))
			sig, err := key.signWithNonce(digest, &nonce)
			if err != nil {
				t.Fatal(err)
			}
			wantS := hexInt(t, v.S).FillBytes(make([]byte, c.Size))
			wantR := hexInt(t, v.R).FillBytes(make([]byte, c.Size))
			if !bytes.Equal(sig[:c.Size], wantS) || !bytes.Equal(sig[c.Size:], wantR) {
				t.Fatalf("signature\n got s=%x r=%x\nwant s=%x r=%x", sig[:c.Size], sig[c.Size:], wantS, wantR)
			}
			if !Verify(key.PublicKey(), digest, sig) {
				t.Fatal("standard signature does not verify")
			}
			pub, err := NewPublicKey(c, wantPub)
			if err != nil {
				t.Fatal(err)
			}
			if !Verify(pub, digest, append(wantS, wantR...)) {
				t.Fatal("standard signature does not verify with the parsed public key")
			}
		})
	}
}
