package store

import (
	"encoding/binary"
	"time"
)

// Key prefixes, one byte per record kind. doc.go has the full layout.
const (
	pMeta      byte = 0x01 // meta: name → value
	pCert      byte = 0x10 // serial → certificate record
	pRequest   byte = 0x11 // request ID → serial (pending or issued)
	pKeyHash   byte = 0x12 // key hash → serial (pending or issued); unique
	pIdent     byte = 0x13 // field, value, notBefore, serial → ∅
	pExpiry    byte = 0x14 // notAfter, serial → ∅
	pRevoked   byte = 0x15 // issuer, serial → revocation entry
	pSerial    byte = 0x16 // serial → ∅: every serial ever reserved, never deleted
	pStatusLog byte = 0x17 // issuer, seq(8) → status-change log row (schema 4)
	pCentre    byte = 0x18 // centre, notBefore, serial → ∅ (certificates of a service centre)
	pIntent    byte = 0x20 // serial → pending intent
	pFailed    byte = 0x21 // serial → failed intent (serial kept reserved)
	pCRLNumber byte = 0x30 // issuer → last CRL number
	pOCSP      byte = 0x31 // serial → pre-signed OCSP response
	pOCSPDue   byte = 0x32 // nextUpdate (zero: none stored), serial → ∅
	pCRLBase   byte = 0x33 // issuer, scope → CRL base record (schema 4)
	pCRLParts  byte = 0x34 // issuer → CRL partition count (schema 4)
	pOutbox    byte = 0x40 // id → outbox row
	pOutboxDue byte = 0x41 // kind, nextAttempt, id → ∅ (pending rows only)
	pAudit     byte = 0x50 // seq → audit entry ‖ hash
	pToken     byte = 0x70 // token ID → API token record (schema 5)
)

// Meta keys.
var (
	keySchema    = []byte{pMeta, 's', 'c', 'h', 'e', 'm', 'a'}
	keyOutboxSeq = []byte{pMeta, 'o', 'u', 't', 'b', 'o', 'x', '-', 's', 'e', 'q'}
	keyAuditKey  = []byte{pMeta, 'a', 'u', 'd', 'i', 't', '-', 'k', 'e', 'y'} // schema 6
)

// schemaVersion is written on first open and checked on every open.
// Version 2 added the serial registry (pSerial); version 3 the requesting
// service centre (certificate and intent records of version 2, the
// pCentre index); version 4 the per-issuer status-change log
// (pStatusLog), CRL base records (pCRLBase) and the pinned CRL partition
// count (pCRLParts); version 5 the API tokens (pToken); version 6 keys
// the audit chain (meta "audit-key", audit entries of version 2); version
// 7 MACs the intents (intent records of version 3, which also carry the
// application link). Older
// stores are migrated on open, one version at a time (see migrate).
const schemaVersion = 7

// timeKeyLen is the size of an encoded time in a key.
const timeKeyLen = 12

// appendSerial appends a serial as length byte ‖ magnitude, which orders
// serials numerically and delimits them inside composite keys.
func appendSerial(dst, serial []byte) []byte {
	dst = append(dst, byte(len(serial)))
	return append(dst, serial...)
}

// cutSerial parses what appendSerial wrote at the start of b.
func cutSerial(b []byte) (serial, rest []byte, ok bool) {
	if len(b) < 1 || int(b[0]) > len(b)-1 || b[0] == 0 || b[0] > maxSerialLen {
		return nil, nil, false
	}
	n := int(b[0])
	return b[1 : 1+n], b[1+n:], true
}

// appendLen appends a 1-byte-length-prefixed string (all such strings are
// bounded well below 256 bytes by validation).
func appendLen(dst []byte, s string) []byte {
	dst = append(dst, byte(len(s)))
	return append(dst, s...)
}

func cutLen(b []byte) (s, rest []byte, ok bool) {
	if len(b) < 1 || int(b[0]) > len(b)-1 {
		return nil, nil, false
	}
	n := int(b[0])
	return b[1 : 1+n], b[1+n:], true
}

