// Package gost3410 implements GOST R 34.10-2012 digital signatures (RFC 7091)
// over every parameter set of RFC 7836 and RFC 4357: the TC26 sets
// tc26-256-A…D and tc26-512-A…C with their CryptoPro aliases, and the two
// test sets of the standard's examples.
//
// Byte conventions follow OpenSSL's gost engine, PKCS#11 tokens and X.509:
// private keys and public keys are little-endian (d; X ‖ Y), the digest is
// the Streebog output read as a little-endian integer, and a signature is
// s ‖ r, each big-endian.
//
// Secret-dependent work (key derivation, nonce multiplication, s = r·d + k·e)
// runs in constant time on fixed-size limbs; math/big is used only for the
// public curve constants at start-up. Verify works on public data only and
// may take variable time: it inverts the digest modulo q with the
// variable-time divsteps GCD of Bernstein and Yang on fixed-size limbs
// (invvartime.go) and allocates nothing; the subgroup test of a
// tc26-256-A or tc26-512-C public key raises to its two public exponents
// by an addition chain (expchain.go).
//
// On amd64 CPUs with BMI2 and ADX, multiplication and squaring in the
// fields of 2^256 − 617 (tc26-256-A/B) and 2^512 − 569 (tc26-512-A/C),
// and the Montgomery multiplication and squaring of the fields of
// tc26-256-C, tc26-256-D and tc26-512-B, run in assembly (fe_amd64.s,
// written by gen_fe_amd64.go: MULX with the ADCX and ADOX carry chains, no
// branches or indexes on data); elsewhere, and with the purego build tag,
// the Go code of fe256.go, fe512mul.go, fe255.go, fe256d.go and fe511.go.
package gost3410
