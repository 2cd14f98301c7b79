package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// PutOCSPResponses stores several pre-signed responses in one unsynced
// batch (updateUnsynced: one WAL append and one trip through the writer
// lock for all of them, where PutOCSPResponse takes one each). Each
// record gets PutOCSPResponse's checks, made under the writer lock
// against the committed certificate: a response whose StatusVersion is
// not the certificate's current one is refused with ErrStale and a
// response for an unknown certificate with ErrNotFound, and either
// refusal leaves the others to be stored. errs[i] is record i's refusal
// (nil: stored, or stored in this batch and replaced by a later record
// of the same serial); err is an error of the whole batch, which then
// stores nothing. A bad record (no DER, no nextUpdate, a bad serial)
// fails the batch with ErrInvalidInput before anything is read.
//
// All or none of the batch survives a crash, each response with its
// due-index move, so a lost batch leaves its certificates due and the
// pre-signer signs them again.
func (s *Store) PutOCSPResponses(ctx context.Context, rs []OCSPRecord) (errs []error, err error) {
	serials := make([][]byte, len(rs))
	for i := range rs {
		if serials[i], err = checkOCSPRecord(&rs[i]); err != nil {
			return nil, err
		}
	}
	errs = make([]error, len(rs))
	err = s.updateUnsynced(ctx, "put OCSP responses", func(t *txn) error {
		// The batch's own writes are invisible to t.get: the due time a
		// serial was moved to earlier in this batch is kept here.
		moved := map[string]time.Time{}
		for i := range rs {
			errs[i] = nil
			e, err := t.putOCSP(serials[i], &rs[i], moved)
			if err != nil {
				return err
			}
			errs[i] = e
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return errs, nil
}

// checkOCSPRecord checks what a response record must carry and returns
// its normalised serial.
func checkOCSPRecord(r *OCSPRecord) ([]byte, error) {
	serial, err := normSerial(r.Serial)
	if err != nil {
		return nil, fmt.Errorf("store: put OCSP response: %w", err)
	}
	if err := checkBytes("OCSP response", r.DER, 1, maxDERLen); err != nil {
		return nil, fmt.Errorf("store: put OCSP response %x: %w", serial, err)
	}
	if r.NextUpdate.IsZero() {
		return nil, invalid("put OCSP response %x: no nextUpdate", serial)
	}
	return serial, nil
}

// putOCSP adds one response and its due-index move to t, unless the
// certificate is unknown (ErrNotFound) or at another status version
// (ErrStale): those come back as the first result, and write nothing.
// moved holds the due times earlier records of the batch moved serials
// to; nil when t writes one record.
func (t *txn) putOCSP(serial []byte, r *OCSPRecord, moved map[string]time.Time) (refused, err error) {
	c, err := t.s.loadCert(t.s.db, serial)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("store: put OCSP response %x: %w", serial, ErrNotFound), nil
	}
	if err != nil {
		return nil, err
	}
	if c.Status.Version != r.StatusVersion {
		return fmt.Errorf("store: put OCSP response %x: built for status version %d, now %d: %w",
			serial, r.StatusVersion, c.Status.Version, ErrStale), nil
	}
	oldDue, ok := moved[string(serial)]
	if !ok {
		if oldDue, err = t.ocspDue(serial); err != nil {
			return nil, err
		}
	}
	rec := OCSPRecord{Serial: serial, DER: r.DER, NextUpdate: r.NextUpdate.UTC(), StatusVersion: r.StatusVersion, StoredAt: t.now}
	if err := t.set(ocspKey(serial), encodeOCSP(&rec)); err != nil {
		return nil, err
	}
	if err := t.del(ocspDueKey(oldDue, serial)); err != nil {
		return nil, err
	}
	if err := t.set(ocspDueKey(rec.NextUpdate, serial), nil); err != nil {
		return nil, err
	}
	if moved != nil {
		moved[string(serial)] = rec.NextUpdate
	}
	return nil, nil
}
