package ca

import (
	"context"
	"fmt"
	"time"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// StatusAction is a status change asked for.
type StatusAction int

// Status changes.
const (
	Revoke StatusAction = iota + 1
	Suspend
	Resume
)

func (a StatusAction) String() string {
	switch a {
	case Revoke:
		return auth.ActionRevoke
	case Suspend:
		return auth.ActionSuspend
	case Resume:
		return auth.ActionResume
	}
	return "unknown"
}

// RevocationReasons are the reasons Revoke accepts, by RFC 5280 name.
// certificateHold is Suspend; removeFromCRL is not a reason to revoke.
var RevocationReasons = map[string]pkix.CRLReason{
	"unspecified": pkix.ReasonUnspecified, "keyCompromise": pkix.ReasonKeyCompromise,
	"cACompromise": pkix.ReasonCACompromise, "affiliationChanged": pkix.ReasonAffiliationChanged,
	"superseded": pkix.ReasonSuperseded, "cessationOfOperation": pkix.ReasonCessationOfOperation,
	"privilegeWithdrawn": pkix.ReasonPrivilegeWithdrawn, "aACompromise": pkix.ReasonAACompromise,
}

// StatusRequest is the argument of SetStatus.
type StatusRequest struct {
	Action StatusAction
	// Reason names a RevocationReasons entry (Revoke only; default
	// "unspecified").
	Reason string
	// InvalidityDate is when the key was known or suspected compromised
	// (Revoke only, optional, not in the future).
	InvalidityDate time.Time
	// Comment goes into the audit entry (≤ 1 KiB).
	Comment string
}

// SetStatus revokes, suspends or resumes a certificate, records who did it
// in the audit log, and refreshes its OCSP response and its issuer's CRL.
// A service centre may suspend and revoke (with CentreRevocationReasons)
// its own centre's certificates only; another centre's is not found.
func (c *CA) SetStatus(ctx context.Context, p *auth.Principal, serial []byte, req StatusRequest) (*store.CertRecord, error) {
	if p == nil {
		return nil, caerr.Newf(caerr.CodeInvalidRequest, "no caller")
	}
	now := time.Now().UTC().Truncate(time.Second)
	ch := store.StatusChange{At: now}
	switch req.Action {
	case Revoke:
		name := req.Reason
		if name == "" {
			name = "unspecified"
		}
		reason, ok := RevocationReasons[name]
		if !ok {
			return nil, &caerr.Error{Code: caerr.CodeInvalidReason, Field: "reason", Detail: fmt.Sprintf("unknown revocation reason %q (suspend with the suspend action)", req.Reason)}
		}
		ch.State, ch.Reason = store.Revoked, int(reason)
		if !req.InvalidityDate.IsZero() {
			if req.InvalidityDate.After(now) {
				return nil, &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "invalidity_date", Detail: "invalidity_date is in the future"}
			}
			ch.InvalidityDate = req.InvalidityDate.UTC().Truncate(time.Second)
		}
	case Suspend, Resume:
		if req.Reason != "" && req.Reason != "certificateHold" {
			return nil, &caerr.Error{Code: caerr.CodeInvalidReason, Field: "reason", Detail: "suspend and resume take no reason"}
		}
		if !req.InvalidityDate.IsZero() {
			return nil, &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "invalidity_date", Detail: "invalidity_date only goes with revoke"}
		}
		ch.State = store.OnHold
		if req.Action == Resume {
			ch.State = store.Valid
		}
	default:
		return nil, caerr.Newf(caerr.CodeInvalidRequest, "unknown status action")
	}
	if len(req.Comment) > 1024 {
		return nil, &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "comment", Detail: "comment longer than 1024 bytes"}
	}
	if err := auth.CheckCentreStatus(p, req.Action.String(), reasonName(req)); err != nil {
		return nil, err
	}
	if _, confined, _ := auth.Confinement(p); confined {
		// Ownership before the transition: another centre's certificate
		// must not answer invalid_transition (or anything but not found).
		if _, err := c.Certificate(ctx, p, serial); err != nil {
			return nil, err
		}
	}
	// Structured: the reason and the operator's comment are fields of
	// their own (kept as sent, escaped wherever they are shown), never
	// pasted into a details line where a comment could fake a field.
	audit := store.AuditEntry{Actor: p.Actor(), Comment: req.Comment}
	switch req.Action {
	case Revoke:
		audit.Reason = reasonName(req)
	case Suspend:
		audit.Reason = "certificateHold"
	}
	if err := c.st.SetStatus(ctx, serial, ch, audit); err != nil {
		c.pub.ForgetOCSP(serial) // an error may come after the commit
		ce := caerr.Classify(err)
		if caerr.CodeOf(ce) == caerr.CodeInvalidTransition {
			if cur, rerr := c.st.Certificate(ctx, serial); rerr == nil {
				ce = transitionRefused(ce, req.Action, statusView(cur))
			}
		}
		return nil, ce
	}
	rec, err := c.st.Certificate(ctx, serial)
	if err != nil {
		c.pub.ForgetOCSP(serial) // no cached answer outlives the change
		return nil, caerr.Classify(err)
	}
	c.pub.StatusChanged(ctx, rec)
	c.log.Info("certificate status changed", "serial", FormatSerial(serial), "action", req.Action.String(), "actor", p.Actor())
	return rec, nil
}

// reasonName is the revocation reason a request means ("unspecified"
// when none is given).
func reasonName(req StatusRequest) string {
	if req.Reason == "" {
		return "unspecified"
	}
	return req.Reason
}

// statusView is a certificate's status in the words of the API.
func statusView(rec *store.CertRecord) *CertRecordView {
	v := &CertRecordView{State: StateName(rec.Status.State), Since: rec.Status.At.UTC().Format(time.RFC3339)}
	if rec.Status.State == store.Revoked {
		v.Reason = pkix.CRLReason(rec.Status.Reason).String()
	}
	return v
}
