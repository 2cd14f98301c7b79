package main

import (
	"bytes"
	"testing"
)

// toDER turns BER indefinite lengths into definite ones and joins
// constructed OCTET STRINGs; DER passes through unchanged; broken input
// is an error.
func TestToDER(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"DER unchanged", "\x30\x03\x02\x01\x05", "\x30\x03\x02\x01\x05"},
		{"indefinite SEQUENCE", "\x30\x80\x02\x01\x05\x00\x00", "\x30\x03\x02\x01\x05"},
		{"nested indefinite", "\x30\x80\xa0\x80\x04\x01\x41\x00\x00\x00\x00", "\x30\x05\xa0\x03\x04\x01\x41"},
		{"constructed OCTET STRING", "\x24\x80\x04\x01\x41\x04\x02\x42\x43\x00\x00", "\x04\x03\x41\x42\x43"},
		{"long form length", "\x04\x81\x02\x41\x42", "\x04\x02\x41\x42"},
	} {
		got, err := toDER([]byte(c.in))
		if err != nil || !bytes.Equal(got, []byte(c.want)) {
			t.Errorf("%s: %x %v, want %x", c.name, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "\x30", "\x30\x80\x02\x01\x05", "\x30\x05\x02\x01", "\x04\x80\x00\x00", "\x30\x03\x02\x01\x05\x00"} {
		if _, err := toDER([]byte(bad)); err == nil {
			t.Errorf("%x accepted", bad)
		}
	}
}
