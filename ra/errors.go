package ra

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gostca/gostca/ra/appdata"
)

// Code is a stable problem code; package api maps it to an HTTP status
// and a problem document, and never invents rules of its own.
type Code string

// Problem codes.
const (
	// CodeInvalidData: the data breaks a field rule; Fields says which
	// fields and what to fix. Nothing was written.
	CodeInvalidData Code = "invalid_data"
	// CodeNotFound: no such application, or one the actor may not see
	// (another centre's, another subscriber's): the two are answered
	// alike so that ids cannot be probed.
	CodeNotFound Code = "application_not_found"
	// CodeDocumentNotFound: the application has no such document.
	CodeDocumentNotFound Code = "document_not_found"
	// CodeForbidden: this kind of actor may not take this action.
	CodeForbidden Code = "forbidden"
	// CodeConflict: the application changed since the version the caller
	// saw; read it again and decide again.
	CodeConflict Code = "version_conflict"
	// CodeVersionRequired: a change without the version the caller
	// decided on (If-Match); only the system's workers may omit it.
	CodeVersionRequired Code = "version_required"
	// CodeWrongState: the action is not allowed in the application's
	// current state.
	CodeWrongState Code = "action_not_allowed_in_state"
	// CodeIncomplete: the action's preconditions are not met; Missing
	// names every missing field, document or step.
	CodeIncomplete Code = "application_incomplete"
	// CodeUnknownType: no application profile for the certificate type.
	CodeUnknownType Code = "unknown_certificate_type"
	// CodeUnsupported: the identification method is not available (not
	// allowed by the profile, or not implemented: ESIA + biometrics).
	CodeUnsupported Code = "identification_method_not_allowed"
	// CodeIdentityMismatch: the certificate offered for identification is
	// not a valid qualified certificate of the same person.
	CodeIdentityMismatch Code = "identity_mismatch"
	// CodeTooEarly: the action depends on a deadline not reached yet.
	CodeTooEarly Code = "deadline_not_reached"
	// CodeStaleCheck: a registry answer for a check that is no longer
	// pending, or was asked again since.
	CodeStaleCheck Code = "stale_registry_answer"
	// CodeLimit: a per-application bound (documents, review decisions) is reached.
	CodeLimit Code = "limit_exceeded"
	// CodeIssueRefused: the CA refused the request (bad CSR, reused key,
	// lint): nothing was issued; the application is ready to issue again.
	CodeIssueRefused Code = "issuance_refused"
	// CodeIssuePending: the CA call failed in a way that may or may not
	// have issued; the application stays "issuing" and the same call may
	// be repeated (it is idempotent).
	CodeIssuePending Code = "issuance_pending"
	// CodeInternal: a storage or other failure; details are logged.
	CodeInternal Code = "internal"
)

// FieldError is one invalid field: its path and what to fix (defined
// with the data rules, in package appdata).
type FieldError = appdata.FieldError

// Error is every error the package returns.
type Error struct {
	Code    Code
	Detail  string
	Fields  []FieldError // CodeInvalidData
	Missing []string     // CodeIncomplete: what is missing, one line each
	Err     error        // cause, for logs (may be nil)
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("ra: ")
	b.WriteString(string(e.Code))
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	if len(e.Missing) > 0 {
		b.WriteString(": missing ")
		b.WriteString(strings.Join(e.Missing, "; "))
	}
	if e.Err != nil && e.Code == CodeInternal {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// CodeOf returns the code of a package error ("" for anything else).
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func errf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...)}
}

func invalidFields(fields []FieldError) *Error {
	return &Error{Code: CodeInvalidData, Detail: "correct the fields named", Fields: fields}
}

func incomplete(action string, missing []string) *Error {
	return &Error{Code: CodeIncomplete, Detail: action + " needs every required field, document and step", Missing: missing}
}

func wrongState(action Action, st fmt.Stringer) *Error {
	return errf(CodeWrongState, "%s is not allowed while the application is %s", action, st)
}
