// Package otp makes, sends and checks one-time codes (SMS): 6 digits,
// valid for a few minutes, sent again only after a pause, a bounded
// number of wrong tries, rate limits per phone, per client address and
// per number prefix, and each code bound to what it confirms (a login,
// or the exact certificate request and the data agreed to).
//
// The code is never stored, logged or answered. A challenge record
// (store.Challenge) keeps the verifier HMAC-SHA256(secret, "verifier" ‖
// challenge id ‖ code) and the binding; the SMS outbox row keeps a
// random nonce, and the delivery worker derives the code from it as
// HMAC-SHA256(secret, "code" ‖ nonce) reduced to 6 digits (Secret.Code).
// The secret is a file of the data directory outside the database
// (package cadir), so whoever reads the database learns neither codes
// nor anything to try codes against offline.
package otp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strconv"
)

// SecretLen is the size of the code secret.
const SecretLen = 32

// Secret is the server secret codes are derived and verified with.
type Secret struct{ key []byte }

// NewSecret copies a secret of SecretLen bytes or more.
func NewSecret(b []byte) (*Secret, error) {
	if len(b) < SecretLen {
		return nil, errors.New("otp: the code secret must be at least 32 bytes")
	}
	return &Secret{key: append([]byte(nil), b...)}, nil
}

// Domain separation of the secret's two uses.
const (
	codeLabel     = "gostca otp code\x00"
	verifierLabel = "gostca otp verifier\x00"
)

// Digits is the length of a code.
const Digits = 6

// Code derives the code of a nonce: the first 8 bytes of
// HMAC-SHA256(secret, "gostca otp code\0" ‖ nonce) as a big-endian
// uint64, modulo 10^6, zero-padded to 6 digits. The modulo's bias is
// negligible: 2^64 = 18446744073709 · 10^6 + 551616, so the 551616
// smallest codes are each drawn with probability (q+1)/2^64 and the
// others q/2^64, q = 18446744073709 — a relative difference of 5.4e-14.
func (s *Secret) Code(nonce []byte) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(codeLabel))
	m.Write(nonce)
	v := binary.BigEndian.Uint64(m.Sum(nil)[:8]) % 1_000_000
	out := strconv.FormatUint(v, 10)
	for len(out) < Digits {
		out = "0" + out
	}
	return out
}

// Verifier is what the store keeps of a challenge's code:
// HMAC-SHA256(secret, "gostca otp verifier\0" ‖ challenge id ‖ code).
// Binding the id makes a code useless for any other challenge.
func (s *Secret) Verifier(id []byte, code string) [32]byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(verifierLabel))
	m.Write(id)
	m.Write([]byte(code))
	var out [32]byte
	m.Sum(out[:0])
	return out
}

// ValidCode reports whether s has the form of a code (6 ASCII digits).
func ValidCode(s string) bool {
	if len(s) != Digits {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
