// Package publish publishes certificate status: complete, delta and
// partitioned CRLs, the OCSP responder with its pre-signed responses, and
// delegated OCSP responders. It reads statuses from the store and signs
// with the issuing CAs' keys; it changes no certificate's status.
package publish

import (
	"context"
	"log/slog"
	"math/big"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// IssueFunc has the CA issue a certificate under one of its own profiles
// (the delegated responders' ocsp-signer certificates) and returns the
// committed record.
type IssueFunc func(ctx context.Context, issuerID, profile string, csr []byte, subject pkix.Subject) (*store.CertRecord, error)

// Options are what a Publisher needs.
type Options struct {
	Config *config.Config
	Store  Store
	// Issuers are the issuing CAs, the default first.
	Issuers []cadir.Issuer
	// Root is the root certificate; RootKey its key when this CA holds
	// it (nil: offline, the root CRL is uploaded). See rootcrl.go.
	Root    *pkix.Certificate
	RootKey hsm.Key
	// Issue issues delegated responder certificates (ocsp.delegated).
	Issue    IssueFunc
	Logger   *slog.Logger
	Registry prometheus.Registerer
}

// Publisher builds CRLs and answers OCSP for the issuing CAs. Its methods
// are safe for concurrent use.
type Publisher struct {
	cfg     *config.Config
	st      Store
	log     *slog.Logger
	m       *metrics
	issue   IssueFunc
	issuers map[string]*issuerState
	order   []string // issuer ids, the default first
	root    *rootState

	ocspSem chan struct{}
	// ocspRefreshMu serialises passes of the pre-signing job: a kick and a
	// tick (or a test) overlapping would otherwise both sign the same due
	// responses, and the later write would replace a fresh response.
	ocspRefreshMu sync.Mutex
	kick          chan struct{}
	// fresh holds certificates just issued for the pre-signing job
	// (Issued, ocspfresh.go).
	fresh chan *store.CertRecord
	// beforeFreshStore, set by tests only before the first Issued, sees
	// each turn's signed responses before they are stored; false drops
	// them (a crash between signing and storing).
	beforeFreshStore func([]store.OCSPRecord) bool
	// cache holds pre-signed answers (ocspcache.go); nil without one.
	cache *ocspCache
}

// Open makes the publisher of the issuers and pins each issuer's CRL
// partition count in the store (refusing a change once certificates may
// carry partition URLs). Delegated responders come with EnsureResponders,
// once the CA can issue.
func Open(ctx context.Context, opts Options) (*Publisher, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	pub := &Publisher{cfg: opts.Config, st: opts.Store, log: log, m: newMetrics(opts.Registry), issue: opts.Issue,
		issuers: map[string]*issuerState{}, ocspSem: make(chan struct{}, opts.Config.OCSP.LiveConcurrency), kick: make(chan struct{}, 1),
		fresh: make(chan *store.CertRecord, freshQueueLen), cache: newOCSPCache(opts.Config.OCSP.CacheEntries)}
	for i := range opts.Issuers {
		s, err := newIssuerState(&opts.Issuers[i])
		if err != nil {
			return nil, err
		}
		if err := pub.pinPartitions(ctx, s); err != nil {
			return nil, err
		}
		pub.issuers[s.is.ID] = s
		pub.order = append(pub.order, s.is.ID)
	}
	if err := pub.openRoot(opts.Root, opts.RootKey); err != nil {
		return nil, err
	}
	return pub, nil
}

// Kick wakes the OCSP pre-signing job (new certificates).
func (pub *Publisher) Kick() {
	select {
	case pub.kick <- struct{}{}:
	default:
	}
}

// StatusChanged drops rec's cached OCSP answer, invalidates the CRLs of
// rec's issuer and re-signs rec's OCSP response at once, so that the very
// next request is answered from a fresh pre-signed response; the refresh
// job retries a failure. The CA calls it after committing a status change
// and before acknowledging it: once it returns, no answer from before the
// change is served from the cache (ocspcache.go).
func (pub *Publisher) StatusChanged(ctx context.Context, rec *store.CertRecord) {
	pub.ForgetOCSP(rec.Serial)
	s, ok := pub.issuers[rec.IssuerID]
	if !ok {
		return
	}
	s.statusGen.Add(1)
	if err := pub.presign(ctx, s, rec); err != nil {
		pub.log.Warn("OCSP pre-sign after status change failed", "serial", serialHex(rec.Serial), "err", err)
		pub.Kick()
	}
}

// ForgetOCSP drops serial's cached OCSP answer, if any: for a status
// change whose record could not be read back for StatusChanged.
func (pub *Publisher) ForgetOCSP(serial []byte) {
	if pub.cache != nil {
		pub.cache.remove(serial)
	}
}

// Quiesce holds off every CRL build and OCSP pre-signing pass until the
// returned function is called (live OCSP signing goes on): for work on
// the token that nothing may run under.
func (pub *Publisher) Quiesce() (release func()) {
	pub.ocspRefreshMu.Lock()
	for _, id := range pub.order {
		pub.issuers[id].crlMu.Lock()
	}
	return func() {
		for _, id := range pub.order {
			pub.issuers[id].crlMu.Unlock()
		}
		pub.ocspRefreshMu.Unlock()
	}
}

// serialHex prints a serial as the logs do: lowercase hex, no leading
// zeros.
func serialHex(b []byte) string { return new(big.Int).SetBytes(b).Text(16) }

// metrics are the publisher's series.
type metrics struct {
	ocspRequests  *prometheus.CounterVec
	ocspPresigned *prometheus.CounterVec
	crlDuration   *prometheus.HistogramVec
	crlSize       *prometheus.GaugeVec
	crlEntries    *prometheus.GaugeVec

	// The series of pre-signed and live answers, looked up once.
	presignedGood, presignedRevoked    prometheus.Counter
	liveGood, liveRevoked, liveUnknown prometheus.Counter
}

// liveAnswer counts an answer of result res signed live.
func (m *metrics) liveAnswer(res string) {
	switch res {
	case OCSPResultGood:
		m.liveGood.Inc()
	case OCSPResultRevoked:
		m.liveRevoked.Inc()
	default:
		m.liveUnknown.Inc()
	}
}

// presignedAnswer counts a pre-signed answer of result res.
func (m *metrics) presignedAnswer(res string) {
	if res == OCSPResultGood {
		m.presignedGood.Inc()
	} else {
		m.presignedRevoked.Inc()
	}
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		ocspRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gostca_ocsp_requests_total", Help: "OCSP requests by result (good, revoked, unknown, malformed, unauthorized, try_later, internal) and source (presigned, live, none)."},
			[]string{"result", "source"}),
		ocspPresigned: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gostca_ocsp_presigned_total", Help: "OCSP responses signed ahead of requests, by outcome."}, []string{"outcome"}),
		crlDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gostca_crl_build_duration_seconds", Help: "Time to build and sign a CRL.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"issuer", "kind"}),
		crlSize: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gostca_crl_size_bytes", Help: "Size of the current CRL by kind (full, delta, partition, partition_delta) and partition (empty for full and delta)."},
			[]string{"issuer", "kind", "partition"}),
		crlEntries: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gostca_crl_entries", Help: "Entries in the current CRL by kind and partition."}, []string{"issuer", "kind", "partition"}),
	}
	m.presignedGood = m.ocspRequests.WithLabelValues(OCSPResultGood, "presigned")
	m.presignedRevoked = m.ocspRequests.WithLabelValues(OCSPResultRevoked, "presigned")
	m.liveGood = m.ocspRequests.WithLabelValues(OCSPResultGood, "live")
	m.liveRevoked = m.ocspRequests.WithLabelValues(OCSPResultRevoked, "live")
	m.liveUnknown = m.ocspRequests.WithLabelValues(OCSPResultUnknown, "live")
	reg.MustRegister(m.ocspRequests, m.ocspPresigned, m.crlDuration, m.crlSize, m.crlEntries)
	return m
}
