// Package caerr holds the errors the CA returns to its callers: an *Error
// with a stable Code that clients match on (the API maps each code onto an
// HTTP status), and Classify, which turns errors of the signer, pkix and
// the store into such codes. Anything unrecognised is internal.
package caerr

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/signer"
	"github.com/gostca/gostca/store"
)

// Stable error codes. Clients match on these, never on messages; the API
// maps each onto an HTTP status (api.statusOf). Codes of rejected
// requests of the form "csr.FIELD.KIND" come from pkix.CSRError (FIELD
// one of the pkix.CSRField constants; KIND malformed, unsupported,
// duplicate, too_large, invalid or bad_signature).
const (
	CodeInvalidRequest      = "invalid_request"        // a field is missing or out of range
	CodeInvalidSerial       = "invalid_serial"         // not a hex serial number
	CodeInvalidReason       = "invalid_reason"         // unknown or disallowed revocation reason
	CodeUnknownProfile      = "unknown_profile"        // no such profile at this issuer
	CodeUnknownIssuer       = "unknown_issuer"         // no such issuing CA
	CodeSubjectInvalid      = "subject_invalid"        // a subject attribute is malformed (Field names it)
	CodeProfileViolation    = "profile_violation"      // the certificate would break its profile (lints)
	CodeKeyReused           = "key_reused"             // the CSR's key is already certified
	CodeIdempotencyConflict = "idempotency_key_reused" // Idempotency-Key seen with another request
	CodeInProgress          = "request_in_progress"    // the same Idempotency-Key is being issued now
	CodeCertificateNotFound = "certificate_not_found"  // no certificate with this serial
	CodeInvalidTransition   = "invalid_transition"     // e.g. revoking a revoked certificate
	CodeTokenNotFound       = "token_not_found"        // no API token with this id
	CodeOverloaded          = "overloaded"             // the issuance queue is full; retry later
	CodeUnavailable         = "unavailable"            // a CA key or the store does not answer
	CodeInternal            = "internal"               // a bug or an I/O failure; see the server log
	CodeIssuerNotFound      = "issuer_not_found"       // status publication for an unknown issuer
	CodeCRLNotFound         = "crl_not_found"          // no such CRL: delta or partition CRLs off, or no such partition
	CodeCertificatePending  = "certificate_pending"    // the serial's issuance has not completed
	CodeInvalidTokenRequest = "invalid_token_request"  // bad role or scope for a new token
	CodeForbidden           = "forbidden"              // the caller's role or centre may not do this
	codeCSRPrefix           = "csr."
)

// Codes of the profile configuration, the issuing CA's key-usage period
// and the root CRL.
const (
	CodeExtKeyUsage      = "ext_key_usage_not_allowed" // a requested purpose is not in the profile's allow-list (Detail names the allowed)
	CodeIssuerKeyExpired = "issuer_key_expired"        // the issuing CA's key-usage period has ended: it signs CRLs and OCSP only
	CodeIssuerKeyNotYet  = "issuer_key_not_yet_valid"  // the issuing CA's key-usage period has not begun
	CodeRootCRLRefused   = "root_crl_refused"          // an uploaded root CRL is not the root's, not current, or older than the one served
)

