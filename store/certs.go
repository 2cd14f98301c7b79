package store

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// Certificate returns the certificate with serial; ErrNotFound if none
// was issued, ErrPending if its intent is still pending.
func (s *Store) Certificate(ctx context.Context, serial []byte) (*CertRecord, error) {
	c, err := s.certificate(ctx, serial)
	return durableCert(s, c, err)
}

// CommittedCertificate is Certificate for a caller that knows the
// certificate's commit is durable — the issuer that just committed it —
// without the WAL sync Certificate may make while other batches are in
// flight (under load, one extra fsync per issuance). Its status may
// reflect a change that is not durable yet.
func (s *Store) CommittedCertificate(ctx context.Context, serial []byte) (*CertRecord, error) {
	return s.certificate(ctx, serial)
}

func (s *Store) certificate(ctx context.Context, serial []byte) (*CertRecord, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	n, err := normSerial(serial)
	if err != nil {
		return nil, fmt.Errorf("store: certificate: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: certificate %x: %w", n, err)
	}
	return s.certOrPending(s.db, n)
}

// CertificateByRequestID returns the certificate issued for a client
// request ID; ErrPending while its intent is pending, ErrNotFound if the
// ID is unknown or its intent failed.
func (s *Store) CertificateByRequestID(ctx context.Context, requestID string) (*CertRecord, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if err := checkLen("request ID", requestID, 1, maxRequestIDLen); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: certificate by request: %w", err)
	}
	serial, err := s.get(s.db, requestKey(requestID))
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("store: request %q: %w", requestID, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	c, err := s.certOrPending(s.db, serial)
	return durableCert(s, c, err)
}

