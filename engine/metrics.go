package engine

import (
	"context"
	"crypto"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/signer"
)

// metrics are the engine's Prometheus series. Names start with gostca_,
// durations are in seconds, counters end in _total.
type metrics struct {
	reg *prometheus.Registry

	issueDuration *prometheus.HistogramVec
	signDuration  *prometheus.HistogramVec
	signErrors    *prometheus.CounterVec
	ocspRequests  *prometheus.CounterVec
	crlDuration   *prometheus.HistogramVec
	crlSize       *prometheus.GaugeVec
	crlEntries    *prometheus.GaugeVec
	ocspPresigned *prometheus.CounterVec

	hookLag        *prometheus.HistogramVec
	hookDeliveries *prometheus.CounterVec
	hookDue        *prometheus.GaugeVec
}

var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

func newMetrics() *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		reg: reg,
		issueDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gostca_issuance_duration_seconds", Help: "Time from an issuance request to its answer, by result code.",
			Buckets: latencyBuckets}, []string{"result"}),
		signDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gostca_hsm_sign_duration_seconds", Help: "Time of one signature by a CA key.",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1}}, []string{"issuer"}),
		signErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gostca_hsm_sign_errors_total", Help: "Failed signatures by a CA key."}, []string{"issuer"}),
		ocspRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gostca_ocsp_requests_total", Help: "OCSP requests by result (good, revoked, unknown, malformed, unauthorized, try_later, internal) and source (presigned, live, none)."},
			[]string{"result", "source"}),
		ocspPresigned: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gostca_ocsp_presigned_total", Help: "OCSP responses signed ahead of requests, by outcome."}, []string{"outcome"}),
		crlDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gostca_crl_build_duration_seconds", Help: "Time to build and sign a CRL.",
			Buckets: latencyBuckets}, []string{"issuer", "kind"}),
		crlSize: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gostca_crl_size_bytes", Help: "Size of the current CRL by kind (full, delta, partition, partition_delta) and partition (empty for full and delta)."},
			[]string{"issuer", "kind", "partition"}),
		crlEntries: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gostca_crl_entries", Help: "Entries in the current CRL by kind and partition."}, []string{"issuer", "kind", "partition"}),
		hookLag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gostca_hook_delivery_lag_seconds", Help: "Time from issuance (outbox row written) to the hook's successful delivery, by kind.",
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600}}, []string{"kind"}),
		hookDeliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gostca_hook_deliveries_total", Help: "Hook delivery attempts by kind and result (ok, error)."}, []string{"kind", "result"}),
		hookDue: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gostca_hook_due", Help: "Outbox rows due for delivery at the last pass, by kind (at most 256 counted)."}, []string{"kind"}),
	}
	reg.MustRegister(m.issueDuration, m.signDuration, m.signErrors, m.ocspRequests, m.ocspPresigned,
		m.crlDuration, m.crlSize, m.crlEntries, m.hookLag, m.hookDeliveries, m.hookDue,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// signerCollector exports the issuance pipeline's counters on scrape.
type signerCollector struct {
	s *signer.Signer

	queue, issued, rejected, signErrs, batches, batchSize *prometheus.Desc
}

func newSignerCollector(s *signer.Signer) *signerCollector {
	return &signerCollector{s: s,
		queue:     prometheus.NewDesc("gostca_issuance_queue_depth", "Requests admitted and waiting for a batch.", nil, nil),
		issued:    prometheus.NewDesc("gostca_certificates_issued_total", "Certificates issued since start.", nil, nil),
		rejected:  prometheus.NewDesc("gostca_issuance_rejected_total", "Requests refused at admission (queue full, closed).", nil, nil),
		signErrs:  prometheus.NewDesc("gostca_issuance_sign_errors_total", "Certificates whose signature failed.", nil, nil),
		batches:   prometheus.NewDesc("gostca_issuance_batches_total", "Batches processed.", nil, nil),
		batchSize: prometheus.NewDesc("gostca_issuance_batch_size", "Requests per batch (the sum is estimated from bucket midpoints).", nil, nil),
	}
}

func (c *signerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.queue, c.issued, c.rejected, c.signErrs, c.batches, c.batchSize} {
		ch <- d
	}
}