// Error is what the CA returns for a request it refuses or cannot
// serve: a stable Code, a human-readable Detail (safe to show the caller:
// no secrets, no personal data), the offending Field when there is one,
// and the cause for the log.
type Error struct {
	Code   string
	Detail string
	Field  string
	// Fields lists every request field the caller must supply or fix,
	// when there are several (e.g. the subject attributes a profile
	// requires), by their API names ("subject.region").
	Fields []string
	// RetryAfter is set for CodeOverloaded.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	msg := "ca: " + e.Code
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	// The cause is left out when it only repeats the detail (the detail
	// is usually the cause's own text without its package prefix).
	if e.Err != nil && (e.Detail == "" || !strings.Contains(e.Err.Error(), e.Detail)) {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// New is an *Error with a code, a detail for the caller and a cause.
func New(code, detail string, err error) *Error {
	return &Error{Code: code, Detail: detail, Err: err}
}

// CodeOf returns the stable code of err: the Code of an *Error, else
// CodeInternal.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Classify turns an error of the signer, pkix or the store into an *Error.
// Anything not recognised is internal.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	var csrErr *pkix.CSRError
	var attrErr *pkix.AttributeError
	var lintErr *pkix.LintError
	var over *signer.ErrOverloaded
	var eku *pkix.ExtKeyUsageError
	switch {
	case errors.As(err, &eku):
		return &Error{Code: CodeExtKeyUsage, Field: "ext_key_usage", Detail: strings.TrimPrefix(eku.Error(), "pkix: "), Err: err}
	case errors.As(err, &over):
		return &Error{Code: CodeOverloaded, Detail: "issuance queue is full", RetryAfter: over.RetryAfter, Err: err}
	case errors.As(err, &csrErr):
		return &Error{Code: codeCSRPrefix + csrErr.Field + "." + csrKind(csrErr.Err), Field: "csr",
			Detail: strings.TrimPrefix(csrErr.Error(), "pkix: "), Err: err}
	case errors.As(err, &attrErr):
		return &Error{Code: CodeSubjectInvalid, Field: "subject." + attrErr.Attr,
			Detail: strings.TrimPrefix(attrErr.Error(), "pkix: "), Err: err}
	case errors.As(err, &lintErr):
		ids := make([]string, len(lintErr.Failures))
		for i, f := range lintErr.Failures {
			// The lint's own words (attribute names, algorithms, dates;
			// never subject values) say what to change.
			ids[i] = f.ID
			if f.Err != nil {
				ids[i] += " (" + strings.TrimPrefix(f.Err.Error(), "pkix: ") + ")"
			}
		}
		return &Error{Code: CodeProfileViolation, Detail: "the certificate would break its profile: " + strings.Join(ids, "; "), Err: err}
	case errors.Is(err, signer.ErrUnknownProfile):
		return New(CodeUnknownProfile, "unknown profile", err)
	case errors.Is(err, signer.ErrUnknownIssuer):
		return New(CodeUnknownIssuer, "unknown issuer", err)
	case errors.Is(err, signer.ErrInProgress):
		return New(CodeInProgress, "a request with this idempotency key is in progress", err)
	case errors.Is(err, store.ErrKeyReused):
		return New(CodeKeyReused, "the request's public key is already certified; a new key is needed", err)
	case errors.Is(err, store.ErrRequestConflict):
		return New(CodeIdempotencyConflict, "the idempotency key was used for another request", err)
	case errors.Is(err, store.ErrNotFound):
		return New(CodeCertificateNotFound, "no such certificate", err)
	case errors.Is(err, store.ErrPending):
		return New(CodeCertificatePending, "the certificate is being issued", err)
	case errors.Is(err, store.ErrInvalidTransition):
		return New(CodeInvalidTransition, "the certificate's status does not allow this change", err)
	case errors.Is(err, pkix.ErrInvalidValue):
		return New(CodeInvalidRequest, strings.TrimPrefix(err.Error(), "pkix: "), err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return New(CodeUnavailable, "request cancelled or timed out", err)
	case errors.Is(err, signer.ErrClosed), errors.Is(err, store.ErrClosed):
		return New(CodeUnavailable, "shutting down", err)
	}
	return New(CodeInternal, "internal error", err)
}

func csrKind(err error) string {
	switch {
	case errors.Is(err, pkix.ErrBadSignature):
		return "bad_signature"
	case errors.Is(err, pkix.ErrMalformed), errors.Is(err, pkix.ErrTrailingData):
		return "malformed"
	case errors.Is(err, pkix.ErrUnsupported):
		return "unsupported"
	case errors.Is(err, pkix.ErrDuplicate):
		return "duplicate"
	case errors.Is(err, pkix.ErrTooLarge):
		return "too_large"
	}
	return "invalid"
}

// Newf is an *Error with a formatted detail and no cause.
func Newf(code, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...)}
}

// Forbidden is CodeForbidden for a field (may be empty).
func Forbidden(field, format string, args ...any) *Error {
	return &Error{Code: CodeForbidden, Field: field, Detail: fmt.Sprintf(format, args...)}
}
