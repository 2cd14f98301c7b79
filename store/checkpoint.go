package store

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// A Checkpoint is a signed statement of the audit chain's head: its
// sequence number and chain value at a time, with the entry the keyed
// chain starts at and the audit key's fingerprint. Exported and kept
// outside the database (a file on other media, a hook, a notary), the
// newest checkpoint makes deleting the newest entries (truncation) and
// rewriting any entry up to it detectable, even by someone who holds the
// audit key; the key protects the entries after it.
//
// The signed message is binary, fixed-layout:
//
//	"gostca-audit-checkpoint/1\n" (26 bytes)
//	seq (8, big-endian) ‖ head (32) ‖ time: Unix seconds (8, big-endian,
//	two's complement) ‖ nanoseconds (4) ‖ keyed-from (8) ‖ key id (16) ‖
//	signer length (1) ‖ signer (ASCII)
//
// The exported form is one JSON object (MarshalJSON, ParseCheckpoint):
//
//	{"format":"gostca-audit-checkpoint/1","seq":1234,"head":"<64 hex>",
//	 "time":"2026-03-01T12:00:00Z","keyed_from":1,"key_id":"<32 hex>",
//	 "signer":"gost256","signature":"<base64>"}
//
// Signer names the key that signed (an issuer id, a key label); the
// verifier picks the public key by it. The signature is whatever the
// signing function returns for the message: for a GOST key, pkix.Sign
// (GOST R 34.10-2012 over Streebog of the message), checked with
// pkix.CheckSignature.
type Checkpoint struct {
	Seq       uint64
	Head      [32]byte
	At        time.Time
	KeyedFrom uint64
	KeyID     AuditKeyID
	Signer    string
	Signature []byte
}

// CheckpointFormat names the message layout and the JSON form.
const CheckpointFormat = "gostca-audit-checkpoint/1"

const (
	maxCheckpointSigner = 64
	maxCheckpointSig    = 1024
	maxCheckpointJSON   = 4096
)

// SignFunc signs a checkpoint message; VerifyFunc checks a signature of
// one. SignWith adapts a crypto.Signer.
type (
	SignFunc   func(msg []byte) ([]byte, error)
	VerifyFunc func(msg, sig []byte) error
)

// SignWith returns a SignFunc that signs digest(msg) with key and opts
// (for GOST keys pass the Streebog digest of the key's size; pkix.Sign
// does both).
func SignWith(key crypto.Signer, digest func(msg []byte) []byte, opts crypto.SignerOpts) SignFunc {
	return func(msg []byte) ([]byte, error) { return key.Sign(rand.Reader, digest(msg), opts) }
}

