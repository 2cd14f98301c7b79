package auth

import (
	"errors"
	"slices"
	"strings"

	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/store"
)

// Service centres (пункты выдачи, docs/design.md) identify applicants in
// person and hand out certificates on the CA's behalf. A service_centre
// token is confined to its centre, the token's Scope:
//
//   - it issues certificates, which are recorded as its centre's;
//   - it reads and searches only its centre's certificates: another
//     centre's certificate is answered exactly like an unknown serial
//     (certificate_not_found), so serials cannot be probed, and a
//     certificate still being issued is "not found" too;
//   - it suspends its centre's certificates and revokes them with the
//     reasons a subscriber may ask for at the desk (CentreRevocationReasons);
//     resuming a suspended certificate, and revoking for the CA's own
//     reasons (cACompromise, privilegeWithdrawn, aACompromise), stay with
//     the CA's operators.
//
// CA operators and administrators may record an issuance on behalf of a
// centre; other roles see every certificate and may list one centre's.

// CentreRevocationReasons are the revocation reasons a service centre may
// give: those a subscriber can ask for in person.
var CentreRevocationReasons = []string{"unspecified", "keyCompromise", "affiliationChanged", "superseded", "cessationOfOperation"}

// ValidCentreID reports whether id is a well-formed service centre id:
// 1–64 characters of [A-Za-z0-9._-]. Token scopes follow the same rule.
func ValidCentreID(id string) bool { return store.ValidCentreID(id) }

// CentreIDRule says what a service centre id is, for error details.
const CentreIDRule = "a service centre id is 1–64 characters of A-Z a-z 0-9 . _ -"

// Confinement returns the centre p is confined to (confined false: p sees
// every centre). A service_centre principal whose scope is not a valid
// centre id (a hand-edited token file) is refused rather than ever being
// treated as unconfined.
func Confinement(p *Principal) (centre string, confined bool, err error) {
	if p == nil {
		return "", false, caerr.Newf(caerr.CodeInvalidRequest, "no caller")
	}
	if p.Role != RoleServiceCentre {
		return "", false, nil
	}
	if !ValidCentreID(p.Scope) {
		return "", true, caerr.Forbidden("", "this token's scope is not a valid service centre id; create a new token")
	}
	return p.Scope, true, nil
}

// IssueCentre decides which centre an issuance is recorded for: a
// service centre's own; the one an operator or administrator names (or
// none); other roles may not name one.
func IssueCentre(p *Principal, requested string) (string, error) {
	centre, confined, err := Confinement(p)
	if err != nil {
		return "", err
	}
	switch {
	case confined:
		if requested != "" && requested != centre {
			return "", caerr.Forbidden("service_centre", "a service centre issues only for itself")
		}
		return centre, nil
	case requested == "":
		return "", nil
	case p.Role != RoleCAOperator && p.Role != RoleCAAdmin:
		return "", caerr.Forbidden("service_centre", "only CA operators and administrators issue on behalf of a service centre")
	case !ValidCentreID(requested):
		return "", &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "service_centre", Detail: CentreIDRule}
	}
	return requested, nil
}

// ErrNoCertificate is the one answer for "no such certificate", whether
// the serial is unknown or belongs to another centre.
func ErrNoCertificate(cause error) error {
	return caerr.New(caerr.CodeCertificateNotFound, "no such certificate", cause)
}

// errHidden is the cause logged for a certificate hidden from a centre.
var errHidden = errors.New("auth: certificate of another service centre")

// HideForeign turns a certificate lookup into what a confined caller may
// see: another centre's certificate, and one still being issued (whose
// centre the store cannot tell yet), are not found.
func HideForeign(rec *store.CertRecord, err error, centre string) (*store.CertRecord, error) {
	if errors.Is(err, store.ErrPending) {
		return nil, ErrNoCertificate(err)
	}
	if err != nil {
		return nil, caerr.Classify(err)
	}
	if rec.Centre != centre {
		return nil, ErrNoCertificate(errHidden)
	}
	return rec, nil
}

// Status changes, as CheckCentreStatus takes them.
const (
	ActionRevoke  = "revoke"
	ActionSuspend = "suspend"
	ActionResume  = "resume"
)

// CheckCentreStatus applies a service centre's limits on status changes
// (action is ActionRevoke, ActionSuspend or ActionResume); other callers
// pass.
func CheckCentreStatus(p *Principal, action, reason string) error {
	_, confined, err := Confinement(p)
	if err != nil || !confined {
		return err
	}
	switch action {
	case ActionResume:
		return caerr.Forbidden("", "a service centre may not resume a certificate; a CA operator does")
	case ActionRevoke:
		if !slices.Contains(CentreRevocationReasons, reason) {
			return caerr.Forbidden("reason", "a service centre revokes only with %s", strings.Join(CentreRevocationReasons, ", "))
		}
	}
	return nil
}
