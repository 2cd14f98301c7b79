package store

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
)

// Audit actions of an application's issuance written by the certificate
// commit: the change itself (as the RA writes it, "application_" and the
// action) and the record of a link that no longer matched.
const (
	appIssuedAction    = "issued"
	auditAppIssued     = "application_" + appIssuedAction
	auditAppIssueStale = "application.issue_stale"
)

// issueApp is the mechanical half of "issuing → issued" (the RA checked
// the rule before asking for the certificate): in the certificate's
// batch it moves the linked application to issued with the serial, and
// writes its history event, its audit entry and the notices' outbox
// rows, exactly as PutApplication would. If the application is no longer
// at the link's version, attempt and state "issuing" (or was issued by an
// earlier certificate of this batch), the certificate still commits and
// the application is left for the RA (a repeat of its keyed call
// finishes it); an "application.issue_stale" entry records why. done
// holds the applications issued earlier in this batch.
func (t *txn) issueApp(l *AppLink, c *CertRecord, notices func(*Application, []byte) []OutboxRow, done map[string]bool) error {
	a, err := t.s.loadApp(t.s.db, l.ID)
	stale := ""
	switch {
	case errors.Is(err, ErrNotFound):
		stale = "no such application"
	case err != nil:
		return err
	case done[l.ID]:
		stale = "issued by another certificate of this batch"
	case a.State != AppIssuing:
		stale = "it is " + a.State.String() + ", not issuing"
	case a.Version != l.Version:
		stale = fmt.Sprintf("it is at version %d, not %d", a.Version, l.Version)
	case a.IssueAttempt != l.Attempt:
		stale = fmt.Sprintf("it is at issue attempt %d, not %d", a.IssueAttempt, l.Attempt)
	}
	var rows []OutboxRow
	if stale == "" {
		expect := a.Version
		a.State, a.StateSince, a.Serial = AppIssued, t.now, bytes.Clone(c.Serial)
		a.Version, a.UpdatedAt = expect+1, t.now
		if notices != nil {
			rows = notices(a, c.Serial)
		}
		if err := checkAppIssue(a, rows); err != nil {
			stale = err.Error()
		} else {
			note := "serial " + hex.EncodeToString(c.Serial)
			ev := AppEvent{At: t.now, Actor: l.Actor, Action: appIssuedAction, From: AppIssuing, To: AppIssued, Note: note, Version: a.Version}
			audit := AuditEntry{At: t.now, Actor: l.Actor, Action: auditAppIssued, Subject: "application:" + a.ID,
				Details: fmt.Sprintf("state %s → %s; version %d; %s", AppIssuing, AppIssued, a.Version, note)}
			done[l.ID] = true
			return t.putApp(a, expect, &ev, &audit, rows)
		}
	}
	e := AuditEntry{Actor: l.Actor, Action: auditAppIssueStale, Subject: "application:" + l.ID,
		Details: fmt.Sprintf("certificate %x committed; application left for the registration authority: %s", c.Serial, stale)}
	t.s.log.Warn("issued certificate's application not updated in its batch", "application", l.ID, "reason", stale)
	return t.audit(&e)
}

// checkAppIssue bounds what issueApp writes as PutApplication does.
func checkAppIssue(a *Application, rows []OutboxRow) error {
	if err := checkApp(a); err != nil {
		return err
	}
	for _, r := range rows {
		if err := checkLen("outbox kind", r.Kind, 1, maxKindLen); err != nil {
			return err
		}
		if err := checkBytes("outbox payload", r.Payload, 0, maxPayloadLen); err != nil {
			return err
		}
	}
	return nil
}
