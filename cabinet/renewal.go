package cabinet

// Renewal by a signature with the current certificate (issue 13): the
// rules that decide whether a certificate may be renewed now, and whether
// a verified CAdES signer is the holder asking. Pure functions: the
// caller brings the certificate, its status, the clock and the facts
// about the organisation and open applications; pkix/cms has verified
// the signature.

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/gostca/gostca/pkix"
)

// RenewalDefaultWindow is how long before the current certificate's
// notAfter renewal opens, unless configured otherwise.
const RenewalDefaultWindow = 70 * 24 * time.Hour

// RenewalIdentificationKind is the IdentificationKind of a certificate
// issued on a renewal signed with the current certificate: remote
// identification with a valid qualified certificate, no visit.
const RenewalIdentificationKind = pkix.IdentificationRemoteCertificate

// RenewalCertStatus is the current certificate's status as the store
// has it.
type RenewalCertStatus int

const (
	RenewalCertValid   RenewalCertStatus = iota // not revoked, not on hold
	RenewalCertRevoked                          // revoked for good
	RenewalCertHeld                             // suspended (certificateHold)
)

// RenewalCode is the stable code of a refusal; callers and the API
// match on it, the message is for people.
type RenewalCode string

const (
	RenewalExpired            RenewalCode = "renewal_certificate_expired"
	RenewalRevoked            RenewalCode = "renewal_certificate_revoked"
	RenewalSuspended          RenewalCode = "renewal_certificate_suspended"
	RenewalOrgChanged         RenewalCode = "renewal_organization_changed"
	RenewalResponsibleChanged RenewalCode = "renewal_responsible_person_changed"
	RenewalApplicationOpen    RenewalCode = "renewal_application_open"
	RenewalTooEarly           RenewalCode = "renewal_too_early"
	RenewalNoCertificate      RenewalCode = "renewal_no_certificate"
	// RenewalSignerMismatch: the renewal application was signed with a
	// certificate other than the one being renewed.
	RenewalSignerMismatch RenewalCode = "renewal_signer_certificate_mismatch"
	// RenewalPersonMismatch: full name, SNILS or INN of the renewal data
	// differ from the signer certificate's.
	RenewalPersonMismatch RenewalCode = "renewal_person_mismatch"
	// RenewalSigningTime: the signature claims a time outside the
	// certificate's validity or in the future.
	RenewalSigningTime RenewalCode = "renewal_signing_time"
)

// RenewalRefusal says why a renewal is refused.
type RenewalRefusal struct {
	Code    RenewalCode
	Message string
	// OpensAt is when renewal opens (RenewalTooEarly only).
	OpensAt time.Time
}

func (r *RenewalRefusal) Error() string { return "cabinet: " + r.Message }

// RenewalRules are the configurable renewal settings.
type RenewalRules struct {
	// Window is how long before notAfter renewal opens; zero means
	// RenewalDefaultWindow.
	Window time.Duration
}

// RenewalRequest is what a renewal decision looks at.
type RenewalRequest struct {
	Current *pkix.Certificate
	Status  RenewalCertStatus
	Now     time.Time
	// OrganizationChanged: the tax registry's latest record of the
	// organisation (name, INN, KPP, OGRN, OGRNIP, address) differs from
	// the current certificate's application (RenewalOrgFacts).
	OrganizationChanged bool
	// ResponsiblePersonChanged: the registry named another head (the
	// person acting for the organisation) after the certificate's
	// organisation data were checked (RenewalOrgFacts).
	ResponsiblePersonChanged bool
	// OpenApplication: a service centre has already opened an
	// application for this certificate's renewal (or replacement).
	OpenApplication bool
}

// renewalZone is Moscow time, in which dates are shown to subscribers.
var renewalZone = time.FixedZone("MSK", 3*60*60)

func renewalDate(t time.Time) string { return t.In(renewalZone).Format("02.01.2006") }

// Check decides a renewal request: nil when renewal is allowed now, else
// the first refusal of: revoked, suspended, expired, organisation
// changed, responsible person changed, application already open, too
// early. Permanent reasons come before the one that time will cure.
func (r RenewalRules) Check(req RenewalRequest) *RenewalRefusal {
	cert := req.Current
	if cert == nil {
		return &RenewalRefusal{Code: RenewalNoCertificate, Message: "there is no current certificate to renew"}
	}
	window := r.Window
	if window <= 0 {
		window = RenewalDefaultWindow
	}
	switch req.Status {
	case RenewalCertRevoked:
		return &RenewalRefusal{Code: RenewalRevoked,
			Message: "the certificate is revoked and cannot be renewed; apply for a new certificate at a service centre"}
	case RenewalCertHeld:
		return &RenewalRefusal{Code: RenewalSuspended,
			Message: "the certificate is suspended and cannot be renewed while suspended; ask for it to be reinstated, or apply for a new one at a service centre"}
	}
	if req.Now.After(cert.NotAfter) {
		return &RenewalRefusal{Code: RenewalExpired,
			Message: fmt.Sprintf("the certificate expired on %s; an expired certificate cannot sign its renewal: apply for a new certificate at a service centre", renewalDate(cert.NotAfter))}
	}
	if ref := orgRefusal(req); ref != nil {
		return ref
	}
	if req.OpenApplication {
		return &RenewalRefusal{Code: RenewalApplicationOpen,
			Message: "a service centre has already opened an application for this certificate; finish or withdraw that application"}
	}
	if opens := cert.NotAfter.Add(-window); req.Now.Before(opens) {
		return &RenewalRefusal{Code: RenewalTooEarly, OpensAt: opens,
			Message: fmt.Sprintf("renewal opens on %s, %d days before the certificate expires on %s", renewalDate(opens), int(window/(24*time.Hour)), renewalDate(cert.NotAfter))}
	}
	return nil
}

