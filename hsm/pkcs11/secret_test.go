package pkcs11

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	p11 "github.com/miekg/pkcs11"
)

// On SoftHSM2: an HMAC key imported with a known value gives exactly
// crypto/hmac's HMAC-SHA256 through CKM_SHA256_HMAC (the independent
// oracle), and a generated one is sensitive, not extractable, stable
// across a reopen of the token, and unique by label.
func TestSecretKeySoftHSM(t *testing.T) {
	h := newSoftHSM(t, "gostca-hmac")
	ctx := context.Background()
	tok := h.open(t, nil)

	known := bytes.Repeat([]byte{0x5a}, 32)
	err := tok.do(ctx, nil, func(s *session) error {
		c, ok := tok.mod.api.(*p11.Ctx)
		if !ok {
			t.Fatalf("api is %T", tok.mod.api)
		}
		_, err := c.CreateObject(s.h, []*p11.Attribute{
			p11.NewAttribute(p11.CKA_CLASS, p11.CKO_SECRET_KEY),
			p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_GENERIC_SECRET),
			p11.NewAttribute(p11.CKA_VALUE, known),
			p11.NewAttribute(p11.CKA_LABEL, "known"),
			p11.NewAttribute(p11.CKA_TOKEN, true),
			p11.NewAttribute(p11.CKA_PRIVATE, true),
			p11.NewAttribute(p11.CKA_SENSITIVE, true),
			p11.NewAttribute(p11.CKA_EXTRACTABLE, false),
			p11.NewAttribute(p11.CKA_SIGN, true),
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	kk, err := tok.SecretKey(ctx, KeySpec{Label: "known"})
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("gostca audit chain \x00 entry")
	got, err := kk.MAC(msg)
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, known)
	m.Write(msg)
	if !hmac.Equal(got, m.Sum(nil)) {
		t.Fatalf("token HMAC %x differs from crypto/hmac", got)
	}

	gen, err := tok.GenerateSecretKey(ctx, KeySpec{Label: "audit"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := gen.MAC(msg)
	if err != nil || len(a) != 32 {
		t.Fatalf("MAC: %x %v", a, err)
	}
	if b, _ := gen.MAC(append(msg, '!')); bytes.Equal(a, b) {
		t.Fatal("two messages, one MAC")
	}
	if bytes.Equal(a, got) {
		t.Fatal("the generated key is the known one")
	}
	if _, err := tok.GenerateSecretKey(ctx, KeySpec{Label: "audit"}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second key with the label: %v", err)
	}
	// The value cannot be read.
	err = tok.do(ctx, nil, func(s *session) error {
		_, err := tok.mod.api.GetAttributeValue(s.h, gen.obj.h, []*p11.Attribute{p11.NewAttribute(p11.CKA_VALUE, nil)})
		return err
	})
	if !isCode(err, p11.CKR_ATTRIBUTE_SENSITIVE) {
		t.Fatalf("reading CKA_VALUE: %v", err)
	}
	tok.Close()

	tok2 := h.open(t, nil)
	again, err := tok2.SecretKey(ctx, KeySpec{Label: "audit", ID: gen.Spec().ID})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := again.MAC(msg); err != nil || !bytes.Equal(a, b) {
		t.Fatalf("after reopening: %x %v", b, err)
	}
	if _, err := tok2.SecretKey(ctx, KeySpec{Label: "nope"}); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("missing key: %v", err)
	}
	if s := again.String(); strings.Contains(s, "%") || !strings.Contains(s, "audit") {
		t.Fatalf("String %q", s)
	}
}

// BenchmarkSecretKeyMAC: one audit chain value (HMAC-SHA256 of a
// 32-byte previous value and a ~200-byte entry) on SoftHSM2.
func BenchmarkSecretKeyMAC(b *testing.B) {
	h := newSoftHSM(b, "gostca-hmac-bench")
	tok := h.open(b, nil)
	k, err := tok.GenerateSecretKey(context.Background(), KeySpec{Label: "audit"})
	if err != nil {
		b.Fatal(err)
	}
	msg := bytes.Repeat([]byte{1}, 232)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.MAC(msg); err != nil {
			b.Fatal(err)
		}
	}
}
