package api

import "encoding/base64"

const (
	certPEMHead = "-----BEGIN CERTIFICATE-----\n"
	certPEMTail = "-----END CERTIFICATE-----\n"
)

// certPEM is pem.EncodeToMemory of a CERTIFICATE block with no headers,
// byte for byte, built in one allocation of the exact size: every
// issuance answer carries one, and pem's growing buffer was the largest
// allocation of the handler.
func certPEM(der []byte) string {
	enc := base64.StdEncoding
	n := enc.EncodedLen(len(der))
	lines := (n + 63) / 64
	buf := make([]byte, 0, len(certPEMHead)+n+lines+len(certPEMTail))
	buf = append(buf, certPEMHead...)
	b64 := buf[len(buf) : len(buf)+n]
	enc.Encode(b64, der)
	// Move the encoding into 64-character lines, from the last line back
	// so that nothing is overwritten before it is moved.
	out := buf[:len(buf)+n+lines]
	for l := lines - 1; l >= 0; l-- {
		from, to := l*64, min(l*64+64, n)
		at := len(certPEMHead) + from + l
		copy(out[at:], b64[from:to])
		out[at+to-from] = '\n'
	}
	return string(append(out, certPEMTail...))
}
