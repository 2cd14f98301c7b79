package api

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// appendCertJSON writes what json.Marshal writes, byte for byte, for
// answers with every optional field present or absent, strings that need
// escaping (HTML-safe escapes, U+2028, control characters, invalid
// UTF-8, Cyrillic), times with and without nanoseconds and zones; and
// hands a time json.Marshal refuses back to it.
func TestAppendCertJSONMatchesMarshal(t *testing.T) {
	strs := []string{"", "0a1b2c", "gost256", "qualified-person", "valid", "keyCompromise", "11223344595",
		"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "a<b>&c", "q\"uote\\", "tab\there\r\n",
		"Иванов", "\u2028\u2029", "bad\xffutf8", "\x00\x1f\x7f", "centre-1"}
	times := []time.Time{time.Date(2026, 12, 3, 19, 0, 0, 0, time.UTC), time.Date(2041, 1, 2, 3, 4, 5, 123456789, time.UTC),
		time.Date(2030, 6, 1, 0, 0, 0, 1000, time.FixedZone("MSK", 3*3600)), {}}
	r := rand.New(rand.NewPCG(1, 2))
	s := func() string { return strs[r.IntN(len(strs))] }
	tm := func() time.Time { return times[r.IntN(len(times))] }
	for i := range 5000 {
		c := Certificate{Serial: s(), Issuer: s(), Profile: s(), Status: s(), RevocationReason: s(),
			NotBefore: tm(), NotAfter: tm(), IssuedAt: tm(), KeyHash: s(), ServiceCentre: s(), CertificatePEM: s(),
			Identifiers: Identifiers{SNILS: s(), INN: s(), INNLE: s(), OGRN: s(), OGRNIP: s()}}
		if r.IntN(2) == 0 {
			a, b := tm(), tm()
			c.RevokedAt, c.InvalidityDate = &a, &b
		}
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := appendCertJSON([]byte("x"), &c)
		if !ok || !bytes.Equal(got[1:], want) || got[0] != 'x' {
			t.Fatalf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
	bad := Certificate{NotBefore: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := json.Marshal(bad); err == nil {
		t.Fatal("json.Marshal took year 10000")
	}
	if _, ok := appendCertJSON(nil, &bad); ok {
		t.Error("year 10000 was written")
	}
}