// Message is the byte string the signature covers.
func (cp *Checkpoint) Message() []byte {
	b := make([]byte, 0, 26+8+32+12+8+16+1+len(cp.Signer))
	b = append(b, CheckpointFormat+"\n"...)
	b = binary.BigEndian.AppendUint64(b, cp.Seq)
	b = append(b, cp.Head[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(cp.At.Unix()))
	b = binary.BigEndian.AppendUint32(b, uint32(cp.At.Nanosecond()))
	b = binary.BigEndian.AppendUint64(b, cp.KeyedFrom)
	b = append(b, cp.KeyID[:]...)
	b = append(b, byte(len(cp.Signer)))
	return append(b, cp.Signer...)
}

// Checkpoint signs the current head of the audit chain. signer names the
// signing key (1–64 characters of A-Z a-z 0-9 . _ - : /).
func (s *Store) Checkpoint(ctx context.Context, signer string, sign SignFunc) (*Checkpoint, error) {
	if err := checkSignerName(signer); err != nil {
		return nil, fmt.Errorf("store: checkpoint: %w", err)
	}
	seq, head, err := s.AuditHead(ctx)
	if err != nil {
		return nil, err
	}
	if seq == 0 {
		return nil, invalid("checkpoint: the audit chain is empty")
	}
	cp := &Checkpoint{Seq: seq, Head: head, At: s.now().UTC(), KeyedFrom: s.audit.rec.KeyedFrom, KeyID: s.audit.rec.ID, Signer: signer}
	sig, err := sign(cp.Message())
	if err != nil {
		return nil, fmt.Errorf("store: checkpoint: sign: %w", err)
	}
	if len(sig) == 0 || len(sig) > maxCheckpointSig {
		return nil, fmt.Errorf("store: checkpoint: signature of %d bytes", len(sig))
	}
	cp.Signature = sig
	return cp, nil
}

func checkSignerName(s string) error {
	if len(s) == 0 || len(s) > maxCheckpointSigner || !auditIdent(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ:/") {
		return invalid("checkpoint signer name (%d bytes): want 1–%d characters of A-Z a-z 0-9 . _ - : /", len(s), maxCheckpointSigner)
	}
	return nil
}

// Verify checks the checkpoint's signature with verify.
func (cp *Checkpoint) Verify(verify VerifyFunc) error {
	if verify == nil {
		return invalid("checkpoint: no verification function")
	}
	if err := verify(cp.Message(), cp.Signature); err != nil {
		return fmt.Errorf("store: checkpoint of seq %d: signature does not verify (forged or damaged): %w", cp.Seq, errors.Join(ErrCorrupt, err))
	}
	return nil
}

type checkpointJSON struct {
	Format    string `json:"format"`
	Seq       uint64 `json:"seq"`
	Head      string `json:"head"`
	Time      string `json:"time"`
	KeyedFrom uint64 `json:"keyed_from"`
	KeyID     string `json:"key_id"`
	Signer    string `json:"signer"`
	Signature string `json:"signature"`
}

// MarshalJSON writes the exported form.
func (cp *Checkpoint) MarshalJSON() ([]byte, error) {
	return json.Marshal(checkpointJSON{
		Format: CheckpointFormat, Seq: cp.Seq, Head: hex.EncodeToString(cp.Head[:]),
		Time: cp.At.UTC().Format(time.RFC3339Nano), KeyedFrom: cp.KeyedFrom, KeyID: hex.EncodeToString(cp.KeyID[:]),
		Signer: cp.Signer, Signature: base64.StdEncoding.EncodeToString(cp.Signature),
	})
}

// ParseCheckpoint reads the exported form strictly: the known format,
// no unknown or missing fields, well-formed values. It does not check
// the signature (Verify does).
func ParseCheckpoint(data []byte) (*Checkpoint, error) {
	if len(data) > maxCheckpointJSON {
		return nil, invalid("checkpoint: %d bytes, at most %d", len(data), maxCheckpointJSON)
	}
	var j checkpointJSON
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(&j); err != nil {
		return nil, invalid("checkpoint: %v", err)
	}
	if d.More() {
		return nil, invalid("checkpoint: data after the JSON object")
	}
	if j.Format != CheckpointFormat {
		return nil, invalid("checkpoint: format %q, want %q", j.Format, CheckpointFormat)
	}
	cp := &Checkpoint{Seq: j.Seq, KeyedFrom: j.KeyedFrom, Signer: j.Signer}
	if cp.Seq == 0 || cp.KeyedFrom == 0 {
		return nil, invalid("checkpoint: seq and keyed_from must be at least 1")
	}
	if h, err := hex.DecodeString(j.Head); err != nil || len(h) != 32 {
		return nil, invalid("checkpoint: head is not 64 hex digits")
	} else {
		copy(cp.Head[:], h)
	}
	if k, err := hex.DecodeString(j.KeyID); err != nil || len(k) != 16 {
		return nil, invalid("checkpoint: key_id is not 32 hex digits")
	} else {
		copy(cp.KeyID[:], k)
	}
	t, err := time.Parse(time.RFC3339Nano, j.Time)
	if err != nil {
		return nil, invalid("checkpoint: time: %v", err)
	}
	cp.At = t.UTC()
	if err := checkSignerName(cp.Signer); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	sig, err := base64.StdEncoding.DecodeString(j.Signature)
	if err != nil || len(sig) == 0 || len(sig) > maxCheckpointSig {
		return nil, invalid("checkpoint: signature is not base64 of 1–%d bytes", maxCheckpointSig)
	}
	cp.Signature = sig
	return cp, nil
}

// checkpointFindings compares a verified chain with a checkpoint: the
// chain ended at end, and at is the chain value of entry cp.Seq (nil if
// the chain does not reach it). It returns what does not match.
func (c *auditChain) checkpointFindings(cp *Checkpoint, end uint64, at *[32]byte) []string {
	var out []string
	if cp.KeyID != c.rec.ID {
		out = append(out, fmt.Sprintf("checkpoint was made under audit key %x…, the store's key is %x…", cp.KeyID[:4], c.rec.ID[:4]))
	}
	if cp.KeyedFrom != c.rec.KeyedFrom {
		out = append(out, fmt.Sprintf("the keyed chain starts at entry %d, the checkpoint says %d (chain re-keyed or downgraded)", c.rec.KeyedFrom, cp.KeyedFrom))
	}
	switch {
	case at == nil && end < cp.Seq:
		out = append(out, fmt.Sprintf("the audit chain ends at entry %d, the checkpoint of %s has entry %d: entries deleted (truncated) or the chain is broken before it",
			end, cp.At.Format(time.RFC3339), cp.Seq))
	case at != nil && *at != cp.Head:
		out = append(out, fmt.Sprintf("entry %d does not have the checkpoint's chain value: entries up to it were rewritten", cp.Seq))
	}
	return out
}

// VerifyAuditCheckpoint verifies cp's signature and the whole chain, and
// that the chain still holds entry cp.Seq with the checkpoint's chain
// value under the same key and keyed-from entry. The first finding is an
// ErrCorrupt.
func (s *Store) VerifyAuditCheckpoint(ctx context.Context, cp *Checkpoint, verify VerifyFunc) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	if err := cp.Verify(verify); err != nil {
		return err
	}
	snap, _, _ := s.snapshot()
	defer snap.Close()
	var at *[32]byte
	end, _, err := verifyChain(ctx, snap, &s.audit, func(a *AuditEntry) error {
		if a.Seq == cp.Seq {
			h := a.Hash
			at = &h
		}
		return nil
	})
	if err != nil {
		return err
	}
	if f := s.audit.checkpointFindings(cp, end, at); len(f) > 0 {
		return corrupt("audit checkpoint: %s", f[0])
	}
	return nil
}
