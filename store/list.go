package store

import (
	"bytes"
	"context"
)

// listScanBudget bounds the index entries one page of a listing visits.
// A filter that matches little (a rare profile among millions) then
// returns a short or empty page with a cursor instead of scanning the
// whole store in one call; the caller follows next until it is empty.
const listScanBudget = 20000

// keep reports whether a certificate passes q's filters.
func (q *Query) keep(c *CertRecord) bool {
	return (q.Status == 0 || c.Status.State == q.Status) && (q.Centre == "" || c.Centre == q.Centre) &&
		(q.Issuer == "" || c.IssuerID == q.Issuer) && (q.Profile == "" || c.Profile == q.Profile) &&
		(q.Since.IsZero() || !c.NotBefore.Before(q.Since)) && (q.Until.IsZero() || c.NotBefore.Before(q.Until))
}

// listCertificates answers a Query without an identifier (Field zero):
// every certificate through the filters, by the smallest index that
// holds them all:
//
//   - Status revoked or on hold: the revocation index (issuer, serial),
//     only the Issuer's part when one is given; ordered by issuer, then
//     serial.
//   - otherwise: the expiry index (notAfter, serial), from Since on (a
//     certificate's notAfter is never before its notBefore); ordered by
//     notAfter, then serial.
//
// A page ends after Limit certificates or listScanBudget index entries,
// whichever comes first; next is then the position of the last entry
// visited, which may be one the filters dropped. Only callers that may
// see every certificate list (not a confined service centre, whose
// queries go through its own centre index).
func (s *Store) listCertificates(ctx context.Context, q Query) ([]CertRecord, string, error) {
	if q.Value != "" {
		return nil, "", invalid("find certificates: a value without a field")
	}
	var prefix, lower []byte
	var serialOf func(k []byte) ([]byte, bool)
	switch q.Status {
	case Revoked, OnHold:
		prefix = []byte{pRevoked}
		if q.Issuer != "" {
			prefix = revokedPrefix(q.Issuer)
		}
		serialOf = func(k []byte) ([]byte, bool) {
			_, rest, ok := cutLen(k[1:])
			serial, rest, ok2 := cutSerial(rest)
			return serial, ok && ok2 && len(rest) == 0
		}
	default:
		prefix = []byte{pExpiry}
		if !q.Since.IsZero() {
			lower = appendTime([]byte{pExpiry}, q.Since)
		}
		serialOf = func(k []byte) ([]byte, bool) {
			_, rest, ok := cutTime(k[1:])
			serial, rest, ok2 := cutSerial(rest)
			return serial, ok && ok2 && len(rest) == 0
		}
	}
	start, err := pageStart(prefix, q.Cursor)
	if err != nil {
		return nil, "", err
	}
	if lower != nil && bytes.Compare(start, lower) < 0 {
		start = lower
	}
	limit := clampLimit(q.Limit)
	var (
		out     []CertRecord
		next    string
		last    []byte
		visited int
	)
	err = scan(ctx, s.db, start, prefixEnd(prefix), func(k, _ []byte) (bool, error) {
		if len(out) == limit || visited == listScanBudget {
			next = encodeCursor(prefix, last)
			return false, nil
		}
		visited++
		serial, ok := serialOf(k)
		if !ok {
			return false, corrupt("index key %x", k)
		}
		if _, err := s.appendCert(&out, serial, q.keep, k); err != nil {
			return false, err
		}
		last = append(last[:0], k...)
		return true, nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}
