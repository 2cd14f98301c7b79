// Package pkix holds the DER codecs of GostCA: names, extensions and the
// identifiers of the Russian qualified-certificate profile; public keys and
// signature algorithms; PKCS#10 requests; certificate profiles, the
// TBSCertificate builder and its lints; CRLs (streaming) and OCSP. It knows
// nothing of storage or keys: it produces bytes to sign and assembles
// signed objects.
//
// Encoding and parsing go through golang.org/x/crypto/cryptobyte rather
// than encoding/asn1 reflection: the issuance hot path builds every
// certificate through here, and explicit code keeps allocations low and
// DER rules (minimal lengths, DEFAULT values omitted, sorted SETs) visible.
//
// Parsers are strict DER, bounded in size, and never panic on any input.
// As a rule they accept what the encoders produce; constructs outside the
// profile fail with an error wrapping ErrUnsupported, so that a lint can
// tell "malformed" from "valid but not ours".
//
// Errors start with "pkix: " and wrap one of the sentinel errors below
// (or those of ident.go), so callers can map them with errors.Is.
package pkix
