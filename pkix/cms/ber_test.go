package cms

import (
	"bytes"
	"errors"
	"testing"
)

func TestToDER(t *testing.T) {
	cases := []struct {
		name    string
		in, out []byte
	}{
		{"DER unchanged", []byte{0x30, 0x03, 0x02, 0x01, 0x05}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}},
		{"indefinite SEQUENCE", []byte{0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}},
		{"nested indefinite", []byte{0x30, 0x80, 0xa0, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00}, []byte{0x30, 0x04, 0xa0, 0x02, 0x05, 0x00}},
		{"long-form short length", []byte{0x30, 0x81, 0x03, 0x02, 0x01, 0x05}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}},
		{"leading zero length octet", []byte{0x30, 0x82, 0x00, 0x03, 0x02, 0x01, 0x05}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}},
		{"constructed OCTET STRING", []byte{0x24, 0x80, 0x04, 0x02, 'a', 'b', 0x04, 0x01, 'c', 0x00, 0x00}, []byte{0x04, 0x03, 'a', 'b', 'c'}},
		{"nested constructed OCTET STRING", []byte{0x24, 0x09, 0x04, 0x01, 'a', 0x24, 0x04, 0x04, 0x02, 'b', 'c'}, []byte{0x04, 0x03, 'a', 'b', 'c'}},
		{"empty constructed OCTET STRING", []byte{0x30, 0x80, 0x24, 0x80, 0x00, 0x00, 0x00, 0x00}, []byte{0x30, 0x02, 0x04, 0x00}},
		{"high tag number", []byte{0x30, 0x80, 0x9f, 0x81, 0x00, 0x01, 0x07, 0x00, 0x00}, []byte{0x30, 0x05, 0x9f, 0x81, 0x00, 0x01, 0x07}},
	}
	for _, c := range cases {
		got, err := toDER(c.in)
		if err != nil || !bytes.Equal(got, c.out) {
			t.Errorf("%s: got % x, %v; want % x", c.name, got, err, c.out)
		}
	}
	// Lengths past one octet are written in the shortest long form.
	long := append([]byte{0x30, 0x80, 0x04, 0x82, 0x01, 0x00}, make([]byte, 256)...)
	long = append(long, 0, 0)
	got, err := toDER(long)
	if err != nil || !bytes.Equal(got[:6], []byte{0x30, 0x82, 0x01, 0x04, 0x04, 0x82}) || len(got) != 4+4+256 {
		t.Errorf("long: % x…, %v", got[:min(8, len(got))], err)
	}
}

func TestToDERRefuses(t *testing.T) {
	deep := []byte{}
	for range maxDepth + 2 {
		deep = append(deep, 0x30, 0x80)
	}
	for range maxDepth + 2 {
		deep = append(deep, 0, 0)
	}
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"truncated header", []byte{0x30}, ErrMalformed},
		{"truncated content", []byte{0x30, 0x05, 0x02, 0x01}, ErrMalformed},
		{"truncated long length", []byte{0x30, 0x82, 0x01}, ErrMalformed},
		{"no end-of-contents", []byte{0x30, 0x80, 0x02, 0x01, 0x05}, ErrMalformed},
		{"indefinite primitive", []byte{0x04, 0x80, 0x00, 0x00}, ErrMalformed},
		{"reserved length", []byte{0x30, 0xff}, ErrMalformed},
		{"five length octets", []byte{0x30, 0x85, 0, 0, 0, 0, 1, 0}, ErrMalformed},
		{"stray end-of-contents", []byte{0x30, 0x02, 0x00, 0x00}, ErrMalformed},
		{"constructed BIT STRING", []byte{0x23, 0x80, 0x03, 0x01, 0x00, 0x00, 0x00}, ErrMalformed},
		{"OCTET STRING with a non-octets piece", []byte{0x24, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00}, ErrMalformed},
		{"trailing data", []byte{0x30, 0x00, 0x00}, ErrMalformed},
		{"too deep", deep, ErrMalformed},
		{"tag too long", []byte{0x1f, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00}, ErrMalformed},
	}
	for _, c := range cases {
		if _, err := toDER(c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// Too many elements.
	many := []byte{0x30, 0x80}
	for range maxElements {
		many = append(many, 0x05, 0x00)
	}
	many = append(many, 0, 0)
	if _, err := toDER(many); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too many elements: %v", err)
	}
}

// A signature re-encoded as BER (every length indefinite, every OCTET
// STRING in pieces) parses back to exactly the DER it came from.
func TestBERRoundTrip(t *testing.T) {
	s := newTestSigner(t, "tc26-256-A", "Signer")
	for _, detached := range []bool{false, true} {
		d := s.build(t, buildOpts{content: bytes.Repeat([]byte("x"), 3000), detached: detached})
		for _, chunk := range []int{1, 7, 1000} {
			ber := berOf(t, d, chunk)
			got, err := toDER(ber)
			if err != nil || !bytes.Equal(got, d) {
				t.Fatalf("chunk %d detached=%v: %v", chunk, detached, err)
			}
			opts := VerifyOptions{}
			if detached {
				opts.Content = bytes.Repeat([]byte("x"), 3000)
			}
			if _, err := Verify(ber, opts); err != nil {
				t.Fatalf("chunk %d: %v", chunk, err)
			}
		}
	}
}

func TestParseInputForms(t *testing.T) {
	s := newTestSigner(t, "tc26-256-A", "Signer")
	d := s.build(t, buildOpts{})
	pemForm := pemEncode("CMS", d)
	b64 := []byte(base64Lines(d))
	for name, in := range map[string][]byte{"PEM": pemForm, "base64": b64, "PKCS7 PEM": pemEncode("PKCS7", d)} {
		if _, err := Verify(in, VerifyOptions{}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, in := range map[string][]byte{
		"certificate PEM": pemEncode("CERTIFICATE", d),
		"text":            []byte("hello, world"),
		"too large":       append([]byte{0x30}, make([]byte, MaxSize)...),
	} {
		if _, err := Parse(in); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	if _, err := Parse(append([]byte{0x30}, make([]byte, MaxSize)...)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too large: %v", err)
	}
	// Not a SignedData.
	enveloped := []byte{0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03, 0xa0, 0x00}
	if _, err := Parse(enveloped); !errors.Is(err, ErrNotSignedData) {
		t.Errorf("enveloped data: %v", err)
	}
}
