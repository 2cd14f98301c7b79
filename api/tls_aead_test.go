package api_test

import (
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// The TLS listener offers TLS 1.2 only with ECDHE and AEAD ciphers: a Go
// client offering only CBC suites (or only TLS 1.1) gets no connection;
// GCM and ChaCha20-Poly1305 on TLS 1.2, and TLS 1.3, do.
func TestTLSOnlyAEADSuites(t *testing.T) {
	addr, roots := startTLSServer(t)
	dial := func(c *tls.Config) (*tls.ConnectionState, error) {
		c.RootCAs = roots
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, c)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		st := conn.ConnectionState()
		return &st, nil
	}
	cbc := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
		tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA}
	if st, err := dial(&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: cbc}); err == nil {
		t.Fatalf("a CBC-only client connected with %s", tls.CipherSuiteName(st.CipherSuite))
	}
	if st, err := dial(&tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}); err == nil {
		t.Fatalf("a TLS 1.1 client connected (version %x)", st.Version)
	}
	for _, s := range []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256} {
		st, err := dial(&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{s}})
		if err != nil || st.CipherSuite != s {
			t.Fatalf("TLS 1.2 %s: %v", tls.CipherSuiteName(s), err)
		}
	}
	if st, err := dial(&tls.Config{MinVersion: tls.VersionTLS13}); err != nil || st.Version != tls.VersionTLS13 {
		t.Fatalf("TLS 1.3: %v", err)
	}
}
