package store

import "time"

// IssuedOCSP is the pre-signed OCSP response committed with a new
// certificate (Issued.OCSP): the "good" answer for its serial, signed
// before the commit by whoever signs the CA's OCSP responses.
type IssuedOCSP struct {
	DER        []byte // the OCSPResponse; 1 byte – 64 KiB
	NextUpdate time.Time
}

// checkIssuedOCSP validates an Issued.OCSP (nil is valid: none).
func checkIssuedOCSP(o *IssuedOCSP) error {
	if o == nil {
		return nil
	}
	if err := checkBytes("OCSP response", o.DER, 1, maxDERLen); err != nil {
		return err
	}
	if o.NextUpdate.IsZero() {
		return invalid("OCSP response without nextUpdate")
	}
	return nil
}

// issuedOCSP writes the OCSP entries of c, a certificate being committed:
// with o, its response record (at c's status version, 0) and its due
// entry at o's NextUpdate, as PutOCSPResponse would write them; without,
// the due entry at the zero time (no response yet). The certificate is
// new in this batch, so there is no older response or due entry to move
// and nothing to read.
func (t *txn) issuedOCSP(c *CertRecord, o *IssuedOCSP) error {
	if o == nil {
		return t.set(t.ocspDueKey(zeroTime, c.Serial), nil)
	}
	rec := OCSPRecord{Serial: c.Serial, DER: o.DER, NextUpdate: o.NextUpdate.UTC(), StatusVersion: c.Status.Version, StoredAt: t.now}
	if err := t.set(t.ocspKey(c.Serial), encodeOCSP(&rec)); err != nil {
		return err
	}
	t.ocsp = append(t.ocsp, c.Serial)
	return t.set(t.ocspDueKey(rec.NextUpdate, c.Serial), nil)
}
