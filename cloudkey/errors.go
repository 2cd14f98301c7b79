package cloudkey

// Code is a stable problem code of cloud keys (api maps it to a status).
// Refusals about the session, consent and request are package cabinet's,
// about the application package ra's, about codes package otp's.
type Code string

// Problem codes.
const (
	CodeDisabled        Code = "cloud_keys_disabled"         // the CA has no cloud key vault
	CodeNotCloud        Code = "not_cloud_type"              // the certificate type keeps keys on the subscriber's token
	CodeNoKey           Code = "cloud_key_not_found"         // no such cloud key (of this phone)
	CodeNoOperation     Code = "operation_not_found"         // no such operation (of this phone)
	CodeOperationDone   Code = "operation_not_pending"       // the operation was signed, refused or has expired
	CodeInvalidDocument Code = "invalid_sign_request"        // no digest or document, one too large, or no description
	CodeNoSignature     Code = "signature_not_available"     // the operation has no CAdES-BES signature (not signed yet)
	CodeNoCertificate   Code = "cloud_key_not_certified"     // the key has no valid certificate (not issued yet, revoked, on hold or expired): it signs nothing
	CodeCurve           Code = "cloud_key_curve_unsupported" // the CA's key vault cannot make keys of the type's parameter set
	CodeInternal        Code = "internal"
)

// Error is a refusal of the package. Detail says what to do.
type Error struct {
	Code   Code
	Detail string
	Err    error // cause, for logs
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "cloudkey: " + string(e.Code) + ": " + e.Detail + ": " + e.Err.Error()
	}
	return "cloudkey: " + string(e.Code) + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.Err }
