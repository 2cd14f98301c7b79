package api_test

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gostca/gostca/pkix"
)

// TestOCSPGETWithSlashes: base64 of an OCSP request often contains "//",
// which path normalisation would collapse; the GET must still be read as
// sent — escaped (%2F, as OpenSSL sends it) or raw, and in the absolute
// request-URI form a proxy may send.
func TestOCSPGETWithSlashes(t *testing.T) {
	ts := startServer(t, nil)
	nameHash, keyHash := ts.issuerHashes(t)
	var b64 string
	for range 100000 {
		serial := make([]byte, 16)
		rand.Read(serial)
		serial[0] = 0x40 | serial[0]&0x3f
		b64 = base64.StdEncoding.EncodeToString(ocspRequest(t, nameHash, keyHash, serial))
		if strings.Contains(b64, "//") {
			break
		}
	}
	if !strings.Contains(b64, "//") {
		t.Fatal("no request with // in its base64")
	}
	check := func(name string, status int, der []byte) {
		t.Helper()
		r, err := pkix.ParseOCSPResponse(der)
		if status != http.StatusOK || err != nil || r.Status != pkix.OCSPSuccessful || r.Responses[0].Status != pkix.OCSPUnknown {
			t.Fatalf("%s: HTTP %d, %v, %+v", name, status, err, r)
		}
	}
	for name, path := range map[string]string{
		"escaped": "/ocsp/" + url.PathEscape(b64),
		"raw":     "/ocsp/" + b64,
	} {
		resp, der := ts.do(t, "GET", path, "", "", nil)
		check(name, resp.StatusCode, der)
	}
	// Absolute-form request line, written by hand.
	conn, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET http://"+ts.addr+"/ocsp/"+b64+" HTTP/1.1\r\nHost: "+ts.addr+"\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufioReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := io.ReadAll(resp.Body)
	check("absolute", resp.StatusCode, der)
}

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }

// issuerHashes are the SHA-1 CertID hashes (name, key) of the default
// issuing CA.
func (ts *testServer) issuerHashes(t testing.TB) (nameHash, keyHash []byte) {
	t.Helper()
	for _, is := range ts.e.Issuers() {
		if is.Default {
			h := sha1.Sum(is.Cert.RawSubject)
			kh, err := pkix.ResponderKeyHash(is.Cert.PublicKey.Raw)
			if err != nil {
				t.Fatal(err)
			}
			return h[:], kh
		}
	}
	t.Fatal("no default issuer")
	return nil, nil
}

// ocspRequest is an OCSP request for one serial with SHA-1 CertID hashes
// (from issuerHashes) and no nonce, as `openssl ocsp -no_nonce` sends it.
func ocspRequest(t testing.TB, nameHash, keyHash, serial []byte) []byte {
	t.Helper()
	der, err := pkix.MarshalOCSPRequest([]pkix.CertID{{Hash: pkix.OCSPHashSHA1, IssuerNameHash: nameHash,
		IssuerKeyHash: keyHash, Serial: serial}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
