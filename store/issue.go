package store

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
)

// CommitIssued stores signed certificates in one synced write: per
// certificate the record (status Valid, service centre from the intent),
// its identifier, service-centre, expiry and OCSP-due index entries (with
// the pre-signed OCSP response when Issued.OCSP carries one), its outbox
// rows and its audit entry, and the deletion of its intent. Any bad
// element fails the whole call and nothing is written: an unknown or
// failed intent (ErrNotFound), fields that contradict the intent or break
// the bounds (ErrInvalidInput).
func (s *Store) CommitIssued(ctx context.Context, certs []Issued) error {
	_, err := s.CommitIssuedRecords(ctx, certs)
	return err
}

// CommitIssuedRecords is CommitIssued that also returns the records it
// wrote, in the order of certs, so that the issuer need not read them
// back.
func (s *Store) CommitIssuedRecords(ctx context.Context, certs []Issued) ([]CertRecord, error) {
	if len(certs) > maxBatch {
		return nil, invalid("commit issued: %d certificates, at most %d per call", len(certs), maxBatch)
	}
	items := make([]Issued, len(certs))
	seen := map[string]bool{}
	for i := range certs {
		is := certs[i]
		if err := checkIssued(&is); err != nil {
			return nil, fmt.Errorf("store: commit issued %d: %w", i, err)
		}
		if seen[string(is.Serial)] {
			return nil, invalid("commit issued: serial %x twice in one call", is.Serial)
		}
		seen[string(is.Serial)] = true
		items[i] = is
	}
	recs := make([]CertRecord, len(items))
	err := s.update(ctx, "commit issued", func(t *txn) error {
		apps := map[string]bool{}
		for i := range items {
			if err := t.commitIssued(&items[i], &recs[i], apps); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return recs, nil
}

// commitIssued writes one certificate and, when its intent links an
// application, that application's "issued" change (issueApp; apps are
// the applications issued earlier in the batch); out receives its
// record.
func (t *txn) commitIssued(is *Issued, out *CertRecord, apps map[string]bool) error {
	serial := is.Serial
	v, err := t.get(t.intentKey(serial))
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("store: commit cert %x: no pending intent: %w", serial, ErrNotFound)
	}
	if err != nil {
		return err
	}
	in, err := decodeIntentOwned(v) // v is t.get's own copy
	if err != nil {
		return fmt.Errorf("store: commit cert %x: %w", serial, err)
	}
	if err := matchIntent(is, in); err != nil {
		return err
	}
	if ok, err := t.has(t.certKey(serial)); err != nil {
		return err
	} else if ok {
		return corrupt("commit cert %x: certificate and pending intent both exist", serial)
	}

	c := &CertRecord{
		Serial: bytes.Clone(serial), IssuerID: is.IssuerID, RequestID: in.RequestID, Profile: in.Profile,
		DER: is.DER, NotBefore: is.NotBefore.UTC(), NotAfter: is.NotAfter.UTC(), KeyHash: in.KeyHash,
		Subject: is.Subject, Centre: in.Centre, IssuedAt: t.now, Status: Status{State: Valid},
	}
	*out = *c
	if err := t.set(t.certKey(serial), encodeCert(c)); err != nil {
		return err
	}
	if err := t.del(t.intentKey(serial)); err != nil {
		return err
	}
	// The request and key indexes were written with the intent and now
	// point to the certificate; identifiers, centre and expiry are new.
	if err := t.setCertIndexes(c); err != nil {
		return err
	}
	if err := t.issuedOCSP(c, is.OCSP); err != nil {
		return err
	}
	for j := range is.Outbox {
		r := OutboxRow{Kind: is.Outbox[j].Kind, Serial: c.Serial, Payload: is.Outbox[j].Payload}
		if err := t.outbox(&r); err != nil {
			return err
		}
	}
	a := is.Audit
	if a.Action == "" {
		a.Action = "issue"
	}
	if a.Action != "issue" {
		return invalid("commit cert %x: audit action %q: an issuance is recorded as \"issue\"", serial, a.Action)
	}
	if a.Subject == "" {
		a.Subject = hex.EncodeToString(serial) // as %x writes it
	}
	a.Serial, a.CertStatus = c.Serial, c.Status
	if err := t.audit(&a); err != nil {
		return fmt.Errorf("store: commit cert %x: %w", serial, err)
	}
	if in.App != nil {
		if err := t.issueApp(in.App, c, is.AppNotices, apps); err != nil {
			return fmt.Errorf("store: commit cert %x: application %s: %w", serial, in.App.ID, err)
		}
	}
	return nil
}

// matchIntent fills empty Issued fields from the intent and rejects
// contradictions.
func matchIntent(is *Issued, in *intentRec) error {
	if is.IssuerID != in.IssuerID {
		return invalid("commit cert %x: issuer %q, intent has %q", is.Serial, is.IssuerID, in.IssuerID)
	}
	if is.RequestID != "" && is.RequestID != in.RequestID {
		return invalid("commit cert %x: request ID differs from the intent's", is.Serial)
	}
	if is.KeyHash != (KeyHash{}) && is.KeyHash != in.KeyHash {
		return invalid("commit cert %x: key hash differs from the intent's", is.Serial)
	}
	if !is.App.Equal(in.App) {
		return invalid("commit cert %x: application link differs from the intent's", is.Serial)
	}
	return nil
}

// setCertIndexes writes the identifier, service-centre and expiry
// entries of c.
func (t *txn) setCertIndexes(c *CertRecord) error {
	err := c.Subject.each(func(f Field, v string) error {
		return t.set(t.identKey(f, v, c.NotBefore, c.Serial), nil)
	})
	if err != nil {
		return err
	}
	if c.Centre != "" {
		if err := t.set(t.centreKey(c.Centre, c.NotBefore, c.Serial), nil); err != nil {
			return err
		}
	}
	return t.set(t.expiryKey(c.NotAfter, c.Serial), nil)
}
