package api

import (
	"crypto/rand"
	"encoding/pem"
	"testing"
)

// certPEM writes exactly what encoding/pem writes, for every length
// around the line and base64 block boundaries.
func TestCertPEMMatchesEncodingPEM(t *testing.T) {
	for n := range 400 {
		der := make([]byte, n)
		if _, err := rand.Read(der); err != nil {
			t.Fatal(err)
		}
		want := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
		if got := certPEM(der); got != want {
			t.Fatalf("%d bytes:\n%q\nwant\n%q", n, got, want)
		}
	}
}
