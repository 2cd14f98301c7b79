package hsm

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"os"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Soft secret files hold a symmetric secret (the audit chain's HMAC key)
// in the soft key file format: the same header, scrypt and AES-256-GCM
// (doc.go), with this plaintext instead of SoftKeyInfo:
//
//	SoftSecretInfo ::= SEQUENCE {
//	    version    INTEGER (1),
//	    algorithm  OBJECT IDENTIFIER,   -- 1.2.840.113549.2.9 hmacWithSHA256
//	    secret     OCTET STRING }       -- 32..64 random bytes
//
// A SoftSecretInfo has one field fewer than a SoftKeyInfo, so neither is
// ever read as the other.

// OIDHMACWithSHA256 is hmacWithSHA256 (RFC 8018).
var OIDHMACWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}

const (
	softSecretVersion = 1
	minSoftSecret     = 32
	maxSoftSecret     = 64
)

// EncryptSoftSecret returns the soft secret file image of an HMAC-SHA256
// secret (32–64 bytes) encrypted under passphrase.
func EncryptSoftSecret(secret, passphrase []byte, opts *SoftKeyFileOptions) ([]byte, error) {
	if len(secret) < minSoftSecret || len(secret) > maxSoftSecret {
		return nil, fmt.Errorf("hsm: soft secret: %d bytes, want %d..%d", len(secret), minSoftSecret, maxSoftSecret)
	}
	b := cryptobyte.NewFixedBuilder(make([]byte, 0, 32+len(secret)))
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(softSecretVersion)
		b.AddASN1ObjectIdentifier(OIDHMACWithSHA256)
		b.AddASN1OctetString(secret)
	})
	plain, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("hsm: soft secret: encode: %w", err)
	}
	defer clear(plain)
	return sealSoftFile(plain, passphrase, opts)
}

// DecryptSoftSecret returns the secret of a soft secret file image.
func DecryptSoftSecret(data, passphrase []byte) ([]byte, error) {
	plain, err := openSoftFile(data, passphrase)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	in := cryptobyte.String(plain)
	var seq cryptobyte.String
	var version int64
	var alg asn1.ObjectIdentifier
	var secret []byte
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() ||
		!seq.ReadASN1Integer(&version) || !seq.ReadASN1ObjectIdentifier(&alg) ||
		!seq.ReadASN1Bytes(&secret, cbasn1.OCTET_STRING) || !seq.Empty() {
		return nil, errors.New("hsm: soft secret: malformed encoding (a key file, not a secret file?)")
	}
	if version != softSecretVersion || !alg.Equal(OIDHMACWithSHA256) {
		return nil, fmt.Errorf("hsm: soft secret: unsupported version %d or algorithm %v", version, alg)
	}
	if len(secret) < minSoftSecret || len(secret) > maxSoftSecret {
		return nil, fmt.Errorf("hsm: soft secret: %d bytes, want %d..%d", len(secret), minSoftSecret, maxSoftSecret)
	}
	return append([]byte(nil), secret...), nil
}

// WriteSoftSecretFile encrypts secret under passphrase and writes it to
// path (mode 0600, never overwriting, complete or not at all).
func WriteSoftSecretFile(path string, secret, passphrase []byte, opts *SoftKeyFileOptions) error {
	data, err := EncryptSoftSecret(secret, passphrase, opts)
	if err != nil {
		return err
	}
	return writeSoftFile(path, data)
}

// OpenSoftSecret reads and decrypts a soft secret file with the
// passphrase from src. The caller clears the secret when done.
func OpenSoftSecret(path string, src SecretSource) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("hsm: soft secret: %w", err)
	}
	pass, err := src.Read()
	if err != nil {
		return nil, fmt.Errorf("hsm: soft secret %q: passphrase: %w", path, err)
	}
	defer clear(pass)
	s, err := DecryptSoftSecret(data, pass)
	if err != nil {
		return nil, fmt.Errorf("%w (file %q)", err, path)
	}
	return s, nil
}