// durableCert passes a read certificate on once a crash can no longer
// undo it (see durableRead).
func durableCert(s *Store, c *CertRecord, err error) (*CertRecord, error) {
	if err == nil {
		err = s.durableRead()
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// durablePage is durable for the paged queries.
func durablePage(s *Store, page []CertRecord, next string, err error) ([]CertRecord, string, error) {
	if err == nil {
		err = s.durableRead()
	}
	if err != nil {
		return nil, "", err
	}
	return page, next, nil
}

// certOrPending loads a certificate, telling "pending" from "unknown".
func (s *Store) certOrPending(r pebble.Reader, serial []byte) (*CertRecord, error) {
	c, err := s.loadCert(r, serial)
	if !errors.Is(err, ErrNotFound) {
		return c, err
	}
	if ok, err := s.has(r, intentKey(serial)); err != nil {
		return nil, err
	} else if ok {
		return nil, fmt.Errorf("store: certificate %x: %w", serial, ErrPending)
	}
	return nil, fmt.Errorf("store: certificate %x: %w", serial, ErrNotFound)
}

// loadCert reads and decodes one certificate record (bare ErrNotFound if
// absent).
func (s *Store) loadCert(r pebble.Reader, serial []byte) (*CertRecord, error) {
	v, err := s.get(r, certKey(serial))
	if err != nil {
		return nil, err
	}
	c, err := decodeCert(v)
	if err != nil {
		return nil, fmt.Errorf("store: certificate %x: %w", serial, err)
	}
	return c, nil
}

// FindCertificates pages through the certificates carrying an identifier
// (or a key hash), or those of one service centre (ByCentre), ordered by
// NotBefore then serial, optionally filtered by status and centre.
func (s *Store) FindCertificates(ctx context.Context, q Query) ([]CertRecord, string, error) {
	page, next, err := s.findCertificates(ctx, q)
	return durablePage(s, page, next, err)
}

func (s *Store) findCertificates(ctx context.Context, q Query) ([]CertRecord, string, error) {
	if err := s.enter(); err != nil {
		return nil, "", err
	}
	defer s.leave()
	if q.Status > OnHold {
		return nil, "", invalid("find certificates: unknown status %d", q.Status)
	}
	if err := checkCentre(q.Centre); err != nil {
		return nil, "", fmt.Errorf("store: find certificates: %w", err)
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Until.After(q.Since) {
		return nil, "", invalid("find certificates: empty range %v – %v", q.Since, q.Until)
	}
	keep := q.keep
	var prefix []byte
	switch q.Field {
	case 0:
		return s.listCertificates(ctx, q)
	case ByKeyHash:
		return s.findByKey(ctx, q, keep)
	case ByCentre:
		if err := checkCentreID(q.Value); err != nil {
			return nil, "", fmt.Errorf("store: find certificates: %w", err)
		}
		prefix = centrePrefix(q.Value)
	default:
		if err := checkIdent(q.Field, q.Value); err != nil {
			return nil, "", fmt.Errorf("store: find certificates: %w", err)
		}
		prefix = identPrefix(q.Field, q.Value)
	}
	// Both indexes are prefix ‖ notBefore ‖ serial: the date range bounds
	// the scan.
	var lower, upper []byte
	if !q.Since.IsZero() {
		lower = appendTime(bytes.Clone(prefix), q.Since)
	}
	if !q.Until.IsZero() {
		upper = appendTime(bytes.Clone(prefix), q.Until)
	}
	var out []CertRecord
	next, err := page(ctx, s.db, prefix, lower, upper, q.Cursor, q.Limit, func(k, _ []byte) (bool, error) {
		_, rest, ok := cutTime(k[len(prefix):])
		serial, rest, ok2 := cutSerial(rest)
		if !ok || !ok2 || len(rest) != 0 {
			return false, corrupt("index key %x", k)
		}
		return s.appendCert(&out, serial, keep, k)
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// appendCert loads serial (pointed to by index key k) and appends it if
// keep (nil: all) accepts it.
func (s *Store) appendCert(out *[]CertRecord, serial []byte, keep func(*CertRecord) bool, k []byte) (bool, error) {
	c, err := s.loadCert(s.db, serial)
	if errors.Is(err, ErrNotFound) {
		return false, corrupt("index key %x points to missing certificate %x", k, serial)
	}
	if err != nil {
		return false, err
	}
	if keep != nil && !keep(c) {
		return false, nil
	}
	*out = append(*out, *c)
	return true, nil
}

// findByKey answers a ByKeyHash query: at most one certificate.
func (s *Store) findByKey(ctx context.Context, q Query, keep func(*CertRecord) bool) ([]CertRecord, string, error) {
	b, err := hex.DecodeString(q.Value)
	if err != nil || len(b) != 32 {
		return nil, "", invalid("find certificates: key hash %q is not 64 hex digits", q.Value)
	}
	if q.Cursor != "" {
		return nil, "", nil // the only page was the first
	}
	if err := ctx.Err(); err != nil {
		return nil, "", fmt.Errorf("store: find certificates: %w", err)
	}
	serial, err := s.get(s.db, keyHashKey(KeyHash(b)))
	if errors.Is(err, ErrNotFound) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	c, err := s.loadCert(s.db, serial)
	if errors.Is(err, ErrNotFound) {
		return nil, "", nil // reserved by a pending intent
	}
	if err != nil {
		return nil, "", err
	}
	if !keep(c) {
		return nil, "", nil
	}
	return []CertRecord{*c}, "", nil
}

// Expiring pages through certificates with after ≤ NotAfter < before in
// NotAfter order, then serial; status is not filtered (the record says).
func (s *Store) Expiring(ctx context.Context, after, before time.Time, cursor string, limit int) ([]CertRecord, string, error) {
	page, next, err := s.expiring(ctx, after, before, cursor, limit)
	return durablePage(s, page, next, err)
}

func (s *Store) expiring(ctx context.Context, after, before time.Time, cursor string, limit int) ([]CertRecord, string, error) {
	if err := s.enter(); err != nil {
		return nil, "", err
	}
	defer s.leave()
	if !before.After(after) {
		return nil, "", invalid("expiring: empty range %v – %v", after, before)
	}
	prefix := []byte{pExpiry}
	lower := appendTime([]byte{pExpiry}, after)
	upper := appendTime([]byte{pExpiry}, before)
	var out []CertRecord
	next, err := page(ctx, s.db, prefix, lower, upper, cursor, limit, func(k, _ []byte) (bool, error) {
		_, rest, ok := cutTime(k[1:])
		serial, rest, ok2 := cutSerial(rest)
		if !ok || !ok2 || len(rest) != 0 {
			return false, corrupt("expiry index key %x", k)
		}
		return s.appendCert(&out, serial, nil, k)
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}
