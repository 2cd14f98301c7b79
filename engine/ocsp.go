package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// OCSP results, the label of gostca_ocsp_requests_total.
const (
	OCSPResultGood         = "good"
	OCSPResultRevoked      = "revoked"
	OCSPResultUnknown      = "unknown"
	OCSPResultMalformed    = "malformed"
	OCSPResultUnauthorized = "unauthorized"
	OCSPResultTryLater     = "try_later"
	OCSPResultInternal     = "internal"
)

// maxOCSPCertIDs bounds the certificates asked about in one request.
const maxOCSPCertIDs = 16

// OCSPAnswer is the responder's answer to one request.
type OCSPAnswer struct {
	DER    []byte
	Result string // one of the OCSPResult constants (the first certificate's status)
	// Presigned: served from the store without signing.
	Presigned bool
	// ThisUpdate and NextUpdate of the (first) single response, for cache
	// headers; zero for error responses.
	ThisUpdate, NextUpdate time.Time
}

var errorResponses = map[pkix.OCSPResponseStatus][]byte{}

func init() {
	for _, s := range []pkix.OCSPResponseStatus{pkix.OCSPMalformedRequest, pkix.OCSPInternalError, pkix.OCSPTryLater, pkix.OCSPUnauthorized} {
		der, err := pkix.OCSPErrorResponse(s)
		if err != nil {
			panic(err)
		}
		errorResponses[s] = der
	}
}

func (e *Engine) ocspError(status pkix.OCSPResponseStatus, result string) *OCSPAnswer {
	e.m.ocspRequests.WithLabelValues(result, "none").Inc()
	return &OCSPAnswer{DER: errorResponses[status], Result: result}
}

// OCSP answers a DER OCSP request (HTTP POST).
func (e *Engine) OCSP(ctx context.Context, der []byte) *OCSPAnswer {
	req, err := pkix.ParseOCSPRequest(der)
	if err != nil {
		return e.ocspError(pkix.OCSPMalformedRequest, OCSPResultMalformed)
	}
	return e.respond(ctx, req)
}

// OCSPGet answers the request of an HTTP GET: path is the URL-escaped
// base64 DER after the responder's base URL.
func (e *Engine) OCSPGet(ctx context.Context, path string) *OCSPAnswer {
	req, err := pkix.ParseOCSPRequestGET(path)
	if err != nil {
		return e.ocspError(pkix.OCSPMalformedRequest, OCSPResultMalformed)
	}
	return e.respond(ctx, req)
}

func (e *Engine) respond(ctx context.Context, req *pkix.OCSPRequest) *OCSPAnswer {
	if len(req.CertIDs) > maxOCSPCertIDs {
		return e.ocspError(pkix.OCSPMalformedRequest, OCSPResultMalformed)
	}
	// Every CertID must name one of our issuing CAs, the same one: a
	// response is signed by one key.
	var s *issuerState
	for i := range req.CertIDs {
		var found *issuerState
		for _, id := range e.order {
			if e.issuers[id].ocsp.Matches(&req.CertIDs[i]) {
				found = e.issuers[id]
				break
			}
		}
		if found == nil || (s != nil && found != s) {
			return e.ocspError(pkix.OCSPUnauthorized, OCSPResultUnauthorized)
		}
		s = found
	}
	recs := make([]*store.CertRecord, len(req.CertIDs))
	for i := range req.CertIDs {
		rec, err := e.st.Certificate(ctx, req.CertIDs[i].Serial)
		switch {
		case err == nil && rec.IssuerID == s.is.ID:
			recs[i] = rec
		case err == nil, errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrPending), errors.Is(err, store.ErrInvalidInput):
			// Not ours, never issued, or still being issued: unknown.
		default:
			e.log.Error("OCSP: certificate lookup failed", "err", err)
			return e.ocspError(pkix.OCSPInternalError, OCSPResultInternal)
		}
	}
	now := time.Now()
	// The pre-signed response answers a request for exactly one of our
	// certificates, without a nonce, with a SHA-1 CertID (what it was
	// signed for).
	presignable := len(req.CertIDs) == 1 && req.Nonce == nil && req.CertIDs[0].Hash == pkix.OCSPHashSHA1 && recs[0] != nil
	if presignable {
		r, err := e.st.OCSPResponse(ctx, recs[0].Serial)
		if err == nil && r.StatusVersion == recs[0].Status.Version && now.Before(r.NextUpdate) {
			res := resultOf(recs[0])
			e.m.ocspRequests.WithLabelValues(res, "presigned").Inc()
			return &OCSPAnswer{DER: r.DER, Result: res, Presigned: true, NextUpdate: r.NextUpdate, ThisUpdate: r.NextUpdate.Add(-e.cfg.OCSP.Validity)}
		}
	}
	// Live signing, bounded.
	wait, cancel := context.WithTimeout(ctx, e.cfg.OCSP.LiveWait)
	defer cancel()
	select {
	case e.ocspSem <- struct{}{}:
	case <-wait.Done():
		return e.ocspError(pkix.OCSPTryLater, OCSPResultTryLater)
	}
	defer func() { <-e.ocspSem }()
	thisUpdate := now.UTC().Truncate(time.Second)
	nextUpdate := thisUpdate.Add(e.cfg.OCSP.Validity)
	singles := make([]pkix.SingleResponse, len(req.CertIDs))
	for i, id := range req.CertIDs {
		singles[i] = singleResponse(id, recs[i], thisUpdate, nextUpdate)
	}
	der, err := e.signOCSP(ctx, s, singles, req.Nonce, thisUpdate)
	if err != nil {
		e.log.Error("OCSP: signing failed", "issuer", s.is.ID, "err", err)
		return e.ocspError(pkix.OCSPInternalError, OCSPResultInternal)
	}
	if presignable {
		// Keep it for the next request like this one.
		err := e.st.PutOCSPResponse(ctx, store.OCSPRecord{Serial: recs[0].Serial, DER: der, NextUpdate: nextUpdate, StatusVersion: recs[0].Status.Version})
		if err != nil && !errors.Is(err, store.ErrStale) {
			e.log.Warn("OCSP: storing a live response failed", "err", err)
		}
	}
	res := OCSPResultUnknown
	if recs[0] != nil {
		res = resultOf(recs[0])
	}
	e.m.ocspRequests.WithLabelValues(res, "live").Inc()
	return &OCSPAnswer{DER: der, Result: res, ThisUpdate: thisUpdate, NextUpdate: nextUpdate}
}

