package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// PutOCSPResponse stores a pre-signed response for a certificate and
// moves its due time to r.NextUpdate. r.StatusVersion must equal the
// certificate's current Status.Version, else ErrStale: the status changed
// while the response was being signed.
//
// The write is not synced on its own (updateUnsynced): the response is
// derived from the durable certificate and status, the responder serves
// it only while its StatusVersion matches, and a crash that loses it
// loses its due-index move too, so the pre-signer signs it again. The
// next synced write of anyone makes it durable. Issuance pays for it:
// a synced write per pre-signed certificate would share the WAL sync
// with every issuance batch.
func (s *Store) PutOCSPResponse(ctx context.Context, r OCSPRecord) error {
	serial, err := checkOCSPRecord(&r)
	if err != nil {
		return err
	}
	var refused error
	err = s.updateUnsynced(ctx, "put OCSP response", func(t *txn) error {
		refused, err = t.putOCSP(serial, &r, nil)
		return err
	})
	if err != nil {
		return err
	}
	return refused
}

// OCSPResponse returns the stored response of a certificate; ErrNotFound
// if there is none (never stored, or dropped by a status change).
func (s *Store) OCSPResponse(ctx context.Context, serial []byte) (*OCSPRecord, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	n, err := normSerial(serial)
	if err != nil {
		return nil, fmt.Errorf("store: OCSP response: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: OCSP response %x: %w", n, err)
	}
	v, err := s.get(s.db, ocspKey(n))
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("store: OCSP response %x: %w", n, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return decodeOCSP(n, v)
}

// CurrentOCSPResponse is OCSPResponse for a responder that reads no
// certificate record: a stored response is always the current one for its
// certificate's status, so finding it is enough to serve it until its
// NextUpdate. That holds because SetStatus deletes the response in the
// batch that changes the status, PutOCSPResponse (and the issuing
// commit) write one only for the status version the certificate has
// under the writer lock, and Check reports any other ("mismatch"). Like
// Certificate, it returns only what is durable: the response of a
// certificate whose commit is still between apply and fsync is returned
// once that fsync has (ocspFlight, durablewait.go); any other stored
// response is durable or derived from a durable status, and is returned
// at once.
func (s *Store) CurrentOCSPResponse(ctx context.Context, serial []byte) (*OCSPRecord, error) {
	r, err := s.OCSPResponse(ctx, serial)
	if err != nil {
		return nil, err
	}
	if ticket, ok := s.flight.ticket(r.Serial); ok { // only a synced store registers
		if err := s.waitDurable(ticket); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// OCSPRetire takes an expired certificate out of the OCSP-due index, so
// that the refresh job stops finding it; its stored response, if any,
// stays. A certificate that has not expired (store clock) gives
// ErrInvalidInput; retiring twice is a no-op. A later status change puts
// the certificate back in the index.
func (s *Store) OCSPRetire(ctx context.Context, serial []byte) error {
	n, err := normSerial(serial)
	if err != nil {
		return fmt.Errorf("store: OCSP retire: %w", err)
	}
	return s.update(ctx, "OCSP retire", func(t *txn) error {
		c, err := t.s.loadCert(t.s.db, n)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("store: OCSP retire %x: %w", n, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if !c.NotAfter.Before(t.now) {
			return invalid("OCSP retire %x: certificate valid until %v", n, c.NotAfter)
		}
		due, err := t.ocspDue(n)
		if err != nil {
			return err
		}
		return t.del(ocspDueKey(due, n))
	})
}

// ocspDue is the time a certificate's OCSP-due entry is filed under: the
// stored response's nextUpdate, or the zero time when none is stored.
func (t *txn) ocspDue(serial []byte) (time.Time, error) {
	v, err := t.get(ocspKey(serial))
	if errors.Is(err, ErrNotFound) {
		return zeroTime, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	o, err := decodeOCSP(serial, v)
	if err != nil {
		return time.Time{}, err
	}
	return o.NextUpdate, nil
}

// OCSPDue pages through the certificates whose response is missing
// (NextUpdate zero: new, or status changed) or has NextUpdate before
// `before`, most urgent first. Expired certificates stay until OCSPRetire
// takes them out.
func (s *Store) OCSPDue(ctx context.Context, before time.Time, cursor string, limit int) ([]OCSPDue, string, error) {
	if err := s.enter(); err != nil {
		return nil, "", err
	}
	defer s.leave()
	prefix := []byte{pOCSPDue}
	upper := appendTime([]byte{pOCSPDue}, before)
	var out []OCSPDue
	next, err := page(ctx, s.db, prefix, nil, upper, cursor, limit, func(k, _ []byte) (bool, error) {
		t, rest, ok := cutTime(k[1:])
		serial, rest, ok2 := cutSerial(rest)
		if !ok || !ok2 || len(rest) != 0 {
			return false, corrupt("OCSP due key %x", k)
		}
		d := OCSPDue{Serial: append([]byte(nil), serial...)}
		if !t.Equal(zeroTime) {
			d.NextUpdate = t
		}
		out = append(out, d)
		return true, nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}
