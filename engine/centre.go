package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gostca/gostca/store"
)

// Service centres (WORKFLOW.md: пункты выдачи) identify applicants in
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

const centreIDRule = "a service centre id is 1–64 characters of A-Z a-z 0-9 . _ -"

func forbidden(field, format string, args ...any) *Error {
	return &Error{Code: CodeForbidden, Field: field, Detail: fmt.Sprintf(format, args...)}
}

// confinement returns the centre p is confined to (confined false: p sees
// every centre). A service_centre principal whose scope is not a valid
// centre id (a hand-edited token file) is refused rather than ever being
// treated as unconfined.
func confinement(p *Principal) (centre string, confined bool, err error) {
	if p == nil {
		return "", false, invalidf(CodeInvalidRequest, "no caller")
	}
	if p.Role != RoleServiceCentre {
		return "", false, nil
	}
	if !ValidCentreID(p.Scope) {
		return "", true, forbidden("", "this token's scope is not a valid service centre id; create a new token")
	}
	return p.Scope, true, nil
}

// issueCentre decides which centre an issuance is recorded for: a
// service centre's own; the one an operator or administrator names (or
// none); other roles may not name one.
func issueCentre(p *Principal, requested string) (string, error) {
	centre, confined, err := confinement(p)
	if err != nil {
		return "", err
	}
	switch {
	case confined:
		if requested != "" && requested != centre {
			return "", forbidden("service_centre", "a service centre issues only for itself")
		}
		return centre, nil
	case requested == "":
		return "", nil
	case p.Role != RoleCAOperator && p.Role != RoleCAAdmin:
		return "", forbidden("service_centre", "only CA operators and administrators issue on behalf of a service centre")
	case !ValidCentreID(requested):
		return "", &Error{Code: CodeInvalidRequest, Field: "service_centre", Detail: centreIDRule}
	}
	return requested, nil
}

// errNoCertificate is the one answer for "no such certificate", whether
// the serial is unknown or belongs to another centre.
func errNoCertificate(cause error) error {
	return newErr(CodeCertificateNotFound, "no such certificate", cause)
}

// errHidden is the cause logged for a certificate hidden from a centre.
var errHidden = errors.New("engine: certificate of another service centre")

// hideForeign turns a certificate lookup into what a confined caller may
// see: another centre's certificate, and one still being issued (whose
// centre the store cannot tell yet), are not found.
func hideForeign(rec *store.CertRecord, err error, centre string) (*store.CertRecord, error) {
	if errors.Is(err, store.ErrPending) {
		return nil, errNoCertificate(err)
	}
	if err != nil {
		return nil, classify(err)
	}
	if rec.Centre != centre {
		return nil, errNoCertificate(errHidden)
	}
	return rec, nil
}

// checkCentreStatus applies a service centre's limits on status changes;
// other callers pass.
func checkCentreStatus(p *Principal, req StatusRequest, reason string) error {
	_, confined, err := confinement(p)
	if err != nil || !confined {
		return err
	}
	switch req.Action {
	case Resume:
		return forbidden("", "a service centre may not resume a certificate; a CA operator does")
	case Revoke:
		if !slices.Contains(CentreRevocationReasons, reason) {
			return forbidden("reason", "a service centre revokes only with %s", strings.Join(CentreRevocationReasons, ", "))
		}
	}
	return nil
}
