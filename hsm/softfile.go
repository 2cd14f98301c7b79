package hsm

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/scrypt"

	"github.com/gostca/gostca/gost/gost3410"
)

// The soft key file format (version 1) is described in doc.go.
const (
	softMagic      = "GOSTCAK\x00"
	softVersion    = 1
	softKDFScrypt  = 1
	softSaltLen    = 32
	softNonceLen   = 12
	softHeaderLen  = len(softMagic) + 1 + 1 + 1 + 4 + 4 + softSaltLen + softNonceLen
	softKeyVersion = 1

	// Bounds accepted when reading, so that a hostile file cannot make the
	// KDF take unbounded memory or time (128·r·2^logN bytes).
	minScryptLogN = 10
	maxScryptLogN = 22
	maxScryptR    = 32
	maxScryptP    = 16
)

// DefaultScryptLogN, DefaultScryptR and DefaultScryptP are the scrypt cost
// written by default: N = 2^17, r = 8, p = 1 (128 MiB, a fraction of a
// second; paid once at start-up).
const (
	DefaultScryptLogN = 17
	DefaultScryptR    = 8
	DefaultScryptP    = 1
)

// Algorithm OIDs of the key encoding (the SubjectPublicKeyInfo ones).
var (
	oidGOST2012_256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}
	oidGOST2012_512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	oidECPublicKey  = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
)

// SoftKeyFileOptions tunes the encryption of a soft key file. The zero
// value means the defaults.
type SoftKeyFileOptions struct {
	ScryptLogN int // log2 of scrypt's N; default DefaultScryptLogN
	ScryptR    int // default DefaultScryptR
	ScryptP    int // default DefaultScryptP
}

func (o *SoftKeyFileOptions) params() (logN, r, p int, err error) {
	logN, r, p = DefaultScryptLogN, DefaultScryptR, DefaultScryptP
	if o != nil {
		if o.ScryptLogN != 0 {
			logN = o.ScryptLogN
		}
		if o.ScryptR != 0 {
			r = o.ScryptR
		}
		if o.ScryptP != 0 {
			p = o.ScryptP
		}
	}
	if err := checkScrypt(logN, r, p); err != nil {
		return 0, 0, 0, err
	}
	return logN, r, p, nil
}

func checkScrypt(logN, r, p int) error {
	if logN < minScryptLogN || logN > maxScryptLogN || r < 1 || r > maxScryptR || p < 1 || p > maxScryptP {
		return fmt.Errorf("scrypt parameters logN=%d r=%d p=%d outside the accepted range (logN %d..%d, r 1..%d, p 1..%d)",
			logN, r, p, minScryptLogN, maxScryptLogN, maxScryptR, maxScryptP)
	}
	return nil
}

// GenerateSoftKey creates a key on curve, writes it to path encrypted
// under passphrase with the default scrypt cost, and returns it. The file
// is created with mode 0600 and never overwrites an existing one.
func GenerateSoftKey(path string, curve Curve, passphrase []byte) (*SoftKey, error) {
	// Fail early, before the key derivation; WriteSoftKeyFile re-checks
	// atomically.
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("hsm: soft key: %q: %w", path, os.ErrExist)
	}
	k, err := GenerateSoftKeyInMemory(curve)
	if err != nil {
		return nil, err
	}
	if err := WriteSoftKeyFile(path, k, passphrase, nil); err != nil {
		return nil, err
	}
	return k, nil
}

