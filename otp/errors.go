package otp

import "time"

// Code is a stable problem code of the package (api maps it to a status).
type Code string

// Problem codes.
const (
	CodeRateLimited Code = "code_rate_limited"        // too many codes asked: RetryAfter
	CodeTooEarly    Code = "code_resend_too_early"    // a new code only after the resend pause: RetryAfter
	CodeUnknown     Code = "code_challenge_not_found" // no such challenge (or not this client's, purpose's, application's)
	CodeWrong       Code = "code_wrong"               // wrong code, or a code for something else; a try counted
	CodeExpired     Code = "code_expired"             // past the code's validity
	CodeUsed        Code = "code_used"                // the code was used already
	CodeExhausted   Code = "code_attempts_exhausted"  // the wrong tries reached the limit
	CodeInternal    Code = "internal"
)

// Error is every refusal of the package. Detail says what to do; it
// never holds a code.
type Error struct {
	Code       Code
	Detail     string
	RetryAfter time.Duration
	Err        error // cause, for logs
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "otp: " + string(e.Code) + ": " + e.Detail + ": " + e.Err.Error()
	}
	return "otp: " + string(e.Code) + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.Err }
