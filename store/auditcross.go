package store

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
)

// Certificate actions: the audit entries the store itself writes in the
// batch of a certificate's change. AppendAudit refuses them.
var certActions = map[string]bool{"issue": true, "revoke": true, "hold": true, "resume": true, "intent.fail": true}

// auditFacts is what the audit chain says about one serial.
type auditFacts struct {
	issues  int    // "issue" entries
	changes uint32 // status-change entries (revoke, hold, resume)
	lastVer uint32 // status version of the last version 2 change entry
	fails   int    // "intent.fail" entries
}

// auditSerial returns the serial an entry names: its Serial field, or
// for a version 1 entry of a certificate action its hex Subject. nil
// when the entry names none.
func auditSerial(a *AuditEntry) ([]byte, bool) {
	if len(a.Serial) > 0 {
		return a.Serial, true
	}
	if !certActions[a.Action] || a.CertStatus.State != 0 {
		return nil, false
	}
	b, err := hex.DecodeString(a.Subject)
	if err != nil {
		return nil, true
	}
	n, err := normSerial(b)
	if err != nil {
		return nil, true
	}
	return n, true
}

// wantState is the status an action leaves: issue and resume valid,
// revoke revoked, hold on hold.
var wantState = map[string]State{"issue": Valid, "resume": Valid, "revoke": Revoked, "hold": OnHold}

// auditEntry cross-checks one verified entry that names a certificate
// (or a failed intent) against the records and notes it in c.audits.
func (c *checker) auditEntry(a *AuditEntry) error {
	serial, names := auditSerial(a)
	if !names {
		return nil
	}
	key := auditKey(a.Seq)
	if serial == nil || !certActions[a.Action] {
		c.problem("audit-record", key, "entry %d (%s) names serial %q, which is not a certificate action or not a serial", a.Seq, AuditText(a.Action), AuditText(a.Subject))
		return nil
	}
	f := c.audits[string(serial)]
	if f == nil {
		f = &auditFacts{}
		c.audits[string(serial)] = f
	}
	if a.Action == "intent.fail" {
		f.fails++
		ok, err := c.s.has(c.r, failedKey(serial))
		if err == nil && !ok {
			c.problem("audit-record", key, "entry %d records the failure of intent %x, which is not a failed intent", a.Seq, serial)
		}
		return err
	}
	if a.Action == "issue" {
		f.issues++
	} else {
		f.changes++
	}
	rec, err := c.s.loadCert(c.r, serial)
	switch {
	case errors.Is(err, ErrNotFound):
		c.problem("audit-record", key, "entry %d (%s) names certificate %x, which does not exist", a.Seq, a.Action, serial)
		return nil
	case errors.Is(err, ErrCorrupt):
		return nil // reported when the scan reached the certificate
	case err != nil:
		return err
	}
	st := a.CertStatus
	if st.State == 0 {
		return nil // version 1 entry: action and serial only
	}
	switch {
	case st.State != wantState[a.Action] || (a.Action == "issue") != (st.Version == 0):
		c.problem("audit-record", key, "entry %d: action %s with status %s v%d", a.Seq, a.Action, st.State, st.Version)
	case st.Version > rec.Status.Version:
		c.problem("audit-record", key, "entry %d: certificate %x at status version %d, the certificate is at %d", a.Seq, serial, st.Version, rec.Status.Version)
	case st.Version == rec.Status.Version && !bytes.Equal(encodeStatusBytes(st), encodeStatusBytes(rec.Status)):
		c.problem("audit-record", key, "entry %d says certificate %x is %s v%d (reason %d, at %v), the certificate is %s v%d (reason %d, at %v)",
			a.Seq, serial, st.State, st.Version, st.Reason, st.At, rec.Status.State, rec.Status.Version, rec.Status.Reason, rec.Status.At)
	}
	if a.Action != "issue" {
		if st.Version <= f.lastVer {
			c.problem("audit-record", key, "entry %d: status version %d of %x after version %d", a.Seq, st.Version, serial, f.lastVer)
		}
		f.lastVer = st.Version
	}
	return nil
}

// auditCross checks the other direction: every certificate has exactly
// one issuance entry and as many status-change entries as status
// changes, and every failed intent exactly one failure entry. When the
// chain did not verify to the end (complete false), entries after the
// break were not seen, so missing entries are not reported (the break
// is).
func (c *checker) auditCross(ctx context.Context, complete bool) error {
	if !complete {
		return nil
	}
	err := scanPrefix(ctx, c.r, []byte{pCert}, func(k, v []byte) (bool, error) {
		rec, err := decodeCert(v)
		if err != nil {
			return true, nil // reported by the main pass
		}
		f := c.audits[string(rec.Serial)]
		if f == nil {
			f = &auditFacts{}
		}
		if f.issues != 1 {
			c.problem("audit-record", k, "certificate %x has %d issuance audit entries, want 1", rec.Serial, f.issues)
		}
		if f.changes != rec.Status.Version {
			c.problem("audit-record", k, "certificate %x had %d status changes, the audit log records %d", rec.Serial, rec.Status.Version, f.changes)
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("store: check audit records: %w", err)
	}
	err = scanPrefix(ctx, c.r, []byte{pFailed}, func(k, v []byte) (bool, error) {
		serial, _, ok := cutSerial(k[1:])
		if !ok {
			return true, nil
		}
		if f := c.audits[string(serial)]; f == nil || f.fails != 1 {
			n := 0
			if f != nil {
				n = f.fails
			}
			c.problem("audit-record", k, "failed intent %x has %d failure audit entries, want 1", serial, n)
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("store: check audit records: %w", err)
	}
	return nil
}