func resultOf(rec *store.CertRecord) string {
	if rec.Status.State == store.Valid {
		return OCSPResultGood
	}
	return OCSPResultRevoked
}

func singleResponse(id pkix.CertID, rec *store.CertRecord, thisUpdate, nextUpdate time.Time) pkix.SingleResponse {
	sr := pkix.SingleResponse{CertID: id, Status: pkix.OCSPUnknown, ThisUpdate: thisUpdate, NextUpdate: nextUpdate}
	if rec != nil {
		sr.Status, sr.RevokedAt, sr.Reason = ocspStatus(rec.Status)
	}
	return sr
}

// signOCSP signs a basic response with the issuing CA's key; the CA
// certificate goes along so that clients find the signer.
func (e *Engine) signOCSP(ctx context.Context, s *issuerState, singles []pkix.SingleResponse, nonce []byte, producedAt time.Time) ([]byte, error) {
	r := s.ocspSigner()
	tbs, err := pkix.BuildOCSPResponseData(&pkix.OCSPResponseTemplate{
		ResponderKeyHash: r.keyHash, ProducedAt: producedAt, Responses: singles, Nonce: nonce,
	})
	if err != nil {
		return nil, err
	}
	sig, err := r.key.Sign(ctx, r.alg.Digest(tbs))
	if err != nil {
		return nil, err
	}
	if err := pkix.CheckSignature(r.key.Public(), r.alg, tbs, sig); err != nil {
		return nil, fmt.Errorf("verify after sign: %w", err)
	}
	return pkix.AssembleOCSPResponse(tbs, r.alg, sig, r.certs)
}

// presign signs and stores the response for rec's current status (SHA-1
// CertID, no nonce). Expired certificates are skipped.
func (e *Engine) presign(ctx context.Context, s *issuerState, rec *store.CertRecord) error {
	now := time.Now().UTC().Truncate(time.Second)
	if !now.Before(rec.NotAfter) {
		return nil
	}
	id, err := s.ocsp.CertID(pkix.OCSPHashSHA1, rec.Serial)
	if err != nil {
		return err
	}
	next := now.Add(e.cfg.OCSP.Validity)
	der, err := e.signOCSP(ctx, s, []pkix.SingleResponse{singleResponse(id, rec, now, next)}, nil, now)
	if err != nil {
		e.m.ocspPresigned.WithLabelValues("error").Inc()
		return err
	}
	err = e.st.PutOCSPResponse(ctx, store.OCSPRecord{Serial: rec.Serial, DER: der, NextUpdate: next, StatusVersion: rec.Status.Version})
	switch {
	case errors.Is(err, store.ErrStale):
		e.m.ocspPresigned.WithLabelValues("stale").Inc()
		return nil // the status changed meanwhile; that change re-signs
	case err != nil:
		e.m.ocspPresigned.WithLabelValues("error").Inc()
		return err
	}
	e.m.ocspPresigned.WithLabelValues("ok").Inc()
	return nil
}

// ocspRefreshLoop keeps pre-signed responses fresh: on every kick (new
// certificates, status changes) and every ocsp.refresh_interval it signs
// the responses that are missing or expire within ocsp.refresh_before.
func (e *Engine) ocspRefreshLoop() {
	defer e.wg.Done()
	t := time.NewTicker(e.cfg.OCSP.RefreshInterval)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
		case <-e.kick:
		}
		if err := e.ensureResponders(context.Background()); err != nil {
			e.log.Error("OCSP responder renewal failed", "err", err)
		}
		if err := e.refreshOCSP(e.cfg.OCSP.RefreshBefore); err != nil {
			e.log.Error("OCSP refresh failed", "err", err)
		}
	}
}

// refreshOCSP runs one pass of the pre-signing job: responses missing or
// expiring within refreshBefore are signed. One pass at a time.
func (e *Engine) refreshOCSP(refreshBefore time.Duration) error {
	e.ocspRefreshMu.Lock()
	defer e.ocspRefreshMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	before := time.Now().Add(refreshBefore)
	cursor := ""
	for {
		select {
		case <-e.stop:
			return nil
		default:
		}
		page, next, err := e.st.OCSPDue(ctx, before, cursor, 256)
		if err != nil {
			return err
		}
		for _, d := range page {
			rec, err := e.st.Certificate(ctx, d.Serial)
			if err != nil {
				if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrPending) {
					continue
				}
				return err
			}
			if rec.NotAfter.Before(time.Now()) {
				// Expired: its last response stays served (RFC 6960
				// allows answering for expired certificates), but it is
				// no longer re-signed, and leaves the due index.
				if err := e.st.OCSPRetire(ctx, rec.Serial); err != nil && !errors.Is(err, store.ErrInvalidInput) {
					return err
				}
				continue
			}
			s, ok := e.issuers[rec.IssuerID]
			if !ok {
				continue // an issuer no longer configured
			}
			if err := e.presign(ctx, s, rec); err != nil {
				e.log.Warn("OCSP pre-sign failed", "serial", FormatSerial(rec.Serial), "err", err)
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}
