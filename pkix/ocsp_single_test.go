package pkix

import (
	"crypto/rand"
	"errors"
	"reflect"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// firstSingleCases are signed responses whose first SingleResponse is
// each status, with either responder ID, with and without certificates
// and extensions after it.
func firstSingleCases(t testing.TB) [][]byte {
	t.Helper()
	key, iss, spki := ocspIssuer(t, "tc26-256-A")
	keyHash, err := ResponderKeyHash(spki)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	all := ocspTemplate(t, iss).Responses
	for i := range all {
		tmpl := ocspTemplate(t, iss)
		tmpl.Responses = append(tmpl.Responses[i:], tmpl.Responses[:i]...)
		one := *tmpl
		one.Responses, one.Nonce = one.Responses[:1], nil
		der, err := CreateOCSPResponse(rand.Reader, key, &one)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, der)
		// All four, a nonce, a certificate, and a byName responder ID
		// put in place of the byKey one (the builder writes byKey only).
		tmpl.ResponderKeyHash = keyHash
		tbs, err := BuildOCSPResponseData(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		body := cryptobyte.String(tbs)
		var inner cryptobyte.String
		if !body.ReadASN1(&inner, cbasn1.SEQUENCE) || !inner.SkipASN1(tagOCSPByKey) {
			t.Fatal("cannot take the built ResponseData apart")
		}
		tbs = crlTLV(cbasn1.SEQUENCE, crlTLV(tagOCSPByName, crlIssuer(t)), inner)
		der, err = AssembleOCSPResponse(tbs, GOST256, make([]byte, 64), [][]byte{{0x30, 0x03, 0x02, 0x01, 0x01}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, der)
	}
	return out
}

// TestFirstSingleResponse: it reads what ParseOCSPResponse reads as the
// first response, for every status and responder ID, without allocating.
func TestFirstSingleResponse(t *testing.T) {
	for i, der := range firstSingleCases(t) {
		full, err := ParseOCSPResponse(der)
		if err != nil {
			t.Fatal(err)
		}
		got, err := FirstSingleResponse(der)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, full.Responses[0]) {
			t.Errorf("case %d:\n got %+v\nwant %+v", i, got, full.Responses[0])
		}
		if n := testing.AllocsPerRun(20, func() { _, _ = FirstSingleResponse(der) }); n != 0 {
			t.Errorf("case %d: %v allocations", i, n)
		}
	}
	// The statuses the cases start with, so each was read at least once.
	seen := map[OCSPStatus]bool{}
	for _, der := range firstSingleCases(t) {
		sr, _ := FirstSingleResponse(der)
		seen[sr.Status] = true
	}
	if len(seen) != 3 {
		t.Errorf("statuses read: %v", seen)
	}
}

func TestFirstSingleResponseBad(t *testing.T) {
	good := firstSingleCases(t)[0]
	errResp, err := OCSPErrorResponse(OCSPTryLater)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		der  []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"unsuccessful", errResp, ErrMalformed},
		{"status only, successful", []byte{0x30, 0x03, 0x0A, 0x01, 0x00}, ErrMalformed},
		{"other response type", crlTLV(cbasn1.SEQUENCE, []byte{0x0A, 0x01, 0x00}, crlTLV(tagOCSPResponseBytes,
			crlTLV(cbasn1.SEQUENCE, appendOID(nil, OIDOCSPNonce), crlTLV(cbasn1.OCTET_STRING, []byte{0x30, 0x00})))), ErrUnsupported},
		{"truncated", good[:len(good)-1], ErrMalformed},
		{"trailing byte", append(append([]byte(nil), good...), 0), ErrTrailingData},
		{"too large", make([]byte, MaxOCSPResponseSize+1), ErrTooLarge},
	} {
		if _, err := FirstSingleResponse(tc.der); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

// FuzzFirstSingleResponse: it never panics, and on every response
// ParseOCSPResponse accepts as successful it reads the same first
// response.
func FuzzFirstSingleResponse(f *testing.F) {
	for _, der := range firstSingleCases(f) {
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		got, err := FirstSingleResponse(der)
		full, ferr := ParseOCSPResponse(der)
		if ferr != nil || full.Status != OCSPSuccessful {
			return
		}
		if err != nil {
			t.Fatalf("ParseOCSPResponse accepts it, FirstSingleResponse says %v", err)
		}
		if !reflect.DeepEqual(got, full.Responses[0]) {
			t.Fatalf("got %+v\nwant %+v", got, full.Responses[0])
		}
	})
}
