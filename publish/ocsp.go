package publish

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gostca/gostca/internal/job"
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
	// ETag is the entity tag of DER for HTTP caches when known ahead (an
	// answer from the cache); empty: the HTTP layer computes it.
	ETag string
	// HTTP is the answer's HTTP validators, formatted once for an answer
	// from the cache; nil: the HTTP layer formats them.
	HTTP *OCSPHTTP
}

// OCSPHTTP is what HTTP caches are told of an answer (RFC 5019 §6.2):
// its entity tag, and ThisUpdate and NextUpdate as HTTP dates
// (Last-Modified, Expires).
type OCSPHTTP struct {
	ETag, LastModified, Expires []byte
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

func (pub *Publisher) ocspError(status pkix.OCSPResponseStatus, result string) *OCSPAnswer {
	pub.m.ocspRequests.WithLabelValues(result, "none").Inc()
	return &OCSPAnswer{DER: errorResponses[status], Result: result}
}

// OCSP answers a DER OCSP request (HTTP POST). Answers are shared (the
// cache hands the same one to every request for a certificate): read
// them, never change them.
func (pub *Publisher) OCSP(ctx context.Context, der []byte) *OCSPAnswer {
	return pub.OCSPWithin(ctx, der, 0)
}

// OCSPWithin is OCSP with the work of an answer that is not cached
// (store reads, live signing) bounded by timeout (0: ctx alone bounds
// it). A cached answer needs neither, so the HTTP handlers pass their
// request timeout here instead of making a deadline per request.
func (pub *Publisher) OCSPWithin(ctx context.Context, der []byte, timeout time.Duration) *OCSPAnswer {
	var memo *ocspReqMemo
	if pub.cache != nil {
		memo = pub.cache.memoPOST
	}
	return pub.answerRaw(ctx, der, timeout, memo, pkix.ParseOCSPRequest)
}

// OCSPGet answers the request of an HTTP GET: path is the URL-escaped
// base64 DER after the responder's base URL.
func (pub *Publisher) OCSPGet(ctx context.Context, path string) *OCSPAnswer {
	return pub.OCSPGetWithin(ctx, []byte(path), 0)
}

// OCSPGetWithin is OCSPGet bounded as OCSPWithin is, of a path in bytes
// (the HTTP server's request URI; the answer does not alias it).
func (pub *Publisher) OCSPGetWithin(ctx context.Context, path []byte, timeout time.Duration) *OCSPAnswer {
	var memo *ocspReqMemo
	if pub.cache != nil {
		memo = pub.cache.memoGET
	}
	return pub.answerRaw(ctx, path, timeout, memo, pkix.ParseOCSPRequestGETBytes)
}

// answerRaw answers a request as the HTTP server read it (raw: a POST
// body or a GET path): from the cache when memo (nil: no cache) names
// raw's issuer and serial, else parsed by parse and answered, and raw
// remembered when its answer may be cached.
func (pub *Publisher) answerRaw(ctx context.Context, raw []byte, timeout time.Duration, memo *ocspReqMemo, parse func([]byte) (*pkix.OCSPRequest, error)) *OCSPAnswer {
	if memo != nil {
		if a := pub.memoAnswer(memo, raw); a != nil {
			return a
		}
	}
	req, err := parse(raw)
	if err != nil {
		return pub.ocspError(pkix.OCSPMalformedRequest, OCSPResultMalformed)
	}
	return pub.respondTo(ctx, req, timeout, memo, raw)
}

// memoAnswer is the cached answer to raw, a request the memo remembers
// (ocspreqmemo.go); nil: parse it and answer as usual.
func (pub *Publisher) memoAnswer(memo *ocspReqMemo, raw []byte) *OCSPAnswer {
	k := memo.get(raw)
	if k == nil {
		return nil
	}
	a, ok := pub.cache.get(k.issuer, k.serial, time.Now())
	if !ok {
		return nil
	}
	pub.m.presignedAnswer(a.Result)
	return a
}

// respondTo answers req; memo, when not nil, remembers raw, the bytes
// req was parsed from, if the answer cache may answer them.
func (pub *Publisher) respondTo(ctx context.Context, req *pkix.OCSPRequest, timeout time.Duration, memo *ocspReqMemo, raw []byte) *OCSPAnswer {
	if len(req.CertIDs) > maxOCSPCertIDs {
		return pub.ocspError(pkix.OCSPMalformedRequest, OCSPResultMalformed)
	}
	// Every CertID must name one of our issuing CAs, the same one: a
	// response is signed by one key.
	var s *issuerState
	for i := range req.CertIDs {
		var found *issuerState
		for _, id := range pub.order {
			if pub.issuers[id].ocsp.Matches(&req.CertIDs[i]) {
				found = pub.issuers[id]
				break
			}
		}
		if found == nil || (s != nil && found != s) {
			return pub.ocspError(pkix.OCSPUnauthorized, OCSPResultUnauthorized)
		}
		s = found
	}
	// A request a pre-signed response answers may be answered from the
	// cache (ocspcache.go); otherwise the generation taken here, before
	// the first store read, lets its answer be cached.
	now := time.Now()
	var gen uint64
	cacheable := pub.cache != nil && len(req.CertIDs) == 1 && req.CertIDs[0].Hash == pkix.OCSPHashSHA1 &&
		(req.Nonce == nil || pub.cfg.OCSP.PresignedOnly)
	if cacheable {
		if memo != nil && req.Nonce == nil {
			memo.put(raw, s, req.CertIDs[0].Serial)
		}
		if a, ok := pub.cache.get(s, req.CertIDs[0].Serial, now); ok {
			pub.m.presignedAnswer(a.Result)
			return a
		}
		gen = pub.cache.generation(req.CertIDs[0].Serial)
	}
	if cacheable {
		// One store read, which no timeout could cut short anyway.
		if a := pub.storedAnswer(ctx, s, req, gen, now); a != nil {
			return a
		}
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	recs := make([]*store.CertRecord, len(req.CertIDs))
	if pub.cache != nil && !cacheable && len(req.CertIDs) == 1 {
		// A request signed live (a nonce, another hash) for a certificate
		// whose answer is cached: the cached record's status is current
		// (the cache drops it on a status change), so no store read.
		recs[0] = pub.cache.record(s, req.CertIDs[0].Serial)
	}
	for i := range req.CertIDs {
		if recs[i] != nil {
			continue
		}
		rec, err := pub.st.Certificate(ctx, req.CertIDs[i].Serial)
		switch {
		case err == nil && rec.IssuerID == s.is.ID:
			recs[i] = rec
		case err == nil, errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrPending), errors.Is(err, store.ErrInvalidInput):
			// Not ours, never issued, or still being issued: unknown.
		default:
			pub.log.Error("OCSP: certificate lookup failed", "err", err)
			return pub.ocspError(pkix.OCSPInternalError, OCSPResultInternal)
		}
	}
	if pub.cfg.OCSP.PresignedOnly {
		return pub.respondPresigned(ctx, s, req, recs, now, cacheable, gen)
	}
	// The pre-signed response answers a request for exactly one of our
	// certificates, without a nonce, with a SHA-1 CertID (what it was
	// signed for).
	presignable := len(req.CertIDs) == 1 && req.Nonce == nil && req.CertIDs[0].Hash == pkix.OCSPHashSHA1 && recs[0] != nil
	if presignable {
		r, err := pub.st.OCSPResponse(ctx, recs[0].Serial)
		if err == nil && r.StatusVersion == recs[0].Status.Version && now.Before(r.NextUpdate) {
			return pub.presignedAnswer(s, req, r, recs[0], cacheable, gen)
		}
	}
	// Live signing, bounded: a free slot is taken at once, else waited
	// for up to ocsp.live_wait.
	if !pub.liveSlot(ctx) {
		return pub.ocspError(pkix.OCSPTryLater, OCSPResultTryLater)
	}
	defer func() { <-pub.ocspSem }()
	thisUpdate := now.UTC().Truncate(time.Second)
	nextUpdate := thisUpdate.Add(pub.cfg.OCSP.Validity)
	singles := make([]pkix.SingleResponse, len(req.CertIDs))
	for i, id := range req.CertIDs {
		singles[i] = singleResponse(id, recs[i], thisUpdate, nextUpdate)
	}
	der, err := pub.signOCSP(ctx, s, singles, req.Nonce, thisUpdate)
	if err != nil {
		pub.log.Error("OCSP: signing failed", "issuer", s.is.ID, "err", err)
		return pub.ocspError(pkix.OCSPInternalError, OCSPResultInternal)
	}
	if presignable {
		// Keep it for the next request like this one.
		err := pub.st.PutOCSPResponse(ctx, store.OCSPRecord{Serial: recs[0].Serial, DER: der, NextUpdate: nextUpdate, StatusVersion: recs[0].Status.Version})
		switch {
		case err == nil && cacheable:
			pub.cacheAnswer(s, req, gen, recs[0], OCSPAnswer{DER: der, Result: resultOf(recs[0]), Presigned: true, ThisUpdate: thisUpdate, NextUpdate: nextUpdate})
		case err != nil && !errors.Is(err, store.ErrStale):
			pub.log.Warn("OCSP: storing a live response failed", "err", err)
		}
	}
	res := OCSPResultUnknown
	if recs[0] != nil {
		res = resultOf(recs[0])
	}
	pub.m.liveAnswer(res)
	return &OCSPAnswer{DER: der, Result: res, ThisUpdate: thisUpdate, NextUpdate: nextUpdate}
}

// liveSlot takes a live-signing slot, waiting at most ocsp.live_wait
// (and while ctx lasts) when none is free; false: none came.
func (pub *Publisher) liveSlot(ctx context.Context) bool {
	select {
	case pub.ocspSem <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(pub.cfg.OCSP.LiveWait)
	defer t.Stop()
	select {
	case pub.ocspSem <- struct{}{}:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// presignedAnswer answers from r, the stored response that is current
// for rec, and caches the answer when the request allows it.
func (pub *Publisher) presignedAnswer(s *issuerState, req *pkix.OCSPRequest, r *store.OCSPRecord, rec *store.CertRecord, cacheable bool, gen uint64) *OCSPAnswer {
	a := &OCSPAnswer{DER: r.DER, Result: resultOf(rec), Presigned: true, NextUpdate: r.NextUpdate, ThisUpdate: r.NextUpdate.Add(-pub.cfg.OCSP.Validity)}
	pub.m.presignedAnswer(a.Result)
	if cacheable {
		if c := pub.cacheAnswer(s, req, gen, rec, *a); c != nil {
			return c
		}
	}
	return a
}

// cacheAnswer caches a, current for req's only certificate when the
// generation was gen, until half of ocsp.refresh_before before its
// nextUpdate (ocspcache.go), and returns the cached answer (nil: not
// cached).
func (pub *Publisher) cacheAnswer(s *issuerState, req *pkix.OCSPRequest, gen uint64, rec *store.CertRecord, a OCSPAnswer) *OCSPAnswer {
	return pub.cache.put(s, req.CertIDs[0].Serial, gen, rec, a, a.NextUpdate.Add(-pub.cfg.OCSP.RefreshBefore/2))
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
func (pub *Publisher) signOCSP(ctx context.Context, s *issuerState, singles []pkix.SingleResponse, nonce []byte, producedAt time.Time) ([]byte, error) {
	r := s.ocspSigner()
	tbs, err := pkix.BuildOCSPResponseData(&pkix.OCSPResponseTemplate{
		ResponderKeyHash: r.keyHash, ProducedAt: producedAt, Responses: singles, Nonce: nonce,
	})
	if err != nil {
		return nil, err
	}
	digest := r.alg.Digest(tbs)
	sig, err := r.key.Sign(ctx, digest)
	if err != nil {
		return nil, err
	}
	// The digest is the one just computed over tbs: hashing it again
	// would check nothing more.
	if err := pkix.CheckDigestSignature(r.pub, r.alg, digest, sig); err != nil {
		return nil, fmt.Errorf("verify after sign: %w", err)
	}
	return pkix.AssembleOCSPResponse(tbs, r.alg, sig, r.certs)
}

// presign signs and stores the response for rec's current status (SHA-1
// CertID, no nonce). Expired certificates are skipped.
func (pub *Publisher) presign(ctx context.Context, s *issuerState, rec *store.CertRecord) error {
	r, err := pub.signPresigned(ctx, s, rec)
	if r == nil || err != nil {
		return err
	}
	return pub.presigned(pub.st.PutOCSPResponse(ctx, *r))
}

// signPresigned signs the response for rec's current status (SHA-1
// CertID, no nonce) and returns its record to store; nil for an expired
// certificate.
func (pub *Publisher) signPresigned(ctx context.Context, s *issuerState, rec *store.CertRecord) (*store.OCSPRecord, error) {
	now := time.Now().UTC().Truncate(time.Second)
	if !now.Before(rec.NotAfter) {
		return nil, nil
	}
	id, err := s.ocsp.CertID(pkix.OCSPHashSHA1, rec.Serial)
	if err != nil {
		return nil, err
	}
	next := now.Add(pub.cfg.OCSP.Validity)
	der, err := pub.signOCSP(ctx, s, []pkix.SingleResponse{singleResponse(id, rec, now, next)}, nil, now)
	if err != nil {
		pub.m.ocspPresigned.WithLabelValues("error").Inc()
		return nil, err
	}
	return &store.OCSPRecord{Serial: rec.Serial, DER: der, NextUpdate: next, StatusVersion: rec.Status.Version}, nil
}

// presigned counts the outcome of storing a pre-signed response and
// returns the error to act on: none for a stale one (the status changed
// meanwhile; that change re-signs).
func (pub *Publisher) presigned(err error) error {
	switch {
	case errors.Is(err, store.ErrStale):
		pub.m.ocspPresigned.WithLabelValues("stale").Inc()
		return nil
	case err != nil:
		pub.m.ocspPresigned.WithLabelValues("error").Inc()
		return err
	}
	pub.m.ocspPresigned.WithLabelValues("ok").Inc()
	return nil
}

// RunOCSPRefresh keeps pre-signed responses fresh until ctx is done: on
// every Kick (status changes) and every ocsp.refresh_interval it renews
// delegated responders that are due and signs the responses that are
// missing or expire within ocsp.refresh_before; meanwhile it signs the
// responses of the certificates Issued hands it as they come.
func (pub *Publisher) RunOCSPRefresh(ctx context.Context) {
	fresh := make(chan struct{})
	go func() { defer close(fresh); pub.runFresh(ctx) }()
	defer func() { <-fresh }()
	job.Every(ctx, pub.cfg.OCSP.RefreshInterval, pub.kick, func() {
		if err := pub.EnsureResponders(ctx); err != nil && ctx.Err() == nil {
			pub.log.Error("OCSP responder renewal failed", "err", err)
		}
		if err := pub.RefreshOCSP(ctx, pub.cfg.OCSP.RefreshBefore); err != nil && ctx.Err() == nil {
			pub.log.Error("OCSP refresh failed", "err", err)
		}
	})
}

// RefreshOCSP runs one pass of the pre-signing job now: responses missing
// or expiring within refreshBefore are signed. One pass at a time; a done
// ctx ends it early.
func (pub *Publisher) RefreshOCSP(ctx context.Context, refreshBefore time.Duration) error {
	pub.ocspRefreshMu.Lock()
	defer pub.ocspRefreshMu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	before := time.Now().Add(refreshBefore)
	cursor := ""
	for {
		if ctx.Err() != nil {
			return nil
		}
		page, next, err := pub.st.OCSPDue(ctx, before, cursor, 256)
		if err != nil {
			return err
		}
		for _, d := range page {
			rec, err := pub.st.Certificate(ctx, d.Serial)
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
				if err := pub.st.OCSPRetire(ctx, rec.Serial); err != nil && !errors.Is(err, store.ErrInvalidInput) {
					return err
				}
				continue
			}
			s, ok := pub.issuers[rec.IssuerID]
			if !ok {
				continue // an issuer no longer configured
			}
			if err := pub.presign(ctx, s, rec); err != nil {
				pub.log.Warn("OCSP pre-sign failed", "serial", serialHex(rec.Serial), "err", err)
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}
