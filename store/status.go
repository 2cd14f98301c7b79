package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// transitionAllowed: revoked is final; valid → hold | revoked;
// hold → valid (resume) | revoked.
func transitionAllowed(from, to State) bool {
	switch from {
	case Valid:
		return to == Revoked || to == OnHold
	case OnHold:
		return to == Valid || to == Revoked
	}
	return false
}

// statusAction names a transition in the audit log.
var statusAction = map[State]string{Valid: "resume", Revoked: "revoke", OnHold: "hold"}

// normChange checks a StatusChange and returns the new status fields.
func normChange(ch StatusChange) (Status, error) {
	st := Status{State: ch.State, Reason: ch.Reason, At: ch.At.UTC(), InvalidityDate: ch.InvalidityDate.UTC()}
	switch ch.State {
	case Valid:
		return Status{State: Valid}, nil
	case Revoked:
		if !validRevocationReason(ch.Reason) {
			return Status{}, invalid("revocation reason %d", ch.Reason)
		}
	case OnHold:
		if ch.Reason != ReasonUnspecified && ch.Reason != ReasonCertificateHold {
			return Status{}, invalid("hold with reason %d", ch.Reason)
		}
		st.Reason = ReasonCertificateHold
	default:
		return Status{}, invalid("unknown state %d", ch.State)
	}
	if ch.At.IsZero() {
		return Status{}, invalid("%s without a time", ch.State)
	}
	if ch.InvalidityDate.IsZero() {
		st.InvalidityDate = time.Time{}
	}
	return st, nil
}

// SetStatus changes a certificate's status, in one synced write with its
// audit entry (Actor required; Action defaults to revoke/hold/resume,
// Subject to the serial in hex), the per-issuer revocation index used by
// Revoked, and the pre-signed OCSP response, which is dropped and marked
// due at once so a stale answer is never served. Revoked is final; a
// disallowed change returns ErrInvalidTransition.
func (s *Store) SetStatus(ctx context.Context, serial []byte, ch StatusChange, audit AuditEntry) error {
	n, err := normSerial(serial)
	if err != nil {
		return fmt.Errorf("store: set status: %w", err)
	}
	st, err := normChange(ch)
	if err != nil {
		return fmt.Errorf("store: set status %x: %w", n, err)
	}
	if audit.Action == "" {
		audit.Action = statusAction[st.State]
	}
	if audit.Action != statusAction[st.State] {
		return invalid("set status %x: audit action %q: this change is recorded as %q", n, audit.Action, statusAction[st.State])
	}
	if audit.Subject == "" {
		audit.Subject = fmt.Sprintf("%x", n)
	}
	if audit.Details == "" {
		audit.Details = fmt.Sprintf("state=%s reason=%d", st.State, st.Reason)
	}
	if err := checkCallerAudit(audit); err != nil {
		return fmt.Errorf("store: set status %x: %w", n, err)
	}
	return s.update(ctx, "set status", func(t *txn) error {
		return t.setStatus(n, st, &audit)
	})
}

func (t *txn) setStatus(serial []byte, st Status, audit *AuditEntry) error {
	c, err := t.s.loadCert(t.s.db, serial)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("store: set status %x: %w", serial, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if !transitionAllowed(c.Status.State, st.State) {
		return fmt.Errorf("store: set status %x: %s → %s: %w", serial, c.Status.State, st.State, ErrInvalidTransition)
	}
	st.Version = c.Status.Version + 1
	if err := t.logStatus(c.IssuerID, serial, c.Status, st); err != nil {
		return err
	}
	c.Status = st
	if err := t.set(certKey(serial), encodeCert(c)); err != nil {
		return err
	}
	rk := revokedKey(c.IssuerID, serial)
	if st.State == Valid {
		err = t.del(rk)
	} else {
		err = t.set(rk, encodeRevEntry(st))
	}
	if err != nil {
		return err
	}
	if err := t.dropOCSP(serial); err != nil {
		return err
	}
	audit.Serial, audit.CertStatus = bytes.Clone(serial), st
	return t.audit(audit)
}

// dropOCSP deletes a stored response and marks the certificate due now
// (again, if OCSPRetire had taken an expired one out of the index).
func (t *txn) dropOCSP(serial []byte) error {
	v, err := t.get(ocspKey(serial))
	if errors.Is(err, ErrNotFound) {
		return t.set(ocspDueKey(zeroTime, serial), nil)
	}
	if err != nil {
		return err
	}
	r, err := decodeOCSP(serial, v)
	if err != nil {
		return err
	}
	if err := t.del(ocspKey(serial)); err != nil {
		return err
	}
	if err := t.del(ocspDueKey(r.NextUpdate, serial)); err != nil {
		return err
	}
	return t.set(ocspDueKey(zeroTime, serial), nil)
}

// Revoked streams the revoked and held certificates of issuerID in serial
// order (holds carry ReasonCertificateHold) until fn returns false. The
// view is a consistent snapshot; serial is a fresh copy.
func (s *Store) Revoked(ctx context.Context, issuerID string, fn func(serial []byte, at time.Time, reason int, invalidity time.Time) bool) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	if err := checkLen("issuer ID", issuerID, 1, maxIssuerLen); err != nil {
		return err
	}
	return revokedScan(ctx, s.db, issuerID, fn)
}

// revokedScan streams issuerID's revocation index in r.
func revokedScan(ctx context.Context, r pebble.Reader, issuerID string, fn func(serial []byte, at time.Time, reason int, invalidity time.Time) bool) error {
	prefix := revokedPrefix(issuerID)
	return scanPrefix(ctx, r, prefix, func(k, v []byte) (bool, error) {
		serial, rest, ok := cutSerial(k[len(prefix):])
		if !ok || len(rest) != 0 {
			return false, corrupt("revocation key %x", k)
		}
		e, err := decodeRevEntry(v)
		if err != nil {
			return false, fmt.Errorf("store: revocation %x: %w", serial, err)
		}
		return fn(bytes.Clone(serial), e.at, e.reason, e.invalidity), nil
	})
}