func (c *signerCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.Stats()
	ch <- prometheus.MustNewConstMetric(c.queue, prometheus.GaugeValue, float64(st.QueueDepth))
	ch <- prometheus.MustNewConstMetric(c.issued, prometheus.CounterValue, float64(st.Issued))
	ch <- prometheus.MustNewConstMetric(c.rejected, prometheus.CounterValue, float64(st.Rejected))
	ch <- prometheus.MustNewConstMetric(c.signErrs, prometheus.CounterValue, float64(st.SignErrors))
	ch <- prometheus.MustNewConstMetric(c.batches, prometheus.CounterValue, float64(st.Batches))
	// BatchSizes[i] counts batches of size in (2^(i−1), 2^i].
	buckets := map[float64]uint64{}
	var count uint64
	var sum float64
	lower := 0.0
	for i, n := range st.BatchSizes {
		upper := float64(uint64(1) << i)
		count += n
		buckets[upper] = count
		sum += float64(n) * (lower + upper) / 2
		lower = upper
	}
	ch <- prometheus.MustNewConstHistogram(c.batchSize, count, sum, buckets)
}

// meteredKey times every signature of a CA key.
type meteredKey struct {
	hsm.Key
	dur  prometheus.Observer
	errs prometheus.Counter
}

func (m *metrics) wrapKey(id string, k hsm.Key) hsm.Key {
	return &meteredKey{Key: k, dur: m.signDuration.WithLabelValues(id), errs: m.signErrors.WithLabelValues(id)}
}

func (k *meteredKey) Public() crypto.PublicKey { return k.Key.Public() }

func (k *meteredKey) Sign(ctx context.Context, digest []byte) ([]byte, error) {
	start := time.Now()
	sig, err := k.Key.Sign(ctx, digest)
	k.dur.Observe(time.Since(start).Seconds())
	if err != nil {
		k.errs.Inc()
	}
	return sig, err
}

// tokenCollector exports a PKCS#11 token's pool and breaker on scrape.
type tokenCollector struct {
	tok caToken

	sessions, idle, reestablish, restarts, breaker, trips, fastFails, errs *prometheus.Desc
}

func newTokenCollector(tok caToken) *tokenCollector {
	return &tokenCollector{tok: tok,
		sessions:    prometheus.NewDesc("gostca_hsm_sessions", "Sessions in the PKCS#11 pool.", nil, nil),
		idle:        prometheus.NewDesc("gostca_hsm_sessions_idle", "Pool sessions not in a call.", nil, nil),
		reestablish: prometheus.NewDesc("gostca_hsm_reestablish_total", "Times the token's sessions were re-established (new login).", nil, nil),
		restarts:    prometheus.NewDesc("gostca_hsm_module_restarts_total", "C_Finalize + C_Initialize cycles of the PKCS#11 module.", nil, nil),
		breaker:     prometheus.NewDesc("gostca_hsm_breaker_open", "1 while the token's circuit breaker is open or probing (calls fail fast).", nil, nil),
		trips:       prometheus.NewDesc("gostca_hsm_breaker_trips_total", "Times the circuit breaker opened.", nil, nil),
		fastFails:   prometheus.NewDesc("gostca_hsm_fast_fails_total", "Calls refused at once while the breaker was open.", nil, nil),
		errs:        prometheus.NewDesc("gostca_hsm_errors_total", "Failed token calls by kind (session, device, busy, …).", []string{"kind"}, nil),
	}
}

func (c *tokenCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.sessions, c.idle, c.reestablish, c.restarts, c.breaker, c.trips, c.fastFails, c.errs} {
		ch <- d
	}
}

func (c *tokenCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.tok.Stats()
	open := 0.0
	if st.BreakerOpen {
		open = 1
	}
	ch <- prometheus.MustNewConstMetric(c.sessions, prometheus.GaugeValue, float64(st.Sessions))
	ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(st.SessionsIdle))
	ch <- prometheus.MustNewConstMetric(c.reestablish, prometheus.CounterValue, float64(st.Reestablishes))
	ch <- prometheus.MustNewConstMetric(c.restarts, prometheus.CounterValue, float64(st.ModuleRestarts))
	ch <- prometheus.MustNewConstMetric(c.breaker, prometheus.GaugeValue, open)
	ch <- prometheus.MustNewConstMetric(c.trips, prometheus.CounterValue, float64(st.BreakerTrips))
	ch <- prometheus.MustNewConstMetric(c.fastFails, prometheus.CounterValue, float64(st.FastFails))
	for kind, n := range st.Errors {
		ch <- prometheus.MustNewConstMetric(c.errs, prometheus.CounterValue, float64(n), kind)
	}
}
