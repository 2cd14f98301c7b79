package store

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by the package starts with
// "store: " and wraps one of these (or a Pebble / context error), so
// callers map them with errors.Is.
var (
	// ErrNotFound: no such certificate, intent, outbox row or response.
	ErrNotFound = errors.New("not found")
	// ErrPending: the request or serial belongs to an intent that has not
	// been committed yet (no certificate exists so far).
	ErrPending = errors.New("intent pending")
	// ErrInvalidInput: an argument breaks the documented bounds; nothing
	// was written.
	ErrInvalidInput = errors.New("invalid input")
	// ErrSerialExists: the serial is already used by a certificate or by
	// an intent, pending or failed. Serials are never reused.
	ErrSerialExists = errors.New("serial already used")
	// ErrKeyReused: the public key is already certified or reserved by a
	// pending intent. Renewal needs a new key.
	ErrKeyReused = errors.New("public key already certified or reserved")
	// ErrRequestConflict: the request ID is known, but for another key.
	ErrRequestConflict = errors.New("request ID reused for a different key")
	// ErrInvalidTransition: the status change (or outbox state change) is
	// not allowed from the current state.
	ErrInvalidTransition = errors.New("invalid transition")
	// ErrStale: a pre-signed OCSP response was built for a status that
	// has changed since.
	ErrStale = errors.New("stale")
	// ErrCorrupt: stored bytes do not decode, or the audit chain does not
	// verify.
	ErrCorrupt = errors.New("corrupt data")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store closed")
)

// invalid returns an ErrInvalidInput error with context.
func invalid(format string, args ...any) error {
	return fmt.Errorf("store: %s: %w", fmt.Sprintf(format, args...), ErrInvalidInput)
}

// corrupt returns an ErrCorrupt error with context.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("store: %s: %w", fmt.Sprintf(format, args...), ErrCorrupt)
}
