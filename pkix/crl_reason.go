package pkix

import "strconv"

// CRLReason is RFC 5280 §5.3.1 CRLReason, used in CRL entries and in OCSP
// revokedInfo (RFC 6960 §4.2.1). Value 7 is not assigned.
type CRLReason int

const (
	ReasonUnspecified          CRLReason = 0
	ReasonKeyCompromise        CRLReason = 1
	ReasonCACompromise         CRLReason = 2
	ReasonAffiliationChanged   CRLReason = 3
	ReasonSuperseded           CRLReason = 4
	ReasonCessationOfOperation CRLReason = 5
	ReasonCertificateHold      CRLReason = 6 // suspension
	ReasonRemoveFromCRL        CRLReason = 8 // delta CRLs only: hold lifted
	ReasonPrivilegeWithdrawn   CRLReason = 9
	ReasonAACompromise         CRLReason = 10
)

// Valid reports whether r is an assigned CRLReason value.
func (r CRLReason) Valid() bool { return r >= 0 && r <= 10 && r != 7 }

func (r CRLReason) String() string {
	switch r {
	case ReasonUnspecified:
		return "unspecified"
	case ReasonKeyCompromise:
		return "keyCompromise"
	case ReasonCACompromise:
		return "cACompromise"
	case ReasonAffiliationChanged:
		return "affiliationChanged"
	case ReasonSuperseded:
		return "superseded"
	case ReasonCessationOfOperation:
		return "cessationOfOperation"
	case ReasonCertificateHold:
		return "certificateHold"
	case ReasonRemoveFromCRL:
		return "removeFromCRL"
	case ReasonPrivilegeWithdrawn:
		return "privilegeWithdrawn"
	case ReasonAACompromise:
		return "aACompromise"
	}
	return "CRLReason(" + strconv.Itoa(int(r)) + ")"
}

// revCheckReason validates a reason to encode; delta tells whether the
// structure is a delta CRL (the only place removeFromCRL belongs, RFC 5280
// §5.3.1).
func revCheckReason(r CRLReason, delta bool) string {
	switch {
	case !r.Valid():
		return "reason " + strconv.Itoa(int(r)) + " is not a CRLReason value (0..10 except 7)"
	case r == ReasonRemoveFromCRL && !delta:
		return "removeFromCRL is only allowed in a delta CRL"
	}
	return ""
}
