package pkix

import (
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// getReference is the GET decoding as it was written before the one-pass
// decoder: url.PathUnescape, spaces back to '+', padding dropped, base64.
func getReference(path string) (*OCSPRequest, error) {
	p, err := url.PathUnescape(path)
	if err != nil {
		return nil, ErrMalformed
	}
	p = strings.ReplaceAll(p, " ", "+")
	enc := base64.RawStdEncoding
	if strings.ContainsAny(p, "-_") {
		enc = base64.RawURLEncoding
	}
	der, err := enc.DecodeString(strings.TrimRight(p, "="))
	if err != nil {
		return nil, ErrMalformed
	}
	return ParseOCSPRequest(der)
}

// TestParseOCSPRequestGETMatchesReference: the one-pass decoder accepts
// exactly what url.PathUnescape and base64 accept, with the same request,
// over real requests spelled every way and random mutations of them
// (bad escapes, stray '%', '=', spaces, newlines, both alphabets mixed),
// from a string and from bytes.
func TestParseOCSPRequestGETMatchesReference(t *testing.T) {
	_, iss, _ := ocspIssuer(t, "tc26-256-A")
	der := ocspBuildRequest(t, ocspReq{ids: []CertID{ocspCertID(t, iss, OCSPHashSHA1, "7a1b2c3d4e5f60718293")}, nonce: ocspNonceValue})
	std := base64.StdEncoding.EncodeToString(der)
	seeds := []string{std, url.PathEscape(std), strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(std),
		strings.ReplaceAll(std, "+", " "), base64.URLEncoding.EncodeToString(der), base64.RawStdEncoding.EncodeToString(der),
		strings.NewReplacer("+", "%2b", "/", "%2f").Replace(std)}
	rng := rand.New(rand.NewPCG(1, 2))
	junk := []string{"%", "%2", "%zz", "%2B", "%20", "%0A", "=", " ", "\n", "\r", "-", "_", "+", "/", "A", "%3d", "%%", "*"}
	var cases []string
	for range 4000 {
		s := seeds[rng.IntN(len(seeds))]
		for range 1 + rng.IntN(3) {
			switch i := rng.IntN(len(s) + 1); rng.IntN(3) {
			case 0: // insert
				s = s[:i] + junk[rng.IntN(len(junk))] + s[i:]
			case 1: // delete
				if i < len(s) {
					s = s[:i] + s[i+1:]
				}
			default: // cut
				s = s[:i]
			}
		}
		cases = append(cases, s)
	}
	cases = append(cases, seeds...)
	cases = append(cases, strings.Repeat("QUFB", 300)) // longer than the stack buffer
	accepted := 0
	for _, path := range cases {
		want, werr := getReference(path)
		for _, got := range []struct {
			req *OCSPRequest
			err error
		}{func() (r struct {
			req *OCSPRequest
			err error
		}) {
			r.req, r.err = ParseOCSPRequestGET(path)
			return
		}(), func() (r struct {
			req *OCSPRequest
			err error
		}) {
			r.req, r.err = ParseOCSPRequestGETBytes([]byte(path))
			return
		}()} {
			if (werr == nil) != (got.err == nil) {
				t.Fatalf("%q: reference error %v, one-pass error %v", path, werr, got.err)
			}
			if werr != nil {
				if errors.Is(werr, ErrMalformed) && !errors.Is(got.err, ErrMalformed) {
					t.Fatalf("%q: %v, want malformed", path, got.err)
				}
				continue
			}
			if !reflect.DeepEqual(got.req.CertIDs, want.CertIDs) || string(got.req.Nonce) != string(want.Nonce) || string(got.req.Raw) != string(want.Raw) {
				t.Fatalf("%q: a different request", path)
			}
		}
		if werr == nil {
			accepted++
		}
	}
	if accepted < len(seeds) {
		t.Fatalf("only %d of %d paths accepted", accepted, len(cases))
	}
}

// TestParseOCSPRequestGETBytesAliasesNothing: the request parsed from a
// URI buffer does not change when the buffer is reused.
func TestParseOCSPRequestGETBytesAliasesNothing(t *testing.T) {
	_, iss, _ := ocspIssuer(t, "tc26-256-A")
	der := ocspBuildRequest(t, ocspReq{ids: []CertID{ocspCertID(t, iss, OCSPHashSHA1, "01")}})
	buf := []byte(base64.StdEncoding.EncodeToString(der))
	req, err := ParseOCSPRequestGETBytes(buf)
	if err != nil {
		t.Fatal(err)
	}
	before := string(req.Raw)
	for i := range buf {
		buf[i] = 'A'
	}
	if string(req.Raw) != before || string(req.Raw) != string(der) {
		t.Fatal("the request aliases the path")
	}
}
