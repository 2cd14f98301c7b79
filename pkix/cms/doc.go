// Package cms reads CMS SignedData (RFC 5652) and verifies CAdES-BES
// signatures (ETSI EN 319 122-1) made with GOST R 34.10-2012 keys, as
// CryptoPro tools and `openssl cms -sign -cades` make them. GostCA uses
// it to verify a renewal application the subscriber signed with the
// certificate being renewed.
//
// # Input
//
// Parse takes a ContentInfo holding a SignedData in DER, in BER with
// indefinite lengths and constructed (chunked) OCTET STRINGs — CryptoPro
// emits both, `openssl cms -stream` the second — in PEM ("CMS", "PKCS7")
// or as bare base64. BER is first rewritten in its definite-length form
// by a small bounded reader (ber.go: depth 32, 65,536 elements), then
// parsed with cryptobyte like pkix's DER. Input is bounded by MaxSize;
// certificates and signers by small counts. Content may be attached
// (eContent) or detached (given to Verify).
//
// # Verification
//
// SignedData.Verify takes exactly one signer: a renewal application is
// signed once, by its holder, and a CMS with several signers is refused
// (ErrSeveralSigners) rather than verified in part. For that signer it
// checks:
//
//   - the certificate named by issuerAndSerialNumber or
//     subjectKeyIdentifier, found among the CMS's certificates or those
//     the caller gives (VerifyOptions.Certificates), parsed by pkix;
//   - the algorithms: digest Streebog-256 for a 256-bit key and
//     Streebog-512 for a 512-bit one; signatureAlgorithm either the key
//     OID (1.2.643.7.1.1.1.1/.2, what CryptoPro and OpenSSL write, with
//     parameters absent, NULL or the key's parameter set) or the
//     signature OID (1.2.643.7.1.1.3.2/.3). GOST R 34.10-2001, GOST R
//     34.11-94, RSA and ECDSA are refused;
//   - the signed attributes, each exactly once with one value:
//     content-type (equal to eContentType), message-digest (the digest of
//     the content), signing-time (UTCTime or GeneralizedTime) and
//     signingCertificateV2 (RFC 5035) whose first ESSCertIDv2 carries the
//     hash of the signer certificate (Streebog-256/512 or SHA-256/384/512)
//     and, when present, its issuer and serial;
//   - the signature, s ‖ r as in certificates (docs/gost.md), over the
//     Streebog digest of the DER SET OF signed attributes: the [0] element
//     as received with the SET tag. Should a sender have put the
//     attributes out of DER order, the sorted form is tried too.
//
// Verify answers whether the holder of the certificate signed the
// content. Whether that certificate is trusted, was valid and is not
// revoked is the caller's question: the package knows no CA.
//
// Errors wrap the sentinels of errors.go (ErrDigestMismatch,
// ErrBadSignature, ErrNoSignerCertificate, ErrCertificateHash, …);
// attribute problems are *AttributeError naming the attribute.
package cms