// LoadSoftKey reads and decrypts a soft key file.
func LoadSoftKey(path string, passphrase []byte) (*SoftKey, error) {
	if err := CheckPrivateFile(path); err != nil {
		return nil, fmt.Errorf("hsm: soft key: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("hsm: soft key: %w", err)
	}
	k, err := DecryptSoftKey(data, passphrase)
	if err != nil {
		return nil, fmt.Errorf("%w (file %q)", err, path)
	}
	return k, nil
}

// OpenSoftKey loads a soft key file with the passphrase read from src (a
// file or an environment variable), clearing the passphrase afterwards.
func OpenSoftKey(path string, src SecretSource) (*SoftKey, error) {
	pass, err := src.Read()
	if err != nil {
		return nil, fmt.Errorf("hsm: soft key %q: passphrase: %w", path, err)
	}
	defer clear(pass)
	return LoadSoftKey(path, pass)
}

// WriteSoftKeyFile encrypts k under passphrase and writes it to path with
// mode 0600. It fails if path exists: the file appears complete or not at
// all (written to a temporary file, synced, then hard-linked into place).
func WriteSoftKeyFile(path string, k *SoftKey, passphrase []byte, opts *SoftKeyFileOptions) error {
	data, err := EncryptSoftKey(k, passphrase, opts)
	if err != nil {
		return err
	}
	return writeSoftFile(path, data)
}

// writeSoftFile writes a soft key file image to path (mode 0600, never
// overwriting, complete or not at all).
func writeSoftFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".softkey-*")
	if err != nil {
		return fmt.Errorf("hsm: soft key: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("hsm: soft key: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("hsm: soft key: write %q: %w", tmpName, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("hsm: soft key: sync %q: %w", tmpName, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("hsm: soft key: %w", err)
	}
	if err := os.Link(tmpName, path); err != nil {
		return fmt.Errorf("hsm: soft key: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// EncryptSoftKey returns the soft key file image of k.
func EncryptSoftKey(k *SoftKey, passphrase []byte, opts *SoftKeyFileOptions) ([]byte, error) {
	if len(passphrase) == 0 {
		return nil, errors.New("hsm: soft key: empty passphrase")
	}
	plain, err := marshalSoftKey(k)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	return sealSoftFile(plain, passphrase, opts)
}

// DecryptSoftKey parses and decrypts a soft key file image.
func DecryptSoftKey(data, passphrase []byte) (*SoftKey, error) {
	plain, err := openSoftFile(data, passphrase)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	return unmarshalSoftKey(plain)
}

// sealSoftFile encrypts plain into a soft key file image (header and
// GCM ciphertext, see doc.go).
func sealSoftFile(plain, passphrase []byte, opts *SoftKeyFileOptions) ([]byte, error) {
	if len(passphrase) == 0 {
		return nil, errors.New("hsm: soft key: empty passphrase")
	}
	logN, r, p, err := opts.params()
	if err != nil {
		return nil, fmt.Errorf("hsm: soft key: %w", err)
	}
	header := make([]byte, 0, softHeaderLen)
	header = append(header, softMagic...)
	header = append(header, softVersion, softKDFScrypt, byte(logN))
	header = binary.BigEndian.AppendUint32(header, uint32(r))
	header = binary.BigEndian.AppendUint32(header, uint32(p))
	saltNonce := make([]byte, softSaltLen+softNonceLen)
	if _, err := io.ReadFull(rand.Reader, saltNonce); err != nil {
		return nil, fmt.Errorf("hsm: soft key: %w", err)
	}
	header = append(header, saltNonce...)
	salt := header[len(header)-softSaltLen-softNonceLen : len(header)-softNonceLen]
	nonce := header[len(header)-softNonceLen:]

	aead, err := softAEAD(passphrase, salt, logN, r, p)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(header), len(header)+len(plain)+aead.Overhead())
	copy(out, header)
	return aead.Seal(out, nonce, plain, header), nil
}

// openSoftFile checks the header of a soft key file image and returns
// the decrypted plaintext (the caller clears it).
func openSoftFile(data, passphrase []byte) ([]byte, error) {
	if len(passphrase) == 0 {
		return nil, errors.New("hsm: soft key: empty passphrase")
	}
	if len(data) < softHeaderLen || string(data[:len(softMagic)]) != softMagic {
		return nil, errors.New("hsm: soft key: not a GostCA soft key file")
	}
	h := data[len(softMagic):softHeaderLen]
	if h[0] != softVersion {
		return nil, fmt.Errorf("hsm: soft key: unsupported file version %d", h[0])
	}
	if h[1] != softKDFScrypt {
		return nil, fmt.Errorf("hsm: soft key: unsupported key derivation %d", h[1])
	}
	logN := int(h[2])
	r := binary.BigEndian.Uint32(h[3:7])
	p := binary.BigEndian.Uint32(h[7:11])
	if r > maxScryptR || p > maxScryptP {
		return nil, fmt.Errorf("hsm: soft key: scrypt r=%d p=%d out of range", r, p)
	}
	if err := checkScrypt(logN, int(r), int(p)); err != nil {
		return nil, fmt.Errorf("hsm: soft key: %w", err)
	}
	salt := h[11 : 11+softSaltLen]
	nonce := h[11+softSaltLen:]
	aead, err := softAEAD(passphrase, salt, logN, int(r), int(p))
	if err != nil {
		return nil, err
	}
	plain, err := aead.Open(nil, nonce, data[softHeaderLen:], data[:softHeaderLen])
	if err != nil {
		return nil, errors.New("hsm: soft key: wrong passphrase or damaged file")
	}
	return plain, nil
}

func softAEAD(passphrase, salt []byte, logN, r, p int) (cipher.AEAD, error) {
	key, err := scrypt.Key(passphrase, salt, 1<<logN, r, p, 32)
	if err != nil {
		return nil, fmt.Errorf("hsm: soft key: scrypt: %w", err)
	}
	defer clear(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("hsm: soft key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("hsm: soft key: %w", err)
	}
	return aead, nil
}

// marshalSoftKey encodes
//
//	SoftKeyInfo ::= SEQUENCE {
//	    version    INTEGER (1),
//	    algorithm  OBJECT IDENTIFIER,
//	    parameters OBJECT IDENTIFIER,
//	    privateKey OCTET STRING }
func marshalSoftKey(k *SoftKey) ([]byte, error) {
	if k == nil || !k.curve.Valid() {
		return nil, errors.New("hsm: soft key: no key")
	}
	var alg asn1.ObjectIdentifier
	var secret []byte
	if k.gost != nil {
		alg = oidGOST2012_256
		if k.alg == GOST512 {
			alg = oidGOST2012_512
		}
		secret = k.gost.Bytes()
	} else {
		alg = oidECPublicKey
		var err error
		if secret, err = k.ec.Bytes(); err != nil {
			return nil, fmt.Errorf("hsm: soft key: %w", err)
		}
	}
	defer clear(secret)
	b := cryptobyte.NewFixedBuilder(make([]byte, 0, 128+len(secret))) // fixed: no stray copies of the secret
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(softKeyVersion)
		b.AddASN1ObjectIdentifier(alg)
		b.AddASN1ObjectIdentifier(k.curve.OID())
		b.AddASN1OctetString(secret)
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("hsm: soft key: encode: %w", err)
	}
	return out, nil
}

func unmarshalSoftKey(der []byte) (*SoftKey, error) {
	bad := errors.New("hsm: soft key: malformed key encoding")
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	var version int64
	var alg, params asn1.ObjectIdentifier
	var secret []byte
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() ||
		!seq.ReadASN1Integer(&version) ||
		!seq.ReadASN1ObjectIdentifier(&alg) ||
		!seq.ReadASN1ObjectIdentifier(&params) ||
		!seq.ReadASN1Bytes(&secret, cbasn1.OCTET_STRING) || !seq.Empty() {
		return nil, bad
	}
	if version != softKeyVersion {
		return nil, fmt.Errorf("hsm: soft key: unsupported key encoding version %d", version)
	}
	switch {
	case alg.Equal(oidGOST2012_256), alg.Equal(oidGOST2012_512):
		c, ok := gost3410.CurveByOID(params)
		if !ok {
			return nil, fmt.Errorf("hsm: soft key: unknown GOST parameter set %v", params)
		}
		if (c.Size == 64) != alg.Equal(oidGOST2012_512) {
			return nil, fmt.Errorf("hsm: soft key: parameter set %s does not match algorithm %v", c.Name, alg)
		}
		k, err := gost3410.NewPrivateKey(c, secret)
		if err != nil {
			return nil, fmt.Errorf("hsm: soft key: %w", err)
		}
		return NewSoftKey(k)
	case alg.Equal(oidECPublicKey):
		var c Curve
		switch {
		case params.Equal(OIDNamedCurveP256):
			c, _ = CurveByName("P-256")
		case params.Equal(OIDNamedCurveP384):
			c, _ = CurveByName("P-384")
		default:
			return nil, fmt.Errorf("hsm: soft key: unsupported named curve %v", params)
		}
		k, err := ecdsa.ParseRawPrivateKey(c.EC, secret)
		if err != nil {
			return nil, fmt.Errorf("hsm: soft key: %w", err)
		}
		return NewSoftKey(k)
	}
	return nil, fmt.Errorf("hsm: soft key: unsupported algorithm %v", alg)
}
