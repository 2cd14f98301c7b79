package cloudkey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/gost/streebog"
	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/store"
)

// Signing with a cloud key is two-step. CreateOperation records what is
// to be signed (a Streebog digest, given or computed from a bounded
// document, and a description the subscriber is shown) and asks the
// Confirmer to reach the subscriber; ConfirmOperation takes the
// subscriber's proof, and only then opens the key and signs, moving the
// operation to signed in one batch with its audit entry (the store's
// compare-and-set: at most once). An expired or refused operation signs
// nothing.

// MaxDocument is the largest document an operation hashes itself;
// larger ones are hashed by the caller, who sends the digest.
const MaxDocument = 1 << 20

// Confirmer reaches the subscriber for an operation and checks their
// answer. The SMS code confirmer (CodeConfirmer) is built in; a mobile
// application confirmer (a push to the subscriber's app, answered
// through the integrations) implements the same two calls and is given
// in Options.Confirmer.
type Confirmer interface {
	// Begin asks the subscriber to confirm op, returning the challenge
	// the client names when it confirms (recorded in op.Challenge).
	Begin(ctx context.Context, sub *cabinet.Subscriber, c cabinet.Client, op *store.CloudOperation) (*otp.Sent, error)
	// Confirm checks the subscriber's proof for op and consumes it,
	// writing audit in the same batch. A refusal consumes nothing usable.
	Confirm(ctx context.Context, c cabinet.Client, op *store.CloudOperation, proof string, audit store.AuditEntry) error
}

