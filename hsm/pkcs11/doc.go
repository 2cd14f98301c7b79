// Package pkcs11 keeps CA keys on a PKCS#11 token (an HSM) and signs with
// them through a pool of logged-in sessions. It needs cgo (it is built on
// github.com/miekg/pkcs11); the rest of package hsm does not.
//
// # Use
//
//	tok, err := pkcs11.Open(ctx, pkcs11.Config{
//		Module:     "/usr/lib/vendor/libpkcs11.so",
//		TokenLabel: "GostCA-1",
//		PIN:        hsm.SecretSource{File: "/run/secrets/hsm-pin"},
//		Sessions:   8,
//	})
//	key, err := tok.Key(ctx, pkcs11.KeySpec{Label: "ca-2026"})
//	sig, err := key.Sign(ctx, digest) // key is an hsm.Key
//
// # Mechanisms (docs/gost.md §2)
//
//   - GOST R 34.10-2012 256: CKM_GOSTR3410 (0x1201) on the Streebog-256
//     digest computed in process; the token returns s ‖ r, returned as is.
//   - GOST R 34.10-2012 512: CKM_GOSTR3410_512 (0xD4321006), likewise.
//   - ECDSA P-256 / P-384: CKM_ECDSA; the token's r ‖ s is DER-encoded.
//
// Key generation (Token.GenerateKey) uses CKM_GOSTR3410_KEY_PAIR_GEN
// (0x1200) / CKM_GOSTR3410_512_KEY_PAIR_GEN (0xD4321005) with
// CKA_GOSTR3410_PARAMS = the DER OID of the parameter set and
// CKA_GOSTR3411_PARAMS = the Streebog OID, or CKM_EC_KEY_PAIR_GEN. Public
// GOST keys are read from CKA_VALUE as LE(X) ‖ LE(Y).
//
// # Sessions, recovery, circuit breaker
//
// One login per application and token, kept alive by an anchor session.
// Each call takes a session from the pool (bounded wait: the context
// deadline or Config.MaxWait), so exactly one call is in flight per
// session. Sessions and object handles belong to a generation; when a call
// fails with a session, login, device or module error
// (CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_USER_NOT_LOGGED_IN,
// CKR_DEVICE_ERROR, CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT,
// CKR_CRYPTOKI_NOT_INITIALIZED, …) the token is re-established under an
// exclusive lock — C_Finalize/C_Initialize when the library is gone,
// C_CloseAllSessions, a new anchor session and login — a new generation
// begins, and the call is retried. Old handles are never used again, so a
// handle number reused by the library cannot reach another session or key.
// Keys are looked up again in the new generation and must have the same
// public key as before.
//
// When re-establishment fails (or keeps being followed by failures), the
// circuit breaker opens: calls fail at once with an error wrapping
// hsm.ErrUnavailable and the cause, until Config.ProbeInterval has passed;
// then one call probes (restarting the library when no other token shares
// it) and, on success, closes the breaker. A PIN refused during recovery
// opens it for good: probing would spend the token's PIN attempts.
//
// The PIN is read once from a file or an environment variable
// (hsm.SecretSource) and kept for re-login; it never appears in errors or
// logs. The library API takes it as a Go string, so copies made for
// C_Login cannot be wiped; the Token's own copy is cleared by Close.
//
// Stats returns counters for a metrics exporter: signatures, failed
// attempts by kind, wait and signing time histograms, session opens,
// re-establishments, module restarts, breaker state, trips, probes and
// fast failures.
package pkcs11
