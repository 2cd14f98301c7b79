package store

import (
	"errors"
	"time"
)

// Cloud (server-side) keys of subscribers and their signing operations
// (prefixes 0x88–0x8B, doc.go "Cloud keys"; package cabinet).

// Key prefixes of cloud keys.
const (
	pCloudKey byte = 0x88 // application id → cloud key record
	pCloudOp  byte = 0x89 // operation id(16) → cloud operation record
)

// CloudOpIDLen is the size of a cloud operation id.
const CloudOpIDLen = 16

// Cloud operation states.
const (
	CloudOpPending byte = 1 // waiting for the subscriber's confirmation
	CloudOpSigned  byte = 2 // confirmed and signed (terminal)
	CloudOpRefused byte = 3 // refused by the subscriber (terminal)
	CloudOpExpired byte = 4 // never confirmed; expired by PurgeCloudOperations (terminal)
)

// ErrCloudOpDone: the operation is no longer pending (signed or
// refused), or expired; nothing was written.
var ErrCloudOpDone = errors.New("cloud operation not pending")

const (
	maxSealedKey   = 4096
	maxSPKI        = 1024
	maxCloudCSR    = 16 << 10
	maxDescription = 1024
	maxCloudSig    = 1024
	maxKeyRef      = 256
	// maxCloudDoc is the largest document an attached signature carries
	// (cloudkey.MaxDocument); maxCloudCMS the CMS with it.
	maxCloudDoc = 1 << 20
	maxCloudCMS = maxCloudDoc + 64<<10
)

// CloudKey is a subscriber's server-side key, one per application (the
// key's id is the application's). The private key is never in it in
// the clear: Sealed is the soft key encrypted under the server's cloud
// key secret (package cabinet), or empty when the key lives on the
// CA's PKCS#11 token under TokenRef (its CKA_ID/label).
type CloudKey struct {
	Application string
	Phone       string // the subscriber it is bound to
	Curve       string // hsm curve name
	SPKI        []byte // SubjectPublicKeyInfo DER
	Sealed      []byte // encrypted soft key; empty for a token key
	TokenRef    string // the token key's id; empty for a soft key
	CSR         []byte // the request the CA built with the key
	Created     time.Time
	Actor       string
}

// CloudOperation is one signing operation with a cloud key: what is to
// be signed (the Streebog digest, and what the subscriber was told), the
// code's challenge, its state and, once signed, the signature.
type CloudOperation struct {
	ID          [CloudOpIDLen]byte
	Key         string // the key's (application's) id
	Phone       string
	Digest      []byte // Streebog-256 or -512 digest to sign
	Description string // shown to the subscriber
	DocSize     uint64 // size of the document the digest was computed from; 0 if a digest was given
	Challenge   string // the code challenge bound to the operation (empty for another confirmer)
	Created     time.Time
	Expires     time.Time
	State       byte
	Done        time.Time // when signed or refused; the expiry when expired
	Signature   []byte    // once signed
	// Attached asks for the document inside the CMS; Document is kept
	// for it while the operation is pending (emptied when it finishes).
	Attached bool
	Document []byte
	// CMS is the CAdES-BES SignedData made when signed (empty only for
	// operations signed before a certificate was required).
	CMS []byte
}

func cloudKeyKey(app string) []byte { return appendLen([]byte{pCloudKey}, app) }
func cloudOpKey(id [CloudOpIDLen]byte) []byte {
	return append([]byte{pCloudOp}, id[:]...)
}

func encodeCloudKey(k *CloudKey) []byte {
	e := enc{b: []byte{1}}
	e.strs(k.Phone, k.Curve)
	e.bytes(k.SPKI)
	e.bytes(k.Sealed)
	e.str(k.TokenRef)
	e.bytes(k.CSR)
	e.time(k.Created)
	e.str(k.Actor)
	return e.b
}

func decodeCloudKey(app string, v []byte) (*CloudKey, error) {
	d := dec{b: v}
	d.version(1)
	k := &CloudKey{Application: app, Phone: d.str(phoneLen), Curve: d.str(64), SPKI: d.bytes(maxSPKI), Sealed: d.bytes(maxSealedKey),
		TokenRef: d.str(maxKeyRef), CSR: d.bytes(maxCloudCSR), Created: d.time(), Actor: d.str(maxClientLen)}
	return k, d.finish("cloud key")
}

func encodeCloudOp(o *CloudOperation) []byte {
	e := enc{b: []byte{2}}
	e.strs(o.Key, o.Phone)
	e.bytes(o.Digest)
	e.str(o.Description)
	e.uvarint(o.DocSize)
	e.str(o.Challenge)
	e.time(o.Created)
	e.time(o.Expires)
	e.byte(o.State)
	e.time(o.Done)
	e.bytes(o.Signature)
	var attached byte
	if o.Attached {
		attached = 1
	}
	e.byte(attached)
	e.bytes(o.Document)
	e.bytes(o.CMS)
	return e.b
}

func decodeCloudOp(id []byte, v []byte) (*CloudOperation, error) {
	if len(id) != CloudOpIDLen {
		return nil, corrupt("cloud operation key of %d bytes", len(id))
	}
	d := dec{b: v}
	ver := d.version(1, 2)
	o := &CloudOperation{Key: d.str(MaxAppIDLen), Phone: d.str(phoneLen), Digest: d.bytes(64), Description: d.str(maxDescription),
		DocSize: d.uvarint(), Challenge: d.str(64), Created: d.time(), Expires: d.time(), State: d.byte(), Done: d.time(),
		Signature: d.bytes(maxCloudSig)}
	if ver == 2 {
		switch d.byte() {
		case 0:
		case 1:
			o.Attached = true
		default:
			d.fail("attached flag")
		}
		o.Document, o.CMS = d.bytes(maxCloudDoc), d.bytes(maxCloudCMS)
	}
	copy(o.ID[:], id)
	if err := d.finish("cloud operation"); err != nil {
		return nil, err
	}
	if o.State < CloudOpPending || o.State > CloudOpExpired {
		return nil, corrupt("cloud operation state %d", o.State)
	}
	return o, nil
}