// opBinding is what an operation's code confirms: SHA-256("sign" ‖ op
// id ‖ key id ‖ digest ‖ description).
func opBinding(op *store.CloudOperation) [32]byte {
	h := sha256.New()
	h.Write([]byte("sign"))
	h.Write(op.ID[:])
	var n [8]byte
	for _, f := range [][]byte{[]byte(op.Key), op.Digest, []byte(op.Description)} {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write(f)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// CodeConfirmer confirms operations with a one-time code sent by SMS
// (package otp), bound to the operation.
type CodeConfirmer struct{ codes *otp.Service }

// Begin sends the code.
func (cc *CodeConfirmer) Begin(ctx context.Context, sub *cabinet.Subscriber, c cabinet.Client, op *store.CloudOperation) (*otp.Sent, error) {
	return cc.codes.Send(ctx, otp.SendRequest{Purpose: otp.Sign, Phone: sub.Phone, Client: c.Actor, Addr: c.Addr,
		Application: op.Key, Binding: opBinding(op), Actor: sub.Actor().ID})
}

// Confirm checks and consumes the code.
func (cc *CodeConfirmer) Confirm(ctx context.Context, c cabinet.Client, op *store.CloudOperation, code string, audit store.AuditEntry) error {
	_, err := cc.codes.Use(ctx, otp.Check{ID: op.Challenge, Code: code, Purpose: otp.Sign, Client: c.Actor,
		Application: op.Key, Binding: opBinding(op), Audit: audit})
	return err
}

// OperationInput is what to sign: exactly one of Digest (Streebog, the
// key's size) and Document (at most MaxDocument bytes), and what the
// subscriber is shown.
type OperationInput struct {
	Digest      []byte
	Document    []byte
	Description string
	// Attached asks for the document inside the CAdES-BES signature
	// (Document required); by default the signature is detached.
	Attached bool
}

// Created is a created operation and how it is confirmed.
type Created struct {
	Op   *store.CloudOperation
	Sent *otp.Sent
}

// CreateOperation records an operation with the subscriber's cloud key
// and asks the confirmer to reach them.
func (s *Service) CreateOperation(ctx context.Context, sub *cabinet.Subscriber, c cabinet.Client, keyID string, in OperationInput) (*Created, error) {
	k, err := s.key(ctx, sub, keyID)
	if err != nil {
		return nil, err
	}
	if _, err := s.certified(ctx, sub, k.Application, s.now()); err != nil {
		return nil, err
	}
	size := 32
	if strings.Contains(k.Curve, "512") {
		size = 64
	}
	desc := in.Description
	if desc == "" || len(desc) > 1024 || !utf8.ValidString(desc) || strings.ContainsFunc(desc, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, &Error{Code: CodeInvalidDocument, Detail: "description: what is signed, 1–1024 bytes of printable text, shown to the subscriber"}
	}
	op := &store.CloudOperation{Key: k.Application, Phone: sub.Phone, Description: desc, State: store.CloudOpPending}
	switch {
	case len(in.Document) > 0 && len(in.Digest) > 0, len(in.Document) == 0 && len(in.Digest) == 0:
		return nil, &Error{Code: CodeInvalidDocument, Detail: "give exactly one of digest and document"}
	case len(in.Document) > MaxDocument:
		return nil, &Error{Code: CodeInvalidDocument, Detail: "document: at most 1 MiB; hash a larger one with Streebog and send the digest"}
	case len(in.Document) > 0 && size == 32:
		d := streebog.Sum256(in.Document)
		op.Digest, op.DocSize = d[:], uint64(len(in.Document))
	case len(in.Document) > 0:
		d := streebog.Sum512(in.Document)
		op.Digest, op.DocSize = d[:], uint64(len(in.Document))
	case len(in.Digest) != size:
		return nil, &Error{Code: CodeInvalidDocument, Detail: "digest: the Streebog digest of the key's size (32 or 64 bytes)"}
	default:
		op.Digest = append([]byte(nil), in.Digest...)
	}
	if in.Attached {
		if len(in.Document) == 0 {
			return nil, &Error{Code: CodeInvalidDocument, Detail: "attached: an attached signature carries the document: send the document, not its digest"}
		}
		op.Attached, op.Document = true, append([]byte(nil), in.Document...)
	}
	_, _ = rand.Read(op.ID[:]) // never fails (crypto/rand)
	op.Created = s.now()
	op.Expires = op.Created.Add(s.opts.OperationTTL)
	sent, err := s.opts.Confirmer.Begin(ctx, sub, c, op)
	if err != nil {
		return nil, err
	}
	op.Challenge = sent.ID
	err = s.st.PutCloudOperation(ctx, op, store.AuditEntry{Actor: sub.Actor().ID, Action: "cabinet.sign_request",
		Subject: "operation:" + hex.EncodeToString(op.ID[:]), Details: "key " + k.Application + "; digest " + hex.EncodeToString(op.Digest)})
	if err != nil {
		return nil, s.internal("store the operation", err)
	}
	return &Created{Op: op, Sent: sent}, nil
}

// operation reads one of the subscriber's operations of a key.
func (s *Service) operation(ctx context.Context, sub *cabinet.Subscriber, keyID, opID string) (*store.CloudOperation, error) {
	if _, err := s.key(ctx, sub, keyID); err != nil {
		return nil, err
	}
	raw, err := hex.DecodeString(opID)
	notFound := &Error{Code: CodeNoOperation, Detail: "no such operation"}
	if err != nil || len(raw) != store.CloudOpIDLen {
		return nil, notFound
	}
	var id [store.CloudOpIDLen]byte
	copy(id[:], raw)
	op, err := s.st.CloudOperation(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (op.Phone != sub.Phone || op.Key != keyID)) {
		return nil, notFound
	}
	if err != nil {
		return nil, s.internal("read operation", err)
	}
	return op, nil
}

// Operation reads one of the subscriber's operations.
func (s *Service) Operation(ctx context.Context, sub *cabinet.Subscriber, keyID, opID string) (*store.CloudOperation, error) {
	return s.operation(ctx, sub, keyID, opID)
}

func (s *Service) pending(op *store.CloudOperation) error {
	if op.State != store.CloudOpPending || !s.now().Before(op.Expires) {
		return &Error{Code: CodeOperationDone, Detail: "the operation was signed or refused already, or has expired: create a new one"}
	}
	return nil
}

// ConfirmOperation checks the subscriber's proof (the code), then signs
// the operation's digest with the cloud key and records the signature
// and the audit entry (operation, key, digest) with the operation's
// change to signed, at most once.
func (s *Service) ConfirmOperation(ctx context.Context, sub *cabinet.Subscriber, c cabinet.Client, keyID, opID, proof string) (*store.CloudOperation, error) {
	op, err := s.operation(ctx, sub, keyID, opID)
	if err != nil {
		return nil, err
	}
	if err := s.pending(op); err != nil {
		return nil, err
	}
	opHex := hex.EncodeToString(op.ID[:])
	if err := s.opts.Confirmer.Confirm(ctx, c, op, proof, store.AuditEntry{Actor: sub.Actor().ID,
		Action: "cabinet.confirm_sign", Subject: "operation:" + opHex, Details: "challenge " + op.Challenge}); err != nil {
		return nil, err
	}
	// The certificate is checked again: it may have been revoked or
	// suspended since the operation was made. The code is consumed
	// (the subscriber answered); nothing is signed.
	cert, err := s.certified(ctx, sub, keyID, s.now())
	if err != nil {
		return nil, err
	}
	k, err := s.st.CloudKey(ctx, keyID)
	if err != nil {
		return nil, s.internal("read cloud key", err)
	}
	key, err := s.vault.Open(ctx, k)
	if err != nil {
		return nil, s.internal("open the cloud key", err)
	}
	sig, err := key.Sign(ctx, op.Digest)
	if err != nil {
		return nil, s.internal("sign", err)
	}
	now := s.now()
	p7, err := s.cades(ctx, key, cert, op, now)
	if err != nil {
		return nil, err
	}
	details := "key " + keyID + "; digest " + hex.EncodeToString(op.Digest) + "; cades-bes"
	if op.Attached {
		details += " attached"
	}
	done, err := s.st.SignCloudOperation(ctx, op.ID, now, sig, p7, store.AuditEntry{Actor: sub.Actor().ID,
		Action: "cabinet.sign", Subject: "operation:" + opHex, Details: details})
	if errors.Is(err, store.ErrCloudOpDone) {
		return nil, s.pending(&store.CloudOperation{})
	}
	if err != nil {
		return nil, s.internal("record the signature", err)
	}
	s.log.Info("cloud signature made", "operation", opHex, "key", keyID)
	return done, nil
}

// RefuseOperation records the subscriber's refusal of a pending
// operation: it will never be signed.
func (s *Service) RefuseOperation(ctx context.Context, sub *cabinet.Subscriber, keyID, opID string) (*store.CloudOperation, error) {
	op, err := s.operation(ctx, sub, keyID, opID)
	if err != nil {
		return nil, err
	}
	done, err := s.st.FinishCloudOperation(ctx, op.ID, s.now(), store.CloudOpRefused, nil, store.AuditEntry{Actor: sub.Actor().ID,
		Action: "cabinet.sign_refused", Subject: "operation:" + hex.EncodeToString(op.ID[:]), Details: "key " + keyID})
	if errors.Is(err, store.ErrCloudOpDone) {
		return nil, s.pending(&store.CloudOperation{})
	}
	if err != nil {
		return nil, s.internal("record the refusal", err)
	}
	return done, nil
}
