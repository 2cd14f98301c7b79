package signer

import (
	"context"
	"fmt"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// recover completes the intents a previous process recorded but did not
// commit: each is signed again from its stored TBS (the TBS, and so the
// serial, never changes) and committed; one that cannot be (unknown
// issuer, TBS that no longer parses, key failure) is marked failed, which
// keeps its serial out of reuse for good.
func (s *Signer) recover(ctx context.Context) error {
	pending, err := s.store.PendingIntents(ctx)
	if err != nil {
		return fmt.Errorf("signer: recover: %w", err)
	}
	if len(pending) == 0 {
		return nil
	}
	var issued []store.Issued
	var failed [][]byte
	for _, in := range pending {
		rec, err := s.recoverOne(ctx, in)
		if err != nil {
			s.opts.Logger.Warn("signer: recovery: intent marked failed", "serial", fmt.Sprintf("%x", in.Serial), "err", err)
			failed = append(failed, in.Serial)
			continue
		}
		issued = append(issued, rec)
	}
	if len(issued) > 0 {
		if err := s.store.CommitIssued(ctx, issued); err != nil {
			return fmt.Errorf("signer: recover: commit %d certificates: %w", len(issued), err)
		}
	}
	if len(failed) > 0 {
		if err := s.store.FailIntents(ctx, failed, "recovery: could not complete"); err != nil {
			return fmt.Errorf("signer: recover: %w", err)
		}
	}
	s.opts.Logger.Info("signer: recovered intents", "issued", len(issued), "failed", len(failed))
	s.stats.recovered.Add(uint64(len(issued)))
	return nil
}

func (s *Signer) recoverOne(ctx context.Context, in store.Intent) (store.Issued, error) {
	is, ok := s.issuers[in.IssuerID]
	if !ok {
		return store.Issued{}, fmt.Errorf("%w %q", ErrUnknownIssuer, in.IssuerID)
	}
	der, err := is.signTBS(ctx, in.TBS)
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
		Audit: store.AuditEntry{Actor: "signer/recovery", Action: "issue", Details: issueDetails(in) + " (recovered intent)"},
	}, nil
}
