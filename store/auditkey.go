package store

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// AuditKey computes the chain values of the audit log: HMAC-SHA256 under
// a key held outside the database — in the CA's key store, on the token
// where there is one (a PKCS#11 CKM_SHA256_HMAC key implements it
// there). MAC must return 32 bytes and be deterministic. The key never
// reaches the store's records, logs or errors; only its fingerprint
// (AuditKeyID) is stored, so that a store opened with another key says
// so instead of reporting every entry as forged.
type AuditKey interface {
	MAC(msg []byte) ([]byte, error)
}

// MinAuditKeyLen is the shortest secret NewAuditKey takes.
const MinAuditKeyLen = 32

// NewAuditKey returns an HMAC-SHA256 AuditKey over a copy of secret
// (at least MinAuditKeyLen bytes, e.g. 32 random bytes kept in the key
// store).
func NewAuditKey(secret []byte) (AuditKey, error) {
	if len(secret) < MinAuditKeyLen {
		return nil, invalid("audit key is %d bytes, at least %d (random) are needed", len(secret), MinAuditKeyLen)
	}
	return newHMACKey(append([]byte(nil), secret...)), nil
}

// hmacKey reuses its HMAC states: a keyed HMAC-SHA256 is several
// allocations and two extra compressions (the padded key) to set up, and
// each issuance MACs its intent and its audit entry. Reset brings a
// state back to just after the key (crypto/hmac keeps the padded-key
// states for that).
type hmacKey struct{ states *sync.Pool }

func newHMACKey(secret []byte) hmacKey {
	return hmacKey{states: &sync.Pool{New: func() any { return hmac.New(sha256.New, secret) }}}
}

func (k hmacKey) MAC(msg []byte) ([]byte, error) {
	m := k.states.Get().(hash.Hash)
	m.Reset()
	m.Write(msg)
	out := m.Sum(make([]byte, 0, sha256.Size))
	k.states.Put(m)
	return out, nil
}

// String keeps the secret out of %v and %+v.
func (k hmacKey) String() string { return "store.AuditKey(HMAC-SHA256)" }

// GoString keeps the secret out of %#v.
func (k hmacKey) GoString() string { return k.String() }

// unkeyed is the chain function of a store opened without an audit key:
// plain SHA-256, as version 1 entries were chained. Anyone who can write
// the database can recompute it; only checkpoints protect such a chain.
type unkeyed struct{}

func (unkeyed) MAC(msg []byte) ([]byte, error) {
	s := sha256.Sum256(msg)
	return s[:], nil
}

// AuditKeyID is the stored fingerprint of an audit key: the first 16
// bytes of its MAC over a fixed label. It identifies the key without
// revealing it (HMAC is a PRF).
type AuditKeyID [16]byte

var auditKeyIDLabel = []byte("gostca audit key id\x00")

// unkeyedID is the fingerprint of the unkeyed chain function.
var unkeyedID = func() AuditKeyID {
	id, _ := keyID(unkeyed{})
	return id
}()

func keyID(k AuditKey) (AuditKeyID, error) {
	m, err := k.MAC(auditKeyIDLabel)
	if err != nil {
		return AuditKeyID{}, fmt.Errorf("store: audit key: %w", err)
	}
	if len(m) != 32 {
		return AuditKeyID{}, fmt.Errorf("store: audit key returned a %d-byte MAC, want 32", len(m))
	}
	var id AuditKeyID
	copy(id[:], m)
	return id, nil
}

// auditChain computes chain values: entries before rec.KeyedFrom are
// chained with SHA-256 (version 1 entries of schemas 1–5, and entries
// written while the store had no key), entries from it on with key and
// must be version 2.
type auditChain struct {
	key AuditKey
	rec auditKeyRec
	// required: Options.RequireKeyedAudit.
	required bool
}

// value is the chain value of the entry seq with encoding body.
func (c *auditChain) value(seq uint64, prev [32]byte, body []byte) ([32]byte, error) {
	var out [32]byte
	if seq < c.rec.KeyedFrom {
		return chainHash(prev, body), nil
	}
	if auditVersion(body) != auditV2 {
		return out, corrupt("audit chain: entry %d is version %d inside the keyed chain (from %d)", seq, auditVersion(body), c.rec.KeyedFrom)
	}
	msg := make([]byte, 0, 32+len(body))
	msg = append(append(msg, prev[:]...), body...)
	m, err := c.key.MAC(msg)
	if err != nil {
		return out, fmt.Errorf("store: audit key: %w", err)
	}
	if len(m) != 32 {
		return out, fmt.Errorf("store: audit key returned a %d-byte MAC, want 32", len(m))
	}
	copy(out[:], m)
	return out, nil
}

// keyed reports whether the chain has a real key (not the unkeyed
// SHA-256 function).
func (c *auditChain) keyed() bool { return c.rec.ID != unkeyedID }

// ErrAuditKey: the store was opened with an audit key other than the one
// its chain is keyed with (or without one, or with one for an unkeyed
// chain).
var ErrAuditKey = errors.New("wrong audit key")

// auditKeyRec is the meta record "audit-key": the first sequence number
// chained with the key (entries before it are version 1, chained with
// SHA-256) and the key's fingerprint.
type auditKeyRec struct {
	KeyedFrom uint64
	ID        AuditKeyID
}

const auditKeyV1 byte = 1

func encodeAuditKeyRec(r auditKeyRec) []byte {
	e := enc{}
	e.byte(auditKeyV1)
	e.uvarint(r.KeyedFrom)
	e.b = append(e.b, r.ID[:]...)
	return e.b
}

func decodeAuditKeyRec(b []byte) (auditKeyRec, error) {
	d := dec{b: b}
	d.version(auditKeyV1)
	var r auditKeyRec
	r.KeyedFrom = d.uvarint()
	copy(r.ID[:], d.raw(16))
	if r.KeyedFrom == 0 {
		d.fail("keyed-from sequence 0")
	}
	return r, d.finish("audit key record")
}

// matchKey reports whether id is the fingerprint of the store's key, in
// constant time.
func (r auditKeyRec) matchKey(id AuditKeyID) bool {
	return subtle.ConstantTimeCompare(r.ID[:], id[:]) == 1
}
