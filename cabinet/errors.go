package cabinet

// Code is a stable problem code of the cabinet (api maps it to a status).
// Refusals about the application itself are package ra's codes, about
// codes package otp's.
type Code string

// Problem codes.
const (
	CodeInvalidPhone    Code = "invalid_phone"             // not a Russian mobile number
	CodeSessionInvalid  Code = "session_invalid"           // no live session for this token and client: log in again
	CodeConsentRequired Code = "consent_required"          // agree to the data first (or again: it changed)
	CodeConsentStale    Code = "consent_data_changed"      // the data agreed to is not what the certificate would carry now
	CodePaymentRequired Code = "payment_required"          // the certificate type needs a paid invoice
	CodeCSRInvalid      Code = "csr_invalid"               // not a PKCS#10 request, or its signature does not verify
	CodeKeyNotAllowed   Code = "key_type_not_allowed"      // the key's algorithm is not allowed by the certificate profile
	CodeKeyReused       Code = "key_already_certified"     // the key is in a certificate already: make a new key
	CodeSignToolMissing Code = "subject_sign_tool_invalid" // the subscriber's crypto tool is required
	CodeNotIssued       Code = "certificate_not_issued"    // the application has no certificate (yet)
	CodeInvalidPayment  Code = "invalid_payment"           // a malformed payment state
	CodeCertNotFound    Code = "certificate_not_found"     // the subscriber has no certificate with this serial
	CodeNotRenewal      Code = "not_a_renewal"             // the application is not a renewal opened in the cabinet
	CodeSignatureBad    Code = "renewal_signature_invalid" // the CAdES signature does not verify over the renewal form
	CodeCloudType       Code = "cloud_key_type"            // the certificate type's key is made by the CA, not sent in a request
	CodeInternal        Code = "internal"
)

// Error is a refusal of the cabinet. Detail says what to do.
type Error struct {
	Code   Code
	Detail string
	Field  string // the offending field, if one
	Err    error  // cause, for logs
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "cabinet: " + string(e.Code) + ": " + e.Detail + ": " + e.Err.Error()
	}
	return "cabinet: " + string(e.Code) + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.Err }
