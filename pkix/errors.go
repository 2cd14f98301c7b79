package pkix

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors of the DER codecs. Returned errors wrap them with
// context (which structure, which field).
var (
	// ErrMalformed: the input is not valid DER for the expected structure.
	ErrMalformed = errors.New("malformed DER")
	// ErrTrailingData: a complete structure is followed by extra bytes.
	ErrTrailingData = errors.New("trailing data")
	// ErrUnsupported: valid ASN.1, but a form this package does not handle
	// (e.g. a GeneralName other than the ones the profile uses).
	ErrUnsupported = errors.New("unsupported")
	// ErrDuplicate: an entry that must be unique appears twice.
	ErrDuplicate = errors.New("duplicate")
	// ErrTooLarge: input beyond the package's size or count bounds.
	ErrTooLarge = errors.New("too large")
	// ErrInvalidValue: a value to encode breaks its type or profile rules.
	ErrInvalidValue = errors.New("invalid value")
)

// errf prefixes "pkix: " and wraps.
func errf(format string, args ...any) error {
	return fmt.Errorf("pkix: "+format, args...)
}

// malformed reports a DER structure that could not be read.
func malformed(what string) error {
	return fmt.Errorf("pkix: %s: %w", what, ErrMalformed)
}

// trailing reports bytes left after a structure.
func trailing(what string) error {
	return fmt.Errorf("pkix: %s: %w", what, ErrTrailingData)
}

// invalid reports a value rejected before encoding.
func invalid(what, why string) error {
	return fmt.Errorf("pkix: %s: %w: %s", what, ErrInvalidValue, why)
}

// ctxError adds context to an error that may already carry the "pkix: "
// prefix, without repeating it: "pkix: CRL: keyUsage: ..." rather than
// "pkix: CRL: pkix: keyUsage: ...". It unwraps to the original error.
type ctxError struct {
	ctx string
	err error
}

func (e *ctxError) Error() string {
	return "pkix: " + e.ctx + ": " + strings.TrimPrefix(e.err.Error(), "pkix: ")
}

func (e *ctxError) Unwrap() error { return e.err }

// wrapCtx prefixes err with ctx (nil stays nil).
func wrapCtx(ctx string, err error) error {
	if err == nil {
		return nil
	}
	return &ctxError{ctx: ctx, err: err}
}
