package pkix

import (
	"bytes"
	"crypto/rand"
	"math/big"
	"reflect"
	"testing"
)

// FuzzParseCRL: ParseCRL never panics, what it accepts keeps its bounds,
// and whatever it accepts that fits a template rebuilds through the
// streaming builder into a CRL that parses back to the same content.
func FuzzParseCRL(f *testing.F) {
	key := crlKey(f, "tc26-256-A")
	full := crlTemplate(f)
	full.FreshestCRL = []string{"http://crl.example.ru/delta.crl"}
	full.IssuingDistributionPoint = &IssuingDistributionPoint{URIs: []string{"http://crl.example.ru/p1.crl"}, OnlyCA: true,
		OnlySomeReasons: ReasonFlagCertificateHold}
	delta := crlTemplate(f)
	delta.DeltaOf = big.NewInt(40)
	for _, c := range []struct {
		tmpl    *CRLTemplate
		entries []RevokedEntry
	}{
		{full, crlEntries()},
		{crlTemplate(f), nil},
		{delta, []RevokedEntry{{Serial: []byte{9}, RevokedAt: crlNow, Reason: ReasonRemoveFromCRL}}},
	} {
		der, err := CreateCRL(rand.Reader, key, c.tmpl, c.entries)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Add(crlDefaultParts(f).der())
	f.Add([]byte{0x30, 0x03, 0x30, 0x01, 0x00})

	sig := crlDummySigner(64)
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := ParseCRL(der)
		if err != nil {
			return
		}
		_ = c.CheckSignatureFrom(key.Public())
		for _, e := range c.Entries {
			if len(e.Serial) == 0 || len(e.Serial) > 20 || e.Serial[0] == 0 || !e.Reason.Valid() {
				t.Fatalf("entry out of bounds: %+v", e)
			}
		}
		if c.Number == nil || c.NextUpdate.IsZero() {
			return
		}
		tmpl := &CRLTemplate{
			Issuer: c.Issuer, AuthorityKeyID: c.AuthorityKeyID, Number: c.Number, DeltaOf: c.DeltaOf,
			ThisUpdate: c.ThisUpdate, NextUpdate: c.NextUpdate, FreshestCRL: c.FreshestCRL,
			IssuingDistributionPoint: c.IssuingDistributionPoint, SignatureAlgorithm: GOST256,
		}
		var buf bytes.Buffer
		cb := &CRLBuilder{Template: tmpl, Entries: crlSliceEntries(c.Entries), SignDigest: sig}
		if _, err := cb.WriteTo(&buf); err != nil {
			return // not something this CA would issue
		}
		c2, err := ParseCRL(buf.Bytes())
		if err != nil {
			t.Fatalf("rebuilt CRL does not parse: %v", err)
		}
		if !bytes.Equal(c2.Issuer, c.Issuer) || c2.Number.Cmp(c.Number) != 0 ||
			!c2.ThisUpdate.Equal(c.ThisUpdate) || !c2.NextUpdate.Equal(c.NextUpdate) ||
			!reflect.DeepEqual(c2.IssuingDistributionPoint, c.IssuingDistributionPoint) ||
			!reflect.DeepEqual(c2.FreshestCRL, c.FreshestCRL) || len(c2.Entries) != len(c.Entries) {
			t.Fatalf("rebuilt CRL differs:\n%+v\n%+v", c, c2)
		}
		for i := range c.Entries {
			a, b := c.Entries[i], c2.Entries[i]
			if !bytes.Equal(a.Serial, b.Serial) || !a.RevokedAt.Equal(b.RevokedAt) || a.Reason != b.Reason ||
				!a.InvalidityDate.Equal(b.InvalidityDate) {
				t.Fatalf("entry %d differs: %+v vs %+v", i, a, b)
			}
		}
	})
}
