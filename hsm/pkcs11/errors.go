package pkcs11

import (
	"errors"

	p11 "github.com/miekg/pkcs11"
)

// ErrorKind classifies a failure for recovery and for the error counters.
type ErrorKind int

const (
	// KindOther: not the token's state — bad input, unsupported
	// mechanism, missing key. Returned at once, never retried.
	KindOther ErrorKind = iota
	// KindSession: the session or an object handle died
	// (CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, stale handles):
	// sessions are re-established and the call retried.
	KindSession
	// KindLogin: the login was lost (CKR_USER_NOT_LOGGED_IN): sessions are
	// re-established with a new login and the call retried.
	KindLogin
	// KindDevice: the token failed or went away (CKR_DEVICE_ERROR,
	// CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT, …): sessions are
	// re-established, restarting the module if the token is not found.
	KindDevice
	// KindModule: the library is not initialised or broken
	// (CKR_CRYPTOKI_NOT_INITIALIZED, CKR_GENERAL_ERROR): the module is
	// restarted (C_Finalize + C_Initialize), then sessions re-established.
	KindModule
	// KindPIN: the token refused the PIN. Never retried: retries could
	// lock the token.
	KindPIN
	// KindBusy: no session became free within the wait bound.
	KindBusy
	// KindUnavailable: the circuit breaker is open; the call failed fast.
	KindUnavailable
	numKinds
)

var kindNames = [numKinds]string{"other", "session", "login", "device", "module", "pin", "busy", "unavailable"}

func (k ErrorKind) String() string {
	if k >= 0 && k < numKinds {
		return kindNames[k]
	}
	return "unknown"
}

// recoverable reports whether re-establishing sessions may cure the error.
func (k ErrorKind) recoverable() bool {
	return k == KindSession || k == KindLogin || k == KindDevice || k == KindModule
}

// errStale marks a session that belongs to a module generation which no
// longer exists; it is classified as KindSession.
var errStale = errors.New("sessions predate a module restart")

// classify maps an error of a PKCS#11 call to its kind.
func classify(err error) ErrorKind {
	if errors.Is(err, errStale) {
		return KindSession
	}
	var e p11.Error
	if !errors.As(err, &e) {
		return KindOther
	}
	switch uint(e) {
	case p11.CKR_SESSION_HANDLE_INVALID, p11.CKR_SESSION_CLOSED,
		p11.CKR_OPERATION_ACTIVE, p11.CKR_OPERATION_NOT_INITIALIZED,
		p11.CKR_KEY_HANDLE_INVALID, p11.CKR_OBJECT_HANDLE_INVALID:
		return KindSession
	case p11.CKR_USER_NOT_LOGGED_IN:
		return KindLogin
	case p11.CKR_DEVICE_ERROR, p11.CKR_DEVICE_REMOVED, p11.CKR_DEVICE_MEMORY,
		p11.CKR_TOKEN_NOT_PRESENT, p11.CKR_TOKEN_NOT_RECOGNIZED,
		p11.CKR_SLOT_ID_INVALID, p11.CKR_FUNCTION_FAILED:
		return KindDevice
	case p11.CKR_CRYPTOKI_NOT_INITIALIZED, p11.CKR_GENERAL_ERROR:
		return KindModule
	case p11.CKR_PIN_INCORRECT, p11.CKR_PIN_INVALID, p11.CKR_PIN_LEN_RANGE,
		p11.CKR_PIN_EXPIRED, p11.CKR_PIN_LOCKED:
		return KindPIN
	}
	return KindOther
}

// isCode reports whether err is the PKCS#11 return value code.
func isCode(err error, code uint) bool {
	var e p11.Error
	return errors.As(err, &e) && uint(e) == code
}