// orgRefusal is the refusal for the organisation's or its head's
// change (nil: neither changed).
func orgRefusal(req RenewalRequest) *RenewalRefusal {
	switch {
	case req.OrganizationChanged:
		return &RenewalRefusal{Code: RenewalOrgChanged,
			Message: "the organisation's data have changed since the certificate was issued; a certificate with new organisation data is issued only after a visit to a service centre"}
	case req.ResponsiblePersonChanged:
		return &RenewalRefusal{Code: RenewalResponsibleChanged,
			Message: "the organisation's responsible person has changed since the certificate was issued; the new person applies at a service centre"}
	}
	return nil
}

// RenewalPerson is the holder's data in the renewal application, which
// the signer certificate must carry.
type RenewalPerson struct {
	FullName string // surname, given name, patronymic: "Иванов Иван Иванович"
	SNILS    string // 11 digits; the printed form with "-" and " " is accepted
	INN      string // 12 digits; empty when the certificate carries none
}

// RenewalCheckSigner checks the certificate that signed the renewal
// application (from pkix/cms, already verified) against the holder's
// current certificate and the renewal data:
//
//   - it is the current certificate itself: the same DER (so the same
//     issuer and serial; a certificate that copies the issuer and serial
//     but differs in any byte is refused);
//   - the signing time lies within its validity and not ahead of now
//     (by more than a minute of clock skew);
//   - full name (surname and given names, compared without regard to
//     case, runs of spaces or ё/е), SNILS and INN equal the renewal
//     data's.
func RenewalCheckSigner(signer, current *pkix.Certificate, signingTime, now time.Time, person RenewalPerson) *RenewalRefusal {
	if current == nil {
		return &RenewalRefusal{Code: RenewalNoCertificate, Message: "there is no current certificate to renew"}
	}
	if signer == nil {
		return &RenewalRefusal{Code: RenewalSignerMismatch, Message: "the renewal application carries no signer certificate"}
	}
	if h1, h2 := sha256.Sum256(signer.Raw), sha256.Sum256(current.Raw); h1 != h2 {
		if bytes.Equal(signer.RawIssuer, current.RawIssuer) && signer.SerialNumber.Cmp(current.SerialNumber) == 0 {
			return &RenewalRefusal{Code: RenewalSignerMismatch,
				Message: "the signer certificate has the serial number of the certificate being renewed but is not that certificate"}
		}
		return &RenewalRefusal{Code: RenewalSignerMismatch,
			Message: fmt.Sprintf("the renewal application is signed with certificate %X, not with the certificate being renewed (%X); sign it with the certificate you renew", signer.SerialNumber, current.SerialNumber)}
	}
	const skew = time.Minute
	switch {
	case signingTime.Before(signer.NotBefore) || signingTime.After(signer.NotAfter):
		return &RenewalRefusal{Code: RenewalSigningTime, Message: "the signing time lies outside the certificate's validity"}
	case signingTime.After(now.Add(skew)):
		return &RenewalRefusal{Code: RenewalSigningTime, Message: "the signing time is in the future; check the clock of the computer that signed"}
	}
	sub, err := signer.Subject.Subject()
	if err != nil {
		return &RenewalRefusal{Code: RenewalPersonMismatch, Message: "the signer certificate's subject cannot be read: " + err.Error()}
	}
	var differ []string
	certName := strings.TrimSpace(sub.Surname + " " + sub.GivenName)
	if certName == "" {
		certName = sub.CommonName
	}
	if renewalFoldName(certName) != renewalFoldName(person.FullName) {
		differ = append(differ, "full name")
	}
	if pkix.NormalizeSNILS(strings.TrimSpace(person.SNILS)) != sub.SNILS || sub.SNILS == "" {
		differ = append(differ, "SNILS")
	}
	if strings.TrimSpace(person.INN) != sub.INN {
		differ = append(differ, "INN")
	}
	if len(differ) > 0 {
		return &RenewalRefusal{Code: RenewalPersonMismatch,
			Message: "the " + strings.Join(differ, ", ") + " in the renewal application differ from the signer certificate's; renewal keeps the holder: a change of person needs a new application at a service centre"}
	}
	return nil
}

// renewalFoldName folds a name for comparison: lower case, ё as е, runs
// of white space as one space, no outer space.
func renewalFoldName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		r = unicode.ToLower(r)
		if r == 'ё' {
			r = 'е'
		}
		b.WriteRune(r)
	}
	return b.String()
}
