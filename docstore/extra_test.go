package docstore

import (
	"bytes"
	"context"
	"encoding/asn1"
	"errors"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// certsOnlyCMS is a SignedData with no signer (a "certs-only" bag): CMS
// by its syntax, but no signature.
func certsOnlyCMS() []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2})
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(*cryptobyte.Builder) {})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1})
				})
				b.AddASN1(cbasn1.SET, func(*cryptobyte.Builder) {})
			})
		})
	})
	return b.BytesOrPanic()
}

func TestExtraTypes(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	xml := []byte(`<?xml version="1.0" encoding="UTF-8"?><Доверенность ВерсФорм="EMCHD_1"/>`)
	st, err := s.PutExtra(ctx, bytes.NewReader(xml), tenMB, AcceptXML|AcceptCMS)
	if err != nil || st.ContentType != TypeXML {
		t.Fatalf("XML as mchd: %+v %v", st, err)
	}
	// Images and PDF stay accepted with the extras.
	if st, err := s.PutExtra(ctx, bytes.NewReader(pngFile(t, 3, 3)), tenMB, AcceptXML); err != nil || st.ContentType != TypePNG {
		t.Fatalf("PNG with extras: %+v %v", st, err)
	}
	before := names(t, s.Dir())
	cases := []struct {
		name  string
		data  []byte
		extra Extra
		want  error
	}{
		{"XML without the extra", xml, 0, ErrUnsupportedType},
		{"XML, CMS only", xml, AcceptCMS, ErrUnsupportedType},
		{"DOCTYPE", []byte(`<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`), AcceptXML, ErrMalformed},
		{"billion laughs", []byte(`<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;">]><l>&c;</l>`), AcceptXML, ErrMalformed},
		{"malformed XML", []byte(`<r><a></r>`), AcceptXML, ErrMalformed},
		{"CMS without the extra", certsOnlyCMS(), 0, ErrUnsupportedType},
		{"CMS without a signer", certsOnlyCMS(), AcceptCMS, ErrMalformed},
		{"text", []byte("hello"), AcceptXML | AcceptCMS, ErrUnsupportedType},
	}
	for _, c := range cases {
		_, err := s.PutExtra(ctx, bytes.NewReader(c.data), tenMB, c.extra)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if after := names(t, s.Dir()); len(after) != len(before) {
		t.Fatalf("refusals left files: %v -> %v", before, after)
	}
	// Put (no extras) refuses XML naming it.
	_, err = s.Put(ctx, bytes.NewReader(xml), tenMB)
	var te *TypeError
	if !errors.As(err, &te) || te.Found == "" {
		t.Fatalf("Put of XML: %v", err)
	}
}

// FuzzDetectExtra: with the МЧД's extras, untrusted content never panics
// and answers an accepted or extra type or one of the typed errors.
func FuzzDetectExtra(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1251"?><r/>`))
	f.Add([]byte(`<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>`))
	f.Add(certsOnlyCMS())
	f.Add(pngHeader(10, 10))
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, err := DetectExtra(bytes.NewReader(data), int64(len(data)), 1_000_000, AcceptXML|AcceptCMS)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupportedType) &&
				!errors.Is(err, ErrTooManyPixels) && !errors.Is(err, ErrEmpty) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, a := range append(append([]string{}, AcceptedTypes...), ExtraTypes...) {
			if a == typ {
				return
			}
		}
		t.Fatalf("unknown type %q", typ)
	})
}