// appendTime appends t as 12 bytes that sort like time: Unix seconds,
// big-endian with the sign bit flipped, then nanoseconds big-endian.
func appendTime(dst []byte, t time.Time) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(t.Unix())^(1<<63))
	return binary.BigEndian.AppendUint32(dst, uint32(t.Nanosecond()))
}

func cutTime(b []byte) (t time.Time, rest []byte, ok bool) {
	if len(b) < timeKeyLen {
		return time.Time{}, nil, false
	}
	sec := int64(binary.BigEndian.Uint64(b) ^ (1 << 63))
	nsec := binary.BigEndian.Uint32(b[8:])
	if nsec >= 1e9 {
		return time.Time{}, nil, false
	}
	return time.Unix(sec, int64(nsec)).UTC(), b[timeKeyLen:], true
}

func certKey(serial []byte) []byte      { return appendSerial([]byte{pCert}, serial) }
func intentKey(serial []byte) []byte    { return appendSerial([]byte{pIntent}, serial) }
func serialKey(serial []byte) []byte    { return appendSerial([]byte{pSerial}, serial) }
func failedKey(serial []byte) []byte    { return appendSerial([]byte{pFailed}, serial) }
func ocspKey(serial []byte) []byte      { return appendSerial([]byte{pOCSP}, serial) }
func requestKey(id string) []byte       { return append([]byte{pRequest}, id...) }
func keyHashKey(h KeyHash) []byte       { return append([]byte{pKeyHash}, h[:]...) }
func crlNumberKey(issuer string) []byte { return append([]byte{pCRLNumber}, issuer...) }

func auditKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{pAudit}, seq)
}

func outboxKey(id uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{pOutbox}, id)
}

// identPrefix is the scan prefix of one identifier value.
func identPrefix(f Field, value string) []byte {
	return appendLen([]byte{pIdent, byte(f)}, value)
}

func identKey(f Field, value string, notBefore time.Time, serial []byte) []byte {
	return appendSerial(appendTime(identPrefix(f, value), notBefore), serial)
}

// centrePrefix is the scan prefix of one service centre's certificates.
func centrePrefix(centre string) []byte {
	return appendLen([]byte{pCentre}, centre)
}

func centreKey(centre string, notBefore time.Time, serial []byte) []byte {
	return appendSerial(appendTime(centrePrefix(centre), notBefore), serial)
}

func expiryKey(notAfter time.Time, serial []byte) []byte {
	return appendSerial(appendTime([]byte{pExpiry}, notAfter), serial)
}

func revokedPrefix(issuer string) []byte {
	return appendLen([]byte{pRevoked}, issuer)
}

func revokedKey(issuer string, serial []byte) []byte {
	return appendSerial(revokedPrefix(issuer), serial)
}

func statusLogPrefix(issuer string) []byte {
	return appendLen([]byte{pStatusLog}, issuer)
}

func statusLogKey(issuer string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(statusLogPrefix(issuer), seq)
}

func crlBaseKey(issuer, scope string) []byte {
	return append(appendLen([]byte{pCRLBase}, issuer), scope...)
}

func crlPartsKey(issuer string) []byte { return append([]byte{pCRLParts}, issuer...) }

// ocspDueKey: a zero nextUpdate (no response stored) sorts first.
func ocspDueKey(nextUpdate time.Time, serial []byte) []byte {
	return appendSerial(appendTime([]byte{pOCSPDue}, nextUpdate), serial)
}

func outboxDuePrefix(kind string) []byte {
	return appendLen([]byte{pOutboxDue}, kind)
}

func outboxDueKey(kind string, next time.Time, id uint64) []byte {
	return binary.BigEndian.AppendUint64(appendTime(outboxDuePrefix(kind), next), id)
}

// prefixEnd returns the smallest key greater than every key with prefix p
// (nil if there is none).
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// zeroTime keys an OCSP-due entry of a certificate with no response.
var zeroTime time.Time
