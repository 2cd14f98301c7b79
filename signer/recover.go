package signer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// recover completes the intents recorded but not committed — by a
// previous process, or by a batch of this one whose commit failed. The
// stored TBS is not trusted: it is signed only once pkix.RelintTBS has
// parsed it, matched its serial, issuer, subject key and profile against
// the intent and run the issuance lints on it (the TBS, and so the
// serial, never changes). One that cannot be completed (unknown issuer or
// profile, a TBS that fails those checks, a key failure) is marked failed
// with its reason in the audit log, which keeps its serial out of reuse
// for good. With a non-zero cutoff only intents created before it and
// held by no batch are taken.
func (s *Signer) recover(ctx context.Context, cutoff time.Time) error {
	all, err := s.store.PendingIntents(ctx)
	if err != nil {
		return fmt.Errorf("signer: recover: %w", err)
	}
	claimed := map[string]bool{}
	for _, in := range all {
		if !cutoff.IsZero() && !in.CreatedAt.Before(cutoff) {
			continue
		}
		if s.claim(in.Serial) {
			claimed[string(in.Serial)] = true
			defer s.release(in.Serial)
		}
	}
	if len(claimed) == 0 {
		return nil
	}
	if !cutoff.IsZero() {
		// A batch that released its serials between the first read and the
		// claim has committed them: read again, now that no batch of ours
		// can (batches claim before they write an intent).
		if all, err = s.store.PendingIntents(ctx); err != nil {
			return fmt.Errorf("signer: recover: %w", err)
		}
	}
	var pending []store.Intent
	for _, in := range all {
		if claimed[string(in.Serial)] {
			pending = append(pending, in)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	var issued []store.Issued
	type failure struct {
		serial []byte
		reason string
	}
	var failed []failure
	for _, in := range pending {
		if err := s.store.VerifyIntent(&in); err != nil {
			if !errors.Is(err, store.ErrIntentMAC) && !errors.Is(err, store.ErrIntentNoMAC) {
				// The key did not answer: nothing is known about the
				// intent, so it is neither signed nor failed.
				return fmt.Errorf("signer: recover: %w", err)
			}
			s.opts.Logger.Error("signer: recovery: intent MAC does not verify; marked failed, never signed", "serial", fmt.Sprintf("%x", in.Serial), "err", err)
			failed = append(failed, failure{in.Serial, failReason(err)})
			continue
		}
		rec, err := s.recoverOne(ctx, in)
		if err != nil {
			s.opts.Logger.Warn("signer: recovery: intent marked failed", "serial", fmt.Sprintf("%x", in.Serial), "err", err)
			failed = append(failed, failure{in.Serial, failReason(err)})
			continue
		}
		issued = append(issued, rec)
	}
	if len(issued) > 0 {
		if _, err := s.store.CommitIssuedRecords(ctx, issued); err != nil {
			return fmt.Errorf("signer: recover: commit %d certificates: %w", len(issued), err)
		}
	}
	for _, f := range failed {
		// One call per intent: the store audits each failure with its own
		// reason, in the same batch as the change.
		if err := s.store.FailIntents(ctx, [][]byte{f.serial}, f.reason); err != nil {
			return fmt.Errorf("signer: recover: %w", err)
		}
	}
	s.opts.Logger.Info("signer: recovered intents", "issued", len(issued), "failed", len(failed))
	s.stats.recovered.Add(uint64(len(issued)))
	return nil
}

// recoverLoop runs recover every RecoverInterval for intents older than
// one interval, until Close.
func (s *Signer) recoverLoop() {
	defer s.loops.Done()
	t := time.NewTicker(s.opts.RecoverInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		if err := s.recover(context.Background(), s.opts.Now().Add(-s.opts.RecoverInterval)); err != nil {
			s.opts.Logger.Error("signer: background recovery failed", "err", err)
		}
	}
}

func (s *Signer) recoverOne(ctx context.Context, in store.Intent) (store.Issued, error) {
	is, ok := s.issuers[in.IssuerID]
	// The intent's content (serial, key hash, TBS, profile, application
	// link) is used only once its MAC verified (recover did that).
	if !ok {
		return store.Issued{}, fmt.Errorf("%w %q", ErrUnknownIssuer, in.IssuerID)
	}
	prof, ok := is.Profiles[in.Profile]
	if !ok {
		return store.Issued{}, fmt.Errorf("%w %q for issuer %s", ErrUnknownProfile, in.Profile, is.ID)
	}
	tbs, err := pkix.RelintTBS(prof, in.TBS, &is.Settings, pkix.TBSExpect{Serial: in.Serial, SubjectKeySHA256: in.KeyHash})
	if err != nil {
		return store.Issued{}, fmt.Errorf("signer: stored TBS refused: %w", err)
	}
	der, err := is.signTBS(ctx, tbs)
	if err != nil {
		return store.Issued{}, err
	}
	cert, err := pkix.ParseCertificate(der)
	if err != nil {
		return store.Issued{}, err
	}
	var ids store.Identifiers
	if sub, err := cert.Subject.Subject(); err == nil {
		ids = store.Identifiers{SNILS: sub.SNILS, INN: sub.INN, INNLE: sub.INNLE, OGRN: sub.OGRN, OGRNIP: sub.OGRNIP}
	}
	return store.Issued{
		Serial: in.Serial, IssuerID: in.IssuerID, RequestID: in.RequestID, DER: der,
		NotBefore: cert.NotBefore, NotAfter: cert.NotAfter, Subject: ids, KeyHash: in.KeyHash,
		Outbox: s.outbox(in.Profile),
		Audit:  store.AuditEntry{Actor: "signer/recovery", Action: "issue", Details: recoveredDetails(in)},
		App:    in.App, AppNotices: s.opts.AppNotices,
	}, nil
}

// recoveredDetails is the audit detail of a certificate completed by
// recovery; an intent accepted without a MAC of its own at schema 7 says
// so.
func recoveredDetails(in store.Intent) string {
	d := issueDetails(in) + " (recovered intent"
	if in.Legacy {
		d += "; written before schema 7, accepted without a MAC and re-checked by the schema 6 rules"
	}
	return d + ")"
}

// maxFailReason is the store's limit on a failure reason.
const maxFailReason = 1024

// failReason is the audit reason of an intent recovery could not
// complete: "recovery: " and the error, valid UTF-8, cut to the store's
// limit on a rune boundary.
func failReason(err error) string {
	r := strings.ToValidUTF8("recovery: "+err.Error(), "?")
	if len(r) <= maxFailReason {
		return r
	}
	cut := maxFailReason - len("…")
	for cut > 0 && !utf8.RuneStart(r[cut]) {
		cut--
	}
	return r[:cut] + "…"
}
