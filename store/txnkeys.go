package store

import (
	"encoding/binary"
	"time"
)

// Keys of one batch. Pebble copies a key into the batch when it is set,
// and the uniqueness filters copy what they keep, so the keys a batch
// writes or looks up need not each be an allocation of their own: the
// txn methods below append them into chunks of one arena per batch
// (about one allocation per batch instead of ~17 per issued certificate).
// Each key is a fresh, never rewritten region of a chunk, so a caller that
// holds on to one stays correct. The bytes are exactly those of the
// package functions of keys.go (txnkeys_test.go compares them).

// keyChunk is the size of one arena chunk: a batch of 16 certificates
// writes about 16 × 17 keys of 30 bytes.
const keyChunk = 8 << 10

// key returns an empty slice with room for n bytes, carved from the
// batch's arena; appending more than n reallocates (still correct).
func (t *txn) key(n int) []byte {
	if cap(t.keys)-len(t.keys) < n {
		t.keys = make([]byte, 0, max(keyChunk, n))
	}
	l := len(t.keys)
	t.keys = t.keys[:l+n]
	return t.keys[l : l : l+n]
}

func (t *txn) serialKeyed(prefix byte, serial []byte) []byte {
	return appendSerial(append(t.key(2+len(serial)), prefix), serial)
}

func (t *txn) certKey(serial []byte) []byte   { return t.serialKeyed(pCert, serial) }
func (t *txn) intentKey(serial []byte) []byte { return t.serialKeyed(pIntent, serial) }
func (t *txn) serialKey(serial []byte) []byte { return t.serialKeyed(pSerial, serial) }
func (t *txn) ocspKey(serial []byte) []byte   { return t.serialKeyed(pOCSP, serial) }

func (t *txn) keyHashKey(h KeyHash) []byte {
	return append(append(t.key(1+len(h)), pKeyHash), h[:]...)
}

func (t *txn) requestKey(id string) []byte {
	return append(append(t.key(1+len(id)), pRequest), id...)
}

func (t *txn) auditKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append(t.key(9), pAudit), seq)
}

func (t *txn) outboxKey(id uint64) []byte {
	return binary.BigEndian.AppendUint64(append(t.key(9), pOutbox), id)
}

// timeSerialKeyed is prefix, then the time, then the serial (the expiry
// and OCSP-due entries).
func (t *txn) timeSerialKeyed(prefix byte, at time.Time, serial []byte) []byte {
	k := append(t.key(1+timeKeyLen+1+len(serial)), prefix)
	return appendSerial(appendTime(k, at), serial)
}

func (t *txn) expiryKey(notAfter time.Time, serial []byte) []byte {
	return t.timeSerialKeyed(pExpiry, notAfter, serial)
}

func (t *txn) ocspDueKey(nextUpdate time.Time, serial []byte) []byte {
	return t.timeSerialKeyed(pOCSPDue, nextUpdate, serial)
}

func (t *txn) identKey(f Field, value string, notBefore time.Time, serial []byte) []byte {
	k := appendLen(append(t.key(2+1+len(value)+timeKeyLen+1+len(serial)), pIdent, byte(f)), value)
	return appendSerial(appendTime(k, notBefore), serial)
}

func (t *txn) centreKey(centre string, notBefore time.Time, serial []byte) []byte {
	k := appendLen(append(t.key(1+1+len(centre)+timeKeyLen+1+len(serial)), pCentre), centre)
	return appendSerial(appendTime(k, notBefore), serial)
}

func (t *txn) outboxDueKey(kind string, next time.Time, id uint64) []byte {
	k := appendLen(append(t.key(1+1+len(kind)+timeKeyLen+8), pOutboxDue), kind)
	return binary.BigEndian.AppendUint64(appendTime(k, next), id)
}
