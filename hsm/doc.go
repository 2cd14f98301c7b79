// Package hsm is where the CA's keys live. Everything that signs goes
// through the Key interface; backends are SoftKey (in-process keys from a
// passphrase-protected file, the embedded default; this package) and
// tokens reached over PKCS#11 (package hsm/pkcs11, which needs cgo).
//
// A Key signs a digest, not a message: the caller hashes (Streebog for
// GOST, SHA-2 for ECDSA) and Key.Sign returns s ‖ r for GOST — the bytes
// of an X.509 signature BIT STRING — or the DER Ecdsa-Sig-Value for ECDSA.
// AsSigner adapts a Key to crypto.Signer for pkix.Sign.
//
// PINs and passphrases come from a SecretSource: a file (mode o-rwx) or an
// environment variable, never a flag or the configuration file. They are
// kept in byte slices that are cleared after use where the APIs allow it,
// and never appear in errors or logs.
//
// # Soft key file format, version 1
//
// All integers are big-endian. The file is a cleartext header followed by
// AES-256-GCM ciphertext:
//
//	offset  size  field
//	0       8     magic "GOSTCAK\x00"
//	8       1     file version = 1
//	9       1     key derivation = 1 (scrypt)
//	10      1     log2(N) of scrypt, 10..22 accepted (default 17)
//	11      4     r of scrypt, 1..32 (default 8)
//	15      4     p of scrypt, 1..16 (default 1)
//	19      32    salt, random
//	51      12    GCM nonce, random
//	63      …     GCM ciphertext of the key encoding, with its 16-byte tag
//
// The AES-256 key is scrypt(passphrase, salt, N, r, p, 32 bytes). The
// whole 63-byte header is the GCM additional data, so changing any header
// field (cost, salt, version) makes decryption fail. A wrong passphrase and
// a damaged file are indistinguishable by design.
//
// The plaintext is a small DER structure in the spirit of PKCS#8:
//
//	SoftKeyInfo ::= SEQUENCE {
//	    version    INTEGER (1),
//	    algorithm  OBJECT IDENTIFIER,   -- 1.2.643.7.1.1.1.1 GOST 2012-256,
//	                                    -- 1.2.643.7.1.1.1.2 GOST 2012-512,
//	                                    -- 1.2.840.10045.2.1 id-ecPublicKey
//	    parameters OBJECT IDENTIFIER,   -- GOST parameter set (TC26 OID; the
//	                                    -- CryptoPro aliases are accepted),
//	                                    -- or the named curve (P-256, P-384)
//	    privateKey OCTET STRING }       -- GOST: d little-endian, 32 or 64
//	                                    -- bytes (the PKCS#11 / OpenSSL gost
//	                                    -- order); ECDSA: d big-endian,
//	                                    -- fixed length (SEC 1 §2.3.6)
//
// GenerateSoftKey creates such a file (mode 0600, never overwriting an
// existing file); LoadSoftKey reads one; EncryptSoftKey and
// DecryptSoftKey work on the bytes.
package hsm
