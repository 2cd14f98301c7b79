package engine

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/signer"
	"github.com/gostca/gostca/store"
)

// issuerState is what the engine keeps per issuing CA beyond the signer's
// view: the OCSP CertID hashes, the current CRL and a counter of status
// changes that invalidates it.
type issuerState struct {
	is           *signer.Issuer
	alg          pkix.SignatureAlgorithm
	ocsp         *pkix.OCSPIssuer
	responderKey []byte // byKey ResponderID

	statusGen atomic.Uint64

	crlMu    sync.Mutex
	crl      *CRLFile
	crlGen   uint64
	crlBuilt time.Time
}

func newIssuerState(is *signer.Issuer) (*issuerState, error) {
	alg, err := pkix.SignatureAlgorithmFor(is.Key.Public())
	if err != nil {
		return nil, fmt.Errorf("engine: issuer %s: %w", is.ID, err)
	}
	oi, err := pkix.NewOCSPIssuer(is.Cert.RawSubject, is.Cert.PublicKey.Raw)
	if err != nil {
		return nil, fmt.Errorf("engine: issuer %s: %w", is.ID, err)
	}
	rk, err := pkix.ResponderKeyHash(is.Cert.PublicKey.Raw)
	if err != nil {
		return nil, fmt.Errorf("engine: issuer %s: %w", is.ID, err)
	}
	return &issuerState{is: is, alg: alg, ocsp: oi, responderKey: rk}, nil
}

// CRLFile is a signed CRL ready to serve.
type CRLFile struct {
	Issuer     string
	DER        []byte
	Number     *big.Int
	Entries    int
	ThisUpdate time.Time
	NextUpdate time.Time
	// ETag is a strong entity tag, quoted: the issuer and CRL number.
	ETag string
}

// CRL returns the current full CRL of an issuing CA, rebuilding it when a
// status changed since it was built or it is older than
// crl.refresh_interval.
func (e *Engine) CRL(ctx context.Context, issuerID string) (*CRLFile, error) {
	s, ok := e.issuers[issuerID]
	if !ok {
		return nil, invalidf(CodeIssuerNotFound, "no issuing CA %q", issuerID)
	}
	s.crlMu.Lock()
	defer s.crlMu.Unlock()
	now := time.Now()
	if s.crl != nil && s.crlGen == s.statusGen.Load() && now.Sub(s.crlBuilt) < e.cfg.CRL.RefreshInterval && now.Before(s.crl.NextUpdate) {
		return s.crl, nil
	}
	return e.buildCRL(ctx, s)
}

// GenerateCRL builds a new CRL now and records it in the audit log.
func (e *Engine) GenerateCRL(ctx context.Context, actor, issuerID string) (*CRLFile, error) {
	s, ok := e.issuers[issuerID]
	if !ok {
		return nil, invalidf(CodeUnknownIssuer, "no issuing CA %q", issuerID)
	}
	s.crlMu.Lock()
	f, err := e.buildCRL(ctx, s)
	s.crlMu.Unlock()
	if err != nil {
		return nil, err
	}
	if err := e.Audit(ctx, actor, "crl.generate", issuerID, fmt.Sprintf("number=%s entries=%d", f.Number, f.Entries)); err != nil {
		return nil, err
	}
	return f, nil
}

// buildCRL signs a full CRL from the store's revocation index; s.crlMu is
// held. The entries are read once into memory so that the builder's
// passes see the same list.
func (e *Engine) buildCRL(ctx context.Context, s *issuerState) (*CRLFile, error) {
	start := time.Now()
	gen := s.statusGen.Load()
	var entries []pkix.RevokedEntry
	err := e.st.Revoked(ctx, s.is.ID, func(serial []byte, at time.Time, reason int, invalidity time.Time) bool {
		entries = append(entries, pkix.RevokedEntry{Serial: serial, RevokedAt: at, Reason: pkix.CRLReason(reason), InvalidityDate: invalidity})
		return true
	})
	if err != nil {
		return nil, classify(fmt.Errorf("engine: CRL %s: %w", s.is.ID, err))
	}
	num, err := e.st.NextCRLNumber(ctx, s.is.ID)
	if err != nil {
		return nil, classify(fmt.Errorf("engine: CRL %s: %w", s.is.ID, err))
	}
	now := time.Now().UTC().Truncate(time.Second)
	cb := &pkix.CRLBuilder{
		Template: &pkix.CRLTemplate{
			Issuer: s.is.Cert.RawSubject, AuthorityKeyID: s.is.Cert.SubjectKeyID, Number: num,
			ThisUpdate: now, NextUpdate: now.Add(e.cfg.CRL.Validity), SignatureAlgorithm: s.alg,
		},
		Entries:    sliceSeq(entries),
		SignDigest: func(d []byte) ([]byte, error) { return s.is.Key.Sign(ctx, d) },
		Verify:     s.is.Key.Public(),
	}
	var buf bytes.Buffer
	if _, err := cb.WriteTo(&buf); err != nil {
		return nil, classify(fmt.Errorf("engine: CRL %s: %w", s.is.ID, err))
	}
	f := &CRLFile{Issuer: s.is.ID, DER: buf.Bytes(), Number: num, Entries: len(entries), ThisUpdate: now,
		NextUpdate: now.Add(e.cfg.CRL.Validity), ETag: fmt.Sprintf(`"%s-%s"`, s.is.ID, num.Text(16))}
	s.crl, s.crlGen, s.crlBuilt = f, gen, time.Now()
	e.m.crlDuration.WithLabelValues(s.is.ID).Observe(time.Since(start).Seconds())
	e.m.crlSize.WithLabelValues(s.is.ID).Set(float64(len(f.DER)))
	e.m.crlEntries.WithLabelValues(s.is.ID).Set(float64(len(entries)))
	e.log.Info("CRL built", "issuer", s.is.ID, "number", num.String(), "entries", len(entries), "bytes", len(f.DER))
	return f, nil
}

func sliceSeq(entries []pkix.RevokedEntry) iter.Seq2[pkix.RevokedEntry, error] {
	return func(yield func(pkix.RevokedEntry, error) bool) {
		for _, en := range entries {
			if !yield(en, nil) {
				return
			}
		}
	}
}

// crlRefreshLoop rebuilds stale CRLs in the background, so that requests
// rarely pay for a build.
func (e *Engine) crlRefreshLoop() {
	defer e.wg.Done()
	t := time.NewTicker(min(e.cfg.CRL.RefreshInterval, time.Minute))
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
		}
		for _, id := range e.order {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if _, err := e.CRL(ctx, id); err != nil {
				e.log.Error("CRL refresh failed", "issuer", id, "err", err)
			}
			cancel()
		}
	}
}

// storeState maps a stored status onto OCSP.
func ocspStatus(st store.Status) (pkix.OCSPStatus, time.Time, pkix.CRLReason) {
	switch st.State {
	case store.Revoked, store.OnHold:
		return pkix.OCSPRevoked, st.At, pkix.CRLReason(st.Reason)
	}
	return pkix.OCSPGood, time.Time{}, 0
}
